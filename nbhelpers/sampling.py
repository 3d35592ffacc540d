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


def _check_probs(probs) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"probs must be a non-empty 1-D array (vocab_size,), got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("probs contains NaN or infinite values; check the model's output (did the loss become NaN?)")
    if np.any(p < 0):
        raise ValueError(f"probs must be >= 0, got a minimum of {p.min()}")
    if not p.sum() > 0:
        raise ValueError("probs sums to 0; there is nothing to sample from")
    return p


def _check_temperature(temperature) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}") from None
    if math.isnan(t) or math.isinf(t) or t < 0:
        raise ValueError(f"temperature must be a finite number >= 0 (0 means argmax), got {temperature!r}")
    return t


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
    t = _check_temperature(temperature)
    if t == 0:
        out = np.zeros_like(p)
        out[np.argmax(p)] = 1.0
        return out
    logits = np.full_like(p, -np.inf)
    np.log(p, out=logits, where=p > 0)
    logits -= logits.max()  # the most likely entry becomes 0, so dividing by a tiny T cannot give NaN
    with np.errstate(over="ignore"):
        logits /= t  # may overflow to -inf for tiny T: that entry's weight is then exactly 0
    w = np.exp(logits)  # exp(-inf) = 0 exactly, no warning
    return w / w.sum()


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
    p = apply_temperature(probs, temperature)
    if temperature == 0:
        return int(np.argmax(p))
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    cdf = np.cumsum(p)
    k = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
    # side="right" skips zero-probability entries; guard the (rounding) case u * total == total.
    return min(k, int(np.flatnonzero(p)[-1]))
