"""``build_model``: the classic model, the same on every run, for LSTM and both GRU variants."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbhelpers as nbh


@pytest.mark.parametrize(
    "cell,reset_after", [("lstm", True), ("gru", True), ("gru", False)], ids=["lstm", "gru", "gru_v1"]
)
def test_layers_names_and_compilation(cell, reset_after):
    model = nbh.build_model(cell, 16, 7, 5, learning_rate=0.003, reset_after=reset_after)
    assert model.name == f"char_{cell}"
    assert [layer.name for layer in model.layers] == [cell, "dense"]
    assert model.input_shape == (None, 7, 5) and model.output_shape == (None, 5)
    rnn = model.get_layer(cell)
    assert rnn.units == 16 and not rnn.return_sequences
    if cell == "gru":
        assert rnn.reset_after is reset_after
    assert model.get_layer("dense").get_config()["activation"] == "softmax"
    assert type(model.optimizer).__name__ == "RMSprop"
    assert np.isclose(float(model.optimizer.learning_rate), 0.003)
    assert model.loss == "categorical_crossentropy"
    x = nbh.one_hot(np.random.default_rng(0).integers(0, 5, (3, 7)), 5).astype("float32")
    probs = model.predict(x, verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_unroll_changes_nothing_but_speed(cell):
    """unroll=True and unroll=False (the default, cuDNN's path on a GPU): same weights, same outputs."""
    a = nbh.build_model(cell, 8, 6, 5, unroll=True)
    b = nbh.build_model(cell, 8, 6, 5, unroll=False)
    assert a.get_layer(cell).unroll and not b.get_layer(cell).unroll
    assert a.count_params() == b.count_params()
    b.set_weights(a.get_weights())
    x = nbh.one_hot(np.random.default_rng(0).integers(0, 5, (4, 6)), 5).astype("float32")
    np.testing.assert_allclose(a.predict(x, verbose=0), b.predict(x, verbose=0), atol=1e-6)


def test_unroll_is_off_by_default_keras_and_cudnn_path():
    for cell in nbh.CELLS:
        assert not nbh.build_model(cell, 4, 40, 5).get_layer(cell).unroll


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_same_seed_same_initial_weights(cell):
    import keras

    def weights():
        keras.utils.set_random_seed(7)
        return nbh.build_model(cell, 6, 4, 5).get_weights()

    for a, b in zip(weights(), weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_mirrored_strategy_on_two_logical_cpus():
    script = Path(__file__).with_name("strategy_script.py")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "lstm replicas 2" in result.stdout and "gru replicas 2" in result.stdout
