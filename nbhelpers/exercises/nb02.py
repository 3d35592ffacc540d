"""Checks for notebook 02's exercises (training an LSTM)."""

from __future__ import annotations

import numpy as np

from . import verdict


def greedy_text(answer, model, vocab, seed_text: str, length: int = 100):
    """Exercise 1: ``answer`` is the text generated at temperature 0 from ``seed_text``.

    Recomputes it with ``nbhelpers.generate`` at temperature 0 (argmax needs no random numbers),
    so any sampler that draws instead of taking the argmax fails.
    """
    from ..generation import generate

    expected = generate(model, vocab, seed_text, length, [0.0])[0.0]
    ok = isinstance(answer, str) and answer == expected
    hint = (
        f"at temperature 0 the sampler must return the argmax, so the text is the same on every run: "
        f"{len(expected)} characters starting {expected[:20]!r}; generate with temperature 0.0 and length {length}"
    )
    return verdict(answer, ok, hint, "at T = 0 the same window always gives the same character, so loops repeat")


def lstm_model_count(answer, units: int, vocab_size: int):
    """Exercise 2: trainable parameters of LSTM(units) + Dense(vocab_size): 4(h^2 + hi + h) + (hi + i)."""
    h, i = units, vocab_size
    expected = 4 * (h * h + h * i + h) + (h * i + i)
    ok = isinstance(answer, (int, np.integer)) and int(answer) == expected
    hint = (
        f"count the LSTM's four blocks, each W (i x h), U (h x h) and b (h), with h = {h}, i = {i}, "
        f"then add the Dense layer's h x i weights and i biases"
    )
    return verdict(answer, ok, hint, f"{expected:,}; the h^2 = {h * h:,} recurrent term grows fastest")


def best_epoch(answer, record: dict):
    """Exercise 3: the 1-based epoch with the lowest validation loss in ``record`` (else training loss)."""
    losses = record.get("val_loss") or record["loss"]
    expected = int(np.argmin(losses)) + 1
    ok = isinstance(answer, (int, np.integer)) and int(answer) == expected
    hint = f"which of the {len(losses)} values of record['val_loss'] is smallest? Epochs count from 1"
    return verdict(answer, ok, hint, f"epoch {expected} of {len(losses)}")
