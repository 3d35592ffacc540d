"""Sampling the next character with a temperature, and the entropy of a distribution, in NumPy.

Reweighting a distribution p by a temperature T: ``p_T(k) ∝ exp(log p(k) / T) = p(k)^(1/T)``
(Hinton, Vinyals & Dean 2015, "Distilling the Knowledge in a Neural Network"; the classic Keras
example's ``sample``). T < 1 sharpens the distribution, T > 1 flattens it, T = 0 is argmax.

Notebook 02 writes ``sample`` in a cell, with the same arithmetic, and checks that the two draw
exactly the same characters from the same random generator. Unlike the classic example's
``np.random.multinomial(1, preds)``, both work in float64 and renormalise, so float32
probabilities that sum to slightly more than 1 never raise, and zero probabilities are never
drawn. Top-k and nucleus truncation live in ``generation`` (one TensorFlow definition for both
generation modes).
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _checked_probs(probs) -> np.ndarray:
    """``probs`` as a float64 array, or one ValueError saying what is wrong with it."""
    try:
        p = np.asarray(probs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"probs must be an array of real numbers, got {type(probs).__name__}") from None
    if p.size == 0 or p.ndim == 0:
        raise ValueError(f"probs must be a non-empty array of shape (vocab_size,), got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError("probs contains NaN or infinite values; check the model's output (did the loss become NaN?)")
    if np.any(p < 0) or not np.all(p.sum(axis=-1) > 0):
        raise ValueError("probs must be >= 0 with a positive sum in each row")
    return p


def _checked_temperature(temperature) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not math.isfinite(temperature):
        raise ValueError(f"temperature must be a finite number >= 0 (0 means argmax), got {temperature!r}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0 means argmax), got {temperature!r}")
    return float(temperature)


def reweight(p: np.ndarray, temperature: float) -> np.ndarray:
    """``p^(1/T)`` renormalised, for a checked float64 ``p`` (vocab_size,) and T > 0.

    The arithmetic of notebook 02's ``sample``: scale so the likeliest entry is 1, take the log
    (0 for the likeliest, -inf for zeros), divide by T, exponentiate, normalise. Nothing overflows,
    even for a tiny T.
    """
    with np.errstate(divide="ignore", over="ignore"):  # log(0) = -inf and -x / tiny T = -inf: weight 0
        logits = np.log(p / p.max()) / temperature
    weights = np.exp(logits)
    return weights / weights.sum()


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
        NaN, infinite, negative or all-zero probs; a negative or non-finite temperature.
    """
    p = _checked_probs(probs)
    t = _checked_temperature(temperature)
    if t == 0:
        out = np.zeros_like(p)
        out[np.argmax(p)] = 1.0
        return out
    return reweight(p, t)


def sample(probs, temperature: float = 1.0, rng=None) -> int:
    """Draw the next character's index from ``probs`` reweighted by ``temperature``.

    Parameters
    ----------
    probs : array_like, shape (vocab_size,)
        The model's output for one window (float32 or float64).
    temperature : float >= 0
        0 means argmax (deterministic; ``rng`` is not used).
    rng : numpy.random.Generator or int, optional
        Source of randomness; an int seeds a new Generator. The same seed gives the same draws.

    Returns
    -------
    int
        An index in [0, vocab_size) whose reweighted probability is > 0: one
        ``rng.choice(vocab_size, p=apply_temperature(probs, temperature))``.

    Raises
    ------
    ValueError
        As ``apply_temperature``.
    """
    p = _checked_probs(probs)
    t = _checked_temperature(temperature)
    if p.ndim != 1:
        raise ValueError(f"probs must have shape (vocab_size,), got {p.shape}")
    if t == 0:
        return int(np.argmax(p))
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    q = reweight(p, t)
    return int(rng.choice(len(q), p=q))


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
    p = _checked_probs(probs)
    p = p / p.max(axis=-1, keepdims=True)  # scale first: a sum of huge entries would overflow
    p = p / p.sum(axis=-1, keepdims=True)
    logp = np.zeros_like(p)
    np.log2(p, out=logp, where=p > 0)  # 0 log 0 = 0
    return -(p * logp).sum(axis=-1) + 0.0  # + 0.0 turns -0.0 into 0.0
