"""The checks of notebook 01's exercises reject known-wrong answers with their hint and accept the right one."""

import numpy as np
import pytest

import nbhelpers as nbh
import nbhelpers.exercises.nb01 as check
from nbhelpers.exercises import NOT_ANSWERED, WrongAnswer

TEXT = "the cat sat on the mat. the dog sat on the log.\n" * 4 + "zebra!"


def accepts(capsys, check_fn, answer, **kwargs):
    check_fn(answer, **kwargs)
    assert capsys.readouterr().out.startswith("correct: ")


@pytest.mark.parametrize(
    "check_fn,kwargs",
    [
        (check.rare_characters, {"text": TEXT, "fewer_than": 3}),
        (check.window_count, {"n_chars": 100, "maxlen": 10, "step": 1}),
        (check.float32_bytes, {"n_chars": 100, "maxlen": 20, "step": 3, "vocab_size": 12}),
        (check.target_character, {"text": TEXT, "maxlen": 10, "step": 3, "k": 5}),
    ],
)
def test_none_is_not_answered_yet(capsys, check_fn, kwargs):
    assert check_fn(None, **kwargs) is None
    assert capsys.readouterr().out.strip() == NOT_ANSWERED


def test_rare_characters(capsys):
    kwargs = {"text": TEXT, "fewer_than": 3}  # z, e... : 'z', 'b', 'r', '!' occur once; 'e' is common
    right = "".join(c for c in sorted(set(TEXT)) if TEXT.count(c) < 3)
    assert set(right) == set("zbr!")
    accepts(capsys, check.rare_characters, right, **kwargs)
    accepts(capsys, check.rare_characters, list(reversed(right)), **kwargs)
    with pytest.raises(WrongAnswer, match="'t' occurs .* times: not fewer than 3"):
        check.rare_characters(right + "t", **kwargs)
    with pytest.raises(WrongAnswer, match="never occur"):
        check.rare_characters(right + "q", **kwargs)
    with pytest.raises(WrongAnswer, match="missing 1 character"):
        check.rare_characters("zbr", **kwargs)
    with pytest.raises(WrongAnswer, match="one string"):
        check.rare_characters(3, **kwargs)


def test_window_count(capsys):
    kwargs = {"n_chars": 100, "maxlen": 10, "step": 1}
    right = nbh.count_windows(100, 10, 1)
    assert right == 90
    accepts(capsys, check.window_count, right, **kwargs)
    accepts(capsys, check.window_count, np.int64(right), **kwargs)
    with pytest.raises(WrongAnswer, match="one too many"):
        check.window_count(91, **kwargs)
    with pytest.raises(WrongAnswer, match="count with step = 3"):
        check.window_count(nbh.count_windows(100, 10, 3), **kwargs)
    with pytest.raises(WrongAnswer, match="as long as its target"):
        check.window_count(45, **kwargs)
    with pytest.raises(WrongAnswer, match="as an int"):
        check.window_count("90", **kwargs)


def test_window_count_agrees_with_make_windows():
    encoded = nbh.Vocabulary.from_text(TEXT).encode(TEXT)
    for maxlen, step in [(10, 1), (10, 3), (40, 3), (7, 5)]:
        x, _ = nbh.make_windows(encoded, maxlen, step)
        assert check.window_count(len(x), n_chars=len(TEXT), maxlen=maxlen, step=step) is None


def test_float32_bytes(capsys):
    kwargs = {"n_chars": 1000, "maxlen": 60, "step": 3, "vocab_size": 12}
    n = nbh.count_windows(1000, 60, 3)
    right = n * 60 * 12 * 4
    accepts(capsys, check.float32_bytes, right, **kwargs)
    accepts(capsys, check.float32_bytes, float(right), **kwargs)
    with pytest.raises(WrongAnswer, match="one byte per entry"):
        check.float32_bytes(right // 4, **kwargs)
    with pytest.raises(WrongAnswer, match="not megabytes"):
        check.float32_bytes(right / 1e6, **kwargs)
    with pytest.raises(WrongAnswer, match="changes with maxlen too"):
        check.float32_bytes(nbh.count_windows(1000, 40, 3) * 60 * 12 * 4, **kwargs)
    with pytest.raises(WrongAnswer, match="maxlen = 60 characters, not 40"):
        check.float32_bytes(n * 40 * 12 * 4, **kwargs)
    with pytest.raises(WrongAnswer, match="4 bytes each"):
        check.float32_bytes(right + 4, **kwargs)


def test_target_character(capsys):
    kwargs = {"text": TEXT, "maxlen": 10, "step": 3, "k": 5}
    vocab = nbh.Vocabulary.from_text(TEXT)
    _, y = nbh.make_windows(vocab.encode(TEXT), 10, 3)
    right = vocab.chars[nbh.one_hot(y, vocab.size)[5].argmax()]
    assert right == TEXT[5 * 3 + 10]
    accepts(capsys, check.target_character, right, **kwargs)
    with pytest.raises(WrongAnswer, match="not its index"):
        check.target_character(int(y[5]), **kwargs)
    with pytest.raises(WrongAnswer, match="last character of the window"):
        check.target_character(TEXT[5 * 3 + 9], **kwargs)
    with pytest.raises(WrongAnswer, match="one character"):
        check.target_character("ab", **kwargs)
    with pytest.raises(ValueError, match="does not exist"):
        check.target_character(right, text=TEXT, maxlen=10, step=3, k=10_000)


def test_target_character_window_start_hint():
    text = "abcdefghijklmnopqrstuvwxyz"
    # window 2 with step 3 starts at 6 and its target is text[16] = 'q'; text[2 + 10] = 'm' is window 2 at step 1
    with pytest.raises(WrongAnswer, match="starts at k\\*step = 6"):
        check.target_character("m", text=text, maxlen=10, step=3, k=2)
