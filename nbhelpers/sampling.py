"""Temperature sampling of the next character.

Reweighting a distribution p by a temperature T: ``p_T(k) ∝ exp(log p(k) / T) = p(k)^(1/T)``
(Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network"; the classic Keras
example's ``sample``). T < 1 sharpens the distribution, T > 1 flattens it, T -> 0 is argmax.

Unlike the classic ``np.random.multinomial(1, preds)``, this works in float64 with an inverse-CDF
draw, so float32 probabilities that sum to slightly more than 1 never raise, zero probabilities
give no ``divide by zero`` warning and are never drawn.
"""

from __future__ import annotations

import math

import numpy as np


def _check_probs(probs, ndim: int = 1) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
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


def _check_temperature(temperature) -> float:
    if isinstance(temperature, (bool, np.bool_, str, bytes)):
        raise ValueError(f"temperature must be a number >= 0 (0 means argmax), got {temperature!r}")
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}") from None
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


def sample(probs, temperature: float = 1.0, rng=None) -> int:
    """Draw the next character index from ``probs`` reweighted by ``temperature``.

    Parameters
    ----------
    probs : array_like, shape (vocab_size,)
        The model's output for one window (float32 or float64).
    temperature : float >= 0
        0 means argmax (deterministic).
    rng : numpy.random.Generator or int, optional
        Source of randomness; an int seeds a new Generator. The same seed gives the same draws.

    Returns
    -------
    int
        An index in [0, vocab_size) whose reweighted probability is > 0.

    Raises
    ------
    ValueError
        As ``apply_temperature``.
    """
    return int(sample_rows(_check_probs(probs)[None], [temperature], rng)[0])


def sample_rows(probs, temperatures, rng=None) -> np.ndarray:
    """``sample`` for several distributions at once, each with its own temperature.

    Row i gives the same draw as ``sample(probs[i], temperatures[i], rng)`` called for i = 0, 1, ...
    in turn with the same ``rng`` (one uniform number per row with temperature > 0).

    Parameters
    ----------
    probs : array_like, shape (n, vocab_size)
    temperatures : sequence of float >= 0, length n
    rng : numpy.random.Generator or int, optional

    Returns
    -------
    ndarray, shape (n,), int64

    Raises
    ------
    ValueError
        As ``apply_temperature``, or if the lengths differ.
    """
    p = _check_probs(probs, ndim=2)
    temps = np.array([_check_temperature(t) for t in temperatures], dtype=np.float64)
    if temps.shape != (len(p),):
        raise ValueError(f"need one temperature per row: {len(p)} rows, {temps.size} temperatures")
    q = _reweight_rows(p, temps)
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
