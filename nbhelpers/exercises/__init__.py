"""Checks for the lesson's exercises, one module per notebook (``nb01``, ``nb02``, ...).

Each check takes the learner's answer and the numbers it depends on, and either says why the
answer is right, raises :class:`WrongAnswer` with a hint, or, for ``None``, says the exercise is
not answered yet. Notebooks import their module once: ``import nbhelpers.exercises.nb01 as check``.
"""

from __future__ import annotations

NOT_ANSWERED = "not answered yet: replace None in the answer cell (the solution is in the hidden cell below the check)"


class WrongAnswer(AssertionError):
    """An answer that fails its exercise's check; the message is a hint towards the right one."""


def verdict(answer, correct: bool, hint: str, why: str):
    """Report on one answer.

    Parameters
    ----------
    answer : object
        The learner's answer; ``None`` means not answered yet.
    correct : bool
        Whether the answer passes the check (ignored when ``answer`` is None).
    hint : str
        What to reconsider; the message of :class:`WrongAnswer`.
    why : str
        Printed after "correct: " when the answer passes.

    Returns nothing, so a check cell shows only its message.

    Raises
    ------
    WrongAnswer
        When the answer is given and wrong.
    """
    if answer is None:
        print(NOT_ANSWERED)
    elif not correct:
        raise WrongAnswer(hint)
    else:
        print(f"correct: {why}")
