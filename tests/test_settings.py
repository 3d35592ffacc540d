"""``check_parameters`` and its coercions: values enter the lesson here, checked once."""

import math

import numpy as np
import pytest

import nbhelpers as nbh
from nbhelpers.settings import as_bool, as_float, as_int, as_temperatures


def test_defaults_pass_unchanged():
    assert nbh.check_parameters(**nbh.DEFAULTS) == nbh.DEFAULTS


def test_order_and_keys_are_kept():
    out = nbh.check_parameters(step="3", maxlen="40", corpus_path="")
    assert list(out) == ["step", "maxlen", "corpus_path"] and out == {"step": 3, "maxlen": 40, "corpus_path": ""}


@pytest.mark.parametrize(
    "name,value,expected",
    [
        ("epochs", "5", 5),
        ("maxlen", "40", 40),
        ("epochs", 2.0, 2),
        ("units", np.int64(64), 64),
        ("learning_rate", 1, 1.0),
        ("learning_rate", "0.005", 0.005),
        ("temperatures", "[0.2, 0.5]", [0.2, 0.5]),
        ("temperatures", "0.2, 1", [0.2, 1.0]),
        ("temperatures", 1, [1.0]),
        ("temperatures", (0, "1.5"), [0.0, 1.5]),
        ("validation_fraction", "0", 0.0),
        ("max_windows", "0", 0),
        ("seed", "7", 7),
        ("reset_after", "false", False),
        ("reset_after", "True", True),
        ("progress_bar", " FALSE ", False),
        ("progress_bar", False, False),
        ("corpus_path", None, ""),
        ("output_dir", "out", "out"),
    ],
)
def test_coercion(name, value, expected):
    out = nbh.check_parameters(**{name: value})[name]
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    "name,value,match",
    [
        ("maxlen", 0, "maxlen must be a positive integer"),
        ("step", -3, "step must be a positive integer"),
        ("units", 1.5, "units must be a positive integer"),
        ("batch_size", True, "batch_size must be a positive integer, got True"),
        ("epochs", "five", "epochs must be a positive integer, got 'five'"),
        ("max_windows", -1, "max_windows .* >= 0"),
        ("seed", 2**32, r"seed must be < 2\*\*32"),
        ("learning_rate", 0, "learning_rate must be > 0"),
        ("learning_rate", "nan", "learning_rate must be finite"),
        ("learning_rate", True, "learning_rate must be a number, got the boolean"),
        ("validation_fraction", 1.0, r"validation_fraction must be in \[0, 1\)"),
        ("temperatures", [], "temperatures must list at least one"),
        ("temperatures", [0.5, -1], "temperatures must be >= 0"),
        ("temperatures", [1, 1.0, 0.5], "temperatures must be distinct"),
        ("temperatures", ["hot"], r"temperatures\[0\] must be a number"),
        ("reset_after", "no", "reset_after must be True or False, got 'no'"),
        ("progress_bar", 1, "progress_bar must be True or False"),
        ("output_dir", "", "output_dir must not be empty"),
        ("corpus_path", 3, "corpus_path must be a path string"),
    ],
)
def test_rejection_names_the_parameter(name, value, match):
    with pytest.raises(ValueError, match=match):
        nbh.check_parameters(**{name: value})


def test_unknown_names_are_listed_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['epoch', 'unit'\]; known parameters are \[") as e:
        nbh.check_parameters(epoch=3, unit=4, maxlen=40)
    for name in nbh.DEFAULTS:
        assert repr(name) in str(e.value)


def test_every_default_survives_a_round_trip_through_text():
    """Each known name is converted back to the type of its default (a new setting without a branch fails here)."""
    out = nbh.check_parameters(**{k: str(v) for k, v in nbh.DEFAULTS.items()})  # as papermill -p might pass them
    for name, default in nbh.DEFAULTS.items():
        assert type(out[name]) is type(default) and out[name] == default, name


def test_as_int():
    assert as_int("n", "5") == 5 and as_int("n", 3.0) == 3 and as_int("n", " 12 ") == 12
    assert as_int("n", 0, minimum=0) == 0
    for bad in (0, 2.5, "2.5", True, None, [1]):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            as_int("n", bad)
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        as_int("n", -1, minimum=0)


def test_as_float():
    assert as_float("x", "0.5") == 0.5 and as_float("x", 2) == 2.0 and type(as_float("x", 2)) is float
    for bad, match in ((None, "a number"), ("abc", "a number"), (False, "boolean"), ("inf", "finite")):
        with pytest.raises(ValueError, match=f"x must be {match}|x must be a number, got the {match}"):
            as_float("x", bad)
    assert math.isclose(as_float("x", np.float32(0.1)), 0.1, rel_tol=1e-7)


def test_as_temperatures():
    assert as_temperatures("t", "[0.2, 0.5]") == [0.2, 0.5]
    assert as_temperatures("t", "(0 1.5)") == [0.0, 1.5]
    assert as_temperatures("t", 0.5) == [0.5]
    assert as_temperatures("t", np.array([0.5, 1.0])) == [0.5, 1.0]
    with pytest.raises(ValueError, match="t must be a list of numbers >= 0"):
        as_temperatures("t", None)
    with pytest.raises(ValueError, match="t must list at least one temperature"):
        as_temperatures("t", "[]")


@pytest.mark.parametrize("value,expected", [(True, True), (False, False), ("true", True), ("FALSE", False)])
def test_as_bool(value, expected):
    assert as_bool("flag", value) is expected


@pytest.mark.parametrize("value", ["False!", "", "0", 0, 1, None, "yes"])
def test_as_bool_refuses_anything_else(value):
    with pytest.raises(ValueError, match="flag must be True or False"):
        as_bool("flag", value)
