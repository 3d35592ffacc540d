"""The lesson's settings, in one commented place, and checks for values a user passes in.

The notebooks' ``parameters`` cells repeat these defaults as plain literals (papermill needs
literals there); ``tests/test_notebooks_static.py`` checks that they match ``DEFAULTS``.
"""

from __future__ import annotations

import math
import numbers

from .sampling import check_temperatures

# The classic Keras example (keras-team/keras, examples/generative/lstm_character_level_text_generation):
DEFAULTS = {
    "corpus_path": "",  # "" = $NBHELPERS_CORPUS if set, else download the original (cached)
    "maxlen": 40,  # characters of context in each training window
    "step": 3,  # characters between the starts of consecutive windows
    "units": 128,  # hidden size h of the LSTM / GRU layer
    "batch_size": 128,  # windows per gradient step
    "epochs": 5,  # passes over the training windows
    "learning_rate": 0.01,  # RMSprop step size
    "temperatures": [0.2, 0.5, 1.0, 1.2, 1.5],  # sampling temperatures shown after each epoch
    "generate_chars": 400,  # characters generated per temperature after each epoch
    "max_windows": 0,  # 0 = all windows; a smaller number gives a quick run on the first N
    "validation_fraction": 0.1,  # last share of the windows, held out as a contiguous tail
    "seed": 42,  # seeds Python, NumPy and TensorFlow (keras.utils.set_random_seed)
    "output_dir": "outputs",  # models, vocabularies, histories; relative to the project root
    "vocab_size": 57,  # notebook 04 only (02 and 03 take it from the corpus): distinct characters
    "samples_per_temperature": 5,  # notebook 05 only: generated samples per model and temperature
}

_POSITIVE_INTS = (
    "maxlen",
    "step",
    "units",
    "batch_size",
    "epochs",
    "generate_chars",
    "vocab_size",
    "samples_per_temperature",
)


def _as_int(name, value):
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got the boolean {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{name} must be an integer, got {value!r}")


def _as_float(name, value):
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got the boolean {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def _as_float_list(name, value):
    if isinstance(value, str):
        text = value.strip().strip("[]()")
        value = [v for v in text.replace(",", " ").split() if v]
    elif isinstance(value, numbers.Number):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise ValueError(f"{name} must be a list of numbers, got {value!r}") from None
    if not items:
        raise ValueError(f"{name} must list at least one value, got {value!r}")
    return [_as_float(f"{name}[{i}]", v) for i, v in enumerate(items)]


def check_parameters(**params):
    """Validate and coerce notebook parameters; return them as a new dict.

    Values injected by papermill's ``-p`` arrive as strings or ints; unambiguous ones are
    coerced (``"40"`` -> 40, ``1`` -> 1.0 for ``learning_rate``, ``"[0.2, 0.5]"`` -> [0.2, 0.5]).

    Parameters
    ----------
    **params
        Any of the names in ``DEFAULTS``.

    Returns
    -------
    dict
        The same keys with checked values: positive ints for ``maxlen``, ``step``, ``units``,
        ``batch_size``, ``epochs``, ``generate_chars``, ``vocab_size``, ``samples_per_temperature``;
        int >= 0 for ``max_windows`` and ``seed``;
        float > 0 for ``learning_rate``; float in [0, 1) for ``validation_fraction``; a list of
        floats >= 0 for ``temperatures``; str for ``corpus_path`` and ``output_dir``.

    Raises
    ------
    ValueError
        If a name is unknown (likely a typo) or a value is out of range, naming both.
    """
    unknown = sorted(set(params) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; known parameters are {sorted(DEFAULTS)}")
    out = {}
    for name, value in params.items():
        if name in _POSITIVE_INTS:
            value = _as_int(name, value)
            if value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value}")
        elif name in ("max_windows", "seed"):
            value = _as_int(name, value)
            if name == "seed" and value >= 2**32:
                raise ValueError(f"seed must be < 2**32 (a Keras limit), got {value}")
            if value < 0:
                raise ValueError(
                    f"{name} must be >= 0, got {value}" + (" (0 means all windows)" if name == "max_windows" else "")
                )
        elif name == "learning_rate":
            value = _as_float(name, value)
            if value <= 0:
                raise ValueError(f"learning_rate must be > 0, got {value}")
        elif name == "validation_fraction":
            value = _as_float(name, value)
            if not 0 <= value < 1:
                raise ValueError(f"validation_fraction must be in [0, 1), got {value}")
        elif name == "temperatures":
            value = check_temperatures(_as_float_list(name, value))  # >= 0 and distinct
        elif name in ("corpus_path", "output_dir"):
            if value is None:
                value = ""
            if not isinstance(value, str) and not hasattr(value, "__fspath__"):
                raise ValueError(f"{name} must be a path string, got {value!r}")
            value = str(value)
            if name == "output_dir" and not value.strip():
                raise ValueError("output_dir must not be empty; use e.g. 'outputs'")
        out[name] = value
    return out
