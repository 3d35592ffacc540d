"""The training text as one small integer per character, and tf.data pipelines that cut batches from it.

The classic windows (``data.make_windows``) copy every character about ``maxlen / step`` = 13
times, as int32: 4 x 40 bytes per window, 53 bytes per character of the corpus. Here the corpus
is encoded once into an array of one byte per character (``encode_corpus``, uint8 when the
vocabulary has at most 256 symbols), which TensorFlow reads in place, and each batch's windows
or chunks are gathered from it inside tf.data by integer offsets. What the pipelines hold beyond
that array is the epoch's order, 4 bytes per window or chunk:

- ``window_dataset``: the classic ``maxlen``-character windows, one every ``step`` characters,
  each with its next character as the target (the same numbers as ``one_hot`` of
  ``make_windows``), in batches of one-hot vectors;
- ``chunk_dataset``: non-overlapping ``seq_len``-character chunks whose targets are the same
  text shifted by one character: every character a target (notebook 06);
- ``split_counts`` and ``held_out_start``: the classic split into training windows and the
  held-out tail, so every method holds out the same text.

Shuffling is a permutation of the window (or chunk) numbers per epoch, drawn by
``tf.random.experimental.stateless_shuffle`` from the seed pair ``(seed, epoch)``, not a shuffle
buffer: it costs 4 bytes per window instead of a buffered element's copy (about 227 B each,
measured for issue 11), and an epoch's order depends only on ``(seed, epoch)``, not on what the
process did before. Under ``model.fit`` the epoch number comes from Keras:
``runs.DatasetEpoch`` (added by ``training_callbacks(..., train_ds)``) sets the dataset's
``epoch`` variable at each epoch's start, so a run resumed by ``BackupAndRestore`` visits the
windows in the same orders as an uninterrupted one.

TensorFlow is imported only when a dataset is built; ``encode_corpus``, ``split_counts`` and
``held_out_start`` need NumPy only.
"""

from __future__ import annotations

import operator

import numpy as np

from .data import count_windows, split_sizes

PREFETCH_BATCHES = 2  # one batch in training, one ready (gathering and one-hot take ~0.5 ms, a step ~30 ms)
ALIGN_BYTES = 64  # encode_corpus aligns its array so that TensorFlow can share it (Eigen needs at most 64 B)
SHUFFLE_ALG = "philox"  # stateless_shuffle's generator, named so that CPU and GPU hosts draw the same orders


def _int(name: str, value, minimum: int) -> int:
    try:
        number = operator.index(value)  # ints and NumPy integers; not floats, not bools' strings
    except TypeError:
        raise TypeError(f"{name} must be an int, got {value!r}") from None
    if isinstance(value, bool) or number < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return number


def encode_corpus(text: str, vocab, chunk_chars: int = 1_048_576) -> np.ndarray:
    """The indices of the characters of ``text`` in ``vocab``, in the smallest integer type that holds them.

    The same values as ``vocab.encode(text)``, computed ``chunk_chars`` characters at a time by a
    table lookup on code points, so no int32 (4 B per character) or int64 copy of the whole text
    is ever made: besides the result, a chunk needs about 9 B per character (its UTF-32 code
    points and their int32 indices), 9 MiB at the default.

    Parameters
    ----------
    text : str
        The corpus (``load_corpus``).
    vocab : Vocabulary
        Its characters; ``Vocabulary.from_text(text)``.
    chunk_chars : int >= 1
        Characters encoded per step.

    Returns
    -------
    ndarray, shape (len(text),)
        uint8 when ``vocab.size <= 256`` (one byte per character: 600,893 B for the Nietzsche
        corpus), uint16 when ``<= 65536``, else int32. Its data start on a 64-byte boundary, so
        ``window_dataset`` and ``chunk_dataset`` can hand it to TensorFlow without a copy.

    Raises
    ------
    TypeError
        ``text`` is not a str.
    ValueError
        ``text`` has characters outside the vocabulary (the message of ``Vocabulary.encode``,
        which names them), or ``chunk_chars`` < 1.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    chunk_chars = _int("chunk_chars", chunk_chars, 1)
    dtype = np.uint8 if vocab.size <= 256 else np.uint16 if vocab.size <= 65536 else np.int32
    codes = np.array([ord(c) for c in vocab.chars], dtype=np.int64)  # (vocab_size,) code points
    table = np.full(int(codes.max()) + 1, -1, dtype=np.int32)  # code point -> index, -1 outside the vocabulary
    table[codes] = np.arange(vocab.size, dtype=np.int32)
    out = _aligned_empty(len(text), dtype)  # (n_chars,)
    for start in range(0, len(text), chunk_chars):
        piece = text[start : start + chunk_chars]
        points = np.frombuffer(piece.encode("utf-32-le", "surrogatepass"), dtype="<u4")  # (len(piece),)
        indices = table[np.minimum(points, len(table) - 1)]  # (len(piece),) int32
        unknown = (indices < 0) | (points >= len(table))
        if unknown.any():
            vocab.encode(piece)  # raises ValueError naming the characters
            raise ValueError(f"text has characters not in the vocabulary near character {start}")  # not reached
        out[start : start + len(piece)] = indices
    return out


def _aligned_empty(n: int, dtype) -> np.ndarray:
    """An uninitialised (n,) array starting on an ALIGN_BYTES boundary (TensorFlow then shares it, not copies)."""
    size = n * np.dtype(dtype).itemsize
    buffer = np.empty(size + ALIGN_BYTES, dtype=np.uint8)
    offset = -buffer.ctypes.data % ALIGN_BYTES
    return buffer[offset : offset + size].view(dtype)


def _text_tensor(tf, encoded: np.ndarray):
    """``encoded`` as a CPU tensor: its own memory (via DLPack) when aligned as encode_corpus makes it, else a copy.

    Only aligned memory may be shared: TensorFlow's kernels abort on unaligned tensor data.
    """
    with tf.device("/cpu:0"):
        shareable = (
            encoded.flags.c_contiguous
            and encoded.flags.writeable  # DLPack cannot mark memory read-only
            and encoded.dtype.isnative
            and encoded.dtype in (np.uint8, np.uint16, np.int32, np.int64)
            and encoded.ctypes.data % ALIGN_BYTES == 0
        )
        if shareable:
            try:
                return tf.experimental.dlpack.from_dlpack(encoded.__dlpack__())
            except (BufferError, TypeError, ValueError, tf.errors.OpError):
                pass
        return tf.convert_to_tensor(encoded)


def split_counts(n_chars: int, maxlen: int, step: int, validation_fraction: float = 0.1, max_windows: int = 0):
    """How many of the classic windows train and how many are held out: the counts ``split_windows`` gives.

    The windows are those of ``make_windows(encoded, maxlen, step, max_windows)`` (the first
    ``max_windows`` when it is not 0); the last ``round(n_windows * validation_fraction)`` of them
    are held out as a contiguous tail.

    Parameters
    ----------
    n_chars : int
        Characters in the corpus.
    maxlen, step : int >= 1
        Window length and the stride between window starts, in characters.
    validation_fraction : float in [0, 1)
    max_windows : int >= 0
        0 for all windows.

    Returns
    -------
    n_train, n_val : int
        Training windows are numbers ``[0, n_train)``, validation windows ``[n_train, n_train + n_val)``.
        For the Nietzsche corpus at the defaults: 180,257 and 20,028.

    Raises
    ------
    ValueError
        The text is shorter than ``maxlen + 1`` characters, or the fraction is outside [0, 1) or
        leaves no training or no validation window (the rules of ``split_windows``).
    """
    n_chars = _int("n_chars", n_chars, 0)
    maxlen, step = _int("maxlen", maxlen, 1), _int("step", step, 1)
    max_windows = _int("max_windows", max_windows, 0)
    if not 0 <= validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in [0, 1), got {validation_fraction}")
    n = count_windows(n_chars, maxlen, step)
    if n < 1:
        raise ValueError(
            f"the text has {n_chars} characters but one window needs maxlen + 1 = {maxlen + 1}; "
            f"use a longer text or a smaller maxlen"
        )
    if max_windows:
        n = min(n, max_windows)
    return split_sizes(n, validation_fraction)


def held_out_start(n_chars: int, maxlen: int, step: int, validation_fraction: float, max_windows: int = 0) -> int:
    """The first character of the classic validation tail: ``n_train * step`` (``split_counts``).

    The validation windows read ``encoded[held_out_start:]`` and nothing before it, so a method
    that trains only on characters before this index (``chunk_dataset(..., stop=...)``) holds
    out exactly the text the classic validation windows read. (The classic training windows
    themselves read up to ``maxlen - step + 1`` characters past it: their last windows overlap
    the first validation windows.) With ``validation_fraction`` 0 nothing is held out and the
    result is ``n_windows * step``, at most ``n_chars``.

    For the Nietzsche corpus at the defaults: 180,257 x 3 = 540,771.
    """
    n_train, _ = split_counts(n_chars, maxlen, step, validation_fraction, max_windows)
    return min(n_train * step, n_chars)


def _checked_encoded(encoded, vocab_size: int, need: int, what: str) -> np.ndarray:
    encoded = np.asarray(encoded)
    if encoded.ndim != 1 or not np.issubdtype(encoded.dtype, np.integer):
        raise ValueError(
            f"encoded must be a 1-D integer array (encode_corpus), got shape {encoded.shape} {encoded.dtype}"
        )
    if len(encoded) < need:
        raise ValueError(f"the text has {len(encoded)} characters but {what} needs {need}")
    low, high = int(encoded.min()), int(encoded.max())
    if low < 0 or high >= vocab_size:
        raise ValueError(f"encoded holds indices in [{low}, {high}], outside [0, vocab_size={vocab_size})")
    return encoded


def _seed(seed, shuffle: bool):
    if not shuffle:
        return None
    if seed is None:  # NumPy's global generator: keras.utils.set_random_seed makes this reproducible too
        return int(np.random.randint(0, 2**31 - 1))
    return _int("seed", seed, 0)


def _index_batches(tf, first, count, batch_size, dtype, *, seed, epoch, drop_remainder):
    """Batches of item numbers in [first, first + count): in order, or in the permutation for (seed, epoch).

    ``epoch`` is an int, or a tf.Variable read (and advanced by one) when an iterator takes its
    first batch.
    """
    n_full, rest = divmod(count, batch_size)
    n_batches = n_full + (1 if rest and not drop_remainder else 0)
    if seed is None:  # the classic order: batch b holds items first + b*batch_size, ...
        last = first + count

        def in_order(b):  # b scalar int64 -> (<= batch_size,) item numbers
            start = first + b * batch_size
            return tf.range(start, tf.minimum(start + batch_size, last), dtype=tf.int64)

        ds = tf.data.Dataset.range(n_batches).map(lambda b: tf.cast(in_order(b), dtype))
    else:

        def permutation(_):  # -> (count,) item numbers of this epoch, in its order
            if isinstance(epoch, tf.Variable):
                this_epoch = epoch.assign_add(1) - 1  # the next iterator, outside fit, takes the next epoch
            else:
                this_epoch = tf.constant(epoch, tf.int64)
            items = tf.range(first, first + count, dtype=dtype)
            seeds = tf.stack([tf.constant(seed, tf.int64), this_epoch])
            return tf.random.experimental.stateless_shuffle(items, seed=seeds, alg=SHUFFLE_ALG)

        def batches(order):
            full = tf.data.Dataset.from_tensor_slices(tf.reshape(order[: n_full * batch_size], [n_full, batch_size]))
            if rest and not drop_remainder:
                full = full.concatenate(tf.data.Dataset.from_tensors(order[n_full * batch_size :]))
            return full

        ds = tf.data.Dataset.from_tensors(tf.constant(0, tf.int64)).map(permutation).flat_map(batches)
    return ds.apply(tf.data.experimental.assert_cardinality(n_batches))


def _finish(tf, ds):
    options = tf.data.Options()
    options.autotune.enabled = False  # nothing to tune; see README, Performance, for why it is off
    # tf.data's default graph rewrites serialize the pipeline when each iterator is made, which copies the
    # captured text (1 B per character, every epoch); this pipeline has nothing for them to fuse.
    options.experimental_optimization.apply_default_optimizations = False
    return ds.prefetch(PREFETCH_BATCHES).with_options(options)


def window_dataset(
    encoded, maxlen: int, step: int, vocab_size: int, batch_size: int, *, first=0, count=None, shuffle=False, seed=None
):
    """The classic windows ``first, ..., first + count - 1`` as batches of one-hot vectors, cut from the text per batch.

    Window k reads ``encoded[k*step : k*step + maxlen]`` and its target is ``encoded[k*step + maxlen]``,
    as in ``make_windows``: a batch equals ``one_hot`` of those windows, as float32. Only
    ``encoded`` and, when shuffling, the epoch's order (4 B per window; int64 above 2**31
    characters) are held; each batch's windows are gathered from ``encoded`` by offsets
    ``k*step + [0, ..., maxlen]``. An array from ``encode_corpus`` is read in place, not copied
    (do not change it while the dataset is in use); other arrays are copied once.

    Parameters
    ----------
    encoded : ndarray, shape (n_chars,), int (uint8 from ``encode_corpus``)
    maxlen, step : int >= 1
    vocab_size : int >= 1
        Every entry of ``encoded`` is checked to be below it.
    batch_size : int >= 1
        The last batch holds the remainder (as ``model.fit`` does with arrays).
    first : int >= 0
        The first window (``n_train`` of ``split_counts`` for the validation windows).
    count : int >= 1, optional
        How many windows; None for all from ``first`` to the end of the text.
    shuffle : bool
        Visit the windows in a new order every epoch: the permutation drawn by
        ``tf.random.experimental.stateless_shuffle`` from the seed pair ``(seed, epoch)``.
    seed : int >= 0, optional
        None draws one from NumPy's global generator (seeded by ``keras.utils.set_random_seed``).

    Returns
    -------
    tf.data.Dataset
        Yields (x float32 (b, maxlen, vocab_size), y float32 (b, vocab_size)), with b =
        ``batch_size`` except in the last batch; its cardinality is the number of batches.
        Attribute ``epoch``: with ``shuffle``, a tf.Variable (int64, on the CPU) holding the epoch
        whose order the next iterator takes; the iterator advances it by one, so iterating again
        gives the next epoch's order. Under ``model.fit``, pass the dataset to
        ``training_callbacks`` (or add ``runs.DatasetEpoch(dataset)`` to the callbacks): it sets
        ``epoch`` to Keras' epoch number when each epoch begins, so a resumed run
        (``BackupAndRestore``) sees the same orders as an uninterrupted one. None without shuffle.

    Raises
    ------
    ValueError
        Settings out of range, ``encoded`` not a 1-D integer array of indices below
        ``vocab_size``, or windows outside the text.
    """
    maxlen, step = _int("maxlen", maxlen, 1), _int("step", step, 1)
    vocab_size, batch_size = _int("vocab_size", vocab_size, 1), _int("batch_size", batch_size, 1)
    encoded = _checked_encoded(encoded, vocab_size, maxlen + 1, f"one window of maxlen={maxlen} and its target")
    total = count_windows(len(encoded), maxlen, step)
    first = _int("first", first, 0)
    if first >= total:
        raise ValueError(f"first={first}, but the text has {total} windows of maxlen={maxlen}, step={step}")
    count = total - first if count is None else _int("count", count, 1)
    if first + count > total:
        raise ValueError(f"windows [{first}, {first + count}) are not all in the text's {total} windows")
    seed = _seed(seed, shuffle)

    import tensorflow as tf

    index = tf.int32 if len(encoded) < 2**31 else tf.int64
    text = _text_tensor(tf, encoded)  # (n_chars,): encoded's own memory when it comes from encode_corpus
    with tf.device("/cpu:0"):  # tf.data runs on the CPU; so must what it reads
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="window_dataset_epoch") if shuffle else None
        span = tf.range(maxlen + 1, dtype=index)  # offsets of a window's characters and its target

    def cut(k):  # k (b,) window numbers -> x (b, maxlen, vocab_size), y (b, vocab_size) float32
        rows = tf.cast(tf.gather(text, k[:, None] * step + span[None, :]), tf.int32)  # (b, maxlen + 1)
        return tf.one_hot(rows[:, :maxlen], vocab_size), tf.one_hot(rows[:, maxlen], vocab_size)

    numbers = _index_batches(tf, first, count, batch_size, index, seed=seed, epoch=epoch, drop_remainder=False)
    ds = _finish(tf, numbers.map(cut))
    ds.epoch = epoch
    return ds


def chunk_dataset(
    encoded, seq_len: int, vocab_size: int, batch_size: int, *, stop, epoch=0, shuffle=True, seed=None, max_chunks=0
):
    """Non-overlapping ``seq_len``-character chunks before ``stop``, each with the next character at every position.

    Chunk j reads ``encoded[j*seq_len : j*seq_len + seq_len]``; its targets are
    ``encoded[j*seq_len + 1 : j*seq_len + seq_len + 1]``. Every chunk, targets included, ends
    before ``stop``: there are ``(stop - 1) // seq_len`` chunks (at most ``max_chunks``). Only
    ``encoded`` (read in place when it comes from ``encode_corpus``, else copied once) and the
    epoch's order (4 B per chunk) are held.

    Parameters
    ----------
    encoded : ndarray, shape (n_chars,), int (uint8 from ``encode_corpus``)
    seq_len : int >= 1
        Characters per chunk.
    vocab_size : int >= 1
        Every entry of ``encoded`` is checked to be below it.
    batch_size : int >= 1
        Chunks per batch; a last, smaller batch is dropped, so every batch (and every replica's
        share under ``tf.distribute``) has the same size.
    stop : int
        The first character no chunk may read: ``held_out_start(...)`` holds out the classic
        validation text. Above ``len(encoded)``, ``len(encoded)``.
    epoch : int >= 0
        The epoch whose order to give: the permutation for the seed pair ``(seed, epoch)``.
        Build one dataset per epoch.
    shuffle : bool
        False: chunks in text order.
    seed : int >= 0, optional
        None draws one from NumPy's global generator.
    max_chunks : int >= 0
        Use only the first ``max_chunks`` chunks (0 for all), e.g. for a quick run.

    Returns
    -------
    tf.data.Dataset
        Yields (x float32 (batch_size, seq_len, vocab_size) one-hot, y int32 (batch_size, seq_len)),
        ``n_chunks // batch_size`` batches.

    Raises
    ------
    ValueError
        Settings out of range, ``encoded`` not a 1-D integer array of indices below
        ``vocab_size``, or fewer chunks before ``stop`` than one batch.
    """
    seq_len, vocab_size = _int("seq_len", seq_len, 1), _int("vocab_size", vocab_size, 1)
    batch_size, epoch = _int("batch_size", batch_size, 1), _int("epoch", epoch, 0)
    max_chunks, stop = _int("max_chunks", max_chunks, 0), _int("stop", stop, 0)
    encoded = _checked_encoded(encoded, vocab_size, seq_len + 1, f"one chunk of seq_len={seq_len} and its targets")
    stop = min(stop, len(encoded))
    n_chunks = max(stop - 1, 0) // seq_len
    if max_chunks:
        n_chunks = min(n_chunks, max_chunks)
    if n_chunks < batch_size:
        raise ValueError(
            f"{n_chunks} chunks of seq_len={seq_len} fit before stop={stop}, fewer than one batch of "
            f"{batch_size}; use a smaller batch_size or seq_len, or more text"
        )
    seed = _seed(seed, shuffle)

    import tensorflow as tf

    index = tf.int32 if len(encoded) < 2**31 else tf.int64
    text = _text_tensor(tf, encoded)  # (n_chars,): encoded's own memory when it comes from encode_corpus
    with tf.device("/cpu:0"):
        span = tf.range(seq_len + 1, dtype=index)

    def cut(j):  # j (batch_size,) chunk numbers -> x (b, seq_len, vocab_size) float32, y (b, seq_len) int32
        rows = tf.cast(tf.gather(text, j[:, None] * seq_len + span[None, :]), tf.int32)  # (b, seq_len + 1)
        return tf.one_hot(rows[:, :-1], vocab_size), rows[:, 1:]

    numbers = _index_batches(tf, 0, n_chunks, batch_size, index, seed=seed, epoch=epoch, drop_remainder=True)
    return _finish(tf, numbers.map(cut))
