"""Parameter-count formulas against Keras' own ``count_params()``, for LSTM and both GRU variants."""

import numpy as np
import pytest

import nbhelpers as nbh

# The figures the issue and the lesson quote, for h=128, i=o=57 (reference values, not outputs).
REFERENCE = {
    "lstm": 95232,
    "dense": 7353,
    "lstm_model": 102585,
    "gru_v1": 71424,
    "gru_v1_model": 78777,
    "gru": 71808,
    "gru_model": 79161,
}
VARIANTS = [("lstm", True), ("gru", True), ("gru", False)]  # reset_after is ignored for the LSTM


def test_reference_figures():
    assert nbh.lstm_params(128, 57) == REFERENCE["lstm"]
    assert nbh.dense_params(128, 57) == REFERENCE["dense"]
    assert nbh.model_params("lstm", 128, 57) == REFERENCE["lstm_model"]
    assert nbh.gru_params(128, 57, reset_after=False) == REFERENCE["gru_v1"]
    assert nbh.model_params("gru", 128, 57, reset_after=False) == REFERENCE["gru_v1_model"]
    assert nbh.gru_params(128, 57, reset_after=True) == REFERENCE["gru"]
    assert nbh.gru_params(128, 57) == REFERENCE["gru"]  # Keras 3's default variant
    assert nbh.model_params("gru", 128, 57, reset_after=True) == REFERENCE["gru_model"]


def test_formulas_written_out():
    h, i = 128, 57
    assert nbh.lstm_params(h, i) == 4 * (h * h + h * i + h)
    assert nbh.gru_params(h, i, reset_after=False) == 3 * (h * h + h * i + h)
    assert nbh.gru_params(h, i, reset_after=True) == 3 * (h * h + h * i + 2 * h)
    assert nbh.dense_params(h, i) == h * i + i
    assert nbh.lstm_params(np.int64(h), np.int32(i)) == REFERENCE["lstm"]  # NumPy sizes work too


@pytest.mark.parametrize("cell,reset_after", VARIANTS, ids=["lstm", "gru", "gru_v1"])
@pytest.mark.parametrize("units,vocab_size", [(128, 57), (1, 1), (7, 3), (32, 100)])
def test_formula_equals_count_params(cell, reset_after, units, vocab_size):
    model = nbh.build_model(cell, units, maxlen=5, vocab_size=vocab_size, reset_after=reset_after)
    assert model.count_params() == nbh.model_params(cell, units, vocab_size, reset_after)
    assert model.get_layer(cell).count_params() == nbh.rnn_params(cell, units, vocab_size, reset_after)
    assert model.get_layer("dense").count_params() == nbh.dense_params(units, vocab_size)
    rows = nbh.param_breakdown(cell, units, vocab_size, reset_after)
    assert sum(r["count"] for r in rows) == model.count_params()
    assert [(r["layer"], r["weight"]) for r in rows] == [
        (cell, "kernel"),
        (cell, "recurrent_kernel"),
        (cell, "bias"),
        ("dense", "kernel"),
        ("dense", "bias"),
    ]
    for row in rows:
        (w,) = [w for w in model.get_layer(row["layer"]).weights if w.name == row["weight"]]
        assert tuple(w.shape) == row["shape"]
        assert row["count"] == int(np.prod(row["shape"]))


def test_breakdown_formulas_name_the_sizes():
    rows = {(r["layer"], r["weight"]): r for r in nbh.param_breakdown("gru", 128, 57, reset_after=True)}
    assert rows[("gru", "kernel")]["formula"] == "i x 3h = 57 x 384"
    assert rows[("gru", "bias")]["shape"] == (2, 384) and rows[("gru", "bias")]["formula"] == "2 x 3h = 2 x 384"
    rows = {(r["layer"], r["weight"]): r for r in nbh.param_breakdown("lstm", 128, 57)}
    assert rows[("lstm", "bias")]["shape"] == (512,) and rows[("dense", "kernel")]["formula"] == "h x o = 128 x 57"


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_columns_tile_the_kernel(cell):
    cols = nbh.gate_columns(cell, 16)
    assert [c[0] for c in cols] == list(nbh.GATES[cell])
    covered = [i for _, s in cols for i in range(s.start, s.stop)]
    assert covered == list(range(len(nbh.GATES[cell]) * 16))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_columns_cover_the_keras_kernel(cell):
    model = nbh.build_model(cell, 4, 3, 5)
    kernel = model.get_layer(cell).get_weights()[0]  # (vocab_size, gates * units)
    cols = nbh.gate_columns(cell, 4)
    assert cols[-1][1].stop == kernel.shape[1]
    assert sum(kernel[:, s].size for _, s in cols) == kernel.size
