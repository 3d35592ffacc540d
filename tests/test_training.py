import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

import nbhelpers as nbh


def test_nats_to_bits():
    assert_allclose(nbh.nats_to_bits(math.log(2)), 1.0)
    assert_allclose(nbh.nats_to_bits([math.log(57)]), [math.log2(57)])


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_save_and_load_run(tmp_path, cell):
    import keras

    keras.utils.set_random_seed(0)
    text = "abcabcabd" * 10
    vocab = nbh.Vocabulary.from_text(text)
    x, y = nbh.make_windows(vocab.encode(text), 6, 1)
    model = nbh.build_model(cell, 4, 6, vocab.size)
    report = nbh.LossReport(print_fn=lambda *_: None)
    history = model.fit(
        nbh.make_dataset(x, y, vocab.size, 16),
        validation_data=nbh.make_dataset(x[:8], y[:8], vocab.size),
        epochs=2,
        verbose=0,
        callbacks=[report],
        shuffle=False,
    )
    record = report.record()
    assert record["loss"] == history.history["loss"] and record["val_loss"] == history.history["val_loss"]
    assert record["epoch"] == [1, 2] and len(record["epoch_seconds"]) == 2
    assert_allclose(record["bpc"], np.array(record["loss"]) / math.log(2))
    assert_allclose(record["val_bpc"], np.array(record["val_loss"]) / math.log(2))
    run_dir = nbh.save_run(tmp_path / cell, model, vocab, record, samples=[{"t": 1}], settings={"units": 4})
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "history.json",
        "model.keras",
        "samples.json",
        "settings.json",
        "vocab.json",
    ]
    loaded = nbh.load_run(run_dir)
    assert loaded["vocab"] == vocab and loaded["history"] == json.loads(json.dumps(record))
    xb = nbh.one_hot(x[:4], vocab.size).astype("float32")
    assert_allclose(loaded["model"].predict(xb, verbose=0), model.predict(xb, verbose=0), rtol=1e-6)


def test_load_run_missing_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="run the training notebook"):
        nbh.load_run(tmp_path / "lstm")


def test_loss_report_stops_on_nan():
    lines = []
    report = nbh.LossReport(print_fn=lines.append)
    report.set_model(nbh.build_model("lstm", 2, 3, 4))
    report.on_epoch_begin(0)
    report.on_epoch_end(0, {"loss": 1.0})
    assert not report.model.stop_training
    report.on_epoch_begin(1)
    report.on_epoch_end(1, {"loss": float("nan")})
    assert report.model.stop_training
    assert "not finite" in lines[-1]
    assert "bits/char" in lines[0]


def test_killed_run_resumes_with_complete_history(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).with_name("resume_script.py")
    killed = subprocess.run([sys.executable, str(script), str(tmp_path), "4", "3"], capture_output=True, text=True)
    assert killed.returncode == 9, killed.stderr
    assert [json.loads(line)["epoch"] for line in (tmp_path / "epochs.jsonl").read_text().splitlines()] == [1, 2]
    assert (tmp_path / "backup").is_dir() and not (tmp_path / "model.keras").exists()

    resumed = subprocess.run([sys.executable, str(script), str(tmp_path), "4"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming at epoch 3 (2 earlier epoch(s) in the log)" in resumed.stdout
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["epoch"] == [1, 2, 3, 4] and all(math.isfinite(v) for v in history["loss"])
    samples = json.loads((tmp_path / "samples.json").read_text())
    assert [(s["epoch"], s["temperature"]) for s in samples] == [(e, t) for e in (1, 2, 3, 4) for t in (0.5, 1.0)]
    assert not (tmp_path / "backup").exists()  # removed by Keras once training finished


def test_epoch_log_drops_a_cut_line_and_later_epochs(tmp_path):
    from nbhelpers.paths import EpochLog

    path = tmp_path / "log.jsonl"
    path.write_text('{"epoch": 1, "loss": 2.0}\n{"epoch": 2, "loss": 1.5}\n{"epoch": 3, "lo')
    log = EpochLog(path)
    assert log.start(2) == [{"epoch": 1, "loss": 2.0}]
    log.append({"epoch": 2, "loss": 1.4})
    assert [json.loads(line) for line in path.read_text().splitlines()] == [
        {"epoch": 1, "loss": 2.0},
        {"epoch": 2, "loss": 1.4},
    ]
    assert EpochLog(path).start(1) == [] and path.read_text() == ""


def test_seeded_runs_are_identical():
    """Same seed: same windows order, same initial weights, same losses (on CPU)."""
    import keras

    text = "abcabd" * 30
    vocab = nbh.Vocabulary.from_text(text)
    x, y = nbh.make_windows(vocab.encode(text), 5, 1)

    def run():
        keras.utils.set_random_seed(123)
        model = nbh.build_model("lstm", 6, 5, vocab.size)
        weights = [w.copy() for w in model.get_weights()]
        ds = nbh.make_dataset(x, y, vocab.size, 16, shuffle=True, seed=123)
        order = np.concatenate([b[1].numpy().argmax(-1) for b in ds])
        history = model.fit(ds, epochs=2, verbose=0, shuffle=False)
        return weights, order, history.history["loss"]

    (w1, o1, l1), (w2, o2, l2) = run(), run()
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(o1, o2)
    assert l1 == l2


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch):
    from nbhelpers import paths

    target = tmp_path / "history.json"
    paths.atomic_write_json(target, {"epoch": [1]})

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were stopped between writing and renaming

    monkeypatch.setattr(paths.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        paths.atomic_write_json(target, {"epoch": [1, 2]})
    assert json.loads(target.read_text()) == {"epoch": [1]}
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]  # no temporary file left


def test_reloaded_model_generates_with_its_saved_vocabulary(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    text = "Привет, мир! Как дела? " * 10  # any UTF-8 alphabet works end to end
    vocab = nbh.Vocabulary.from_text(text)
    x, y = nbh.make_windows(vocab.encode(text), 8, 2)
    model = nbh.build_model("lstm", 8, 8, vocab.size)
    model.fit(nbh.make_dataset(x, y, vocab.size, 16), epochs=1, verbose=0, shuffle=False)
    nbh.save_run(tmp_path, model, vocab, {"epoch": [1]})
    run = nbh.load_run(tmp_path)
    assert run["vocab"] == vocab
    before = nbh.generate(model, vocab, text[:8], 30, [0.0, 1.0], rng=3)
    after = nbh.generate(run["model"], run["vocab"], text[:8], 30, [0.0, 1.0], rng=3)
    assert before == after and set(after[1.0]) <= set(text)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        nbh.generate(run["model"], run["vocab"], "hello world, english", 5)
