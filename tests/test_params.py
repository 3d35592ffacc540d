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


def test_reference_figures():
    assert nbh.lstm_params(128, 57) == REFERENCE["lstm"]
    assert nbh.dense_params(128, 57) == REFERENCE["dense"]
    assert nbh.model_params("lstm", 128, 57) == REFERENCE["lstm_model"]
    assert nbh.gru_params(128, 57, reset_after=False) == REFERENCE["gru_v1"]
    assert nbh.model_params("gru", 128, 57, reset_after=False) == REFERENCE["gru_v1_model"]
    assert nbh.gru_params(128, 57, reset_after=True) == REFERENCE["gru"]
    assert nbh.model_params("gru", 128, 57, reset_after=True) == REFERENCE["gru_model"]


@pytest.mark.parametrize("cell,reset_after", [("lstm", True), ("gru", True), ("gru", False)])
@pytest.mark.parametrize("units,vocab_size", [(128, 57), (1, 1), (7, 3), (32, 100)])
def test_formula_equals_count_params(cell, reset_after, units, vocab_size):
    model = nbh.build_model(cell, units, maxlen=5, vocab_size=vocab_size, reset_after=reset_after)
    assert model.count_params() == nbh.model_params(cell, units, vocab_size, reset_after)
    assert model.get_layer(cell).count_params() == nbh.rnn_params(cell, units, vocab_size, reset_after)
    assert model.get_layer("dense").count_params() == nbh.dense_params(units, vocab_size)
    rows = nbh.param_breakdown(cell, units, vocab_size, reset_after)
    assert sum(r["count"] for r in rows) == model.count_params()
    for row in rows:
        (w,) = [w for w in model.get_layer(row["layer"]).weights if w.name == row["weight"]]
        assert tuple(w.shape) == row["shape"]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gate_columns_tile_the_kernel(cell):
    cols = nbh.gate_columns(cell, 16)
    assert [c[0] for c in cols] == list(nbh.GATES[cell])
    covered = [i for _, s in cols for i in range(s.start, s.stop)]
    assert covered == list(range(len(nbh.GATES[cell]) * 16))


@pytest.mark.parametrize(
    "fn,args", [(nbh.lstm_params, (0, 5)), (nbh.gru_params, (5, -1)), (nbh.dense_params, (2.0, 3))]
)
def test_bad_sizes(fn, args):
    with pytest.raises(ValueError, match="positive integer"):
        fn(*args)


def test_unknown_cell():
    with pytest.raises(ValueError, match="'lstm' or 'gru'"):
        nbh.rnn_params("rnn", 4, 4)
    with pytest.raises(ValueError, match="cell must be .lstm. or .gru."):
        nbh.build_model("transformer")
