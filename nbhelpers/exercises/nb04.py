"""Checks for the exercises of notebook 04 (parameter counts and the cells in NumPy).

Each check prints "correct: " and why when the answer is right, raises
:class:`~nbhelpers.exercises.WrongAnswer` with a hint when it is wrong, and says "not answered
yet" for ``None``. The counts come from the formulas of ``nbhelpers.param_counts``, which the
package's tests check against Keras' ``count_params()``; no check imports TensorFlow.
"""

from __future__ import annotations

import numbers

from ..param_counts import dense_params, lstm_params
from . import verdict


def _is_int(answer) -> bool:
    return isinstance(answer, numbers.Integral) and not isinstance(answer, bool)


def _is_number(answer) -> bool:
    return isinstance(answer, numbers.Real) and not isinstance(answer, bool)


def lstm_model_count(answer, units: int, vocab_size: int):
    """Exercise 1: the LSTM model's trainable parameters (LSTM layer + Dense softmax) at ``units``.

    Parameters
    ----------
    answer : int or None
        The learner's predicted count.
    units, vocab_size : int
        The hidden size asked about and the vocabulary (input width i = output width o).
    """
    h, v = units, vocab_size
    lstm, dense = lstm_params(h, v), dense_params(h, v)
    right = lstm + dense
    hint = f"count the LSTM model at units = {h}: 4(h^2 + hi + h) for the LSTM layer plus ho + o for the Dense layer"
    if _is_int(answer) and answer != right:
        if answer == lstm:
            hint = f"{answer:,} is the LSTM layer alone; add the Dense layer's h*o + o = {dense:,}"
        elif answer == dense:
            hint = f"{answer:,} is the Dense layer alone; add the LSTM layer's 4(h^2 + hi + h)"
        elif answer == 2 * (lstm_params(h // 2, v) + dense_params(h // 2, v)):
            hint = (
                "doubling units does not double the count: the recurrent matrices have h^2 entries, "
                "so that term grows four times"
            )
    elif not _is_int(answer) and answer is not None:
        hint = f"give the count as an int, e.g. 123456 (got {answer!r})"
    why = f"4({h}^2 + {h}*{v} + {h}) + ({h}*{v} + {v}) = {lstm:,} + {dense:,} = {right:,}"
    return verdict(answer, answer == right if _is_int(answer) else False, hint, why)


def stacked_lstm_count(answer, units: int, vocab_size: int):
    """Exercise 2: parameters of the second LSTM(units) layer stacked on a first LSTM(units).

    The second layer reads the first layer's hidden states, so its input width is ``units``,
    not ``vocab_size``: 4(h^2 + h*h + h).
    """
    h = units
    right = lstm_params(h, h)
    hint = "use 4(h^2 + hi + h) with the second layer's own input width i"
    if _is_int(answer) and answer != right:
        if answer == lstm_params(h, vocab_size):
            hint = (
                f"{answer:,} is the first layer's count (input width i = {vocab_size}, the one-hot characters); "
                f"the second layer reads the first layer's hidden states: what width do they have?"
            )
        elif answer == lstm_params(h, vocab_size) + right:
            hint = f"{answer:,} is both layers together; the exercise asks for the second layer alone"
        elif answer == 4 * (h * h + h):
            hint = "the second layer has an input matrix too: its i is the width of what it reads at each step"
    elif not _is_int(answer) and answer is not None:
        hint = f"give the count as an int (got {answer!r})"
    why = (
        f"the second layer reads {h}-wide hidden states, so i = h = {h}: "
        f"4({h}^2 + {h}*{h} + {h}) = {right:,}, more than the first layer's {lstm_params(h, vocab_size):,}"
    )
    return verdict(answer, answer == right if _is_int(answer) else False, hint, why)


def count_at_maxlen(answer, maxlen: int, units: int, vocab_size: int):
    """Exercise 3: the LSTM model's count_params() when built with another window length ``maxlen``.

    The same weights serve every time step (weight sharing across time), so the count is the
    same for any ``maxlen``.
    """
    right = lstm_params(units, vocab_size) + dense_params(units, vocab_size)
    hint = (
        f"build the model with maxlen = {maxlen} (nbh.build_model('lstm', units, {maxlen}, vocab_size)) "
        "and read its count_params(); then look for maxlen in the formulas of Steps 1 and 2"
    )
    if _is_int(answer) and answer != right and answer % right == 0:
        hint = (
            f"{answer:,} is {answer // right} times the model's count: the layer does not get new weights "
            "per time step; it applies the same kernel, recurrent_kernel and bias at every step"
        )
    elif not _is_int(answer) and answer is not None:
        hint = f"give the count as an int (got {answer!r})"
    why = (
        f"{right:,}, the same as for any other window length: the cell applies the same weights at each of the "
        f"{maxlen} steps (weight sharing across time), so the window length changes the work, not the count"
    )
    return verdict(answer, answer == right if _is_int(answer) else False, hint, why)


def swapped_gates_difference(answer):
    """Exercise 4: the largest |h_swapped - h_keras| after swapping the input- and forget-gate blocks.

    ``answer`` is the max absolute difference between the final hidden states computed in NumPy
    with the i and f column blocks of the kernel swapped and Keras' output with the original
    weights. Hidden states lie in (-1, 1), so the difference is at most 2; a difference at the
    float32 rounding level (below 1e-5) means the swap did not reach the comparison.
    """
    hint = "give the largest absolute difference as a float, e.g. float(np.abs(a - b).max())"
    correct = False
    if _is_number(answer):
        value = float(answer)
        if value < 0:
            hint = "a maximum of absolute differences cannot be negative: take np.abs(...) before .max()"
        elif value <= 1e-3:
            hint = (
                f"{value:.1e} is as small as float32 rounding: the two sides saw the same weights. Compare the "
                "NumPy states computed with the swapped kernel against Keras' states from the original kernel"
            )
        elif value > 2:
            hint = (
                f"{value:.3g} is larger than any two hidden states can differ (h = o * tanh(c) lies in (-1, 1)): "
                "compare the final hidden states, shape (windows, units)"
            )
        else:
            correct = True
    why = (
        "the swap moves the final hidden states by far more than the 1e-5 agreement with the right order: "
        "a block is a gate only by its position, so a block in the wrong place is caught"
    )
    return verdict(answer, correct, hint, why)
