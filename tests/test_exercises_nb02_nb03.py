"""Checks of notebooks 02 and 03's exercises: each rejects a known-wrong answer with its hint, accepts the right one."""

import numpy as np
import pytest

import nbhelpers as nbh
import nbhelpers.exercises.nb02 as nb02
import nbhelpers.exercises.nb03 as nb03
from nbhelpers.exercises import NOT_ANSWERED, WrongAnswer


@pytest.fixture(scope="module")
def tiny_model(tiny_text_module):
    nbh.quiet_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    vocab = nbh.Vocabulary.from_text(tiny_text_module)
    return nbh.build_model("lstm", 8, 10, vocab.size, 0.01), vocab


@pytest.fixture(scope="module")
def tiny_text_module():
    return "the cat sat on the mat. the dog sat on the log.\n" * 4


def test_not_answered_is_reported_not_raised(capsys):
    nb02.lstm_model_count(None, units=128, vocab_size=57)
    assert NOT_ANSWERED in capsys.readouterr().out


def test_greedy_text(tiny_model, tiny_text_module, capsys):
    model, vocab = tiny_model
    seed_text = tiny_text_module[:10]
    right = nbh.generate(model, vocab, seed_text, 30, [0.0])[0.0]
    nb02.greedy_text(right, model, vocab, seed_text, length=30)
    assert capsys.readouterr().out.startswith("correct:")
    sampled = nbh.generate(model, vocab, seed_text, 30, [1.5], seed=3)[1.5]
    assert sampled != right
    with pytest.raises(WrongAnswer, match="argmax"):
        nb02.greedy_text(sampled, model, vocab, seed_text, length=30)
    with pytest.raises(WrongAnswer, match="length 30"):
        nb02.greedy_text(right[:20], model, vocab, seed_text, length=30)


def test_lstm_model_count(capsys):
    nb02.lstm_model_count(nbh.model_params("lstm", 256, 57), units=256, vocab_size=57)
    assert "336,185" in capsys.readouterr().out
    with pytest.raises(WrongAnswer, match="four blocks"):
        nb02.lstm_model_count(nbh.lstm_params(256, 57), units=256, vocab_size=57)  # forgot the Dense layer


def test_best_epoch(capsys):
    record = {"loss": [3.0, 2.0, 1.5, 1.2], "val_loss": [2.9, 2.1, 2.0, 2.05]}
    nb02.best_epoch(3, record)
    assert "epoch 3 of 4" in capsys.readouterr().out
    with pytest.raises(WrongAnswer, match="count from 1"):
        nb02.best_epoch(2, record)  # the 0-based index
    with pytest.raises(WrongAnswer):
        nb02.best_epoch(4, record)  # the last epoch, not the best


def test_forget_gate(capsys):
    nb03.forget_gate("z")
    nb03.forget_gate(" z ")
    assert capsys.readouterr().out.count("correct:") == 2
    for wrong in ("1 - z", "r", "1-r", "f"):
        with pytest.raises(WrongAnswer, match="multiplies the old state"):
            nb03.forget_gate(wrong)


def test_original_gru_count(capsys):
    nbh.quiet_tensorflow()
    import keras

    model = keras.Sequential(
        [keras.Input((40, 57)), keras.layers.GRU(128, reset_after=False), keras.layers.Dense(57, activation="softmax")]
    )
    nb03.original_gru_count(model.count_params(), units=128, vocab_size=57)
    assert "78,777" in capsys.readouterr().out
    with pytest.raises(WrongAnswer, match="reset_after=False"):
        nb03.original_gru_count(nbh.model_params("gru", 128, 57, reset_after=True), units=128, vocab_size=57)
    with pytest.raises(WrongAnswer, match="count_params"):
        nb03.original_gru_count(71_424, units=128, vocab_size=57)  # the layer alone


@pytest.mark.parametrize("reset_after", [True, False])
def test_mean_update_gate(reset_after, capsys):
    nbh.quiet_tensorflow()
    import keras

    keras.utils.set_random_seed(1)
    layer = keras.layers.GRU(6, reset_after=reset_after)
    window = nbh.one_hot(np.random.default_rng(0).integers(0, 5, 12), 5).astype("float32")  # (12, 5)
    layer(window[None])
    rng = np.random.default_rng(2)
    layer.set_weights([rng.normal(size=w.shape) for w in layer.get_weights()])  # biases too: a misplaced block shows
    cell = layer.cell
    # the update gate from Keras' own cell: run it step by step and read z from its first h columns
    kernel, recurrent, bias = (np.asarray(w, np.float64) for w in (cell.kernel, cell.recurrent_kernel, cell.bias))
    b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, 0 * bias)
    h, zs = np.zeros(6), []
    states = [np.zeros((1, 6), np.float32)]
    for x_t in window:
        z = 1 / (1 + np.exp(-(x_t @ kernel[:, :6] + b_in[:6] + h @ recurrent[:, :6] + b_rec[:6])))
        zs.append(z)
        out, states = cell(x_t[None], states)
        h = np.asarray(out[0], np.float64)
    nb03.mean_update_gate(float(np.mean(zs)), layer, window)
    assert capsys.readouterr().out.startswith("correct:")
    with pytest.raises(WrongAnswer, match="first h columns"):
        nb03.mean_update_gate(float(np.mean(zs)) + 0.05, layer, window)
