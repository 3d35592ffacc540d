"""Checks for the exercises of notebook 01 (vocabulary, windows, one-hot encoding).

Each check returns True and says why when the answer is right, raises
:class:`~nbhelpers.exercises.WrongAnswer` with a hint when it is wrong, and says "not answered
yet" for ``None``. The checks recompute the answer from the text and the settings they are given,
so they hold for any corpus and any ``maxlen`` / ``step``.
"""

from __future__ import annotations

import numbers
from collections import Counter

from ..data import count_windows
from . import verdict


def _is_int(answer) -> bool:
    return isinstance(answer, numbers.Integral) and not isinstance(answer, bool)


def _shown(chars) -> str:
    return repr("".join(sorted(chars)))


def rare_characters(answer, text: str, fewer_than: int = 100):
    """Exercise 1: the characters of ``text`` that occur fewer than ``fewer_than`` times.

    Parameters
    ----------
    answer : str or collection of str, or None
        The characters, in any order (e.g. ``"09[]"`` or ``["0", "9", "[", "]"]``).
    text : str
        The corpus the vocabulary was built from.
    fewer_than : int
        The threshold: a character counts as rare when it occurs fewer than this many times.
    """
    counts = Counter(text)
    right = {c for c, n in counts.items() if n < fewer_than}
    given = None
    if isinstance(answer, (str, list, tuple, set, frozenset)) and all(isinstance(c, str) for c in answer):
        given = set("".join(answer))
    hint = (
        f"count every character of the vocabulary (e.g. np.bincount(encoded, minlength=vocab_size)) "
        f"and keep those with a count below {fewer_than}"
    )
    if answer is not None and given is None:
        hint = f"give the characters as one string, e.g. '09[]' (got {answer!r})"
    elif given is not None and given != right:
        absent = given - set(counts)
        common = sorted(given & set(counts) - right, key=counts.get)
        missing = right - given
        if absent:
            hint = f"{_shown(absent)} never occur(s) in the text: take the characters from chars (the vocabulary)"
        elif common:
            shown = ", ".join(f"{c!r} occurs {counts[c]:,} times" for c in common[:3])
            hint = f"{shown}: not fewer than {fewer_than}"
        elif missing:
            hint = (
                f"you are missing {len(missing)} character(s) that occur fewer than {fewer_than} times; "
                f"count all {len(counts)} characters of the vocabulary, not only the letters"
            )
    why = (
        f"{len(right)} of the {len(counts)} characters occur fewer than {fewer_than} times each: "
        f"{_shown(right)}. The model sees few examples of them, so it will predict them badly."
    )
    return verdict(answer, given == right, hint, why)


def window_count(answer, n_chars: int, maxlen: int, step: int):
    """Exercise 2: the number of windows ``make_windows`` cuts from ``n_chars`` characters.

    Window k starts at k*step and its target, the character at k*step + maxlen, must lie inside
    the text: len(range(0, n_chars - maxlen, step)) windows.
    """
    right = count_windows(n_chars, maxlen, step)
    hint = (
        f"a window starts at 0, {step}, {2 * step}, ... as long as its target (maxlen characters "
        f"after its start) is still inside the {n_chars:,} characters"
    )
    if _is_int(answer) and answer != right:
        if answer == len(range(0, n_chars - maxlen + 1, step)):
            hint = (
                f"{answer:,} is one too many: the window starting at {n_chars - maxlen} ends at the last "
                f"character and has no next character to predict"
            )
        elif step != 3 and answer == count_windows(n_chars, maxlen, 3):
            hint = f"{answer:,} is the count with step = 3; this exercise asks for step = {step}"
        elif maxlen != 40 and answer == count_windows(n_chars, 40, step):
            hint = f"{answer:,} is the count with maxlen = 40; this exercise asks for maxlen = {maxlen}"
    elif answer is not None and not _is_int(answer):
        hint = f"give the number of windows as an int (got {answer!r})"
    why = (
        f"len(range(0, {n_chars} - {maxlen}, {step})) = {right:,} windows, "
        f"the last starting at {(right - 1) * step:,} with its target at {(right - 1) * step + maxlen:,}"
    )
    return verdict(answer, _is_int(answer) and answer == right, hint, why)


def float32_bytes(answer, n_chars: int, maxlen: int, step: int, vocab_size: int):
    """Exercise 3: bytes of the one-hot input ``x`` stored as float32 at these settings.

    x has shape (n_windows, maxlen, vocab_size), n_windows = count_windows(n_chars, maxlen, step),
    and a float32 takes 4 bytes.
    """
    n = count_windows(n_chars, maxlen, step)
    entries = n * maxlen * vocab_size
    right = 4 * entries
    hint = (
        f"x has n_windows x maxlen x vocab_size entries (n_windows for maxlen = {maxlen}, step = {step}), 4 bytes each"
    )
    number = isinstance(answer, numbers.Real) and not isinstance(answer, bool)
    if number and answer != right:
        if answer == entries:
            hint = f"{answer:,} is one byte per entry (bool); a float32 takes 4 bytes"
        elif abs(answer - right / 1e6) < 1 or abs(answer - right / 2**20) < 1:
            hint = "give the size in bytes, not megabytes"
        elif maxlen != 40 and answer == 4 * count_windows(n_chars, 40, step) * maxlen * vocab_size:
            hint = (
                f"the number of windows changes with maxlen too: count the windows for maxlen = {maxlen}, "
                f"not {count_windows(n_chars, 40, step):,} (those are for maxlen = 40)"
            )
        elif maxlen != 40 and answer == 4 * count_windows(n_chars, maxlen, step) * 40 * vocab_size:
            hint = f"each window now holds maxlen = {maxlen} characters, not 40"
    elif answer is not None and not number:
        hint = f"give the size as a number of bytes (got {answer!r})"
    why = (
        f"{n:,} windows x {maxlen} characters x {vocab_size} entries x 4 bytes = {right:,} bytes ({right / 1e9:.1f} GB)"
    )
    return verdict(answer, number and answer == right, hint, why)


def target_character(answer, text: str, maxlen: int, step: int, k: int):
    """Exercise 4: the target of window ``k`` (the character its one-hot row ``y[k]`` encodes).

    Window k covers text[k*step : k*step + maxlen]; its target is text[k*step + maxlen].
    """
    if not 0 <= k < count_windows(len(text), maxlen, step):
        raise ValueError(f"window {k} does not exist: the text gives {count_windows(len(text), maxlen, step)} windows")
    start = k * step
    right = text[start + maxlen]
    chars = sorted(set(text))
    hint = f"y[{k}].argmax() is the index of window {k}'s target in chars; chars[index] is the character"
    if _is_int(answer):
        hint = "give the character itself (a str of length 1), not its index: look it up in chars"
    elif isinstance(answer, str) and answer != right:
        if len(answer) != 1:
            hint = f"give one character (got {len(answer)}: {answer!r})"
        elif answer == text[start + maxlen - 1]:
            hint = "that is the last character of the window; the target is the one right after it"
        elif k + maxlen < len(text) and answer == text[k + maxlen] and step != 1:
            hint = f"window {k} starts at k*step = {start}, not at k = {k}"
    elif answer is not None:
        hint = f"give one character as a str (got {answer!r})"
    why = (
        f"window {k} covers text[{start}:{start + maxlen}] and its target is text[{start + maxlen}] = {right!r}, "
        f"index {chars.index(right)} in chars"
    )
    return verdict(answer, answer == right, hint, why)
