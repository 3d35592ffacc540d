"""The lesson's settings in one commented place, and the one check of values a user passes in.

The notebooks' ``parameters`` cells repeat these defaults as annotated literals (papermill needs
literals there); ``tests/test_notebooks_static.py`` checks that they match ``DEFAULTS``. Values
are checked here, where they enter (papermill ``-p``, ``make run``, the CLI); the functions they
are passed on to trust them.
"""

from __future__ import annotations

import math
import numbers

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
    "reset_after": True,  # notebook 03 only: Keras 3's GRU variant (False: the original of Cho et al. 2014)
    "progress_bar": True,  # a Keras progress bar within each epoch; the runner (make run) turns it off
    "seq_len": 50,  # every-character training (notebook 06, `python -m nbhelpers train`): characters per chunk
    "chunk_batch_size": 32,  # notebook 06 only: chunks per gradient step (32 x 50 = 1,600 targets)
    "gru_epochs": 2,  # notebook 06 only: passes over the training chunks for its GRU (its LSTM takes `epochs`)
}
BOOLS = ("reset_after", "progress_bar")

# The settings of the every-character trainer (every_char.train, `python -m nbhelpers train`).
TRAIN_SETTINGS = (
    "maxlen",
    "step",
    "units",
    "batch_size",
    "epochs",
    "learning_rate",
    "temperatures",
    "generate_chars",
    "max_windows",
    "validation_fraction",
    "seed",
    "reset_after",
    "seq_len",
)

POSITIVE_INTS = (
    "maxlen",
    "step",
    "units",
    "batch_size",
    "epochs",
    "generate_chars",
    "vocab_size",
    "samples_per_temperature",
    "seq_len",
    "chunk_batch_size",
    "gru_epochs",
)


def as_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``: ints, integral floats and numeric strings; never bools.

    Raises
    ------
    ValueError
        Naming ``name``, what it must be and what it got.
    """
    out = None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        out = int(value)
    elif isinstance(value, float) and value.is_integer():
        out = int(value)
    elif isinstance(value, str):
        try:
            out = int(value.strip())
        except ValueError:
            pass
    if out is None or out < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return out


def as_float(name: str, value) -> float:
    """``value`` as a finite float (numbers and numeric strings; never bools).

    Raises
    ------
    ValueError
        Naming ``name`` and what it got.
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got the boolean {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def as_temperatures(name: str, value) -> list:
    """A non-empty list of distinct floats >= 0 from a list, one number, or text like ``"[0.2, 0.5]"``.

    Raises
    ------
    ValueError
        Empty, a non-number, a negative value, or duplicates (which would collapse into one result).
    """
    if isinstance(value, str):
        value = [v for v in value.strip().strip("[]()").replace(",", " ").split() if v]
    elif isinstance(value, numbers.Number):
        value = [value]
    try:
        items = list(value)
    except TypeError:
        raise ValueError(f"{name} must be a list of numbers >= 0, got {value!r}") from None
    temps = [as_float(f"{name}[{i}]", v) for i, v in enumerate(items)]
    if not temps:
        raise ValueError(f"{name} must list at least one temperature, got {value!r}")
    if any(t < 0 for t in temps):
        raise ValueError(f"{name} must be >= 0 (0 means argmax), got {temps}")
    if len(set(temps)) != len(temps):
        raise ValueError(f"{name} must be distinct, got {temps}")
    return temps


def as_bool(name: str, value) -> bool:
    """``value`` as a bool: True/False, or the strings "true"/"false" in any case (papermill, YAML).

    Raises
    ------
    ValueError
        Anything else (a non-empty string such as "False" would otherwise count as True).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{name} must be True or False, got {value!r}")


def check_parameters(**settings) -> dict:
    """Check and convert notebook settings; return them as a new dict, in the order given.

    Values injected by papermill's ``-p`` arrive as strings or ints; unambiguous ones are
    converted (``"40"`` -> 40, ``1`` -> 1.0 for ``learning_rate``, ``"[0.2, 0.5]"`` -> [0.2, 0.5]).

    Parameters
    ----------
    **settings
        Any of the names in ``DEFAULTS``.

    Returns
    -------
    dict
        Positive ints for ``maxlen``, ``step``, ``units``, ``batch_size``, ``epochs``,
        ``generate_chars``, ``vocab_size``, ``samples_per_temperature``, ``seq_len``,
        ``chunk_batch_size``, ``gru_epochs``; int >= 0 for ``max_windows`` (0 = all) and ``seed``
        (< 2**32); float > 0 for ``learning_rate``; float in [0, 1) for ``validation_fraction``; a
        list of distinct floats >= 0 for ``temperatures``; bool for ``reset_after`` and
        ``progress_bar``; str for ``corpus_path`` and ``output_dir``.

    Raises
    ------
    ValueError
        An unknown name (likely a typo) or a value out of range, naming both.
    """
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; known parameters are {sorted(DEFAULTS)}")
    out = {}
    for name, value in settings.items():
        if name in POSITIVE_INTS:
            value = as_int(name, value)
        elif name == "max_windows":
            value = as_int("max_windows (0 means all windows)", value, minimum=0)
        elif name == "seed":
            value = as_int(name, value, minimum=0)
            if value >= 2**32:
                raise ValueError(f"seed must be < 2**32 (a Keras limit), got {value}")
        elif name == "learning_rate":
            value = as_float(name, value)
            if value <= 0:
                raise ValueError(f"learning_rate must be > 0, got {value}")
        elif name == "validation_fraction":
            value = as_float(name, value)
            if not 0 <= value < 1:
                raise ValueError(f"validation_fraction must be in [0, 1), got {value}")
        elif name == "temperatures":
            value = as_temperatures(name, value)
        elif name in BOOLS:
            value = as_bool(name, value)
        else:  # corpus_path, output_dir
            if value is None:
                value = ""
            if not isinstance(value, str) and not hasattr(value, "__fspath__"):
                raise ValueError(f"{name} must be a path string, got {value!r}")
            value = str(value)
            if name == "output_dir" and not value.strip():
                raise ValueError("output_dir must not be empty; use e.g. 'outputs'")
        out[name] = value
    return out
