"""Notebook 06's exercise checks: a known-wrong answer gets its hint, the right one is accepted."""

import math

import numpy as np
import pytest

import nbhelpers as nbh
import nbhelpers.exercises.nb06 as check
from nbhelpers.exercises import NOT_ANSWERED, WrongAnswer

# The defaults on the Nietzsche corpus: 540,771 training characters (nbh.held_out_start), chunks of 100, batches of 32.
N_CHARS, SEQ_LEN, BATCH = 540_771, 100, 32
CHUNKS = (N_CHARS - 1) // SEQ_LEN  # 5,407
RIGHT = CHUNKS // BATCH * BATCH * SEQ_LEN  # 168 whole batches: 537,600 targets


def accepts(capsys, check_fn, answer, *args, **kwargs):
    """The check passes ``answer`` and prints why; returns what it printed."""
    check_fn(answer, *args, **kwargs)
    out = capsys.readouterr().out
    assert out.startswith("correct: "), out
    return out


def test_every_check_says_not_answered_for_none(capsys):
    encoded = np.array([0, 1, 0, 1, 1], dtype=np.uint8)
    for result in (
        check.targets_per_epoch(None, N_CHARS, SEQ_LEN, BATCH),
        check.conditional_entropy(None, encoded, 2),
        check.stream_starts(None, 1_000, 10, 4),
    ):
        assert result is None
    assert capsys.readouterr().out == f"{NOT_ANSWERED}\n" * 3


def test_targets_per_epoch(capsys):
    assert RIGHT == 537_600
    out = accepts(capsys, check.targets_per_epoch, RIGHT, n_train_chars=N_CHARS, seq_len=SEQ_LEN, batch_size=BATCH)
    assert "5,407 chunks of 100" in out and "168 whole batches" in out
    accepts(capsys, check.targets_per_epoch, np.int64(RIGHT), N_CHARS, SEQ_LEN, BATCH)  # NumPy ints count
    with pytest.raises(WrongAnswer, match="are dropped"):
        check.targets_per_epoch(CHUNKS * SEQ_LEN, N_CHARS, SEQ_LEN, BATCH)  # forgot the whole batches
    with pytest.raises(WrongAnswer, match="count targets, not batches"):
        check.targets_per_epoch(CHUNKS // BATCH, N_CHARS, SEQ_LEN, BATCH)
    with pytest.raises(WrongAnswer, match="a whole number"):
        check.targets_per_epoch(float(RIGHT), N_CHARS, SEQ_LEN, BATCH)
    # 1,000 characters: without the "- 1", 10 chunks of 100 would fit; the last target needs character 1,000
    with pytest.raises(WrongAnswer, match="one character further"):
        check.targets_per_epoch(1_000, 1_000, 100, 1)
    accepts(capsys, check.targets_per_epoch, 900, 1_000, 100, 1)


def test_targets_per_epoch_matches_the_pipeline(corpus_path):
    """The check's count is what nbh.chunk_dataset yields (a small text, chunks in order)."""
    text = nbh.load_corpus(corpus_path)[:5_000]
    vocab = nbh.Vocabulary.from_text(text)
    encoded = nbh.encode_corpus(text, vocab)
    ds = nbh.chunk_dataset(encoded, 30, vocab.size, 8, stop=4_321, shuffle=False)
    targets = sum(int(np.prod(y.shape)) for _, y in ds)
    check.targets_per_epoch(targets, n_train_chars=4_321, seq_len=30, batch_size=8)


def test_bigram_entropy_of_known_texts():
    # "abab...": b always follows a and a always follows b: no uncertainty
    assert check.bigram_entropy(np.array([0, 1] * 50), 2) == pytest.approx(0.0)
    # a fair coin sequence of length n with all four pairs equally often: 1 bit
    encoded = np.array([0, 0, 1, 1] * 1_000 + [0])
    assert check.bigram_entropy(encoded, 2) == pytest.approx(1.0, abs=1e-3)


def test_conditional_entropy(capsys):
    rng = np.random.default_rng(0)
    encoded = rng.integers(0, 5, size=5_000).astype(np.uint8)
    encoded[1::2] = (encoded[0::2] + 1) % 5  # every second character is fixed by the one before it
    right = check.bigram_entropy(encoded, 5)
    out = accepts(capsys, check.conditional_entropy, right, encoded, 5)
    assert f"{right:.3f} bits per character" in out
    counts = np.bincount(encoded, minlength=5) / len(encoded)
    unigram = float(-(counts * np.log2(counts)).sum())
    with pytest.raises(WrongAnswer, match="no context"):
        check.conditional_entropy(unigram, encoded, 5)
    with pytest.raises(WrongAnswer, match="in nats"):
        check.conditional_entropy(right * math.log(2), encoded, 5)
    with pytest.raises(WrongAnswer, match="count the n - 1 pairs"):
        check.conditional_entropy(right + 0.1, encoded, 5)
    with pytest.raises(WrongAnswer, match="a number of bits"):
        check.conditional_entropy("1.2", encoded, 5)


def test_stream_starts(capsys):
    n_chars, seq_len, batch = 1_001, 10, 4  # 100 chunks: 4 streams of 25
    k, b = np.meshgrid(np.arange(25), np.arange(batch), indexing="ij")
    right = (b * 25 + k) * seq_len
    out = accepts(capsys, check.stream_starts, right, n_chars, seq_len, batch)
    assert "4 streams of 25 chunks" in out
    assert right[1, 2] - right[0, 2] == seq_len  # row 2 continues where it stopped
    with pytest.raises(WrongAnswer, match="side by side"):
        check.stream_starts((k * batch + b) * seq_len, n_chars, seq_len, batch)  # consecutive chunks in one batch
    with pytest.raises(WrongAnswer, match="not chunk numbers"):
        check.stream_starts(b * 25 + k, n_chars, seq_len, batch)
    with pytest.raises(WrongAnswer, match=r"shape \(batches, batch_size\) = \(25, 4\)"):
        check.stream_starts(right.T, n_chars, seq_len, batch)
    wrong = right.copy()
    wrong[3, 1] += 1
    with pytest.raises(WrongAnswer, match="batch 3, row 1"):
        check.stream_starts(wrong, n_chars, seq_len, batch)
    with pytest.raises(WrongAnswer, match="int array"):
        check.stream_starts(right.astype(float), n_chars, seq_len, batch)
