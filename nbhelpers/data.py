"""The corpus, its vocabulary, training windows and their one-hot encoding.

Follows the classic Keras example (keras-io ``examples/generative/lstm_character_level_text_generation.py``,
originally ``keras/examples/lstm_text_generation.py``): the lowercased Nietzsche corpus cut into
``maxlen``-character windows every ``step`` characters, each labelled with the character after it.
Windows are kept as integer indices; ``one_hot`` gives the classic boolean arrays and
``make_dataset`` one-hots batch by batch with ``tf.data`` so a full epoch never needs the
(n_windows, maxlen, vocab_size) array in memory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .checks import check_indices, check_int
from .paths import atomic_write_json, resolve_input_path

CORPUS_URL = "https://s3.amazonaws.com/text-datasets/nietzsche.txt"
CORPUS_ENV = "NBHELPERS_CORPUS"
PREFETCH_BATCHES = 2  # make_dataset: one batch in training, one ready (one-hot ~0.5 ms, a step ~30 ms)


def _read_utf8(path: Path, given_by: str = "corpus_path") -> str:
    if not path.exists():
        fix = (
            f"Set {CORPUS_ENV} to an existing UTF-8 text file, or unset it to download the Nietzsche corpus."
            if given_by == CORPUS_ENV
            else f"Pass an existing UTF-8 text file as corpus_path, or corpus_path='' to use ${CORPUS_ENV} "
            f"or download the Nietzsche corpus."
        )
        raise FileNotFoundError(f"corpus file not found: {path} (from {given_by}). {fix}")
    if path.is_dir():
        raise IsADirectoryError(f"corpus path is a folder, not a text file: {path} (from {given_by})")
    if not path.is_file():
        raise ValueError(f"corpus path is not a regular file (a pipe or device?): {path} (from {given_by})")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")  # a leading byte-order mark is not text
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path} is not UTF-8 text: byte {data[e.start]:#04x} at byte offset {e.start} "
            f"cannot be decoded ({e.reason}). Convert the file to UTF-8, e.g. "
            f"`iconv -f latin1 -t utf-8 in.txt > out.txt`."
        ) from None


def load_corpus(path=None, *, lowercase: bool = True) -> str:
    """Load the training text.

    Parameters
    ----------
    path : str or os.PathLike, optional
        A UTF-8 text file. Relative paths are tried from the current directory, then from the
        project root. If None or "", the ``NBHELPERS_CORPUS`` environment variable is used when
        set, else the original corpus is downloaded from ``CORPUS_URL`` with
        ``keras.utils.get_file`` (cached in ``~/.keras/datasets``).
    lowercase : bool
        Lowercase the text, as the classic example does (default True).

    Returns
    -------
    str
        The text; for the Nietzsche corpus 600,893 characters with 57 distinct ones.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is not UTF-8 (the message gives the byte offset), is empty or is not a regular
        file. A leading UTF-8 byte-order mark is dropped.
    RuntimeError
        No path was given and the download failed (e.g. offline); the message says what to set.
    """
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file path (str or os.PathLike), got {path!r}")
    if path is not None and str(path).strip():
        text = _read_utf8(resolve_input_path(path))
        source = str(path)
    elif os.environ.get(CORPUS_ENV, "").strip():
        source = os.environ[CORPUS_ENV]
        text = _read_utf8(resolve_input_path(source), given_by=CORPUS_ENV)
    else:
        import keras

        try:
            source = keras.utils.get_file("nietzsche.txt", origin=CORPUS_URL)
        except Exception as e:  # network errors surface as many different types
            raise RuntimeError(
                f"could not download the corpus from {CORPUS_URL} ({type(e).__name__}: {e}). "
                f"If you are offline, set the environment variable {CORPUS_ENV} to a local copy "
                f"of nietzsche.txt, or pass corpus_path='path/to/nietzsche.txt'."
            ) from e
        text = _read_utf8(Path(source))
    if not text:
        raise ValueError(f"the corpus {source} is empty; give a UTF-8 text file with some text in it")
    return text.lower() if lowercase else text


@dataclass(frozen=True)
class Vocabulary:
    """The sorted distinct characters of a text, with char <-> index maps.

    Save it next to a model (``save``/``load``): a model's output index only means something
    together with the vocabulary it was trained with.

    Attributes
    ----------
    chars : tuple of str
        Distinct characters in sorted (code point) order; index i of a one-hot vector is chars[i].
    """

    chars: tuple

    def __post_init__(self):
        chars = tuple(self.chars)
        if not chars or any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("a Vocabulary needs a non-empty sequence of single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("a Vocabulary's characters must be distinct")
        object.__setattr__(self, "chars", chars)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """Vocabulary of the distinct characters in ``text`` (sorted)."""
        if not text:
            raise ValueError("cannot build a vocabulary from empty text")
        return cls(tuple(sorted(set(text))))

    @property
    def size(self) -> int:
        """vocab_size: number of distinct characters."""
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    @cached_property
    def char_to_index(self) -> dict:
        return {c: i for i, c in enumerate(self.chars)}

    @cached_property
    def index_to_char(self) -> dict:
        return dict(enumerate(self.chars))

    def encode(self, text: str) -> np.ndarray:
        """Indices of the characters of ``text``: shape (len(text),) int32.

        Raises
        ------
        ValueError
            If ``text`` has characters outside the vocabulary; the message lists them.
        """
        table = self.char_to_index
        try:
            return np.fromiter((table[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError:
            missing = sorted(set(text) - set(table))
            raise ValueError(
                f"text has {len(missing)} character(s) not in the vocabulary: "
                f"{''.join(missing)!r} {missing}. Use only characters the model was trained on "
                f"(see vocab.chars)."
            ) from None

    def decode(self, indices) -> str:
        """The string for a sequence of indices in [0, vocab_size)."""
        idx = check_indices("indices", indices, self.size).ravel()
        return "".join(self.chars[i] for i in idx)

    def save(self, path) -> Path:
        """Write the vocabulary as JSON (atomically) and return the path."""
        return atomic_write_json(path, {"chars": list(self.chars)})

    @classmethod
    def load(cls, path) -> Vocabulary:
        """Read a vocabulary written by ``save``."""
        with open(path, encoding="utf-8") as f:
            return cls(tuple(json.load(f)["chars"]))


def count_windows(n_chars: int, maxlen: int, step: int) -> int:
    """Number of windows ``make_windows`` cuts: len(range(0, n_chars - maxlen, step)).

    For the Nietzsche corpus: ceil((600893 - 40) / 3) = 200,285.
    """
    return len(range(0, n_chars - maxlen, step))


def make_windows(encoded, maxlen: int = 40, step: int = 3, max_windows: int = 0):
    """Cut an encoded text into training windows and their next characters.

    Window k is ``encoded[k*step : k*step + maxlen]`` and its target ``encoded[k*step + maxlen]``,
    for every k with ``k*step < len(encoded) - maxlen``, exactly as the classic example's loop.

    Parameters
    ----------
    encoded : array of int, shape (n_chars,)
        Output of ``Vocabulary.encode``.
    maxlen : int >= 1
        Characters per window.
    step : int >= 1
        Stride between window starts, in characters.
    max_windows : int >= 0
        Keep only the first ``max_windows`` windows; 0 keeps all.

    Returns
    -------
    x : ndarray, shape (n_windows, maxlen), int32
        Character indices of each window.
    y : ndarray, shape (n_windows,), int32
        Index of the character that follows each window.

    Raises
    ------
    ValueError
        If an argument is out of range or the text is shorter than ``maxlen + 1`` characters.
    """
    maxlen, step = check_int("maxlen", maxlen), check_int("step", step)
    max_windows = check_int("max_windows (0 = all)", max_windows, minimum=0)
    if isinstance(encoded, str):
        raise ValueError("make_windows takes encoded text: pass vocab.encode(text), not the text itself")
    encoded = np.asarray(encoded)
    if encoded.ndim != 1:
        raise ValueError(f"encoded must be 1-D, got shape {encoded.shape}")
    if encoded.size and (not np.issubdtype(encoded.dtype, np.integer) or encoded.min() < 0):
        raise ValueError("encoded must hold character indices >= 0 (the output of vocab.encode)")
    encoded = encoded.astype(np.int32)
    if len(encoded) < maxlen + 1:
        raise ValueError(
            f"the text has {len(encoded)} characters but one window needs maxlen + 1 = {maxlen + 1}; "
            f"use a longer text or a smaller maxlen"
        )
    starts = np.arange(0, len(encoded) - maxlen, step)  # (n_windows,)
    if max_windows:
        starts = starts[:max_windows]
    x = np.lib.stride_tricks.sliding_window_view(encoded, maxlen)[starts].astype(np.int32)  # (n_windows, maxlen)
    y = encoded[starts + maxlen]  # (n_windows,)
    return x, y


def one_hot(indices, vocab_size: int) -> np.ndarray:
    """One-hot encode integer indices: shape ``indices.shape + (vocab_size,)``, dtype bool.

    With the windows of ``make_windows`` this gives the classic arrays:
    x (n_windows, maxlen, vocab_size) and y (n_windows, vocab_size). That is
    200,285 x 40 x 57 bytes = 457 MB for the full corpus; Keras would copy it to float32 (4x).
    """
    vocab_size = check_int("vocab_size", vocab_size)
    indices = check_indices("indices", indices, vocab_size)
    return np.eye(vocab_size, dtype=bool)[indices]


def split_windows(x, y, validation_fraction: float = 0.1):
    """Hold out the last ``validation_fraction`` of the windows as a contiguous tail.

    A contiguous tail (not a random sample) keeps validation text unseen: neighbouring windows
    overlap by ``maxlen - step`` characters, so a random split would leak training text.
    Windows that straddle the boundary share up to ``maxlen`` characters with training text.

    Returns
    -------
    (x_train, y_train), (x_val, y_val)
        Views into ``x`` and ``y``; the validation pair is empty when the fraction is 0.

    Raises
    ------
    ValueError
        If the fraction is outside [0, 1) or leaves no training or no validation window.
    """
    if not 0 <= validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in [0, 1), got {validation_fraction}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have one entry per window, got {len(x)} and {len(y)}")
    n = len(x)
    n_val = int(round(n * validation_fraction))
    if validation_fraction > 0 and n_val == 0:
        raise ValueError(
            f"validation_fraction={validation_fraction} of {n} windows is 0 windows; "
            f"use more windows (max_windows) or a larger fraction"
        )
    if n - n_val < 1:
        raise ValueError(f"no training windows left: {n} windows, {n_val} held out")
    return (x[: n - n_val], y[: n - n_val]), (x[n - n_val :], y[n - n_val :])


def make_dataset(x, y, vocab_size: int, batch_size: int = 128, *, shuffle: bool = False, seed=None):
    """A ``tf.data.Dataset`` of one-hot batches built from integer windows.

    Parameters
    ----------
    x : array, shape (n_windows, maxlen), int
    y : array, shape (n_windows,), int
    vocab_size : int
    batch_size : int >= 1
    shuffle : bool
        Reshuffle the windows every epoch (what ``model.fit`` does with arrays).
    seed : int, optional
        Shuffle seed.

    Returns
    -------
    tf.data.Dataset
        Yields (x_batch float32 (b, maxlen, vocab_size), y_batch float32 (b, vocab_size)).
        The one-hot map runs sequentially with a fixed prefetch of ``PREFETCH_BATCHES`` and
        tf.data autotuning off, so ``model.fit`` never waits for the autotuner after an
        epoch's last batch (why and how it was measured: ``_pipeline_options``).

    Raises
    ------
    ValueError
        Indices outside [0, vocab_size) (``tf.one_hot`` would silently give rows of zeros) or
        mismatched shapes.
    """
    import tensorflow as tf

    vocab_size, batch_size = check_int("vocab_size", vocab_size), check_int("batch_size", batch_size)
    x, y = check_indices("x", x, vocab_size), check_indices("y", y, vocab_size)  # else rows of zeros
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"need x (n_windows, maxlen) and y (n_windows,), got shapes {x.shape} and {y.shape}")
    ds = tf.data.Dataset.from_tensor_slices((x.astype(np.int32), y.astype(np.int32)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    ds = ds.map(lambda xb, yb: (tf.one_hot(xb, vocab_size), tf.one_hot(yb, vocab_size)))
    return ds.prefetch(PREFETCH_BATCHES).with_options(_pipeline_options())


def _pipeline_options():
    """tf.data options for ``make_dataset``: autotuning off.

    With autotuning on, every iterator starts a background optimiser that sleeps 10 ms, 20 ms,
    40 ms, ... (doubling, at most 60 s) between rounds, and destroying the iterator (which
    ``model.fit`` does at the end of every epoch, also for the arrays of the classic example)
    can wait for that sleep to end. Measured on a 2-core CPU (TensorFlow 2.21):
    20,000-window epochs with about 5.5 s of compute returned from ``fit`` at 10.23 s =
    (2^10 - 1) x 10 ms, in three of six epochs. In one ``make bench`` run on all windows the
    classic LSTM epochs spent 22-29 s outside their batches (its GRU epochs, and all epochs of
    the next run, under 2 s). The lesson's full run took 814 s with autotuning and 596 s
    without, with identical losses.

    This pipeline has nothing to tune: sequential one-hot with two batches prefetched delivers
    about 2,000 batches/s here, against about 30 training steps/s.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return options
