"""``truncate_logits``: the one definition of top-k and nucleus (top-p) truncation, used by both generation modes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import nbhelpers as nbh

P = np.array([0.05, 0.4, 0.1, 0.3, 0.15])  # ranked: 1 (0.4), 3 (0.3), 4 (0.15), 2 (0.1), 0 (0.05)


def kept(probs, **kwargs):
    """Indices that ``truncate_logits`` keeps for log(probs), in vocabulary order."""
    with np.errstate(divide="ignore"):
        logits = np.log(np.asarray(probs, dtype=np.float64))
    out = np.asarray(nbh.truncate_logits(logits, **kwargs))
    return np.flatnonzero(out > -np.inf).tolist()


def test_nothing_asked_keeps_everything_unchanged():
    logits = np.log(P).astype(np.float32)
    out = np.asarray(nbh.truncate_logits(logits))
    assert out.dtype == np.float32 and out.shape == (5,)
    assert_array_equal(out, logits)


@pytest.mark.parametrize(
    "top_k,expected",
    [(1, [1]), (2, [1, 3]), (3, [1, 3, 4]), (4, [1, 2, 3, 4]), (5, [0, 1, 2, 3, 4]), (99, [0, 1, 2, 3, 4])],
)
def test_top_k_keeps_the_k_likeliest(top_k, expected):
    assert kept(P, top_k=top_k) == expected


@pytest.mark.parametrize(
    "top_p,expected",
    [
        (1e-9, [1]),
        (0.4, [1]),  # 0.4 alone reaches 0.4
        (0.41, [1, 3]),
        (0.7, [1, 3]),
        (0.71, [1, 3, 4]),
        (0.8, [1, 3, 4]),
        (0.95, [1, 2, 3, 4]),  # 0.4 + 0.3 + 0.15 + 0.1 reaches 0.95
        (0.96, [0, 1, 2, 3, 4]),
        (1.0, [0, 1, 2, 3, 4]),
    ],
)
def test_nucleus_is_the_smallest_set_reaching_p(top_p, expected):
    assert kept(P, top_p=top_p) == expected


def test_both_limits_apply_together():
    assert kept(P, top_k=2, top_p=0.99) == [1, 3]
    assert kept(P, top_k=4, top_p=0.41) == [1, 3]
    assert kept(P, top_k=1, top_p=1.0) == [1]


def test_ties_rank_the_lower_index_first():
    p = [0.1, 0.3, 0.3, 0.3]
    assert kept(p, top_k=1) == [1]
    assert kept(p, top_k=2) == [1, 2]
    assert kept(p, top_k=3) == [1, 2, 3]
    assert kept(p, top_p=0.3) == [1]
    assert kept(p, top_p=0.5) == [1, 2]
    assert kept([0.25] * 4, top_k=2) == [0, 1]
    assert kept([0.25] * 4, top_p=0.75) == [0, 1, 2]


def test_kept_entries_keep_their_logits_and_softmax_renormalises():
    logits = np.log(P)
    out = np.asarray(nbh.truncate_logits(logits, top_k=3))
    assert_array_equal(out[[1, 3, 4]], logits[[1, 3, 4]])
    assert np.isneginf(out[[0, 2]]).all()
    q = np.exp(out - out.max())
    assert_allclose(q / q.sum(), np.array([0, 0.4, 0, 0.3, 0.15]) / 0.85)


def test_impossible_characters_are_never_kept():
    p = [0.0, 0.7, 0.0, 0.3]
    assert kept(p, top_k=4) == [1, 3]
    assert kept(p, top_p=1.0) == [1, 3]
    assert kept([1.0, 0.0, 0.0], top_k=3) == [0]


def test_float32_boundary_keeps_the_same_set_as_float64():
    """p landing on a cumulative sum (0.5 + 0.3 = 0.79999995 in float32): the tolerance keeps {0, 1} in both."""
    for dtype in (np.float32, np.float64):
        logits = np.log(np.array([0.5, 0.3, 0.2], dtype=dtype))
        assert np.flatnonzero(np.asarray(nbh.truncate_logits(logits, top_p=0.8)) > -np.inf).tolist() == [0, 1]
    assert kept([0.1, 0.2, 0.7], top_p=0.9) == [1, 2]


def test_rows_are_truncated_independently():
    rng = np.random.default_rng(0)
    logits = np.log(rng.dirichlet(np.ones(12), size=6))
    for kwargs in ({"top_k": 3}, {"top_p": 0.6}, {"top_k": 5, "top_p": 0.5}):
        together = np.asarray(nbh.truncate_logits(logits, **kwargs))
        assert together.shape == (6, 12)
        for row in range(6):
            assert_array_equal(together[row], np.asarray(nbh.truncate_logits(logits[row], **kwargs)))


def test_logits_up_to_a_constant_per_row():
    """Only ranks and softmax matter: shifting a row's logits (or scaling them by 1/T > 0 for top-k) changes nothing."""
    logits = np.log(P)
    for kwargs in ({"top_k": 2}, {"top_p": 0.8}):
        assert_array_equal(
            np.asarray(nbh.truncate_logits(logits + 5.0, **kwargs)) > -np.inf,
            np.asarray(nbh.truncate_logits(logits, **kwargs)) > -np.inf,
        )
    assert kept(P**2, top_k=2) == kept(P, top_k=2)


@pytest.mark.parametrize("seed", range(10))
def test_top_k_1_and_tiny_top_p_are_argmax(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(8, 57)) * 3
    logits[:, 5] = logits[:, 9] = logits.max(axis=1) + 1  # a tie for the maximum: the lower index wins
    argmax = np.argmax(logits, axis=1)
    assert (argmax == 5).all()
    for kwargs in ({"top_k": 1}, {"top_p": 1e-9}, {"top_k": 1, "top_p": 1e-9}):
        out = np.asarray(nbh.truncate_logits(logits, **kwargs))
        assert_array_equal(np.isfinite(out), np.eye(57, dtype=bool)[argmax])


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    top_k=st.one_of(st.none(), st.integers(1, 14)),
    top_p=st.one_of(st.none(), st.floats(1e-6, 1.0)),
    n_zero=st.integers(0, 4),
)
def test_kept_set_property(seed, top_k, top_p, n_zero):
    """The kept set: the likeliest characters first, at most k, the fewest that reach p, never an impossible one."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(12, 0.3))
    p[rng.choice(12, n_zero, replace=False)] = 0.0
    if p.sum() == 0:
        p[0] = 1.0
    p /= p.sum()
    keep = np.zeros(12, dtype=bool)
    keep[kept(p, top_k=top_k, top_p=top_p)] = True
    assert keep.sum() >= 1 and keep[np.argmax(p)]
    assert (p[keep] > 0).all()  # never an impossible character
    assert p[keep].min() >= p[~keep].max(initial=0)  # a kept character is at least as likely as any dropped one
    if top_k is not None:
        assert keep.sum() <= top_k
    if top_p is not None and (top_k is None or keep.sum() < top_k):
        ranked = np.sort(p[keep])[::-1]
        assert ranked.sum() >= top_p - 1e-6 or keep.sum() == (p > 0).sum()  # it reaches p ...
        assert ranked[:-1].sum() < top_p  # ... and one character fewer would not
    if top_k is None and top_p is None:
        assert keep.sum() == (p > 0).sum()
