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
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .paths import atomic_write_json, resolve_input_path

CORPUS_URL = "https://s3.amazonaws.com/text-datasets/nietzsche.txt"
CORPUS_ENV = "NBHELPERS_CORPUS"
PREFETCH_BATCHES = 2  # make_dataset: one batch in training, one ready (one-hot ~0.5 ms, a step ~30 ms)


def _read_utf8(path: Path, given_by: str = "corpus_path", lowercase: bool = False) -> str:
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
    # Text mode reads \r\n and \r as \n; a leading byte-order mark is not text. A megabyte of whole
    # lines at a time: str.lower() of non-ASCII text takes 4 bytes per character while it works, so
    # lowercasing piece by piece keeps a 100x corpus within a few bytes per character.
    pieces = []
    try:
        with open(path, encoding="utf-8-sig") as f:
            while lines := f.readlines(1 << 20):
                piece = normalize_text("".join(lines))
                pieces.append(piece.lower() if lowercase else piece)
    except UnicodeDecodeError:
        data = path.read_bytes()
        e = _decode_error(data)
        raise ValueError(
            f"{path} is not UTF-8 text: byte {data[e.start]:#04x} at byte offset {e.start} "
            f"cannot be decoded ({e.reason}). Convert the file to UTF-8, e.g. "
            f"`iconv -f latin1 -t utf-8 in.txt > out.txt`."
        ) from None
    text = "".join(pieces)
    del pieces
    return text


def _decode_error(data: bytes):
    """The UnicodeDecodeError of ``data`` as UTF-8 (with its byte offset), or None."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return e
    return None


def normalize_text(text: str) -> str:
    """``text`` with \\r\\n and \\r line endings as \\n (as Python's text mode reads files), in Unicode NFC.

    NFC writes ``é`` as one code point, whether the file (or a prompt) spelled it that way or as
    ``e`` + a combining accent; a model then sees one character, not two.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


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
        The text, with \\n line endings and in Unicode NFC (``normalize_text``); for the
        Nietzsche corpus 600,893 characters with 57 distinct ones.

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
        text = _read_utf8(resolve_input_path(path), lowercase=lowercase)
        source = str(path)
    elif os.environ.get(CORPUS_ENV, "").strip():
        source = os.environ[CORPUS_ENV]
        text = _read_utf8(resolve_input_path(source), given_by=CORPUS_ENV, lowercase=lowercase)
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
        text = _read_utf8(Path(source), lowercase=lowercase)
    if not text:
        raise ValueError(f"the corpus {source} is empty; give a UTF-8 text file with some text in it")
    return text


def describe_characters(chars, limit: int = 8) -> str:
    """Name characters by code point and Unicode name: ``"U+0301 COMBINING ACUTE ACCENT, U+0023 NUMBER SIGN"``.

    For messages about characters a reader cannot see or tell apart (a combining accent, a
    non-breaking space, a Cyrillic ``о`` that looks like a Latin ``o``). The text is ASCII, so it
    prints on any terminal.

    Parameters
    ----------
    chars : iterable of str
        Single characters, described in the order given.
    limit : int
        Describe at most this many, then say how many more there are.
    """
    chars = list(chars)
    names = [f"U+{ord(c):04X} {unicodedata.name(c, 'no name')}" for c in chars[:limit]]
    if len(chars) > limit:
        names.append(f"and {len(chars) - limit} more")
    return ", ".join(names)


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
            If ``text`` has characters outside the vocabulary; the message lists them with their
            code points and Unicode names (``describe_characters``).
        """
        table = self.char_to_index
        try:
            return np.fromiter((table[c] for c in text), dtype=np.int32, count=len(text))
        except KeyError:
            missing = sorted(set(text) - set(table))
            raise ValueError(
                f"text has {len(missing)} character(s) not in the vocabulary: {''.join(missing)!r} "
                f"({describe_characters(missing)}). Use only characters the model was trained on (see vocab.chars)."
            ) from None

    def decode(self, indices) -> str:
        """The string for a sequence of indices in [0, vocab_size)."""
        return "".join(self.chars[i] for i in np.asarray(indices).ravel())

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
    for every k with ``k*step < len(encoded) - maxlen``, exactly as the classic example's loop
    (notebook 01 writes the same with ``sliding_window_view`` and checks the two agree).

    Parameters
    ----------
    encoded : ndarray, shape (n_chars,), int
        Output of ``Vocabulary.encode``; at least ``maxlen + 1`` characters.
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
        If the text is shorter than ``maxlen + 1`` characters (a corpus or ``maxlen`` that
        does not fit).
    """
    encoded = np.asarray(encoded, dtype=np.int32)
    if len(encoded) < maxlen + 1:
        raise ValueError(
            f"the text has {len(encoded)} characters but one window needs maxlen + 1 = {maxlen + 1}; "
            f"use a longer text or a smaller maxlen"
        )
    starts = np.arange(0, len(encoded) - maxlen, step)  # (n_windows,)
    if max_windows:
        starts = starts[:max_windows]
    x = np.lib.stride_tricks.sliding_window_view(encoded, maxlen)[starts]  # (n_windows, maxlen) int32
    y = encoded[starts + maxlen]  # (n_windows,) int32
    return x, y


def one_hot(indices, vocab_size: int) -> np.ndarray:
    """One-hot encode integer indices in [0, vocab_size): shape ``indices.shape + (vocab_size,)``, bool.

    With the windows of ``make_windows`` this gives the classic arrays:
    x (n_windows, maxlen, vocab_size) and y (n_windows, vocab_size). That is
    200,285 x 40 x 57 bytes = 457 MB for the full corpus; Keras would copy it to float32 (4x).
    """
    return np.eye(vocab_size, dtype=bool)[np.asarray(indices)]


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
    n_train, _ = split_sizes(len(x), validation_fraction)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def split_sizes(n_windows: int, validation_fraction: float):
    """(n_train, n_val): the last ``round(n_windows * validation_fraction)`` windows are held out.

    Raises
    ------
    ValueError
        If the fraction leaves no validation window (while > 0) or no training window.
    """
    n_val = int(round(n_windows * validation_fraction))
    if validation_fraction > 0 and n_val == 0:
        raise ValueError(
            f"validation_fraction={validation_fraction} of {n_windows} windows is 0 windows; "
            f"use more windows (max_windows) or a larger fraction"
        )
    if n_windows - n_val < 1:
        raise ValueError(f"no training windows left: {n_windows} windows, {n_val} held out")
    return n_windows - n_val, n_val


def make_dataset(x, y, vocab_size: int, batch_size: int = 128, *, shuffle: bool = False, seed=None):
    """A ``tf.data.Dataset`` of one-hot batches built from integer windows.

    Keeps only the integer windows in memory and one-hots each batch as it is needed, so the
    (n_windows, maxlen, vocab_size) float32 array (1.8 GB for the full corpus) never exists.

    Parameters
    ----------
    x : ndarray, shape (n_windows, maxlen), int, entries in [0, vocab_size)
    y : ndarray, shape (n_windows,), int, entries in [0, vocab_size)
    vocab_size : int >= 1
    batch_size : int >= 1
    shuffle : bool
        Reshuffle the windows every epoch (what ``model.fit`` does with arrays), with a shuffle
        buffer of every window: its orders depend on the process's history, so a resumed run does
        not repeat them. The notebooks use ``pipeline.window_dataset``, whose per-epoch
        permutations it does repeat, and which holds the text once instead of every window.
    seed : int, optional
        Shuffle seed.

    Returns
    -------
    tf.data.Dataset
        Yields (x_batch float32 (b, maxlen, vocab_size), y_batch float32 (b, vocab_size)).
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((np.asarray(x, np.int32), np.asarray(y, np.int32)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    ds = ds.map(lambda xb, yb: (tf.one_hot(xb, vocab_size), tf.one_hot(yb, vocab_size)))
    options = tf.data.Options()
    options.autotune.enabled = False  # nothing to tune here; see README, Performance, for why it is off
    return ds.prefetch(PREFETCH_BATCHES).with_options(options)
