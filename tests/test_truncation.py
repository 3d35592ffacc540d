"""Top-k and nucleus (top-p) sampling, and the entropy of the next-character distribution."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import nbhelpers as nbh


def dirichlet(seed, n=57, alpha=1.0):
    return np.random.default_rng(seed).dirichlet(np.full(n, alpha))


@pytest.mark.parametrize("seed", range(10))
def test_top_k_1_and_tiny_top_p_are_argmax(seed):
    p = dirichlet(seed)
    rng = np.random.default_rng(seed)
    for temperature in (0.5, 1.0, 1.5):
        assert nbh.sample(p, temperature, rng, top_k=1) == int(np.argmax(p))
        assert nbh.sample(p, temperature, rng, top_p=1e-9) == int(np.argmax(p))
    assert_allclose(nbh.truncate(p, top_k=1), np.eye(57)[np.argmax(p)])


def test_ties_rank_the_lower_index_first():
    p = [0.1, 0.3, 0.3, 0.3]
    assert_allclose(nbh.truncate(p, top_k=1), [0, 1, 0, 0])
    assert_allclose(nbh.truncate(p, top_k=2), [0, 0.5, 0.5, 0])


def test_top_k_keeps_the_k_likeliest_renormalised():
    p = np.array([0.05, 0.4, 0.1, 0.3, 0.15])
    assert_allclose(nbh.truncate(p, top_k=3), np.array([0, 0.4, 0, 0.3, 0.15]) / 0.85)
    assert_allclose(nbh.truncate(p, top_k=99), p)  # k above vocab_size keeps everything


def test_nucleus_is_the_smallest_set_reaching_p():
    p = np.array([0.05, 0.4, 0.1, 0.3, 0.15])  # ranked: 0.4, 0.3, 0.15, 0.1, 0.05
    assert_allclose(nbh.truncate(p, top_p=0.4), [0, 1, 0, 0, 0])  # 0.4 already reaches 0.4
    assert_allclose(nbh.truncate(p, top_p=0.41), np.array([0, 0.4, 0, 0.3, 0]) / 0.7)
    assert_allclose(nbh.truncate(p, top_p=0.8), np.array([0, 0.4, 0, 0.3, 0.15]) / 0.85)
    assert_allclose(nbh.truncate(p, top_p=1.0), p)


def test_both_limits_apply_together():
    p = np.array([0.05, 0.4, 0.1, 0.3, 0.15])
    assert_allclose(nbh.truncate(p, top_k=2, top_p=0.99), np.array([0, 0.4, 0, 0.3, 0]) / 0.7)
    assert_allclose(nbh.truncate(p, top_k=4, top_p=0.41), np.array([0, 0.4, 0, 0.3, 0]) / 0.7)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    top_k=st.one_of(st.none(), st.integers(1, 12)),
    top_p=st.one_of(st.none(), st.floats(1e-6, 1.0)),
    temperature=st.sampled_from([0.0, 0.2, 1.0, 1.5]),
)
def test_draws_never_leave_the_kept_set(seed, top_k, top_p, temperature):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(12, 0.3))
    p[rng.integers(0, 12)] = 0.0  # a zero entry is never kept
    kept = nbh.truncate(nbh.apply_temperature(p, temperature), top_k, top_p) > 0
    assert 1 <= kept.sum() <= (top_k or 12)
    draws = nbh.sample_rows(np.tile(p, (200, 1)), [temperature] * 200, rng, top_k=top_k, top_p=top_p)
    assert kept[draws].all()


def test_draw_frequencies_follow_the_truncated_distribution():
    p = dirichlet(3, n=8)
    q = nbh.truncate(nbh.apply_temperature(p, 0.8), top_k=4)
    draws = nbh.sample_rows(np.tile(p, (40_000, 1)), [0.8] * 40_000, np.random.default_rng(0), top_k=4)
    freq = np.bincount(draws, minlength=8) / draws.size
    assert_allclose(freq, q, atol=0.01)
    assert (freq[q == 0] == 0).all()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"top_k": 0}, "top_k must be an integer >= 1"),
        ({"top_k": 2.5}, "top_k must be an integer >= 1"),
        ({"top_k": True}, "top_k must be an integer >= 1"),
        ({"top_p": 0.0}, r"top_p must be in \(0, 1\]"),
        ({"top_p": 1.5}, r"top_p must be in \(0, 1\]"),
        ({"top_p": float("nan")}, r"top_p must be in \(0, 1\]"),
        ({"top_p": "0.9"}, "top_p must be a number"),
    ],
)
def test_bad_truncation_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nbh.truncate([0.5, 0.5], **kwargs)
    with pytest.raises(ValueError, match=match):
        nbh.sample([0.5, 0.5], 1.0, 0, **kwargs)


def test_entropy_bits_reference_values():
    assert nbh.entropy_bits([1.0, 0.0, 0.0]) == 0.0
    assert_allclose(nbh.entropy_bits(np.ones(57)), math.log2(57))
    assert_allclose(nbh.entropy_bits([0.5, 0.25, 0.25]), 1.5)
    assert_allclose(nbh.entropy_bits([[2.0, 2.0], [1.0, 0.0]]), [1.0, 0.0])  # rows renormalised


def test_entropy_falls_as_temperature_falls():
    p = dirichlet(4)
    h = [nbh.entropy_bits(nbh.apply_temperature(p, t)) for t in (0.0, 0.2, 0.5, 1.0, 1.5, 5.0)]
    assert h[0] == 0.0
    assert all(a < b for a, b in zip(h[:-1], h[1:], strict=True))
    assert h[-1] < math.log2(57)


def test_entropy_refuses_bad_probs():
    with pytest.raises(ValueError, match="NaN"):
        nbh.entropy_bits([0.5, float("nan")])
    with pytest.raises(ValueError, match="sums to 0"):
        nbh.entropy_bits([0.0, 0.0])


def test_float32_boundary_keeps_the_same_set_as_float64():
    assert (nbh.truncate(np.float32([0.1, 0.2, 0.7]), top_p=0.9) > 0).tolist() == [False, True, True]
    assert (nbh.truncate(np.float64([0.1, 0.2, 0.7]), top_p=0.9) > 0).tolist() == [False, True, True]


def test_top_p_1_keeps_everything_like_none():
    p = [1.0, 1e-13, 0.0]
    assert_allclose(nbh.truncate(p, top_p=1.0), nbh.truncate(p))
    assert nbh.truncate(p, top_p=1.0)[1] > 0


def test_huge_probabilities_do_not_overflow():
    assert_allclose(nbh.truncate([1e308, 1e308]), [0.5, 0.5])
    assert_allclose(nbh.truncate([1e308, 1e308], top_k=1), [1.0, 0.0])
    assert_allclose(nbh.entropy_bits([1e308, 1e308]), 1.0)
    assert str(nbh.entropy_bits([1.0, 0.0])) == "0.0"  # not -0.0


def test_scalar_temperatures_for_rows_are_refused_clearly():
    with pytest.raises(ValueError, match="one temperature per row"):
        nbh.sample_rows([[0.3, 0.7]], 1.0)
    assert nbh.sampling.check_temperatures(np.array(0.5)) == [0.5]
