import pytest

import nbhelpers as nbh


def test_defaults_pass_unchanged():
    assert nbh.check_parameters(**nbh.DEFAULTS) == nbh.DEFAULTS


@pytest.mark.parametrize(
    "name,value,expected",
    [
        ("maxlen", "40", 40),
        ("epochs", 2.0, 2),
        ("learning_rate", 1, 1.0),
        ("learning_rate", "0.005", 0.005),
        ("temperatures", "[0.2, 0.5]", [0.2, 0.5]),
        ("temperatures", 1, [1.0]),
        ("temperatures", (0, "1.5"), [0.0, 1.5]),
        ("validation_fraction", "0", 0.0),
        ("max_windows", "0", 0),
        ("corpus_path", None, ""),
    ],
)
def test_coercion(name, value, expected):
    out = nbh.check_parameters(**{name: value})[name]
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize(
    "name,value,match",
    [
        ("maxlen", 0, "positive integer"),
        ("step", -3, "positive integer"),
        ("units", 1.5, "integer"),
        ("batch_size", True, "boolean"),
        ("epochs", "five", "integer"),
        ("max_windows", -1, ">= 0"),
        ("learning_rate", 0, "> 0"),
        ("learning_rate", "nan", "finite"),
        ("validation_fraction", 1.0, r"\[0, 1\)"),
        ("temperatures", [], "at least one"),
        ("temperatures", [0.5, -1], ">= 0"),
        ("output_dir", "", "must not be empty"),
        ("epoch", 3, "unknown parameter"),
    ],
)
def test_rejection(name, value, match):
    with pytest.raises(ValueError, match=match):
        nbh.check_parameters(**{name: value})
