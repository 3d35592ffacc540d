"""Parameter counts of the recurrent and dense layers, as formulas and as named breakdowns.

Sizes are positive ints and ``cell`` is "lstm" or "gru" (checked where they enter, by
``check_parameters``); ``tests/test_param_counts.py`` checks every formula against Keras'
``count_params()``.

With h = units, i = input width (vocab_size) and o = outputs:

- LSTM: 4 gates (input, forget, cell candidate, output), each with an (i, h) kernel block, an
  (h, h) recurrent block and an h bias: 4(h^2 + hi + h). Hochreiter & Schmidhuber (1997),
  forget gate from Gers, Schmidhuber & Cummins (2000); Keras ``LSTMCell``.
- GRU, reset_after=False: 3 blocks (update z, reset r, candidate h~): 3(h^2 + hi + h).
  Cho et al. (2014), "Learning Phrase Representations using RNN Encoder-Decoder".
- GRU, reset_after=True (Keras 3 default, cuDNN-compatible): separate input and recurrent
  biases, bias shape (2, 3h): 3(h^2 + hi + 2h). Keras ``GRU`` docs, argument ``reset_after``.
- Dense: i*o weights + o biases.

For h=128, i=o=57: LSTM 95,232; GRU 71,424 / 71,808; Dense 7,353; models 102,585 / 78,777 / 79,161.
"""

from __future__ import annotations

# Keras' order of the gate blocks along the last axis of kernel / recurrent_kernel / bias.
GATES = {
    "lstm": ("input gate i", "forget gate f", "cell candidate c~", "output gate o"),
    "gru": ("update gate z", "reset gate r", "candidate h~"),
}


def lstm_params(units: int, input_dim: int) -> int:
    """Trainable parameters of ``keras.layers.LSTM(units)`` on inputs of width ``input_dim``: 4(h^2 + hi + h)."""
    h, i = units, input_dim
    return 4 * (h * h + h * i + h)


def gru_params(units: int, input_dim: int, reset_after: bool = True) -> int:
    """Trainable parameters of ``keras.layers.GRU(units, reset_after=...)``.

    3(h^2 + hi + h) with ``reset_after=False``; 3(h^2 + hi + 2h) with ``reset_after=True``
    (Keras 3 default: one bias for the input and one for the recurrent projection).
    """
    h, i = units, input_dim
    return 3 * (h * h + h * i + h) + (3 * h if reset_after else 0)


def dense_params(input_dim: int, units: int) -> int:
    """Trainable parameters of ``keras.layers.Dense(units)`` on inputs of width ``input_dim``: i*o + o."""
    return input_dim * units + units


def rnn_params(cell: str, units: int, input_dim: int, reset_after: bool = True) -> int:
    """``lstm_params`` or ``gru_params`` by name ("lstm" or "gru")."""
    if cell == "lstm":
        return lstm_params(units, input_dim)
    return gru_params(units, input_dim, reset_after)


def model_params(cell: str, units: int, vocab_size: int, reset_after: bool = True) -> int:
    """Trainable parameters of ``build_model(cell, units, vocab_size=...)``: RNN + Dense."""
    return rnn_params(cell, units, vocab_size, reset_after) + dense_params(units, vocab_size)


def param_breakdown(cell: str, units: int, vocab_size: int, reset_after: bool = True) -> list:
    """Named breakdown of the model's weights, in the order Keras stores them.

    Returns
    -------
    list of dict
        One row per weight with keys ``layer``, ``weight`` (kernel / recurrent_kernel / bias),
        ``shape`` (tuple, as Keras creates it), ``count`` and ``formula`` (text).
    """
    h, i, g = units, vocab_size, len(GATES[cell])
    bias_shape = (2, g * h) if (cell == "gru" and reset_after) else (g * h,)
    rows = [
        (cell, "kernel", (i, g * h), f"i x {g}h = {i} x {g * h}"),
        (cell, "recurrent_kernel", (h, g * h), f"h x {g}h = {h} x {g * h}"),
        (
            cell,
            "bias",
            bias_shape,
            f"{'2 x ' if len(bias_shape) == 2 else ''}{g}h = {'2 x ' if len(bias_shape) == 2 else ''}{g * h}",
        ),
        ("dense", "kernel", (h, i), f"h x o = {h} x {i}"),
        ("dense", "bias", (i,), f"o = {i}"),
    ]
    out = []
    for layer, weight, shape, formula in rows:
        count = 1
        for d in shape:
            count *= d
        out.append({"layer": layer, "weight": weight, "shape": shape, "count": count, "formula": formula})
    return out


def gate_columns(cell: str, units: int) -> list:
    """Which columns of kernel / recurrent_kernel / bias serve which gate, in Keras' order.

    Returns
    -------
    list of (str, slice)
        E.g. for LSTM(128): ``[("input gate i", slice(0, 128)), ("forget gate f", slice(128, 256)), ...]``.
    """
    return [(name, slice(k * units, (k + 1) * units)) for k, name in enumerate(GATES[cell])]
