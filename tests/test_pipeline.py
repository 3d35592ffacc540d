"""nbhelpers.pipeline: the corpus as one byte per character, and the windows and chunks tf.data cuts from it."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

import nbhelpers as nbh

ROOT = Path(__file__).resolve().parent.parent


def unique_text(n_chars, vocab_size=40, seed=0):
    """Random indices in [0, vocab_size): every 6-character stretch tells where it is, so a window names its number."""
    return np.random.default_rng(seed).integers(0, vocab_size, n_chars).astype(np.uint8)


def batches(ds):
    """All batches of one pass: (x, y) as NumPy arrays."""
    pairs = [(x.numpy(), y.numpy()) for x, y in ds]
    return np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs])


def window_numbers(x, y, encoded, maxlen, step):
    """The window number k of each one-hot window (x, y), found from its characters."""
    where = {}
    for k in range(nbh.count_windows(len(encoded), maxlen, step)):
        where.setdefault(encoded[k * step : k * step + maxlen + 1].tobytes(), []).append(k)
    rows = np.concatenate([x.argmax(-1), y.argmax(-1)[:, None]], axis=1).astype(np.uint8)  # (b, maxlen + 1)
    found = [where[row.tobytes()] for row in rows]
    assert all(len(ks) == 1 for ks in found), "test text too regular: windows repeat"
    return np.array([ks[0] for ks in found])


# --- encode_corpus ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk_chars", [1, 7, 64, 1_048_576])
def test_encode_corpus_equals_vocabulary_encode(tiny_text, chunk_chars):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    encoded = nbh.encode_corpus(tiny_text, vocab, chunk_chars=chunk_chars)
    assert encoded.dtype == np.uint8 and encoded.shape == (len(tiny_text),)
    assert_array_equal(encoded, vocab.encode(tiny_text))


def test_encode_corpus_array_is_aligned_for_tensorflow_to_share(tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    for n in (1, 17, len(tiny_text)):
        assert nbh.encode_corpus(tiny_text[:n], vocab).ctypes.data % 64 == 0


@pytest.mark.parametrize("view", ["unaligned", "read-only", "int64", "list"])
def test_window_dataset_copies_arrays_it_cannot_share(view):
    encoded = unique_text(400)
    x_idx, y_idx = nbh.make_windows(encoded[1:], 8, 3)
    given = encoded[1:]  # one byte past an aligned start
    if view == "read-only":
        given = given.copy()
        given.flags.writeable = False
    elif view == "int64":
        given = given.astype(np.int64)
    elif view == "list":
        given = given.tolist()
    x, y = batches(nbh.window_dataset(given, 8, 3, 40, 32))
    assert_array_equal(x, nbh.one_hot(x_idx, 40))
    assert_array_equal(y, nbh.one_hot(y_idx, 40))


def test_encode_corpus_real_corpus_is_one_byte_per_character(corpus_path):
    text = nbh.load_corpus(corpus_path)
    vocab = nbh.Vocabulary.from_text(text)
    encoded = nbh.encode_corpus(text, vocab)
    assert encoded.dtype == np.uint8 and encoded.nbytes == len(text) == 600_893
    assert_array_equal(encoded, vocab.encode(text))
    assert_array_equal(encoded[:1000], nbh.encode_corpus(text[:1000], vocab, chunk_chars=3))


def test_encode_corpus_wider_vocabularies():
    text = "".join(chr(0x400 + i) for i in range(300)) * 2 + "é\U0001f600"  # 302 symbols, one outside the BMP
    vocab = nbh.Vocabulary.from_text(text)
    encoded = nbh.encode_corpus(text, vocab, chunk_chars=50)
    assert encoded.dtype == np.uint16 and vocab.size == 302
    assert_array_equal(encoded, vocab.encode(text))
    assert nbh.encode_corpus("", vocab).shape == (0,)


@pytest.mark.parametrize("bad", ["the QaZ cat", "caf\u00e9", "a\U0001f600", "\u0301"])
def test_encode_corpus_names_unknown_characters_as_vocabulary_encode_does(tiny_text, bad):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    with pytest.raises(ValueError) as expected:
        vocab.encode(bad)
    with pytest.raises(ValueError) as got:
        nbh.encode_corpus(tiny_text + bad, vocab, chunk_chars=16)
    assert str(got.value) == str(expected.value) and "not in the vocabulary" in str(got.value)


def test_encode_corpus_refuses_bad_arguments(tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    with pytest.raises(ValueError, match="chunk_chars must be an int >= 1"):
        nbh.encode_corpus(tiny_text, vocab, chunk_chars=0)
    with pytest.raises(TypeError, match="text must be a str"):
        nbh.encode_corpus(b"the cat", vocab)


# --- split_counts and held_out_start ----------------------------------------------------------------------------------

SPLITS = [  # n_chars, maxlen, step, validation_fraction, max_windows
    (600_893, 40, 3, 0.1, 0),
    (600_893, 40, 3, 0.1, 2000),
    (1000, 40, 3, 0.1, 0),
    (1000, 10, 7, 0.25, 0),
    (1000, 5, 1, 0.05, 300),
    (1000, 40, 3, 0.0, 0),
    (1000, 2, 9, 0.0, 0),  # step > maxlen: the last window's start * step is past the text
    (97, 8, 2, 0.5, 0),
]


@pytest.mark.parametrize("n_chars,maxlen,step,fraction,max_windows", SPLITS)
def test_split_counts_and_held_out_start_match_the_classic_split(n_chars, maxlen, step, fraction, max_windows):
    encoded = unique_text(n_chars).astype(np.int32)
    x, y = nbh.make_windows(encoded, maxlen, step, max_windows)
    (x_train, _), (x_val, y_val) = nbh.split_windows(x, y, fraction)
    n_train, n_val = nbh.split_counts(n_chars, maxlen, step, fraction, max_windows)
    assert (n_train, n_val) == (len(x_train), len(x_val))
    start = nbh.held_out_start(n_chars, maxlen, step, fraction, max_windows)
    assert 0 < start <= n_chars
    if n_val:  # the validation windows read encoded[start:] and nothing before it
        assert start == n_train * step
        assert_array_equal(x_val[0], encoded[start : start + maxlen])
        assert_array_equal(x_val[-1], encoded[(n_train + n_val - 1) * step :][:maxlen])


def test_held_out_start_for_the_corpus():
    assert nbh.split_counts(600_893, 40, 3, 0.1) == (180_257, 20_028)
    assert nbh.held_out_start(600_893, 40, 3, 0.1) == 540_771


@pytest.mark.parametrize(
    "args,message",
    [
        ((30, 40, 3, 0.1), "one window needs maxlen \\+ 1 = 41"),
        ((100, 40, 3, 1.0), "validation_fraction must be in \\[0, 1\\)"),
        ((100, 40, 3, 0.001), "is 0 windows"),
        ((100, 40, 3, 0.99), "no training windows left"),
        ((100, 0, 3, 0.1), "maxlen must be an int >= 1"),
    ],
)
def test_split_counts_refuses_what_split_windows_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        nbh.split_counts(*args)


# --- window_dataset --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "maxlen,step,batch_size,first,count",
    [(6, 2, 16, 0, None), (40, 3, 128, 0, 250), (40, 3, 7, 250, 30), (5, 1, 1, 3, 4), (9, 4, 50, 0, 50)],
)
def test_window_dataset_equals_the_classic_arrays(maxlen, step, batch_size, first, count):
    encoded = unique_text(1200)
    vocab_size = 40
    x_idx, y_idx = nbh.make_windows(encoded, maxlen, step)
    end = len(x_idx) if count is None else first + count
    ds = nbh.window_dataset(encoded, maxlen, step, vocab_size, batch_size, first=first, count=count)
    assert ds.epoch is None and ds.options().autotune.enabled is False
    assert int(ds.cardinality()) == -(-(end - first) // batch_size)
    sizes = [len(b[1]) for b in ds]
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1) and sum(sizes) == end - first
    x, y = batches(ds)
    assert (
        x.dtype == np.float32 and x.shape == (end - first, maxlen, vocab_size) and y.shape == (end - first, vocab_size)
    )
    assert_array_equal(x, nbh.one_hot(x_idx[first:end], vocab_size))  # in the classic order
    assert_array_equal(y, nbh.one_hot(y_idx[first:end], vocab_size))


def test_window_dataset_on_the_corpus_equals_make_windows(corpus_path):
    text = nbh.load_corpus(corpus_path)
    vocab = nbh.Vocabulary.from_text(text)
    encoded = nbh.encode_corpus(text, vocab)
    n_train, n_val = nbh.split_counts(len(text), 40, 3, 0.1)
    x_idx, y_idx = nbh.make_windows(vocab.encode(text), 40, 3)
    val = nbh.window_dataset(encoded, 40, 3, vocab.size, 128, first=n_train, count=n_val)
    assert int(val.cardinality()) == 157
    x, y = next(iter(val))
    assert_array_equal(x.numpy(), nbh.one_hot(x_idx[n_train : n_train + 128], vocab.size))
    assert_array_equal(y.numpy(), nbh.one_hot(y_idx[n_train : n_train + 128], vocab.size))


def test_shuffled_windows_are_the_classic_windows_each_once_per_epoch():
    encoded, maxlen, step, first, count = unique_text(3000), 10, 3, 20, 700
    x_idx, y_idx = nbh.make_windows(encoded, maxlen, step)
    ds = nbh.window_dataset(encoded, maxlen, step, 40, 64, first=first, count=count, shuffle=True, seed=5)
    orders = []
    for _ in range(3):  # each pass takes the next epoch's order
        x, y = batches(ds)
        k = window_numbers(x, y, encoded, maxlen, step)
        assert sorted(k) == list(range(first, first + count))  # every window exactly once
        assert_array_equal(x, nbh.one_hot(x_idx[k], 40))  # and each batch equals the classic arrays' rows
        assert_array_equal(y, nbh.one_hot(y_idx[k], 40))
        orders.append(k)
    assert int(ds.epoch.numpy()) == 3
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    assert not np.array_equal(orders[0], np.arange(first, first + count))


def test_the_same_seed_and_epoch_give_the_same_order():
    encoded, maxlen, step = unique_text(2000), 8, 2

    def order(seed, epoch):
        ds = nbh.window_dataset(encoded, maxlen, step, 40, 32, count=500, shuffle=True, seed=seed)
        ds.epoch.assign(epoch)
        return window_numbers(*batches(ds), encoded, maxlen, step)

    assert_array_equal(order(1, 0), order(1, 0))
    assert_array_equal(order(1, 4), order(1, 4))
    assert not np.array_equal(order(1, 0), order(1, 1))
    assert not np.array_equal(order(1, 0), order(2, 0))
    ds = nbh.window_dataset(encoded, maxlen, step, 40, 32, count=500, shuffle=True, seed=1)
    batches(ds)  # epoch 0
    assert_array_equal(window_numbers(*batches(ds), encoded, maxlen, step), order(1, 1))  # then epoch 1


def test_dataset_epoch_callback_sets_the_order_keras_asks_for(tmp_path):
    encoded, maxlen, step = unique_text(2000), 8, 2
    ds = nbh.window_dataset(encoded, maxlen, step, 40, 32, count=500, shuffle=True, seed=3)
    ds.epoch.assign(2)
    expected = window_numbers(*batches(ds), encoded, maxlen, step)
    callback = nbh.DatasetEpoch(ds)
    batches(ds)  # the variable has moved on ...
    callback.on_epoch_begin(2)  # ... and Keras says epoch 2 begins
    assert_array_equal(window_numbers(*batches(ds), encoded, maxlen, step), expected)
    with pytest.raises(ValueError, match="window_dataset\\(..., shuffle=True\\)"):
        nbh.DatasetEpoch(nbh.window_dataset(encoded, maxlen, step, 40, 32))
    settings = nbh.check_parameters(maxlen=maxlen, step=step, seed=3)
    names = [type(c).__name__ for c in nbh.training_callbacks(tmp_path, settings, "text", ds)]
    assert names == ["BitsPerChar", "CSVLogger", "TerminateOnNaN", "BackupAndRestore", "DatasetEpoch"]
    unshuffled = nbh.window_dataset(encoded, maxlen, step, 40, 32)
    assert "DatasetEpoch" not in [
        type(c).__name__ for c in nbh.training_callbacks(tmp_path, settings, "text", unshuffled)
    ]


def test_window_dataset_seed_none_follows_numpys_global_seed():
    encoded = unique_text(500)

    def order():
        np.random.seed(11)
        return window_numbers(*batches(nbh.window_dataset(encoded, 6, 2, 40, 16, shuffle=True)), encoded, 6, 2)

    assert_array_equal(order(), order())


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"first": 240, "count": 10}, "windows \\[240, 250\\) are not all in the text's 248 windows"),
        ({"first": 248}, "first=248, but the text has 248 windows of maxlen=10, step=4"),
        ({"count": 0}, "count must be an int >= 1"),
        ({"maxlen": 0}, "maxlen must be an int >= 1"),
        ({"batch_size": 1.5}, "batch_size must be an int"),
        ({"vocab_size": 30}, "outside \\[0, vocab_size=30\\)"),
        ({"maxlen": 1000}, "the text has 1000 characters but one window"),
    ],
)
def test_window_dataset_refuses_bad_arguments(kwargs, message):
    args = {"maxlen": 10, "step": 4, "vocab_size": 40, "batch_size": 8, **kwargs}
    first_count = {k: args.pop(k) for k in ("first", "count") if k in args}
    with pytest.raises((ValueError, TypeError), match=message):
        nbh.window_dataset(unique_text(1000), **args, **first_count)


def test_window_dataset_refuses_arrays_that_are_not_encoded_text():
    with pytest.raises(ValueError, match="1-D integer array"):
        nbh.window_dataset(np.zeros((10, 10), np.uint8), 3, 1, 5, 2)
    with pytest.raises(ValueError, match="1-D integer array"):
        nbh.window_dataset(np.zeros(100, np.float32), 3, 1, 5, 2)


# --- chunk_dataset ---------------------------------------------------------------------------------------------------


def chunk_starts(x, y, encoded, seq_len):
    """Where each chunk (x one-hot, y targets) starts in ``encoded``; checks that its targets are shifted by one."""
    inputs = x.argmax(-1)  # (n, seq_len)
    assert_array_equal(y[:, :-1], inputs[:, 1:])  # the target at position t is the input at t + 1
    where = {encoded[s : s + seq_len + 1].tobytes(): s for s in range(0, len(encoded) - seq_len, seq_len)}
    assert len(where) == len(range(0, len(encoded) - seq_len, seq_len)), "test text too regular: chunks repeat"
    rows = np.concatenate([inputs, y[:, -1:]], axis=1).astype(np.uint8)  # (n, seq_len + 1): inputs, last target
    return np.array([where[row.tobytes()] for row in rows])


@pytest.mark.parametrize(
    "maxlen,step,fraction,max_windows,seq_len,batch_size",
    [(40, 3, 0.1, 0, 50, 32), (40, 3, 0.1, 2000, 50, 8), (10, 1, 0.2, 0, 7, 5), (40, 3, 0.05, 500, 13, 4)]
    + [(20, 5, 0.3, 0, 3, 64), (40, 40, 0.1, 0, 100, 3)],
)
def test_chunks_are_disjoint_and_end_before_the_held_out_text(maxlen, step, fraction, max_windows, seq_len, batch_size):
    encoded = unique_text(6000, vocab_size=256, seed=1)  # every 4-character stretch tells where it is
    stop = nbh.held_out_start(len(encoded), maxlen, step, fraction, max_windows)
    ds = nbh.chunk_dataset(encoded, seq_len, 256, batch_size, stop=stop, epoch=1, seed=0)
    n_chunks = (stop - 1) // seq_len
    assert int(ds.cardinality()) == n_chunks // batch_size
    shapes = {(tuple(x.shape), tuple(y.shape), x.dtype.name, y.dtype.name) for x, y in ds}
    assert shapes == {((batch_size, seq_len, 256), (batch_size, seq_len), "float32", "int32")}  # drop_remainder
    x, y = batches(ds)
    starts = chunk_starts(x, y, encoded, seq_len)
    assert len(set(starts)) == len(starts) == n_chunks // batch_size * batch_size  # each chunk at most once
    assert all(s % seq_len == 0 for s in starts)  # non-overlapping: the text is tiled, chunk j at j * seq_len
    assert max(starts) + seq_len < stop  # the last target of every chunk lies before the held-out text
    assert n_chunks * seq_len + 1 <= stop < (n_chunks + 1) * seq_len + 1  # and no room for one more


def test_chunk_order_follows_seed_and_epoch():
    encoded, seq_len = unique_text(3000, seed=2), 10

    def order(**kwargs):
        x, y = batches(nbh.chunk_dataset(encoded, seq_len, 40, 4, stop=2901, **kwargs))
        return chunk_starts(x, y, encoded, seq_len)

    in_text_order = order(shuffle=False)
    assert_array_equal(in_text_order, np.arange(0, 2880, 10))  # 290 chunks end before 2901: 72 batches of 4 ...
    assert (2901 - 1) // seq_len == 290  # ... and the last 2 chunks are dropped with the remainder
    assert_array_equal(order(seed=1, epoch=3), order(seed=1, epoch=3))
    assert not np.array_equal(order(seed=1, epoch=3), order(seed=1, epoch=4))
    assert not np.array_equal(order(seed=1, epoch=3), order(seed=2, epoch=3))
    assert_array_equal(order(shuffle=False, max_chunks=9), np.arange(0, 80, 10))  # 9 chunks: 2 batches of 4


def test_chunk_dataset_refuses_too_little_text():
    with pytest.raises(ValueError, match="3 chunks of seq_len=10 fit before stop=35, fewer than one batch of 4"):
        nbh.chunk_dataset(unique_text(100), 10, 40, 4, stop=35)
    with pytest.raises(ValueError, match="one chunk of seq_len=200 and its targets"):
        nbh.chunk_dataset(unique_text(100), 200, 40, 1, stop=100)


# --- memory ----------------------------------------------------------------------------------------------------------

MEMORY_PROBE = textwrap.dedent(
    """
    import sys
    import numpy as np
    import nbhelpers as nbh
    nbh.quiet_tensorflow()

    def status_mib(key):  # VmRSS: resident now; VmHWM: the peak of resident memory
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith(key + ":")) / 1024

    def floor_mib():  # resident memory now, with the peak reset to it where Linux allows
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass
        return status_mib("VmRSS")

    warm = nbh.window_dataset(np.zeros(1000, np.uint8), 40, 3, 57, 128, shuffle=True, seed=0)
    next(iter(warm))  # TensorFlow's own start-up allocations come before the floor
    n = int(sys.argv[1])
    text = np.random.default_rng(0).integers(65, 122, n, dtype=np.uint8).tobytes().decode("ascii")  # 57 letters
    encoded = nbh.encode_corpus(text, nbh.Vocabulary.from_text(text))  # (n,) uint8
    floor = floor_mib()
    ds = nbh.window_dataset(encoded, 40, 3, 57, 128, shuffle=True, seed=0)
    x, y = next(iter(ds))
    assert x.shape == (128, 40, 57)
    print(floor, status_mib("VmHWM"))
    """
)


def test_window_dataset_memory_does_not_grow_with_windows_times_maxlen():
    """20 M characters, 6.7 M windows: a batch costs the text and the epoch's order, not n_windows * maxlen bytes.

    The shuffled pipeline holds the text (encode_corpus's array itself, not a copy) and the epoch's
    permutation of int32 window numbers (4 B per window, 1.33 B per character at step 3; twice that
    while it is drawn: 2.67 B). Windows cut in advance would take 6.7 M x 40 = 267 MB even as uint8
    (int32: 1.07 GB), 13 B per character.
    """
    n = 20_000_000
    res = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(n)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert res.returncode == 0, res.stderr[-3000:]
    floor, peak = map(float, res.stdout.split()[-2:])
    bytes_per_char = (peak - floor) * 2**20 / n
    print(f"window_dataset, shuffled: {peak - floor:.0f} MiB above the floor, {bytes_per_char:.2f} B per character")
    assert bytes_per_char < 3.5, f"{peak - floor:.0f} MiB for {n} characters"  # a copy of the text would add 1 B
