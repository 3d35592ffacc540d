"""The checks of notebook 04's exercises: known-wrong answers get their hint, right ones pass."""

import pytest

import nbhelpers as nbh
from nbhelpers.exercises import NOT_ANSWERED, WrongAnswer
from nbhelpers.exercises import nb04 as check


def accepts(capsys, check_fn, answer, **kwargs):
    """The check passes ``answer`` and prints why; returns what it printed."""
    check_fn(answer, **kwargs)
    out = capsys.readouterr().out
    assert out.startswith("correct: "), out
    return out


@pytest.mark.parametrize(
    "fn,kwargs",
    [
        (check.lstm_model_count, {"units": 256, "vocab_size": 57}),
        (check.stacked_lstm_count, {"units": 128, "vocab_size": 57}),
        (check.count_at_maxlen, {"maxlen": 200, "units": 128, "vocab_size": 57}),
        (check.swapped_gates_difference, {}),
    ],
)
def test_unanswered_says_so(fn, kwargs, capsys):
    assert fn(None, **kwargs) is None
    assert capsys.readouterr().out.strip() == NOT_ANSWERED


def test_lstm_model_count(capsys):
    assert "336,185" in accepts(capsys, check.lstm_model_count, 336_185, units=256, vocab_size=57)
    accepts(capsys, check.lstm_model_count, nbh.model_params("lstm", 64, 30), units=64, vocab_size=30)
    with pytest.raises(WrongAnswer, match="LSTM layer alone"):
        check.lstm_model_count(nbh.lstm_params(256, 57), units=256, vocab_size=57)
    with pytest.raises(WrongAnswer, match="Dense layer alone"):
        check.lstm_model_count(nbh.dense_params(256, 57), units=256, vocab_size=57)
    with pytest.raises(WrongAnswer, match="does not double"):
        check.lstm_model_count(2 * 102_585, units=256, vocab_size=57)
    with pytest.raises(WrongAnswer, match=r"4\(h\^2 \+ hi \+ h\)"):
        check.lstm_model_count(102_585, units=256, vocab_size=57)
    with pytest.raises(WrongAnswer, match="as an int"):
        check.lstm_model_count("336185", units=256, vocab_size=57)
    with pytest.raises(WrongAnswer, match="as an int"):
        check.lstm_model_count(True, units=256, vocab_size=57)


def test_stacked_lstm_count(capsys):
    assert "i = h = 128" in accepts(capsys, check.stacked_lstm_count, 131_584, units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="first layer's count"):
        check.stacked_lstm_count(95_232, units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="both layers together"):
        check.stacked_lstm_count(95_232 + 131_584, units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="input matrix too"):
        check.stacked_lstm_count(4 * (128 * 128 + 128), units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="own input width"):
        check.stacked_lstm_count(1, units=128, vocab_size=57)


def test_stacked_lstm_count_matches_keras(capsys):
    nbh.quiet_tensorflow()
    import keras

    model = keras.Sequential([keras.Input((5, 7)), keras.layers.LSTM(6, return_sequences=True), keras.layers.LSTM(6)])
    accepts(capsys, check.stacked_lstm_count, model.layers[1].count_params(), units=6, vocab_size=7)


def test_count_at_maxlen(capsys):
    assert "weight sharing" in accepts(capsys, check.count_at_maxlen, 102_585, maxlen=200, units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="5 times the model's count"):
        check.count_at_maxlen(5 * 102_585, maxlen=200, units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="count_params"):
        check.count_at_maxlen(1234, maxlen=200, units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="as an int"):
        check.count_at_maxlen(102_585.5, maxlen=200, units=128, vocab_size=57)


def test_swapped_gates_difference(capsys):
    assert "only by its position" in accepts(capsys, check.swapped_gates_difference, 0.018)
    with pytest.raises(WrongAnswer, match="float32 rounding"):
        check.swapped_gates_difference(3e-8)
    with pytest.raises(WrongAnswer, match="cannot be negative"):
        check.swapped_gates_difference(-0.5)
    with pytest.raises(WrongAnswer, match=r"\(-1, 1\)"):
        check.swapped_gates_difference(7.5)
    with pytest.raises(WrongAnswer, match="as a float"):
        check.swapped_gates_difference("large")
