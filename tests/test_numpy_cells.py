"""Notebook 04's NumPy cells (sigmoid, lstm_step, gru_step, rnn_forward, softmax, model_forward)
reproduce Keras' layers, with every weight, biases included, set to random values.

The functions are taken from the notebook itself: the code cells tagged ``lesson-numpy-cell``
are executed in one namespace (with ``np`` and ``keras``), so these tests check exactly what
the learner reads. They run on tiny seeded data and need no corpus.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import nbhelpers as nbh

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_parameter_counts.ipynb"
TAG = "lesson-numpy-cell"
VARIANTS = [("lstm", True), ("gru", True), ("gru", False)]
UNITS, MAXLEN, VOCAB = 16, 12, 9


@pytest.fixture(scope="module")
def cells():
    """The notebook's tagged cells, executed: a dict holding the functions they define."""
    nbh.quiet_tensorflow()
    import keras

    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    sources = [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and TAG in c.get("metadata", {}).get("tags", [])
    ]
    assert sources, f"no code cell of {NOTEBOOK.name} is tagged {TAG!r}"
    namespace = {"np": np, "keras": keras}
    for source in sources:
        exec(compile(source, f"{NOTEBOOK.name} [{TAG}]", "exec"), namespace)
    for name in ("sigmoid", "lstm_step", "gru_step", "rnn_forward", "softmax", "model_forward"):
        assert callable(namespace.get(name)), f"the tagged cells define no {name}()"
    return namespace


@pytest.fixture(scope="module")
def windows():
    rng = np.random.default_rng(0)
    return nbh.one_hot(rng.integers(0, VOCAB, size=(8, MAXLEN)), VOCAB)  # (8, MAXLEN, VOCAB) bool


def random_model(cell, reset_after, seed=1, scale=0.3):
    """A small LSTM/GRU -> Dense(softmax) model with every weight, biases included, random."""
    import keras

    rnn = keras.layers.LSTM(UNITS) if cell == "lstm" else keras.layers.GRU(UNITS, reset_after=reset_after)
    model = keras.Sequential([keras.Input((MAXLEN, VOCAB)), rnn, keras.layers.Dense(VOCAB, activation="softmax")])
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, scale, w.shape).astype("float32") for w in model.get_weights()])
    return model


@pytest.mark.parametrize("cell,reset_after", VARIANTS)
def test_rnn_forward_matches_the_keras_layer(cells, windows, cell, reset_after):
    model = random_model(cell, reset_after)
    layer = model.layers[0]
    assert np.all(np.asarray(layer.cell.bias) != 0)
    ours = cells["rnn_forward"](layer, windows)
    assert ours.dtype == np.float64 and ours.shape == (len(windows), UNITS)
    assert_allclose(ours, np.asarray(layer(windows.astype("float32"))), atol=1e-5)


@pytest.mark.parametrize("cell,reset_after", VARIANTS)
def test_model_forward_matches_the_keras_model(cells, windows, cell, reset_after):
    model = random_model(cell, reset_after)
    probs = cells["model_forward"](model, windows)
    assert_allclose(probs, np.asarray(model(windows.astype("float32"))), atol=1e-5)
    assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("cell,reset_after", VARIANTS)
def test_each_step_matches_keras_return_sequences(cells, windows, cell, reset_after):
    """Not only the final state: the state after every step equals Keras' sequence output."""
    import keras

    model = random_model(cell, reset_after)
    layer = model.layers[0]
    kernel, recurrent_kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer.get_weights())
    if cell == "lstm":
        seq_layer = keras.layers.LSTM(UNITS, return_sequences=True)
    else:
        seq_layer = keras.layers.GRU(UNITS, reset_after=reset_after, return_sequences=True)
    seq_layer.build((None, MAXLEN, VOCAB))
    seq_layer.set_weights(layer.get_weights())
    expected = np.asarray(seq_layer(windows.astype("float32")))  # (batch, MAXLEN, UNITS)
    x = windows.astype(np.float64)
    h = np.zeros((len(x), UNITS))
    c = np.zeros_like(h)
    for t in range(MAXLEN):
        if cell == "lstm":
            h, c = cells["lstm_step"](x[:, t], h, c, kernel, recurrent_kernel, bias)
        else:
            h = cells["gru_step"](x[:, t], h, kernel, recurrent_kernel, bias, reset_after=reset_after)
        assert_allclose(h, expected[:, t], atol=1e-5, err_msg=f"step {t}")


def test_sigmoid_and_softmax(cells):
    a = np.array([-30.0, -1.0, 0.0, 2.0, 30.0])
    assert_allclose(cells["sigmoid"](a), 1 / (1 + np.exp(-a)))
    assert cells["sigmoid"](np.array([0.0]))[0] == 0.5
    scores = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])  # the second would overflow np.exp
    probs = cells["softmax"](scores)
    assert_allclose(probs[0], np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum())
    assert_allclose(probs[1], [1 / 3] * 3)


def test_a_block_in_the_wrong_place_is_caught(cells, windows):
    """Swapping two kernel blocks, or the GRU's two bias rows, moves the NumPy output far from Keras'."""
    lstm = random_model("lstm", True)
    layer = lstm.layers[0]
    expected = np.asarray(layer(windows.astype("float32")))
    kernel, recurrent_kernel, bias = layer.get_weights()
    w_i, w_f, w_c, w_o = np.split(kernel, 4, axis=-1)
    layer.set_weights([np.concatenate([w_f, w_i, w_c, w_o], axis=-1), recurrent_kernel, bias])
    assert np.abs(cells["rnn_forward"](layer, windows) - expected).max() > 1e-3

    gru = random_model("gru", True)
    layer = gru.layers[0]
    expected = np.asarray(layer(windows.astype("float32")))
    kernel, recurrent_kernel, bias = layer.get_weights()
    layer.set_weights([kernel, recurrent_kernel, bias[::-1]])
    assert np.abs(cells["rnn_forward"](layer, windows) - expected).max() > 1e-3


def test_keras_gru_update_gate_keeps_the_old_state(cells):
    """Keras' form h_t = z h + (1 - z) h~: with z near 1 (a large update-gate bias) the state stays put."""
    units, width = 3, 2
    kernel = np.zeros((width, 3 * units))
    recurrent_kernel = np.zeros((units, 3 * units))
    bias = np.zeros(3 * units)
    bias[:units] = 50.0  # z = sigmoid(50), 1 to float64 precision
    bias[2 * units :] = 5.0  # the candidate would be tanh(5), far from h
    h = np.array([[0.1, -0.2, 0.3]])
    out = cells["gru_step"](np.zeros((1, width)), h, kernel, recurrent_kernel, bias, reset_after=False)
    assert_allclose(out, h, atol=1e-12)
