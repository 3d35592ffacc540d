"""Notebook 05's exercise checks: a known-wrong answer gets its hint, the right one is accepted."""

import math

import numpy as np
import pytest

import nbhelpers.exercises.nb05 as check
from nbhelpers.exercises import NOT_ANSWERED, WrongAnswer

RUNS = {
    "lstm": {"history": {"epoch": [1, 2, 3], "bpc": [3.0, 2.5, 2.2], "val_bpc": [3.1, 2.6, 2.4]}},
    "gru": {"history": {"epoch": [1, 2, 3], "bpc": [3.2, 2.6, 2.3], "val_bpc": [3.3, 2.7, 2.45]}},
}
RIGHT_GAPS = [3.1 - 3.3, 2.6 - 2.7, 2.4 - 2.45]  # LSTM minus GRU


def accepts(capsys, check_fn, answer, *args):
    """The check passes ``answer`` and prints why; returns what it printed."""
    check_fn(answer, *args)
    out = capsys.readouterr().out
    assert out.startswith("correct: "), out
    return out


def test_every_check_says_not_answered_for_none(capsys):
    probs = np.full((2, 4), 0.25)
    for result in (
        check.val_bpc_gaps(None, RUNS),
        check.gru_units_like_lstm(None, 57),
        check.closest_distinct_2(None, MEASURES, "LSTM"),
        check.nucleus_p_for_three(None, probs),
    ):
        assert result is None
    assert capsys.readouterr().out == f"{NOT_ANSWERED}\n" * 4


def test_val_bpc_gaps(capsys):
    out = accepts(capsys, check.val_bpc_gaps, RIGHT_GAPS, RUNS)
    assert "lower at the last epoch: LSTM; its size shrinks from 0.200 (epoch 1) to 0.050 (epoch 3)" in out
    accepts(capsys, check.val_bpc_gaps, [round(g, 4) for g in RIGHT_GAPS], RUNS)  # rounded as printed
    with pytest.raises(WrongAnswer, match="sign is flipped"):
        check.val_bpc_gaps([-g for g in RIGHT_GAPS], RUNS)
    with pytest.raises(WrongAnswer, match="share 3 epoch"):
        check.val_bpc_gaps(RIGHT_GAPS[:2], RUNS)
    with pytest.raises(WrongAnswer, match=r"epoch 3: got -0\.1500"):  # training bpc instead of validation
        check.val_bpc_gaps([-0.2, -0.1, -0.15], RUNS)
    with pytest.raises(WrongAnswer, match="list of numbers"):
        check.val_bpc_gaps(-0.2, RUNS)


def test_val_bpc_gaps_falls_back_to_training_bpc_without_validation(capsys):
    runs = {cell: {"history": {k: v for k, v in r["history"].items() if k != "val_bpc"}} for cell, r in RUNS.items()}
    accepts(capsys, check.val_bpc_gaps, [-0.2, -0.1, -0.1], runs)


@pytest.mark.parametrize("units", [149, 150, 151])
def test_gru_units_like_lstm_accepts_within_two_percent(units, capsys):
    assert "LSTM(128) 102,585" in accepts(capsys, check.gru_units_like_lstm, units, 57)


@pytest.mark.parametrize(
    "units,match",
    [
        (128, r"GRU\(128\) has 79,161 parameters, 22\.8% fewer .* use more units"),
        (148, "fewer .* use more units"),
        (152, "more than .* use fewer units"),
        (True, "positive int"),
        (150.0, "positive int"),
    ],
)
def test_gru_units_like_lstm_hints(units, match):
    with pytest.raises(WrongAnswer, match=match):
        check.gru_units_like_lstm(units, 57)


def row(model, t, d2, share=0.5):
    return {"model": model, "temperature": t, "word_share": share, "distinct_1": 0.5, "distinct_2": d2, "rep_4": 0.0}


MEASURES = [
    row("corpus", math.nan, 0.90, share=0.95),
    row("LSTM", 0.2, 0.30, share=0.97),
    row("LSTM", 0.5, 0.80, share=0.93),
    row("LSTM", 1.0, 0.98, share=0.60),
    row("GRU", 0.2, float("nan")),
    row("GRU", 0.5, 0.95),
    row("GRU", 1.0, 0.85),
]


def test_closest_distinct_2(capsys):
    out = accepts(capsys, check.closest_distinct_2, 1.0, MEASURES, "LSTM")  # |0.98 - 0.90| < |0.80 - 0.90|
    assert "its word share there, 0.60, is below the real text's 0.95" in out
    with pytest.raises(WrongAnswer, match=r"at T=0.5 LSTM's distinct-2 is 0.800, 0.100 from"):
        check.closest_distinct_2(0.5, MEASURES, "LSTM")
    with pytest.raises(WrongAnswer, match=r"one of the temperatures of the table: \[0.2, 0.5, 1.0\]"):
        check.closest_distinct_2(0.7, MEASURES, "LSTM")
    # a tie (0.95 and 0.85 are both 0.05 away) accepts both; a NaN (too few words) never wins
    accepts(capsys, check.closest_distinct_2, 0.5, MEASURES, "GRU")
    accepts(capsys, check.closest_distinct_2, 1.0, MEASURES, "GRU")
    with pytest.raises(WrongAnswer, match="another temperature of the table comes closer"):
        check.closest_distinct_2(0.2, MEASURES, "GRU")


def test_closest_distinct_2_accepts_any_temperature_when_nothing_was_measured(capsys):
    measures = [row("corpus", math.nan, 0.9)] + [row("LSTM", t, float("nan")) for t in (0.2, 1.0)]
    accepts(capsys, check.closest_distinct_2, 0.2, measures, "LSTM")


# Every row: probabilities 0.4, 0.3, 0.2, 0.1. The nucleus keeps the likeliest characters until their mass
# reaches p: 1 character up to p = 0.4, 2 up to 0.7, 3 up to 0.9, then 4.
PROBS = np.tile([0.4, 0.3, 0.2, 0.1], (6, 1)).astype(np.float32)


def test_kept_counts():
    assert check.kept_counts(PROBS, top_k=2).tolist() == [2] * 6
    assert [check.kept_counts(PROBS, top_p=p)[0] for p in (0.3, 0.5, 0.8, 0.95)] == [1, 2, 3, 4]


def test_nucleus_p_for_three(capsys):
    assert "p = 0.8 keeps 3.00 characters on average over 6 windows" in accepts(
        capsys, check.nucleus_p_for_three, 0.8, PROBS
    )
    with pytest.raises(WrongAnswer, match="p = 0.5 keeps 2.00 .* raise p to keep more"):
        check.nucleus_p_for_three(0.5, PROBS)
    with pytest.raises(WrongAnswer, match="p = 0.95 keeps 4.00 .* lower p to keep fewer"):
        check.nucleus_p_for_three(0.95, PROBS)
    with pytest.raises(WrongAnswer, match=r"in \(0, 1\]"):
        check.nucleus_p_for_three(1.5, PROBS)
    with pytest.raises(WrongAnswer, match=r"in \(0, 1\]"):
        check.nucleus_p_for_three(0, PROBS)


def test_nucleus_p_for_three_is_judged_on_the_mean(capsys):
    # at p = 0.8 half the rows keep 2 (0.6 + 0.3 reach it), half keep 4 (uniform): 3 on average
    probs = np.array([[0.6, 0.3, 0.05, 0.05]] * 3 + [[0.25, 0.25, 0.25, 0.25]] * 3, dtype=np.float32)
    assert check.kept_counts(probs, top_p=0.8).tolist() == [2, 2, 2, 4, 4, 4]
    accepts(capsys, check.nucleus_p_for_three, 0.8, probs)
