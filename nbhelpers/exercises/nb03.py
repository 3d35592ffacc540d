"""Checks for notebook 03's exercises (training a GRU)."""

from __future__ import annotations

import numpy as np

from . import verdict

CHOICES = ("z", "1 - z", "r", "1 - r")


def forget_gate(answer):
    """Exercise 1: in Keras' h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~_t, the share of the old state kept is z."""
    given = answer.replace(" ", "") if isinstance(answer, str) else answer
    ok = given == "z"
    hint = (
        f"answer with one of {CHOICES}. Read Keras' update: h_t = z ⊙ h_(t-1) + (1 - z) ⊙ h~_t. "
        "Which factor multiplies the old state h_(t-1)?"
    )
    return verdict(answer, ok, hint, "z multiplies h_(t-1): z near 1 keeps the old state, like f near 1 in the LSTM")


def original_gru_count(answer, units: int, vocab_size: int):
    """Exercise 2: parameters of GRU(units, reset_after=False) + Dense: 3(h^2 + hi + h) + (hi + i)."""
    h, i = units, vocab_size
    expected = 3 * (h * h + h * i + h) + (h * i + i)
    ok = isinstance(answer, (int, np.integer)) and int(answer) == expected
    if ok or answer is None:
        hint = ""
    elif answer == expected + 3 * h:
        hint = "that is the count with reset_after=True (the default): pass reset_after=False to keras.layers.GRU"
    else:
        hint = "build the model with keras.layers.GRU(units, reset_after=False) and call model.count_params()"
    return verdict(answer, ok, hint, f"{expected:,}: the bias has one row of 3h instead of two, {3 * h} fewer")


def mean_update_gate(answer, layer, window):
    """Exercise 3: the mean of the update gate z over units and steps, running ``layer`` on one window.

    ``window`` is (maxlen, vocab_size) one-hot. Recomputed from the layer's own weights in float64.
    """
    cell = layer.cell
    units = cell.units
    kernel, recurrent, bias = (np.asarray(w, dtype=np.float64) for w in (cell.kernel, cell.recurrent_kernel, cell.bias))
    b_in, b_rec = (bias[0], bias[1]) if cell.reset_after else (bias, np.zeros_like(bias))
    h = np.zeros(units)
    zs = []
    for x_t in np.asarray(window, dtype=np.float64):
        pre, rec = x_t @ kernel + b_in, h @ recurrent + b_rec
        z = 1 / (1 + np.exp(-(pre[:units] + rec[:units])))
        r = 1 / (1 + np.exp(-(pre[units : 2 * units] + rec[units : 2 * units])))
        if cell.reset_after:
            cand = np.tanh(pre[2 * units :] + r * rec[2 * units :])
        else:
            cand = np.tanh(pre[2 * units :] + (r * h) @ recurrent[:, 2 * units :])
        h = z * h + (1 - z) * cand
        zs.append(z)
    expected = float(np.mean(zs))
    ok = isinstance(answer, (float, int, np.floating)) and abs(float(answer) - expected) < 1e-3
    hint = (
        "z is the sigmoid of the first h columns: x_t @ kernel[:, :h] + h_prev @ recurrent_kernel[:, :h] plus the "
        "bias (both rows with reset_after=True); run all 40 steps, carrying h, and average z over steps and units"
    )
    return verdict(answer, ok, hint, f"{expected:.3f} of the old state is kept per step, on average")
