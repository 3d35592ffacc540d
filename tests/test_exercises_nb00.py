"""The checks of notebook 00's exercises reject known-wrong answers with their hint and accept the right one."""

import pytest

import nbhelpers.exercises.nb00 as check
from nbhelpers.exercises import NOT_ANSWERED, WrongAnswer

TEXT = "the cat sat\non the mat.\n\nthe dog sat on the log, 2 times.\n"


def accepts(capsys, check_fn, answer, text=TEXT):
    check_fn(answer, text=text)
    assert capsys.readouterr().out.startswith("correct: ")


@pytest.mark.parametrize("check_fn", [check.line_breaks, check.letter_share, check.most_frequent_share])
def test_none_is_not_answered_yet(capsys, check_fn):
    assert check_fn(None, text=TEXT) is None
    assert capsys.readouterr().out.strip() == NOT_ANSWERED


def test_line_breaks(capsys):
    accepts(capsys, check.line_breaks, 4)
    with pytest.raises(WrongAnswer, match="number of lines"):
        check.line_breaks(5, text=TEXT)
    with pytest.raises(WrongAnswer, match="length of the whole text"):
        check.line_breaks(len(TEXT), text=TEXT)
    with pytest.raises(WrongAnswer, match="pairs of line breaks"):
        check.line_breaks(1, text=TEXT)
    with pytest.raises(WrongAnswer, match="count the occurrences"):
        check.line_breaks(7, text=TEXT)
    with pytest.raises(WrongAnswer, match="as an int"):
        check.line_breaks(4.0, text=TEXT)


def test_letter_share(capsys):
    letters = sum(c.isalpha() for c in TEXT)
    right = letters / len(TEXT)
    accepts(capsys, check.letter_share, right)
    accepts(capsys, check.letter_share, round(right, 3))
    with pytest.raises(WrongAnswer, match="not a percentage"):
        check.letter_share(100 * right, text=TEXT)
    with pytest.raises(WrongAnswer, match="not letters"):
        check.letter_share(1 - right, text=TEXT)
    with pytest.raises(WrongAnswer, match="number of letters"):
        check.letter_share(letters, text=TEXT)
    with pytest.raises(WrongAnswer, match="share of letters in the vocabulary"):
        check.letter_share(sum(c.isalpha() for c in set(TEXT)) / len(set(TEXT)), text=TEXT)
    with pytest.raises(WrongAnswer, match="between 0 and 1"):
        check.letter_share("0.7", text=TEXT)


def test_most_frequent_share(capsys):
    # the space is the most frequent character here, as in the Nietzsche corpus
    right = TEXT.count(" ") / len(TEXT)
    assert all(TEXT.count(c) < TEXT.count(" ") for c in set(TEXT) - {" "})
    accepts(capsys, check.most_frequent_share, right)
    with pytest.raises(WrongAnswer, match="not the most frequent one"):
        check.most_frequent_share(TEXT.count("t") / len(TEXT), text=TEXT)
    with pytest.raises(WrongAnswer, match="divide by the length"):
        check.most_frequent_share(TEXT.count(" "), text=TEXT)
    with pytest.raises(WrongAnswer, match="not a percentage"):
        check.most_frequent_share(100 * right, text=TEXT)
    with pytest.raises(WrongAnswer, match="uniform guess"):
        check.most_frequent_share(1 / len(set(TEXT)), text=TEXT)
