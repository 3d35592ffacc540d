"""Checks for notebook 06's exercises (every character a target).

Each check recomputes the answer from the numbers it depends on (the training text's length, the
chunk length, the batch size, the encoded text), so it holds for a full run and a quick one alike.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import WrongAnswer, verdict

ENTROPY_TOLERANCE = 1e-3  # bits per character


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def targets_per_epoch(answer, n_train_chars: int, seq_len: int, batch_size: int):
    """Exercise 1: the targets one epoch trains on with chunks of ``seq_len`` in batches of ``batch_size``.

    Chunk j reads characters ``[j*seq_len, j*seq_len + seq_len)`` and its targets are the same text
    one character further, so ``(n_train_chars - 1) // seq_len`` chunks fit; only whole batches are
    used (``drop_remainder``), and each chunk gives ``seq_len`` targets.

    Parameters
    ----------
    answer : int, or None
    n_train_chars : int
        Characters before the held-out tail (``held_out_start``).
    seq_len, batch_size : int >= 1
    """
    chunks = (n_train_chars - 1) // seq_len
    batches = chunks // batch_size
    expected = batches * batch_size * seq_len
    if answer is None:
        return verdict(None, False, "", "")
    if _is_int(answer) and int(answer) == expected:
        why = (
            f"{chunks:,} chunks of {seq_len} fit in {n_train_chars:,} characters; {batches:,} whole batches of "
            f"{batch_size} use {batches * batch_size:,} of them, {seq_len} targets each: {expected:,} targets for "
            f"{expected:,} cell steps"
        )
        return verdict(answer, True, "", why)
    if not _is_int(answer):
        raise WrongAnswer("give a whole number of targets (an int)")
    answer = int(answer)
    if answer == chunks * seq_len:
        hint = (
            f"{chunks:,} chunks fit, but the batches are whole: the last {chunks % batch_size} chunk(s) that do not "
            f"fill a batch of {batch_size} are dropped"
        )
    elif answer in (n_train_chars // seq_len * seq_len, n_train_chars // seq_len // batch_size * batch_size * seq_len):
        hint = "each chunk's targets reach one character further than its inputs: (n_train_chars - 1) // seq_len chunks"
    elif answer in (batches, chunks, batches * batch_size):
        hint = f"count targets, not batches or chunks: each chunk gives seq_len = {seq_len} of them"
    else:
        hint = (
            f"chunks = (n_train_chars - 1) // seq_len, whole batches = chunks // batch_size, and each chunk gives "
            f"seq_len targets (n_train_chars = {n_train_chars:,}, seq_len = {seq_len}, batch_size = {batch_size})"
        )
    raise WrongAnswer(hint)


def bigram_entropy(encoded, vocab_size: int) -> float:
    """H(next character | current character) of ``encoded`` in bits: the best loss with one character of context.

    Parameters
    ----------
    encoded : array, shape (n,), int in [0, vocab_size)

    Returns
    -------
    float
        ``-sum p(a, b) log2 p(b | a)`` over the n - 1 consecutive pairs (a, b).
    """
    encoded = np.asarray(encoded, dtype=np.int64)
    pairs = np.bincount(encoded[:-1] * vocab_size + encoded[1:], minlength=vocab_size * vocab_size)
    pairs = pairs.reshape(vocab_size, vocab_size).astype(np.float64)  # (current, next) counts
    p_pair = pairs / pairs.sum()
    p_next_given = pairs / np.maximum(pairs.sum(axis=1, keepdims=True), 1)
    seen = pairs > 0
    return float(-(p_pair[seen] * np.log2(p_next_given[seen])).sum())


def conditional_entropy(answer, encoded, vocab_size: int):
    """Exercise 2: the entropy of the next character given the current one, in bits, on ``encoded``.

    Parameters
    ----------
    answer : float, or None
    encoded : array, shape (n,), int
        The training text (``encoded[:start]``).
    vocab_size : int
    """
    if answer is None:
        return verdict(None, False, "", "")
    expected = bigram_entropy(encoded, vocab_size)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(answer):
        raise WrongAnswer("give a number of bits (a float)")
    answer = float(answer)
    counts = np.bincount(np.asarray(encoded, dtype=np.int64), minlength=vocab_size) / len(encoded)
    unigram = float(-(counts[counts > 0] * np.log2(counts[counts > 0])).sum())
    if abs(answer - unigram) <= ENTROPY_TOLERANCE:
        hint = (
            f"{answer:.3f} bits is the entropy of a character with no context (one count per character); "
            f"condition on the character before it: count the pairs (current, next)"
        )
    elif abs(answer - expected * math.log(2)) <= ENTROPY_TOLERANCE:
        hint = "that is in nats (natural logarithm): use np.log2 for bits"
    else:
        hint = (
            f"count the n - 1 pairs (encoded[i], encoded[i + 1]) in a ({vocab_size}, {vocab_size}) table; then "
            f"H = -sum over pairs of p(a, b) * log2 p(b | a), with p(b | a) = count(a, b) / count(a, any)"
        )
    why = (
        f"{expected:.3f} bits per character, against {unigram:.3f} bits with no context at all: one character of "
        f"context is worth {unigram - expected:.2f} bits"
    )
    return verdict(answer, abs(answer - expected) <= ENTROPY_TOLERANCE, hint, why)


def stream_starts(answer, n_train_chars: int, seq_len: int, batch_size: int):
    """Exercise 3: where each chunk of each batch starts when the state is carried from batch to batch.

    The training text's ``(n_train_chars - 1) // seq_len`` chunks are split into ``batch_size``
    streams of ``per_stream = chunks // batch_size`` consecutive chunks; row b of batch k is chunk k
    of stream b, so it starts at character ``(b * per_stream + k) * seq_len`` and continues where row
    b of batch k - 1 stopped.

    Parameters
    ----------
    answer : array-like, shape (per_stream, batch_size), int, or None
    n_train_chars, seq_len, batch_size : int
    """
    if answer is None:
        return verdict(None, False, "", "")
    per_stream = ((n_train_chars - 1) // seq_len) // batch_size
    k, b = np.meshgrid(np.arange(per_stream), np.arange(batch_size), indexing="ij")
    expected = (b * per_stream + k) * seq_len  # (per_stream, batch_size)
    try:
        got = np.asarray(answer)
    except Exception:  # noqa: BLE001  (anything that is not an array)
        got = None
    if got is None or got.shape != expected.shape or not np.issubdtype(got.dtype, np.integer):
        shape = None if got is None else got.shape
        raise WrongAnswer(
            f"give an int array of shape (batches, batch_size) = {expected.shape}, got shape {shape}: "
            f"{per_stream} batches per epoch, one row per stream"
        )
    if np.array_equal(got, expected):
        why = (
            f"{batch_size} streams of {per_stream} chunks; row b of batch k + 1 starts {seq_len} characters after "
            f"row b of batch k, where its state left off"
        )
        return verdict(answer, True, "", why)
    side_by_side = (k * batch_size + b) * seq_len
    if np.array_equal(got, side_by_side):
        hint = (
            "these batches hold consecutive chunks side by side; the state of row b must continue in row b of the "
            "next batch, so consecutive chunks go to the same row of consecutive batches"
        )
    elif np.array_equal(got, b * per_stream + k):
        hint = f"give character offsets, not chunk numbers: chunk j starts at character j x seq_len = j x {seq_len}"
    else:
        bad = tuple(int(i) for i in np.argwhere(got != expected)[0])
        hint = (
            f"batch {bad[0]}, row {bad[1]}: got {int(got[bad])}; stream b is the chunks b * per_stream ... "
            f"(b + 1) * per_stream - 1 (per_stream = {per_stream}), and batch k takes chunk k of every stream"
        )
    raise WrongAnswer(hint)
