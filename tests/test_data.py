import json

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


def test_max_windows_keeps_the_first(tiny_text):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    enc = vocab.encode(tiny_text)
    x_all, y_all = nbh.make_windows(enc, 8, 2)
    x, y = nbh.make_windows(enc, 8, 2, max_windows=5)
    assert_array_equal(x, x_all[:5])
    assert_array_equal(y, y_all[:5])


@pytest.mark.parametrize(
    "kwargs", [{"maxlen": 0}, {"step": 0}, {"maxlen": 2.5}, {"step": -1}, {"max_windows": -1}, {"maxlen": True}]
)
def test_windows_reject_bad_arguments(tiny_text, kwargs):
    vocab = nbh.Vocabulary.from_text(tiny_text)
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        nbh.make_windows(vocab.encode(tiny_text), **{"maxlen": 5, "step": 1, **kwargs})


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
    # next wake-up (see nbhelpers.data._pipeline_options). Timings are never asserted in tests,
    # so this checks the setting that removes the wait.
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


def test_load_corpus_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="corpus file not found"):
        nbh.load_corpus(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        nbh.load_corpus(empty)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b"caf" + "é".encode("latin-1") + b" ok")
    with pytest.raises(ValueError, match="byte offset 3"):
        nbh.load_corpus(bad)
