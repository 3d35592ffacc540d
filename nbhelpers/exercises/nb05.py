"""Checks for notebook 05's exercises (LSTM vs GRU, head to head).

Each check recomputes the answer from the notebook's own objects (the loaded runs, the measures
table, the held-out probabilities), so it holds for a full run and for a quick one alike.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import WrongAnswer, verdict

# How close an answer must be.
GAP_TOLERANCE = 5e-4  # bits per character, per epoch (a rounded printout may differ in the 4th decimal)
PARAMS_TOLERANCE = 0.02  # equal size: within 2% of the LSTM's parameter count
KEPT_TARGET, KEPT_TOLERANCE = 3.0, 0.3  # nucleus: 3 characters kept on average, +-0.3


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _bpc_key(runs: dict) -> str:
    """``val_bpc`` when both runs held out text (the usual case), else ``bpc``."""
    return "val_bpc" if all(r["history"].get("val_bpc") for r in runs.values()) else "bpc"


def val_bpc_gaps(answer, runs: dict):
    """Exercise 1: the LSTM's validation bpc minus the GRU's, one value per epoch.

    Parameters
    ----------
    answer : list of float, or None
    runs : dict
        As ``nbh.load_runs`` returns (keys ``lstm`` and ``gru``).
    """
    if answer is None:
        verdict(None, False, "", "")
        return
    key = _bpc_key(runs)
    lstm, gru = runs["lstm"]["history"][key], runs["gru"]["history"][key]
    expected = [a - b for a, b in zip(lstm, gru, strict=False)]  # epochs both runs have
    where = f"runs['lstm']['history']['{key}'][k] - runs['gru']['history']['{key}'][k]"
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or not all(_is_number(a) for a in answer):
        raise WrongAnswer(f"give a list of numbers, one per epoch: [{where} for each epoch k]")
    answer = [float(a) for a in answer]
    if len(answer) != len(expected):
        raise WrongAnswer(
            f"the runs share {len(expected)} epoch(s) but your list has {len(answer)} value(s); one gap per epoch"
        )
    close = all(abs(a - e) <= GAP_TOLERANCE for a, e in zip(answer, expected, strict=True))
    flipped = all(abs(a + e) <= GAP_TOLERANCE for a, e in zip(answer, expected, strict=True))
    hint = ""
    if flipped and not close:
        hint = "the sign is flipped: take the LSTM's value minus the GRU's (negative: the LSTM is lower, better)"
    elif not close:
        k = next(i for i, (a, e) in enumerate(zip(answer, expected, strict=True)) if abs(a - e) > GAP_TOLERANCE)
        hint = f"epoch {k + 1}: got {answer[k]:.4f}; compute {where} in bits per character ({key})"
    first, last = expected[0], expected[-1]
    if len(expected) == 1:
        trend = "one epoch only: train longer to see whether it grows"
    else:
        trend = "grows" if abs(last) > abs(first) else "shrinks" if abs(last) < abs(first) else "stays"
        trend = f"its size {trend} from {abs(first):.3f} (epoch 1) to {abs(last):.3f} (epoch {len(expected)})"
    leader = "LSTM" if last < 0 else "GRU" if last > 0 else "neither"
    why = f"gaps {[round(e, 4) for e in expected]}; lower at the last epoch: {leader}; {trend}"
    verdict(answer, close, hint, why)


def gru_units_like_lstm(answer, vocab_size: int, lstm_units: int = 128):
    """Exercise 2: GRU units whose model has within 2% of the parameters of LSTM(``lstm_units``).

    Parameters
    ----------
    answer : int, or None
    vocab_size : int
        Characters in the vocabulary (57 for the Nietzsche corpus).
    lstm_units : int
        Units of the LSTM to match (notebook 02's default 128).
    """
    from ..param_counts import model_params

    if answer is None:
        verdict(None, False, "", "")
        return
    target = model_params("lstm", lstm_units, vocab_size)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral) or answer < 1:
        raise WrongAnswer(f"give a number of units, a positive int (the LSTM has {lstm_units})")
    got = model_params("gru", int(answer), vocab_size)
    off = got / target - 1
    direction = "more" if off < 0 else "fewer"
    hint = (
        f"GRU({answer}) has {got:,} parameters, {abs(off):.1%} {'fewer' if off < 0 else 'more'} than "
        f"LSTM({lstm_units})'s {target:,}: use {direction} units (both grow as about h^2: 3h^2 for the GRU, "
        f"4h^2 for the LSTM); nbh.model_params('gru', units, vocab_size) counts them"
    )
    why = f"GRU({answer}) has {got:,} parameters, LSTM({lstm_units}) {target:,} ({off:+.1%})"
    verdict(answer, abs(off) <= PARAMS_TOLERANCE, hint, why)


def closest_distinct_2(answer, measures: list, model: str = "LSTM"):
    """Exercise 3: the table's temperature at which ``model``'s distinct-2 is closest to the real text's.

    Parameters
    ----------
    answer : float, or None
        One of the temperatures in ``measures``.
    measures : list of dict
        As ``nbh.measures_by_temperature`` returns (the Step 3 table).
    model : str
        ``"LSTM"`` or ``"GRU"``.
    """
    if answer is None:
        verdict(None, False, "", "")
        return
    real = next(r for r in measures if r["model"] == "corpus")
    rows = [r for r in measures if r["model"] == model]
    temps = [r["temperature"] for r in rows]
    if not _is_number(answer) or not any(abs(answer - t) < 1e-9 for t in temps):
        raise WrongAnswer(f"give one of the temperatures of the table: {temps}")

    def gap(r):
        g = abs(r["distinct_2"] - real["distinct_2"])
        return g if math.isfinite(g) else math.inf

    best = min(gap(r) for r in rows)
    chosen = next(r for r in rows if abs(r["temperature"] - answer) < 1e-9)
    # ties (and a table too short to measure distinct-2 at all) accept every temperature at the best distance
    correct = gap(chosen) <= best + 1e-12
    hint = (
        f"at T={answer} {model}'s distinct-2 is {chosen['distinct_2']:.3f}, {gap(chosen):.3f} from the real text's "
        f"{real['distinct_2']:.3f}; another temperature of the table comes closer (smallest absolute difference)"
    )
    side = "above" if chosen["word_share"] > real["word_share"] else "below"
    if not (math.isfinite(chosen["word_share"]) and math.isfinite(real["word_share"])):
        side = "not measured (too few words)"
    why = (
        f"at T={answer} {model}'s distinct-2 is {chosen['distinct_2']:.3f}, the real text's {real['distinct_2']:.3f}; "
        f"its word share there, {chosen['word_share']:.2f}, is {side} the real text's {real['word_share']:.2f}"
    )
    verdict(answer, correct, hint, why)


def kept_counts(probs, **truncation) -> np.ndarray:
    """How many characters ``nbh.truncate_logits`` keeps in each row of ``probs`` (n, vocab_size)."""
    from ..generation import truncate_logits

    with np.errstate(divide="ignore"):
        logits = np.log(np.asarray(probs))  # -inf for a zero probability
    return np.isfinite(np.asarray(truncate_logits(logits, **truncation))).sum(axis=-1)


def nucleus_p_for_three(answer, probs):
    """Exercise 4: a nucleus ``p`` that keeps 3 characters on average (within 0.3) on ``probs``.

    Parameters
    ----------
    answer : float in (0, 1], or None
    probs : array, shape (n, vocab_size)
        The model's next-character probabilities on held-out windows (Step 5's ``probs``).
    """
    if answer is None:
        verdict(None, False, "", "")
        return
    if not _is_number(answer) or not 0 < answer <= 1:
        raise WrongAnswer("give p as a number in (0, 1]: the probability mass the nucleus must reach")
    mean = float(kept_counts(probs, top_p=float(answer)).mean())
    move = "raise p to keep more" if mean < KEPT_TARGET else "lower p to keep fewer"
    hint = (
        f"p = {answer:.4g} keeps {mean:.2f} characters on average, not {KEPT_TARGET:.0f} +- {KEPT_TOLERANCE}: {move} "
        f"(the mean kept count never falls as p grows, so bisection finds it)"
    )
    why = f"p = {answer:.4g} keeps {mean:.2f} characters on average over {len(probs)} windows"
    verdict(answer, abs(mean - KEPT_TARGET) <= KEPT_TOLERANCE, hint, why)
