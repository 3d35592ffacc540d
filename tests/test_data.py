import json
import math
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import nbhelpers as nbh


def classic_windows(text, maxlen, step):
    """The classic Keras example's loop, as the reference."""
    sentences, next_chars = [], []
    for i in range(0, len(text) - maxlen, step):
        sentences.append(text[i : i + maxlen])
        next_chars.append(text[i + maxlen])
    return sentences, next_chars


def classic_vectorize(sentences, next_chars, chars, maxlen):
    char_indices = {c: i for i, c in enumerate(chars)}
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(sentences), len(chars)), dtype=bool)
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1
    return x, y


# --- the real corpus: the figures the lesson quotes -------------------------------------------


def test_nietzsche_figures(corpus_path):
    text = nbh.load_corpus(corpus_path)
    vocab = nbh.Vocabulary.from_text(text)
    x_idx, y_idx = nbh.make_windows(vocab.encode(text), maxlen=40, step=3)
    assert len(text) == 600893
    assert vocab.size == 57
    assert x_idx.shape == (200285, 40) and y_idx.shape == (200285,)
    assert nbh.count_windows(len(text), 40, 3) == 200285
    x = nbh.one_hot(x_idx[:100], vocab.size)
    y = nbh.one_hot(y_idx[:100], vocab.size)
    assert x.shape[1:] == (40, 57) and y.shape[1:] == (57,)
    sentences, next_chars = classic_windows(text[: 40 + 3 * 100], 40, 3)
    cx, cy = classic_vectorize(sentences[:100], next_chars[:100], vocab.chars, 40)
    assert_array_equal(x, cx)
    assert_array_equal(y, cy)


def test_corpus_is_already_lowercase(corpus_path):
    raw = nbh.load_corpus(corpus_path, lowercase=False)
    assert raw == raw.lower()


# --- windows -----------------------------------------------------------------------------------


@pytest.mark.parametrize("maxlen,step", [(5, 1), (5, 3), (10, 7), (1, 1), (49, 2)])
def test_windows_match_classic_loop(tiny_text, maxlen, step):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    x_idx, y_idx = nbh.make_windows(vocab.encode(tiny_text), maxlen, step)
    sentences, next_chars = classic_windows(tiny_text, maxlen, step)
    assert [vocab.decode(row) for row in x_idx] == sentences
    assert vocab.decode(y_idx) == "".join(next_chars)
    assert len(x_idx) == nbh.count_windows(len(tiny_text), maxlen, step)
    x, y = nbh.one_hot(x_idx, vocab.size), nbh.one_hot(y_idx, vocab.size)
    cx, cy = classic_vectorize(sentences, next_chars, vocab.chars, maxlen)
    assert_array_equal(x, cx)
    assert_array_equal(y, cy)
    assert x.dtype == bool and y.dtype == bool


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="abc \n", min_size=1, max_size=80), maxlen=st.integers(1, 12), step=st.integers(1, 5))
def test_windows_property(text, maxlen, step):
    vocab = nbh.Vocabulary.from_text(text)
    if len(text) < maxlen + 1:
        with pytest.raises(ValueError, match="maxlen"):
            nbh.make_windows(vocab.encode(text), maxlen, step)
        return
    x_idx, y_idx = nbh.make_windows(vocab.encode(text), maxlen, step)
    sentences, next_chars = classic_windows(text, maxlen, step)
    assert [vocab.decode(r) for r in x_idx] == sentences
    assert vocab.decode(y_idx) == "".join(next_chars)


@settings(max_examples=200, deadline=None)
@given(n_chars=st.integers(0, 2000), maxlen=st.integers(1, 60), step=st.integers(1, 9))
def test_count_windows_formula(n_chars, maxlen, step):
    expected = math.ceil((n_chars - maxlen) / step) if n_chars > maxlen else 0  # starts 0, step, ... < n - maxlen
    assert nbh.count_windows(n_chars, maxlen, step) == expected
    assert nbh.count_windows(n_chars, maxlen, step) == len(classic_windows("x" * n_chars, maxlen, step)[0])


@settings(max_examples=60, deadline=None)
@given(
    indices=st.lists(st.lists(st.integers(0, 6), min_size=3, max_size=3), min_size=1, max_size=8),
    vocab_size=st.integers(7, 9),
)
def test_one_hot_equals_the_classic_loop(indices, vocab_size):
    got = nbh.one_hot(np.array(indices, dtype=np.int32), vocab_size)
    expected = np.zeros((len(indices), 3, vocab_size), dtype=bool)
    for i, row in enumerate(indices):
        for t, k in enumerate(row):
            expected[i, t, k] = 1
    assert got.dtype == bool
    assert_array_equal(got, expected)
    assert_array_equal(nbh.one_hot(np.array(indices)[:, 0], vocab_size), expected[:, 0])  # (n,) -> (n, vocab_size)


def test_max_windows_keeps_the_first(tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    enc = vocab.encode(tiny_text)
    x_all, y_all = nbh.make_windows(enc, 8, 2)
    x, y = nbh.make_windows(enc, 8, 2, max_windows=5)
    assert_array_equal(x, x_all[:5])
    assert_array_equal(y, y_all[:5])


def test_text_shorter_than_one_window():
    vocab = nbh.Vocabulary.from_text("abcde")
    with pytest.raises(ValueError, match="maxlen \\+ 1 = 6"):
        nbh.make_windows(vocab.encode("abcde"), maxlen=5)


def test_split_is_contiguous_tail():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    (xt, yt), (xv, yv) = nbh.split_windows(x, y, 0.2)
    assert_array_equal(yt, np.arange(8))
    assert_array_equal(yv, [8, 9])
    assert_array_equal(xv, x[8:])
    (xt, yt), (xv, yv) = nbh.split_windows(x, y, 0.0)
    assert len(xt) == 10 and len(xv) == 0
    with pytest.raises(ValueError, match="validation_fraction"):
        nbh.split_windows(x, y, 1.0)
    with pytest.raises(ValueError, match="0 windows"):
        nbh.split_windows(x[:3], y[:3], 0.1)


def test_dataset_batches_equal_one_hot_arrays(tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    x_idx, y_idx = nbh.make_windows(vocab.encode(tiny_text), 6, 2)
    batches = list(nbh.make_dataset(x_idx, y_idx, vocab.size, batch_size=16))
    xb = np.concatenate([b[0].numpy() for b in batches])
    yb = np.concatenate([b[1].numpy() for b in batches])
    assert xb.dtype == np.float32 and xb.shape == (len(x_idx), 6, vocab.size)
    assert_array_equal(xb, nbh.one_hot(x_idx, vocab.size))
    assert_array_equal(yb, nbh.one_hot(y_idx, vocab.size))
    shuffled = list(nbh.make_dataset(x_idx, y_idx, vocab.size, batch_size=16, shuffle=True, seed=1))
    ys = np.concatenate([b[1].numpy().argmax(-1) for b in shuffled])
    assert sorted(ys) == sorted(y_idx) and not np.array_equal(ys, y_idx)


@pytest.mark.parametrize("shuffle", [False, True])
def test_dataset_has_autotuning_off(tiny_text, shuffle):
    # With tf.data autotuning on, fit can wait after an epoch's last batch for the autotuner's
    # next wake-up (see README, Performance). Timings are never asserted in tests, so this
    # checks the setting that removes the wait.
    vocab = nbh.Vocabulary.from_text(tiny_text)
    x_idx, y_idx = nbh.make_windows(vocab.encode(tiny_text), 6, 2)
    ds = nbh.make_dataset(x_idx, y_idx, vocab.size, batch_size=16, shuffle=shuffle, seed=0)
    assert ds.options().autotune.enabled is False


# --- vocabulary ----------------------------------------------------------------------------------


def test_vocabulary_roundtrip(tmp_path, tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    assert list(vocab.chars) == sorted(set(tiny_text))
    enc = vocab.encode(tiny_text)
    assert enc.dtype == np.int32 and vocab.decode(enc) == tiny_text
    path = vocab.save(tmp_path / "vocab.json")
    assert json.loads(path.read_text())["chars"] == list(vocab.chars)
    assert nbh.Vocabulary.load(path) == vocab


def test_vocabulary_names_unknown_characters(tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    with pytest.raises(ValueError, match=r"'QZ'"):
        vocab.encode("the QaZ cat")


def test_vocabulary_needs_distinct_single_characters():
    with pytest.raises(ValueError, match="distinct"):
        nbh.Vocabulary(("a", "a"))
    with pytest.raises(ValueError, match="single characters"):
        nbh.Vocabulary(("ab",))
    with pytest.raises(ValueError, match="empty text"):
        nbh.Vocabulary.from_text("")


def test_vocabulary_other_alphabets():
    text = "Привет, мир! 你好，世界。"
    vocab = nbh.Vocabulary.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text


# --- loading the corpus --------------------------------------------------------------------------


def test_load_corpus_from_path_lowercases(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("Hello World", encoding="utf-8")
    assert nbh.load_corpus(p) == "hello world"
    assert nbh.load_corpus(str(p), lowercase=False) == "Hello World"


def test_load_corpus_from_environment(tmp_path, monkeypatch):
    p = tmp_path / "t.txt"
    p.write_text("From Env", encoding="utf-8")
    monkeypatch.setenv(nbh.CORPUS_ENV, str(p))
    assert nbh.load_corpus() == "from env"
    assert nbh.load_corpus("") == "from env"


def test_load_corpus_downloads_with_get_file(tmp_path, monkeypatch):
    import keras

    cached = tmp_path / "nietzsche.txt"
    cached.write_text("PREFACE", encoding="utf-8")
    calls = []

    def fake_get_file(fname, origin, **kwargs):
        calls.append((fname, origin))
        return str(cached)

    monkeypatch.delenv(nbh.CORPUS_ENV, raising=False)
    monkeypatch.setattr(keras.utils, "get_file", fake_get_file)
    assert nbh.load_corpus() == "preface"
    assert calls == [("nietzsche.txt", "https://s3.amazonaws.com/text-datasets/nietzsche.txt")]


def test_load_corpus_offline_says_what_to_set(monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.delenv(nbh.CORPUS_ENV, raising=False)
    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(RuntimeError, match="NBHELPERS_CORPUS"):
        nbh.load_corpus()


def test_load_corpus_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus file not found: .*missing.txt .from corpus_path"):
        nbh.load_corpus(tmp_path / "missing.txt")


def test_load_corpus_folder(tmp_path):
    with pytest.raises(IsADirectoryError, match="corpus path is a folder, not a text file"):
        nbh.load_corpus(tmp_path)


def test_load_corpus_empty_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty.txt is empty"):
        nbh.load_corpus(empty)
    bom_only = tmp_path / "bom.txt"
    bom_only.write_bytes(b"\xef\xbb\xbf")  # a byte-order mark is not text
    with pytest.raises(ValueError, match="is empty"):
        nbh.load_corpus(bom_only)


def test_load_corpus_not_utf8_names_the_byte_and_its_offset(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf" + "é".encode("latin-1") + b" ok")
    with pytest.raises(ValueError, match=r"latin1.txt is not UTF-8 text: byte 0xe9 at byte offset 3 .*iconv"):
        nbh.load_corpus(bad)


def test_load_corpus_refuses_a_non_path():
    with pytest.raises(ValueError, match="path must be a file path"):
        nbh.load_corpus(123)


def test_load_corpus_drops_a_byte_order_mark(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffHello".encode())
    assert nbh.load_corpus(p) == "hello"


def test_crlf_and_cr_corpora_read_as_lf(tmp_path, tiny_text):
    lf = tmp_path / "lf.txt"
    lf.write_bytes(tiny_text.encode())
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(tiny_text.replace("\n", "\r\n").encode())
    cr = tmp_path / "cr.txt"
    cr.write_bytes(tiny_text.replace("\n", "\r").encode())
    assert b"\r\n" in crlf.read_bytes()
    expected = nbh.load_corpus(lf)
    assert nbh.load_corpus(crlf) == expected and nbh.load_corpus(cr) == expected
    assert "\r" not in nbh.Vocabulary.from_text(nbh.load_corpus(crlf)).chars


def test_nfd_text_reads_as_nfc(tmp_path):
    nfc = "Café, naïve, Übermensch.\n"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc and len(nfd) == len(nfc) + 3  # e + combining accent, i + diaeresis, U + diaeresis
    p = tmp_path / "nfd.txt"
    p.write_text(nfd, encoding="utf-8")
    assert nbh.load_corpus(p, lowercase=False) == nfc
    assert nbh.load_corpus(p) == nfc.lower()
    assert "\u0301" not in nbh.Vocabulary.from_text(nbh.load_corpus(p)).chars


def test_normalize_text():
    assert nbh.normalize_text("a\r\nb\rc\n") == "a\nb\nc\n"
    assert nbh.normalize_text("\r\r\n") == "\n\n"
    assert nbh.normalize_text("e\u0301") == "\u00e9"
    text = "already fine\n"
    assert nbh.normalize_text(text) is text  # nothing to do: the same string back


def test_relative_corpus_path_from_another_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # README.md exists only relative to the project root
    assert nbh.load_corpus("README.md", lowercase=False).startswith("# ")
    (tmp_path / "README.md").write_text("Local", encoding="utf-8")
    assert nbh.load_corpus("README.md") == "local"  # the cwd wins when the file is there


def test_missing_file_from_the_environment_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv(nbh.CORPUS_ENV, str(tmp_path / "missing.txt"))
    with pytest.raises(FileNotFoundError, match="from NBHELPERS_CORPUS.*unset it to download"):
        nbh.load_corpus()
