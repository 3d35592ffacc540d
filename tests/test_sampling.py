import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import nbhelpers as nbh


def classic_reweight(preds, temperature):
    """The classic example's reweighting (before its multinomial draw)."""
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    return exp_preds / np.sum(exp_preds)


@pytest.mark.parametrize("temperature", [0.2, 0.5, 1.0, 1.2, 1.5])
def test_reweighting_matches_classic_formula(temperature):
    p = np.random.default_rng(0).dirichlet(np.ones(57)).astype(np.float32)
    assert_allclose(nbh.apply_temperature(p, temperature), classic_reweight(p, temperature), rtol=1e-10)


def test_temperature_zero_is_argmax():
    rng = np.random.default_rng(1)
    for _ in range(20):
        p = rng.dirichlet(np.ones(10))
        assert nbh.sample(p, 0.0, rng) == int(np.argmax(p))


def test_same_seed_same_draws():
    p = np.random.default_rng(2).dirichlet(np.ones(57))
    a = [nbh.sample(p, 1.0, rng) for rng in [np.random.default_rng(7)] for _ in range(50)]
    b = [nbh.sample(p, 1.0, rng) for rng in [np.random.default_rng(7)] for _ in range(50)]
    assert a == b


def test_frequencies_follow_the_reweighted_distribution():
    p = np.array([0.5, 0.3, 0.2])
    rng = np.random.default_rng(3)
    n = 20000
    counts = np.bincount([nbh.sample(p, 0.5, rng) for _ in range(n)], minlength=3)
    expected = nbh.apply_temperature(p, 0.5)
    assert_allclose(counts / n, expected, atol=0.015)


def test_float32_sum_slightly_above_one_does_not_raise():
    p = np.array([0.99, 0.99] + [1e-9] * 8, dtype=np.float32)
    p = p / p.sum()  # normalised in float32: the float64 sum can exceed 1
    for t in (0.2, 1.0, 1.5):
        k = nbh.sample(p, t, np.random.default_rng(0))
        assert 0 <= k < 10


def test_zero_probabilities_no_warning_never_drawn():
    p = np.array([0.0, 0.6, 0.0, 0.4, 0.0])
    rng = np.random.default_rng(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draws = {nbh.sample(p, 0.2, rng) for _ in range(2000)}
    assert draws <= {1, 3}


@pytest.mark.parametrize("temperature", [-0.1, float("nan"), float("inf"), "hot", None])
def test_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature"):
        nbh.sample([0.5, 0.5], temperature)


@pytest.mark.parametrize("probs", [[0.5, float("nan")], [-0.1, 1.1], [0.0, 0.0], [], [[0.5, 0.5]]])
def test_bad_probs(probs):
    with pytest.raises(ValueError, match="probs"):
        nbh.sample(probs, 1.0)


@settings(max_examples=200, deadline=None)
@given(
    probs=st.lists(st.floats(0, 1, allow_nan=False, width=32), min_size=1, max_size=60).filter(lambda v: sum(v) > 0),
    temperature=st.floats(0, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_sample_property(probs, temperature, seed):
    p = np.asarray(probs, dtype=np.float32)
    k = nbh.sample(p, temperature, np.random.default_rng(seed))
    q = nbh.apply_temperature(p, temperature)
    assert 0 <= k < len(p)
    assert q[k] > 0 and p[k] > 0
    assert_allclose(q.sum(), 1.0, rtol=1e-12)


def test_the_float32_case_really_breaks_numpy_multinomial():
    """The fault the float32 test above guards against, shown on NumPy itself."""
    p = np.array([0.99, 0.99] + [1e-9] * 8, dtype=np.float32)
    p = p / p.sum()
    with pytest.raises(ValueError, match="sum"):
        np.random.multinomial(1, p, 1)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.floats(0, 1, allow_nan=False, width=32), min_size=6, max_size=6).filter(lambda v: sum(v) > 0),
        min_size=1,
        max_size=6,
    ),
    temps=st.lists(st.sampled_from([0.0, 1e-300, 0.2, 0.5, 1.0, 1.2, 1.5, 50.0]), min_size=6, max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_sample_rows_equals_sample_row_by_row(rows, temps, seed):
    p = np.asarray(rows, dtype=np.float32)
    t = temps[: len(p)]
    together = nbh.sample_rows(p, t, np.random.default_rng(seed))
    rng = np.random.default_rng(seed)
    one_by_one = [nbh.sample(p[i], t[i], rng) for i in range(len(p))]
    assert together.tolist() == one_by_one


def test_sample_rows_needs_one_temperature_per_row():
    with pytest.raises(ValueError, match="one temperature per row"):
        nbh.sample_rows(np.ones((3, 4)), [1.0, 0.5])
