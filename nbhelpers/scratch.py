"""LSTM and GRU forward passes in plain NumPy, from the gate equations, with Keras' own weights.

What a Keras ``LSTM`` / ``GRU`` layer computes, written out one time step at a time (the
"from scratch" half of d2l's scratch-then-library chapters). The weights are the layer's own
``kernel`` (i, g*h), ``recurrent_kernel`` (h, g*h) and ``bias``, split column-wise into the g gate
blocks in Keras' order (``params.GATES``: i, f, c, o for the LSTM; z, r, h for the GRU). Everything
runs in float64, so comparing with the float32 Keras layer measures Keras' rounding only.

Equations (σ = logistic sigmoid, ⊙ = element-wise product; Keras 3 ``LSTMCell`` / ``GRUCell``):

LSTM (Hochreiter & Schmidhuber 1997; forget gate: Gers et al. 2000)::

    i = σ(x W_i + h U_i + b_i)    f = σ(x W_f + h U_f + b_f)    o = σ(x W_o + h U_o + b_o)
    c' = f ⊙ c + i ⊙ tanh(x W_c + h U_c + b_c)                  h' = o ⊙ tanh(c')

GRU (Cho et al. 2014)::

    z = σ(x W_z + h U_z + b_z)    r = σ(x W_r + h U_r + b_r)
    reset_after=False:  h~ = tanh(x W_h + (r ⊙ h) U_h + b_h)
    reset_after=True:   h~ = tanh(x W_h + b_h + r ⊙ (h U_h + b'_h))    (bias has 2 rows: b, b')
    h' = z ⊙ h + (1 - z) ⊙ h~
"""

from __future__ import annotations

import numpy as np

from .checks import check_cell
from .params import GATES


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-a)), without overflow warnings for large |a|."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the same function, written with tanh


def split_gates(weight, n_gates: int) -> list:
    """Split a weight's last axis into ``n_gates`` equal blocks, in Keras' gate order (float64)."""
    w = np.asarray(weight, dtype=np.float64)
    if w.shape[-1] % n_gates:
        raise ValueError(f"a weight of shape {w.shape} cannot be split into {n_gates} gate blocks")
    return np.split(w, n_gates, axis=-1)


def lstm_step(x_t, h, c, kernel, recurrent_kernel, bias):
    """One LSTM time step.

    Parameters
    ----------
    x_t : ndarray, (batch, i)
        Inputs at this step (one-hot characters here).
    h, c : ndarray, (batch, units)
        Hidden and cell state before the step.
    kernel, recurrent_kernel, bias : ndarray
        (i, 4h), (h, 4h), (4h,): the layer's weights, gate blocks in the order i, f, c, o.

    Returns
    -------
    h, c : ndarray, (batch, units) float64
        The states after the step.
    """
    W_i, W_f, W_c, W_o = split_gates(kernel, 4)
    U_i, U_f, U_c, U_o = split_gates(recurrent_kernel, 4)
    b_i, b_f, b_c, b_o = split_gates(bias, 4)
    i = sigmoid(x_t @ W_i + h @ U_i + b_i)  # input gate: how much of the candidate to write
    f = sigmoid(x_t @ W_f + h @ U_f + b_f)  # forget gate: how much of the old cell to keep
    o = sigmoid(x_t @ W_o + h @ U_o + b_o)  # output gate: how much of the cell to show
    c = f * c + i * np.tanh(x_t @ W_c + h @ U_c + b_c)  # (batch, units)
    h = o * np.tanh(c)  # (batch, units)
    return h, c


def gru_step(x_t, h, kernel, recurrent_kernel, bias, reset_after: bool = True):
    """One GRU time step.

    Parameters
    ----------
    x_t : ndarray, (batch, i)
    h : ndarray, (batch, units)
        Hidden state before the step.
    kernel, recurrent_kernel : ndarray
        (i, 3h), (h, 3h), gate blocks in the order z, r, h.
    bias : ndarray
        (2, 3h) with ``reset_after=True`` (row 0 input bias b, row 1 recurrent bias b');
        (3h,) with ``reset_after=False``.
    reset_after : bool
        Apply the reset gate after the recurrent matrix product (Keras 3 default, cuDNN's variant).

    Returns
    -------
    ndarray, (batch, units) float64
        The hidden state after the step.
    """
    W_z, W_r, W_h = split_gates(kernel, 3)
    U_z, U_r, U_h = split_gates(recurrent_kernel, 3)
    b = np.asarray(bias, dtype=np.float64)
    if b.ndim != (2 if reset_after else 1):
        want = "(2, 3h): input and recurrent bias" if reset_after else "(3h,)"
        raise ValueError(f"with reset_after={reset_after} the GRU bias has shape {want}, got {b.shape}")
    if reset_after:
        (b_z, b_r, b_h), (rb_z, rb_r, rb_h) = split_gates(b[0], 3), split_gates(b[1], 3)
        z = sigmoid(x_t @ W_z + b_z + h @ U_z + rb_z)  # update gate: how much of the old state to keep
        r = sigmoid(x_t @ W_r + b_r + h @ U_r + rb_r)  # reset gate: how much of the old state to use
        candidate = np.tanh(x_t @ W_h + b_h + r * (h @ U_h + rb_h))
    else:
        b_z, b_r, b_h = split_gates(bias, 3)
        z = sigmoid(x_t @ W_z + h @ U_z + b_z)
        r = sigmoid(x_t @ W_r + h @ U_r + b_r)
        candidate = np.tanh(x_t @ W_h + (r * h) @ U_h + b_h)
    return z * h + (1.0 - z) * candidate  # (batch, units)


def step_source(cell: str) -> str:
    """The code of ``lstm_step`` or ``gru_step`` without its docstring, to read next to the equations.

    Raises
    ------
    ValueError
        For a cell other than "lstm" or "gru".
    """
    import inspect

    fn = {"lstm": lstm_step, "gru": gru_step}[check_cell(cell)]
    lines = inspect.getsource(fn).splitlines()
    quotes = [k for k, line in enumerate(lines) if line.strip().startswith('"""') or line.strip().endswith('"""')]
    return "\n".join(lines[: quotes[0]] + lines[quotes[1] + 1 :])


def rnn_forward(layer, x) -> np.ndarray:
    """Run a Keras ``LSTM`` or ``GRU`` layer's computation in NumPy, step by step, from a zero state.

    Parameters
    ----------
    layer : keras.layers.LSTM or keras.layers.GRU
        A built layer; its ``cell.kernel``, ``cell.recurrent_kernel`` and ``cell.bias`` are used.
        As ``build_model`` makes it: ``use_bias=True``, the default activations, forwards in
        time, returning only the final state.
    x : array_like, (batch, maxlen, i)
        Input windows (one-hot characters, float or bool).

    Returns
    -------
    ndarray, (batch, units) float64
        The final hidden state, what ``layer(x)`` returns (``return_sequences=False``).

    Raises
    ------
    ValueError
        A layer that is not an LSTM or GRU configured as above or not yet built, or ``x`` of the
        wrong shape.
    """
    kind = type(layer).__name__.lower()
    if kind not in GATES:
        raise ValueError(f"rnn_forward takes a keras LSTM or GRU layer, got {type(layer).__name__}")
    for flag in ("go_backwards", "return_sequences", "return_state"):
        if getattr(layer, flag, False):
            raise ValueError(f"rnn_forward implements {flag}=False (as build_model makes the layer)")
    if not layer.built:
        raise ValueError("the layer has no weights yet: build it first, e.g. by calling it on a batch")
    cell = layer.cell
    for name, expected in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
        got = getattr(cell, name).__name__
        if got != expected:
            raise ValueError(f"rnn_forward implements {name}={expected!r}; the layer uses {got!r}")
    if not cell.use_bias:
        raise ValueError("rnn_forward needs a layer with use_bias=True")
    x = np.asarray(x, dtype=np.float64)
    input_dim = cell.kernel.shape[0]
    if x.ndim != 3 or x.shape[-1] != input_dim:
        raise ValueError(f"x must have shape (batch, maxlen, {input_dim}), got {x.shape}")
    weights = [np.asarray(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias)]
    h = np.zeros((x.shape[0], cell.units))  # (batch, units) float64
    c = np.zeros_like(h)
    for t in range(x.shape[1]):
        if kind == "lstm":
            h, c = lstm_step(x[:, t], h, c, *weights)
        else:
            h = gru_step(x[:, t], h, *weights, reset_after=cell.reset_after)
    return h


def model_forward(model, x) -> np.ndarray:
    """The whole lesson model in NumPy: ``rnn_forward`` then the Dense softmax layer.

    Parameters
    ----------
    model : keras.Model
        As ``build_model`` makes it: one recurrent layer, then a Dense softmax layer.
    x : array_like, (batch, maxlen, vocab_size)

    Returns
    -------
    ndarray, (batch, vocab_size) float64
        Next-character probabilities, what ``model.predict(x)`` returns.

    Raises
    ------
    ValueError
        A model of another shape (more layers, no softmax), or as ``rnn_forward``.
    """
    layers = model.layers
    dense = layers[-1]
    if len(layers) != 2 or type(dense).__name__ != "Dense" or getattr(dense.activation, "__name__", "") != "softmax":
        names = [type(layer).__name__ for layer in layers]
        raise ValueError(f"model_forward implements LSTM/GRU -> Dense(softmax), as build_model makes; got {names}")
    h = rnn_forward(layers[0], x)  # (batch, units)
    logits = h @ np.asarray(dense.kernel, dtype=np.float64) + np.asarray(dense.bias, dtype=np.float64)
    logits -= logits.max(axis=1, keepdims=True)  # softmax is shift-invariant; avoids overflow
    probs = np.exp(logits)
    return probs / probs.sum(axis=1, keepdims=True)  # (batch, vocab_size)
