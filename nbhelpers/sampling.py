"""Sampling the next character: temperature, top-k and nucleus (top-p), and entropy.

Reweighting a distribution p by a temperature T: ``p_T(k) ∝ exp(log p(k) / T) = p(k)^(1/T)``
(Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network"; the classic Keras
example's ``sample``). T < 1 sharpens the distribution, T > 1 flattens it, T -> 0 is argmax.

Truncation, applied after the temperature: **top-k** keeps the k likeliest characters (Fan, Lewis
& Dauphin 2018, "Hierarchical Neural Story Generation"); **nucleus** or top-p keeps the smallest
set of likeliest characters whose probabilities sum to at least p (Holtzman et al. 2020, "The
Curious Case of Neural Text Degeneration"). Both renormalise what they keep; the rest is never
drawn.

Unlike the classic ``np.random.multinomial(1, preds)``, this works in float64 with an inverse-CDF
draw, so float32 probabilities that sum to slightly more than 1 never raise, zero probabilities
give no ``divide by zero`` warning and are never drawn.
"""

from __future__ import annotations

import math

import numpy as np

# Nucleus boundary tolerance: a set whose mass falls short of p by less than this counts as reaching
# it, so float32 probabilities (rounding ~1e-7) keep the same set in NumPy and in the TF graph.
TOP_P_TOLERANCE = 1e-6


def _check_probs(probs, ndim: int = 1) -> np.ndarray:
    try:
        p = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"probs must be an array of real numbers, got {type(probs).__name__}") from None
    shape = "(vocab_size,)" if ndim == 1 else "(n, vocab_size)"
    if p.ndim != ndim or p.size == 0:
        raise ValueError(f"probs must be a non-empty {ndim}-D array {shape}, got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("probs contains NaN or infinite values; check the model's output (did the loss become NaN?)")
    if np.any(p < 0):
        raise ValueError(f"probs must be >= 0, got a minimum of {p.min()}")
    with np.errstate(over="ignore"):
        total = p.sum(axis=-1)  # inf for huge entries: fine, only its sign matters here
    if not np.all(total > 0):
        raise ValueError("probs sums to 0; there is nothing to sample from")
    return p


def _as_real(value, message: str) -> float:
    """``float(value)`` for a real number; ValueError(``message``) for anything else (bools and strings too)."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise ValueError(message)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(message) from None


def _check_temperature(temperature) -> float:
    t = _as_real(temperature, f"temperature must be a number >= 0 (0 means argmax), got {temperature!r}")
    if math.isnan(t) or math.isinf(t) or t < 0:
        raise ValueError(f"temperature must be a finite number >= 0 (0 means argmax), got {temperature!r}")
    return t


def check_temperatures(temperatures) -> list:
    """A non-empty list of distinct temperatures >= 0; a single number becomes a one-item list.

    Raises
    ------
    ValueError
        Empty, a string, an invalid entry, or duplicates (which would collapse into one result).
    """
    if isinstance(temperatures, np.ndarray) and temperatures.ndim == 0:
        temperatures = temperatures.item()
    if isinstance(temperatures, (int, float, np.number)) and not isinstance(temperatures, (bool, np.bool_)):
        temperatures = [temperatures]
    if isinstance(temperatures, (str, bytes)) or not hasattr(temperatures, "__iter__"):
        raise ValueError(f"temperatures must be a list of numbers >= 0, got {temperatures!r}")
    temps = [_check_temperature(t) for t in temperatures]
    if not temps:
        raise ValueError("give at least one temperature")
    if len(set(temps)) != len(temps):
        raise ValueError(f"temperatures must be distinct, got {temps}")
    return temps


def _check_top_k(top_k):
    if top_k is None:
        return None
    if isinstance(top_k, (bool, np.bool_)) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(f"top_k must be an integer >= 1 (1 means argmax) or None to keep all, got {top_k!r}")
    return int(top_k)


def _check_top_p(top_p):
    if top_p is None:
        return None
    p = _as_real(top_p, f"top_p must be a number in (0, 1] or None to keep all, got {top_p!r}")
    if not 0 < p <= 1:  # also rejects NaN
        raise ValueError(f"top_p must be in (0, 1] (1 keeps everything; close to 0 means argmax), got {top_p!r}")
    return None if p == 1 else p  # 1 keeps every character: the same as no nucleus


def _truncate_rows(q: np.ndarray, top_k, top_p) -> np.ndarray:
    """Zero all but the top-k / nucleus entries of each row of q (n, vocab_size) float64; renormalise.

    Ranks are by probability, ties by lower index (as ``np.argmax``), so exactly min(k, nonzero)
    entries stay for top-k and ``top_k=1`` is the argmax.
    """
    if top_k is None and top_p is None:
        return q
    q = q / q.sum(axis=1, keepdims=True)
    order = np.argsort(-q, axis=1, kind="stable")  # likeliest first; ties: lower index first
    ranked = np.take_along_axis(q, order, axis=1)
    keep = ranked > 0
    if top_k is not None:
        keep[:, top_k:] = False
    if top_p is not None:
        before = np.cumsum(ranked, axis=1) - ranked  # mass of the likelier entries
        keep[:, 1:] &= before[:, 1:] < top_p - TOP_P_TOLERANCE  # the likeliest entry is always kept
    mask = np.zeros_like(keep)
    np.put_along_axis(mask, order, keep, axis=1)
    out = np.where(mask, q, 0.0)
    return out / out.sum(axis=1, keepdims=True)


def truncate(probs, top_k=None, top_p=None) -> np.ndarray:
    """Keep only the top-k or nucleus (top-p) characters of a distribution, renormalised.

    Parameters
    ----------
    probs : array_like, shape (vocab_size,)
        Probabilities (non-negative, any positive sum).
    top_k : int >= 1, optional
        Keep the k likeliest characters (ties: the lower index ranks first). 1 is argmax; a k
        larger than the number of non-zero entries keeps them all. None: no limit.
    top_p : float in (0, 1], optional
        Keep the likeliest characters until their probabilities sum to at least ``top_p`` (the
        nucleus; at least one is always kept, so p -> 0 is argmax and 1 keeps all). A sum within
        ``TOP_P_TOLERANCE`` (1e-6) of p counts as reaching it, so float32 rounding cannot add a
        character. None: no limit. With both, a character must pass both.

    Returns
    -------
    ndarray, shape (vocab_size,), float64
        Summing to 1; every dropped entry is exactly 0.

    Raises
    ------
    ValueError
        Bad probs (as ``apply_temperature``), ``top_k`` not an int >= 1, ``top_p`` outside (0, 1].

    References
    ----------
    Fan, Lewis & Dauphin (2018), top-k; Holtzman et al. (2020), nucleus sampling.
    """
    p = _check_probs(probs)
    p = p / p.max()  # scale first: a sum of huge entries would overflow
    return _truncate_rows(p[None] / p.sum(), _check_top_k(top_k), _check_top_p(top_p))[0]


def entropy_bits(probs) -> np.ndarray:
    """Shannon entropy ``H = -sum_k p(k) log2 p(k)`` of each distribution, in bits.

    0 for a certain next character; log2(vocab_size) (5.83 bits for 57 characters) for a uniform
    guess. ``2 ** H`` is the distribution's perplexity: the number of equally likely characters
    it is as uncertain as.

    Parameters
    ----------
    probs : array_like, shape (vocab_size,) or (n, vocab_size)
        Probabilities; each row is renormalised to sum to 1.

    Returns
    -------
    float64 scalar or ndarray of shape (n,)

    Raises
    ------
    ValueError
        NaN, infinite or negative entries, or a row summing to 0.
    """
    p = np.asarray(probs, dtype=np.float64)
    one = p.ndim == 1
    p = _check_probs(p[None] if one else p, ndim=2)
    p = p / p.max(axis=1, keepdims=True)  # scale first: a sum of huge entries would overflow
    p = p / p.sum(axis=1, keepdims=True)
    logp = np.zeros_like(p)
    np.log2(p, out=logp, where=p > 0)  # 0 log 0 = 0
    h = -(p * logp).sum(axis=1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return h[0] if one else h


def apply_temperature(probs, temperature: float) -> np.ndarray:
    """Reweight a distribution by a temperature.

    Parameters
    ----------
    probs : array_like, shape (vocab_size,)
        Probabilities (non-negative, any positive sum; they are renormalised).
    temperature : float >= 0
        0 puts all mass on the argmax (ties: first index); 1 returns ``probs`` renormalised.

    Returns
    -------
    ndarray, shape (vocab_size,), float64
        New probabilities summing to 1; zero entries stay exactly zero.

    Raises
    ------
    ValueError
        For NaN / negative / all-zero probs or a NaN, infinite or negative temperature.
    """
    p = _check_probs(probs)
    return _reweight_rows(p[None], np.array([_check_temperature(temperature)]))[0]


def _reweight_rows(p: np.ndarray, temps: np.ndarray) -> np.ndarray:
    """``apply_temperature`` row by row: p (n, vocab_size) checked float64, temps (n,) checked."""
    logits = np.full_like(p, -np.inf)
    np.log(p, out=logits, where=p > 0)
    logits -= logits.max(axis=1, keepdims=True)  # each row's likeliest entry becomes 0: no NaN for tiny T
    greedy = temps == 0
    with np.errstate(over="ignore"):
        logits /= np.where(greedy, 1.0, temps)[:, None]  # may overflow to -inf for tiny T: weight exactly 0
    w = np.exp(logits)  # exp(-inf) = 0 exactly, no warning
    w[greedy] = 0.0
    w[greedy, np.argmax(p[greedy], axis=1)] = 1.0  # T = 0: all mass on the argmax (ties: first index)
    return w / w.sum(axis=1, keepdims=True)


def sample(probs, temperature: float = 1.0, rng=None, *, top_k=None, top_p=None) -> int:
    """Draw the next character index from ``probs`` reweighted by ``temperature``, optionally truncated.

    Parameters
    ----------
    probs : array_like, shape (vocab_size,)
        The model's output for one window (float32 or float64).
    temperature : float >= 0
        0 means argmax (deterministic).
    rng : numpy.random.Generator or int, optional
        Source of randomness; an int seeds a new Generator. The same seed gives the same draws.
    top_k, top_p : optional
        Truncation applied after the temperature, as ``truncate``; None (default) keeps all.

    Returns
    -------
    int
        An index in [0, vocab_size) whose reweighted (and kept) probability is > 0.

    Raises
    ------
    ValueError
        As ``apply_temperature`` and ``truncate``.
    """
    return int(sample_rows(_check_probs(probs)[None], [temperature], rng, top_k=top_k, top_p=top_p)[0])


def sample_rows(probs, temperatures, rng=None, *, top_k=None, top_p=None) -> np.ndarray:
    """``sample`` for several distributions at once, each with its own temperature.

    Row i gives the same draw as ``sample(probs[i], temperatures[i], rng)`` called for i = 0, 1, ...
    in turn with the same ``rng`` (one uniform number per row with temperature > 0).

    Parameters
    ----------
    probs : array_like, shape (n, vocab_size)
    temperatures : sequence of float >= 0, length n
    rng : numpy.random.Generator or int, optional
    top_k, top_p : optional
        The same truncation for every row, as ``truncate``.

    Returns
    -------
    ndarray, shape (n,), int64

    Raises
    ------
    ValueError
        As ``apply_temperature`` and ``truncate``, or if the lengths differ.
    """
    p = _check_probs(probs, ndim=2)
    if isinstance(temperatures, (str, bytes)) or not hasattr(temperatures, "__len__"):
        raise ValueError(f"temperatures must be a sequence with one temperature per row, got {temperatures!r}")
    temps = np.array([_check_temperature(t) for t in temperatures], dtype=np.float64)
    if temps.shape != (len(p),):
        raise ValueError(f"need one temperature per row: {len(p)} rows, {temps.size} temperatures")
    q = _truncate_rows(_reweight_rows(p, temps), _check_top_k(top_k), _check_top_p(top_p))
    out = np.argmax(q, axis=1)  # the draw for T = 0
    rows = np.flatnonzero(temps > 0)
    if rows.size:
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        cdf = np.cumsum(q[rows], axis=1)
        u = rng.random(rows.size) * cdf[:, -1]
        k = (cdf <= u[:, None]).sum(axis=1)  # = searchsorted(cdf, u, side="right"): skips zero entries
        last_nonzero = q.shape[1] - 1 - np.argmax(q[rows, ::-1] > 0, axis=1)
        out[rows] = np.minimum(k, last_nonzero)  # guard the rounding case u == total
    return out
