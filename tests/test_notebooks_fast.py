"""Run the training notebooks and the comparison with papermill in fast mode; check what they produced.

The executed notebooks stay in $NBHELPERS_FAST_DIR/notebooks (default build/fast) for the
Makefile's `nbval --nbval-lax` step.
"""

import json
import math
import os
from pathlib import Path

import pytest

import nbhelpers as nbh

ROOT = Path(__file__).resolve().parent.parent
FAST = {"max_windows": 2000, "epochs": 1, "generate_chars": 40, "samples_per_temperature": 2}
EXPECTED_PARAMS = {"02_lstm_training.ipynb": ("lstm", "102,585"), "03_gru_training.ipynb": ("gru", "79,161")}


# Figures each executed notebook must show (image/png outputs), whatever MPLBACKEND says.
FIGURES = {"02_lstm_training.ipynb": 3, "03_gru_training.ipynb": 2, "05_lstm_vs_gru.ipynb": 3, "06_every_char.ipynb": 3}


@pytest.fixture(scope="module")
def fast_run(corpus_path):
    out = Path(os.environ.get("NBHELPERS_FAST_DIR", "build/fast"))
    out = out if out.is_absolute() else ROOT / out
    os.environ.setdefault(nbh.CORPUS_ENV, str(corpus_path))
    backend = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"  # a caller's non-interactive backend must not cost the notebooks their figures
    try:
        results = nbh.run_notebooks(out, FAST, ["02", "03", "05", "06"])
    finally:
        os.environ.pop("MPLBACKEND") if backend is None else os.environ.update(MPLBACKEND=backend)
    return out, {r["notebook"]: r for r in results}


@pytest.mark.parametrize("name", list(FIGURES))
def test_fast_run_shows_its_figures(fast_run, name):
    _, results = fast_run
    outs, _ = outputs(results[name]["output"])
    images = [o for _, o in outs if "image/png" in o.get("data", {})]
    assert len(images) >= FIGURES[name], (name, len(images))


def outputs(path):
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return [(c, o) for c in nb["cells"] for o in c.get("outputs", [])], nb


@pytest.mark.parametrize("name", list(EXPECTED_PARAMS))
def test_fast_run(fast_run, name):
    out_dir, results = fast_run
    cell, count = EXPECTED_PARAMS[name]
    result = results[name]
    assert result["error"] is None, result["error"]
    outs, nb = outputs(result["output"])
    text = "\n".join("".join(o.get("text", "")) for _, o in outs)
    assert f"trainable parameters: {count} (Keras); formula: {count}" in text
    assert not [o for _, o in outs if o.get("name") == "stderr"], "log noise reached the notebook"
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and "max_windows = 2000" in "".join(injected[0]["source"])

    run_dir = out_dir / cell
    history = json.loads((run_dir / "history.json").read_text())
    assert history["epoch"] == [1]
    for key in ("loss", "val_loss", "bpc", "val_bpc"):
        assert len(history[key]) == 1 and math.isfinite(history[key][0]), key
    assert history["loss"][0] < math.log(57)  # better than a uniform guess after one epoch

    vocab = nbh.Vocabulary.load(run_dir / "vocab.json")
    samples = json.loads((run_dir / "samples.json").read_text())
    assert [s["temperature"] for s in samples] == nbh.DEFAULTS["temperatures"]
    for s in samples:
        assert len(s["text"]) == FAST["generate_chars"]
        assert set(s["text"]) <= set(vocab.chars)
        assert f"----- temperature {s['temperature']}:\n{s['seed']}{s['text']}" in text


def test_fast_every_char_runs_are_saved_for_the_cli(fast_run):
    out_dir, results = fast_run
    result = results["06_every_char.ipynb"]
    assert result["error"] is None, result["error"]
    outs, _ = outputs(result["output"])
    assert not [o for _, o in outs if o.get("name") == "stderr"], "log noise reached the notebook"
    for cell in ("lstm", "gru"):
        run = nbh.load_run(out_dir / f"{cell}_every_char")
        assert run["model"].input_shape == (None, None, run["vocab"].size)
        assert run["history"]["epoch"] and all(math.isfinite(v) for v in run["history"]["val_loss"])


def test_fast_comparison(fast_run):
    _, results = fast_run
    result = results["05_lstm_vs_gru.ipynb"]
    assert result["error"] is None, result["error"]
    outs, _ = outputs(result["output"])
    text = "\n".join("".join(o.get("text", "")) for _, o in outs)
    assert not [o for _, o in outs if o.get("name") == "stderr"], "log noise reached the notebook"
    assert "settings that differ: none, a fair comparison" in text
    assert "LSTM(128): 102,585 trainable parameters\nGRU(128): 79,161 trainable parameters" in text
    assert "the GRU has 23% fewer parameters than the LSTM" in text
    lines = text.splitlines()
    rows = [ln.split() for ln in lines if ln.startswith(("LSTM ", "GRU "))]
    for cell in ("LSTM", "GRU"):  # the quality table: one row per temperature
        temps = [float(r[1]) for r in rows if r[0] == cell and len(r) == 7]
        assert temps == nbh.DEFAULTS["temperatures"], (cell, temps)
    assert sum(ln.startswith("corpus ") for ln in lines) == 1


def test_comparison_without_runs_says_how_to_make_them(tmp_path, corpus_path):
    os.environ.setdefault(nbh.CORPUS_ENV, str(corpus_path))
    (result,) = nbh.run_notebooks(tmp_path, {}, ["05"])
    assert result["error"] is not None and result["error"].startswith("FileNotFoundError: no saved run for LSTM")
    assert "make run" in result["error"] and "--notebooks 02 03" in result["error"]
