"""Checks for the exercises of notebook 00 (a first look at the corpus).

Each check returns True and says why when the answer is right, raises
:class:`~nbhelpers.exercises.WrongAnswer` with a hint when it is wrong, and says "not answered
yet" for ``None``. The checks recompute the answer from the text they are given, so they hold for
any corpus.
"""

from __future__ import annotations

import numbers
from collections import Counter

from . import verdict

TOLERANCE = 0.0005  # shares are accepted within this distance of the exact value


def _is_int(answer) -> bool:
    return isinstance(answer, numbers.Integral) and not isinstance(answer, bool)


def _is_number(answer) -> bool:
    return isinstance(answer, numbers.Real) and not isinstance(answer, bool)


def _close(answer, value: float) -> bool:
    return _is_number(answer) and abs(answer - value) <= TOLERANCE


def line_breaks(answer, text: str):
    """Exercise 1: how many times the line break ``'\\n'`` occurs in ``text``."""
    right = text.count("\n")
    hint = "count the occurrences of '\\n' in text (a str method counts a substring)"
    if _is_int(answer) and answer != right:
        if answer == right + 1:
            hint = f"{answer:,} is the number of lines; there is one line break fewer than lines"
        elif answer == len(text):
            hint = f"{answer:,} is the length of the whole text; count only the line breaks '\\n'"
        elif answer == text.count("\n\n"):
            hint = "that counts pairs of line breaks (empty lines); count every single '\\n'"
    elif answer is not None and not _is_int(answer):
        hint = f"give the count as an int (got {answer!r})"
    every = len(text) / max(right, 1)
    why = f"{right:,} line breaks in {len(text):,} characters: one every {every:.0f} characters on average"
    return verdict(answer, _is_int(answer) and answer == right, hint, why)


def letter_share(answer, text: str):
    """Exercise 2: the share of the characters of ``text`` that are letters (``str.isalpha``), in [0, 1]."""
    letters = sum(c.isalpha() for c in text)
    right = letters / len(text)
    hint = "count the characters c with c.isalpha() and divide by len(text)"
    if _is_number(answer) and not _close(answer, right):
        if abs(answer - 100 * right) <= 100 * TOLERANCE:
            hint = "give a share between 0 and 1, not a percentage"
        elif _close(answer, 1 - right):
            hint = "that is the share of the characters that are not letters"
        elif answer == letters:
            hint = f"{answer:,} is the number of letters; divide it by the length of the text"
        elif answer == sum(c.isalpha() for c in set(text)) / len(set(text)):
            hint = "that is the share of letters in the vocabulary; count every character of the text"
    elif answer is not None and not _is_number(answer):
        hint = f"give the share as a number between 0 and 1 (got {answer!r})"
    why = (
        f"{letters:,} of {len(text):,} characters are letters, a share of {right:.3f}; the rest are spaces, "
        f"line breaks, punctuation and digits, which the model must predict too"
    )
    return verdict(answer, _close(answer, right), hint, why)


def most_frequent_share(answer, text: str):
    """Exercise 3: how often "always predict the most frequent character" would be right: its share of ``text``."""
    counts = Counter(text)
    char, count = counts.most_common(1)[0]
    right = count / len(text)
    hint = "count every character (collections.Counter(text)), take the largest count and divide by len(text)"
    if _is_number(answer) and not _close(answer, right):
        if abs(answer - 100 * right) <= 100 * TOLERANCE:
            hint = "give a share between 0 and 1, not a percentage"
        elif answer == count:
            hint = f"{answer:,} is how often it occurs; divide by the length of the text"
        elif any(_close(answer, n / len(text)) for c, n in counts.items() if c != char):
            hint = "that is the share of a character that is not the most frequent one: count them all"
        elif _close(answer, 1 / len(counts)):
            hint = "1 / vocab_size is a uniform guess; the characters are far from equally frequent"
    elif answer is not None and not _is_number(answer):
        hint = f"give the share as a number between 0 and 1 (got {answer!r})"
    why = (
        f"the most frequent character is {char!r} ({count:,} times), so always predicting it is right "
        f"{right:.3f} of the time, against 1/{len(counts)} = {1 / len(counts):.3f} for a uniform guess"
    )
    return verdict(answer, _close(answer, right), hint, why)
