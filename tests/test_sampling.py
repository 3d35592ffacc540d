"""``nbh.sample`` and friends (NumPy): temperature reweighting, draws, entropy."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import nbhelpers as nbh

TEMPERATURES = [0.2, 0.5, 1.0, 1.2, 1.5]


def classic_reweight(preds, temperature):
    """The classic example's reweighting (before its multinomial draw)."""
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    return exp_preds / np.sum(exp_preds)


def dirichlet(seed, n=57, alpha=1.0):
    return np.random.default_rng(seed).dirichlet(np.full(n, alpha))


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_reweighting_matches_classic_formula(temperature):
    p = dirichlet(0).astype(np.float32)
    assert_allclose(nbh.apply_temperature(p, temperature), classic_reweight(p, temperature), rtol=1e-10)


def test_reweighting_is_p_to_the_one_over_t():
    p = np.array([0.5, 0.3, 0.2])
    for t in (0.25, 0.5, 2.0):
        q = p ** (1 / t)
        assert_allclose(nbh.apply_temperature(p, t), q / q.sum(), rtol=1e-12)
    assert_allclose(nbh.apply_temperature(p * 7, 1.0), p, rtol=1e-12)  # T = 1: renormalised probs
    assert_allclose(nbh.apply_temperature(p, 0.0), [1.0, 0.0, 0.0])  # T = 0: all mass on the argmax
    assert_allclose(nbh.apply_temperature([0.2, 0.4, 0.4], 0.0), [0.0, 1.0, 0.0])  # ties: first index


@pytest.mark.parametrize("seed", range(5))
def test_temperature_zero_is_argmax_and_draws_nothing(seed):
    rng = np.random.default_rng(seed)
    for _ in range(20):
        p = rng.dirichlet(np.ones(10))
        state = rng.bit_generator.state
        assert nbh.sample(p, 0.0, rng) == int(np.argmax(p))
        assert rng.bit_generator.state == state  # no random number used


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_sample_equals_rng_choice_draw_for_draw(temperature):
    """sample(p, T, rng) is one rng.choice(n, p=apply_temperature(p, T)), draw for draw."""
    probs = [dirichlet(s).astype(np.float32) for s in range(20)]
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    for p in probs * 10:
        assert nbh.sample(p, temperature, rng_a) == int(rng_b.choice(len(p), p=nbh.apply_temperature(p, temperature)))


@settings(max_examples=150, deadline=None)
@given(
    probs=st.lists(st.floats(0, 1, allow_nan=False, width=32), min_size=1, max_size=60).filter(lambda v: sum(v) > 0),
    temperature=st.one_of(st.just(0.0), st.floats(1e-300, 5)),
    seed=st.integers(0, 2**32 - 1),
)
def test_sample_property(probs, temperature, seed):
    p = np.asarray(probs, dtype=np.float32)
    k = nbh.sample(p, temperature, np.random.default_rng(seed))
    q = nbh.apply_temperature(p, temperature)
    assert 0 <= k < len(p)
    assert q[k] > 0 and p[k] > 0
    assert_allclose(q.sum(), 1.0, rtol=1e-12)
    if temperature > 0:
        assert k == int(np.random.default_rng(seed).choice(len(p), p=q))


def test_frequencies_follow_the_reweighted_distribution():
    """10^5 draws at T = 0.7: a chi-square test against the reweighted probabilities."""
    p = np.array([0.35, 0.25, 0.15, 0.12, 0.08, 0.05, 0.0])
    q = nbh.apply_temperature(p, 0.7)
    rng = np.random.default_rng(3)
    n = 100_000
    counts = np.bincount([nbh.sample(p, 0.7, rng) for _ in range(n)], minlength=len(p))
    assert counts[-1] == 0  # probability 0: never drawn
    expected = n * q[:-1]
    chi2 = float(((counts[:-1] - expected) ** 2 / expected).sum())
    assert chi2 < 22.46, chi2  # the 99.9% quantile of chi-square with 5 degrees of freedom (p = 0.001)
    assert_allclose(counts[:-1] / n, q[:-1], atol=0.006)


def test_same_seed_same_draws():
    p = dirichlet(2)
    a = [nbh.sample(p, 1.0, rng) for rng in [np.random.default_rng(7)] for _ in range(50)]
    b = [nbh.sample(p, 1.0, rng) for rng in [np.random.default_rng(7)] for _ in range(50)]
    assert a == b
    assert nbh.sample(p, 1.0, 5) == nbh.sample(p, 1.0, np.random.default_rng(5))  # an int seeds a new Generator


def test_float32_sum_slightly_above_one_does_not_raise():
    p = np.array([0.99, 0.99] + [1e-9] * 8, dtype=np.float32)
    p = p / p.sum()  # normalised in float32: the float64 sum can exceed 1
    for t in (0.2, 1.0, 1.5):
        k = nbh.sample(p, t, np.random.default_rng(0))
        assert 0 <= k < 10


def test_the_float32_case_really_breaks_numpy_multinomial():
    """The fault the float32 test above guards against, shown on NumPy itself."""
    p = np.array([0.99, 0.99] + [1e-9] * 8, dtype=np.float32)
    p = p / p.sum()
    with pytest.raises(ValueError, match="sum"):
        np.random.multinomial(1, p, 1)


def test_zero_probabilities_no_warning_never_drawn():
    p = np.array([0.0, 0.6, 0.0, 0.4, 0.0])
    rng = np.random.default_rng(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draws = {nbh.sample(p, 0.2, rng) for _ in range(2000)}
    assert draws <= {1, 3}


def test_tiny_temperature_is_almost_argmax_without_overflow():
    p = np.array([0.3, 0.31, 0.39])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert {nbh.sample(p, 1e-300, np.random.default_rng(s)) for s in range(20)} == {2}


@pytest.mark.parametrize("temperature", [-0.1, float("nan"), float("inf"), "hot", None, True])
def test_bad_temperature(temperature):
    with pytest.raises(ValueError, match="temperature must be"):
        nbh.sample([0.5, 0.5], temperature)
    with pytest.raises(ValueError, match="temperature must be"):
        nbh.apply_temperature([0.5, 0.5], temperature)


@pytest.mark.parametrize(
    "probs,match",
    [
        ([0.5, float("nan")], "probs contains NaN or infinite values"),
        ([-0.1, 1.1], "probs must be >= 0 with a positive sum"),
        ([0.0, 0.0], "probs must be >= 0 with a positive sum"),
        ([], "probs must be a non-empty array"),
        (0.5, "probs must be a non-empty array"),
        ([[0.5, 0.5]], r"probs must have shape \(vocab_size,\)"),
        (["a", "b"], "probs must be an array of real numbers"),
    ],
)
def test_bad_probs(probs, match):
    with pytest.raises(ValueError, match=match):
        nbh.sample(probs, 1.0)


# --- entropy ---------------------------------------------------------------------------------------------------------


def test_entropy_bits_reference_values():
    assert nbh.entropy_bits([1.0, 0.0, 0.0]) == 0.0
    assert_allclose(nbh.entropy_bits(np.ones(57)), math.log2(57))
    assert_allclose(nbh.entropy_bits([0.5, 0.25, 0.25]), 1.5)
    assert_allclose(nbh.entropy_bits([[2.0, 2.0], [1.0, 0.0]]), [1.0, 0.0])  # rows renormalised
    assert str(nbh.entropy_bits([1.0, 0.0])) == "0.0"  # not -0.0


def test_entropy_falls_as_temperature_falls():
    p = dirichlet(4)
    h = [nbh.entropy_bits(nbh.apply_temperature(p, t)) for t in (0.0, 0.2, 0.5, 1.0, 1.5, 5.0)]
    assert h[0] == 0.0
    assert all(a < b for a, b in zip(h[:-1], h[1:], strict=True))
    assert h[-1] < math.log2(57)


def test_entropy_refuses_bad_probs():
    with pytest.raises(ValueError, match="NaN"):
        nbh.entropy_bits([0.5, float("nan")])
    with pytest.raises(ValueError, match="positive sum"):
        nbh.entropy_bits([0.0, 0.0])
