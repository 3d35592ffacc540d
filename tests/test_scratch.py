"""The NumPy forward passes reproduce the Keras layers (and the whole model) on real windows."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import nbhelpers as nbh

VARIANTS = [("lstm", True), ("gru", True), ("gru", False)]


@pytest.fixture(scope="module")
def windows(corpus_path):
    text = nbh.load_corpus(corpus_path)
    vocab = nbh.Vocabulary.from_text(text)
    x_idx, _ = nbh.make_windows(vocab.encode(text[:20_000]), 40, 3)
    rows = np.random.default_rng(0).choice(len(x_idx), 64, replace=False)
    return nbh.one_hot(x_idx[rows], vocab.size)  # (64, 40, 57) bool: real windows of the corpus


def trained_like(cell, reset_after, vocab_size=57, units=32, maxlen=40):
    """A seeded model whose weights, biases included, are all far from their initial values."""
    import keras

    keras.utils.set_random_seed(1)
    model = nbh.build_model(cell, units, maxlen, vocab_size, reset_after=reset_after)
    rng = np.random.default_rng(2)
    for w in model.weights:  # zero biases would hide a bias put in the wrong gate block
        w.assign(rng.normal(0.0, 0.3, w.shape).astype("float32"))
    return model


@pytest.mark.parametrize("cell,reset_after", VARIANTS)
def test_numpy_layer_matches_keras_on_real_windows(windows, cell, reset_after):
    model = trained_like(cell, reset_after)
    layer = model.get_layer(cell)
    expected = np.asarray(layer(windows.astype("float32")))  # (64, units)
    assert_allclose(nbh.rnn_forward(layer, windows), expected, atol=1e-5)


@pytest.mark.parametrize("cell,reset_after", VARIANTS)
def test_numpy_model_matches_predict(windows, cell, reset_after):
    model = trained_like(cell, reset_after)
    probs = nbh.model_forward(model, windows)
    assert_allclose(probs, model.predict(windows.astype("float32"), verbose=0), atol=1e-5)
    assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)


def test_the_gate_order_matters(windows):
    """Swapping two gate blocks changes the output: the test above would catch a wrong order."""
    model = trained_like("lstm", True)
    layer = model.get_layer("lstm")
    k = np.asarray(layer.cell.kernel)
    h = layer.cell.units
    swapped = np.concatenate([k[:, h : 2 * h], k[:, :h], k[:, 2 * h :]], axis=1)  # f and i exchanged
    layer.cell.kernel.assign(swapped)
    expected = np.asarray(layer(windows.astype("float32")))
    layer.cell.kernel.assign(k)
    assert np.abs(nbh.rnn_forward(layer, windows) - expected).max() > 1e-3


def test_gru_reset_after_variants_differ(windows):
    """With the same kernels, applying the reset gate before or after U_h gives different states."""
    a = trained_like("gru", True).get_layer("gru")
    x = windows[:8].astype(np.float64)
    kernel, rk, bias = (np.asarray(w) for w in (a.cell.kernel, a.cell.recurrent_kernel, a.cell.bias))
    h_after = np.zeros((8, a.cell.units))
    h_before = np.zeros_like(h_after)
    for t in range(x.shape[1]):
        h_after = nbh.gru_step(x[:, t], h_after, kernel, rk, np.stack([bias[0], np.zeros_like(bias[1])]))
        h_before = nbh.gru_step(x[:, t], h_before, kernel, rk, bias[0], reset_after=False)
    assert np.abs(h_after - h_before).max() > 1e-3


def test_bad_inputs_are_refused(windows):
    import keras

    model = trained_like("lstm", True)
    with pytest.raises(ValueError, match=r"shape \(batch, maxlen, 57\)"):
        nbh.rnn_forward(model.get_layer("lstm"), windows[0])
    with pytest.raises(ValueError, match="LSTM or GRU layer"):
        nbh.rnn_forward(model.get_layer("dense"), windows)
    relu = keras.layers.LSTM(4, activation="relu")
    relu.build((None, 40, 57))
    with pytest.raises(ValueError, match="activation='tanh'"):
        nbh.rnn_forward(relu, windows)
    with pytest.raises(ValueError, match="cannot be split into 4"):
        nbh.scratch.split_gates(np.zeros((3, 10)), 4)


@pytest.mark.parametrize("flag", ["go_backwards", "return_sequences", "return_state"])
def test_layers_built_otherwise_are_refused(windows, flag):
    import keras

    layer = keras.layers.GRU(4, **{flag: True})
    layer.build((None, 40, 57))
    with pytest.raises(ValueError, match=f"{flag}=False"):
        nbh.rnn_forward(layer, windows[:2])


def test_unbuilt_layer_stacked_model_and_wrong_gru_bias_are_refused(windows):
    import keras

    with pytest.raises(ValueError, match="no weights yet"):
        nbh.rnn_forward(keras.layers.LSTM(4), windows[:2])
    stacked = keras.Sequential(
        [
            keras.Input((40, 57)),
            keras.layers.LSTM(4, return_sequences=True),
            keras.layers.LSTM(4),
            keras.layers.Dense(57),
        ]
    )
    with pytest.raises(ValueError, match="LSTM/GRU -> Dense"):
        nbh.model_forward(stacked, windows[:2])
    x, h = np.zeros((1, 3)), np.zeros((1, 2))
    with pytest.raises(ValueError, match=r"reset_after=True the GRU bias has shape \(2, 3h\)"):
        nbh.gru_step(x, h, np.zeros((3, 6)), np.zeros((2, 6)), np.zeros(6), reset_after=True)
    assert nbh.scratch.step_source("LSTM").startswith("def lstm_step")
