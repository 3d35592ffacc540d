"""Every character a target (``nbhelpers.every_char``): the model, the step, the metric, and ``train``'s promises."""

import csv
import json
import math
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

import nbhelpers as nbh
from nbhelpers import every_char

SCRIPT = Path(__file__).with_name("every_char_script.py")
SCRIPT_NAMES = runpy.run_path(str(SCRIPT))  # its TEXT and settings_for; main() runs only as a script
TEXT, settings_for = SCRIPT_NAMES["TEXT"], SCRIPT_NAMES["settings_for"]
ROOT = Path(__file__).resolve().parent.parent


def log_rows(run_dir):
    with open(Path(run_dir) / "epochs.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def batch(vocab_size, b=4, t=7, seed=0):
    """A random (x one-hot (b, t, V) float32, y (b, t) int32) batch."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, vocab_size, size=(b, t + 1))
    return nbh.one_hot(idx[:, :-1], vocab_size).astype("float32"), idx[:, 1:].astype("int32")


# --- the model, the step, the metric -------------------------------------------------------------------------------


@pytest.mark.parametrize("cell,reset_after", [("lstm", True), ("gru", True), ("gru", False)])
def test_same_parameter_count_as_the_classic_model(cell, reset_after):
    nbh.quiet_tensorflow()
    seq = nbh.build_sequence_model(cell, 128, 57, 0.01, reset_after=reset_after)
    classic = nbh.build_model(cell, 128, 40, 57, 0.01, reset_after=reset_after)
    expected = nbh.model_params(cell, 128, 57, reset_after=reset_after)
    assert seq.count_params() == classic.count_params() == expected
    assert cell != "lstm" or expected == 102_585
    assert seq.input_shape == (None, None, 57) and seq.output_shape == (None, None, 57)
    assert [w.shape for w in seq.get_weights()] == [w.shape for w in classic.get_weights()]
    assert isinstance(seq.optimizer, keras.optimizers.RMSprop)
    assert math.isclose(float(seq.optimizer.learning_rate), 0.01, rel_tol=1e-6)


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_train_step_is_a_plain_gradient_tape_step(cell):
    import tensorflow as tf

    nbh.quiet_tensorflow()
    keras.utils.set_random_seed(1)
    ours = nbh.build_sequence_model(cell, 8, 11, 0.01)
    plain = nbh.build_sequence_model(cell, 8, 11, 0.01)
    initial = ours.get_weights()
    plain.set_weights(initial)
    x, y = batch(11)
    step = nbh.make_train_step(ours)
    loss = float(step(x, y))
    with tf.GradientTape() as tape:
        plain_loss = keras.losses.SparseCategoricalCrossentropy()(y, plain(x, training=True))  # mean of b*t
    grads = tape.gradient(plain_loss, plain.trainable_variables)
    plain.optimizer.apply_gradients(zip(grads, plain.trainable_variables, strict=True))
    assert_allclose(loss, float(plain_loss), rtol=1e-6)
    for a, b in zip(ours.get_weights(), plain.get_weights(), strict=True):
        assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not all(np.array_equal(a, b) for a, b in zip(ours.get_weights(), initial, strict=True))  # a step was taken
    x2, y2 = batch(11, seed=1)
    assert math.isfinite(float(step(x2, y2)))  # a second call reuses the traced step


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_last_step_loss_is_the_classic_val_loss(cell):
    """The sequence model's last position on a window is the classic model's output, with the same weights."""
    nbh.quiet_tensorflow()
    keras.utils.set_random_seed(2)
    vocab = nbh.Vocabulary.from_text(TEXT)
    encoded = nbh.encode_corpus(TEXT, vocab)
    seq = nbh.build_sequence_model(cell, 8, vocab.size, 0.01)
    x_chunks, y_chunks = batch(vocab.size, b=8, t=20)
    nbh.make_train_step(seq)(x_chunks, y_chunks)  # trained a little: not the initial weights
    classic = nbh.build_model(cell, 8, 20, vocab.size, 0.01)
    classic.set_weights(seq.get_weights())
    val_ds = nbh.window_dataset(encoded, 20, 3, vocab.size, 64, first=790, count=100)  # two batches, one short
    x, _ = next(iter(val_ds))
    assert_allclose(seq.predict(x, verbose=0)[:, -1], classic.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    expected = classic.evaluate(val_ds, verbose=0)
    assert_allclose(nbh.last_step_loss(seq, val_ds), expected, rtol=1e-5)
    assert_allclose(nbh.last_step_loss(classic, val_ds), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="validation dataset is empty"):
        nbh.last_step_loss(seq, [])


def test_strategy_and_chief_from_tf_config(monkeypatch):
    import tensorflow as tf

    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert nbh.is_chief() and nbh.strategy_from_env() is tf.distribute.get_strategy()
    one = {"cluster": {"worker": ["127.0.0.1:1"]}, "task": {"type": "worker", "index": 0}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(one))
    assert nbh.is_chief() and nbh.strategy_from_env() is tf.distribute.get_strategy()  # one task: no cluster
    two = {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 1}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(two))
    assert not nbh.is_chief()
    two["task"]["index"] = 0
    monkeypatch.setenv("TF_CONFIG", json.dumps(two))
    assert nbh.is_chief()
    with_chief = {"cluster": {"chief": ["a:1"], "worker": ["b:1"]}, "task": {"type": "worker", "index": 0}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(with_chief))
    assert not nbh.is_chief()
    for bad, match in [("{not json", "not valid JSON"), ('{"cluster": {"worker": ["a:1", "b:1"]}}', "is not one of")]:
        monkeypatch.setenv("TF_CONFIG", bad)
        with pytest.raises(ValueError, match=match):
            nbh.is_chief()


# --- train: a straight run, a killed and resumed one, a refused one, the NaN stop -----------------------------------


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    """An uninterrupted two-epoch GRU run in this process (the default strategy)."""
    nbh.quiet_tensorflow()
    run_dir = tmp_path_factory.mktemp("straight") / "gru_every_char"
    result = every_char.train(run_dir, settings_for(), TEXT, cell="gru")
    return run_dir, result


def test_a_run_logs_every_epoch_and_saves_a_run_folder(straight):
    run_dir, result = straight
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "epochs.csv",
        "history.json",
        "model.keras",
        "samples.json",
        "settings.json",
        "vocab.json",
    ]  # backup/ is gone once the run has finished
    with open(run_dir / "epochs.csv", encoding="utf-8") as f:
        assert next(csv.reader(f)) == list(every_char.LOG_COLUMNS)
    rows = log_rows(run_dir)
    assert [int(r["epoch"]) for r in rows] == [0, 1]  # 0-based, as CSVLogger
    history = nbh.read_history(run_dir)
    assert history == result["history"] == json.loads((run_dir / "history.json").read_text())
    assert sorted(history) == ["bpc", "epoch", "epoch_seconds", "loss", "val_bpc", "val_loss", "val_seconds"]
    assert history["epoch"] == [1, 2] and history["loss"][1] < history["loss"][0]
    assert_allclose(history["val_bpc"], np.array(history["val_loss"]) / math.log(2))
    assert all(s > 0 for s in history["epoch_seconds"] + history["val_seconds"])
    run = nbh.load_run(run_dir)
    assert run["model"].input_shape == (None, None, run["vocab"].size) and run["vocab"].size == len(set(TEXT))
    for a, b in zip(run["model"].get_weights(), result["model"].get_weights(), strict=True):
        assert np.array_equal(a, b)
    defaults = {k: nbh.DEFAULTS[k] for k in every_char.TRAIN_SETTINGS}
    assert json.loads((run_dir / "settings.json").read_text()) == {"cell": "gru", **defaults, **settings_for()}
    samples = json.loads((run_dir / "samples.json").read_text())
    assert [s["temperature"] for s in samples] == [0.5, 1.0] and all(len(s["text"]) == 20 for s in samples)


def test_the_last_validation_is_last_step_loss_on_the_classic_held_out_windows(straight):
    run_dir, result = straight
    vocab = result["vocab"]
    encoded = nbh.encode_corpus(TEXT, vocab)
    s = settings_for()
    n_train, n_val = nbh.split_counts(len(TEXT), s["maxlen"], s["step"], s["validation_fraction"])
    x, y = nbh.make_windows(vocab.encode(TEXT), s["maxlen"], s["step"])
    (_, _), (x_val, y_val) = nbh.split_windows(x, y, s["validation_fraction"])
    assert len(x_val) == n_val
    classic_val = nbh.make_dataset(x_val, y_val, vocab.size, 32)
    assert_allclose(nbh.last_step_loss(result["model"], classic_val), result["history"]["val_loss"][-1], rtol=1e-5)
    held = nbh.held_out_start(len(TEXT), s["maxlen"], s["step"], s["validation_fraction"])
    assert held == n_train * s["step"] and len(encoded) > held


def test_generate_from_the_saved_run_on_the_command_line(straight, capsys):
    from nbhelpers.cli import main

    run_dir, _ = straight
    base = [sys.executable, "-m", "nbhelpers", "generate", "--model", str(run_dir), "--length", "15"]
    res = subprocess.run(
        [*base, "--prompt", "the", "--temperature", "0"], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "padded" not in res.stderr  # a sequence model reads a prompt of any length
    body = res.stdout.split("----- temperature 0.0:\n", 1)[1].rstrip("\n")
    run = nbh.load_run(run_dir)
    assert body == "the" + nbh.generate(run["model"], run["vocab"], "the", 15, [0.0])[0.0]
    args = ["generate", "--model", str(run_dir), "--prompt", "The dog", "--stateful", "--temperature", "0.5", "1.0"]
    assert main([*args, "--length", "15", "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert "lowercased" in err and "padded" not in err
    blocks = out.split("----- temperature ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["0.5", "1.0"]
    expected = nbh.generate(run["model"], run["vocab"], "the dog", 15, [0.5, 1.0], seed=3, stateful=True)
    assert [b.split(":\n", 1)[1].rstrip("\n") for b in blocks] == ["the dog" + expected[t] for t in (0.5, 1.0)]


def test_window_and_stateful_modes_of_a_sequence_model(straight):
    _, result = straight
    model, vocab = result["model"], result["vocab"]
    prompt = TEXT[:30]
    # A window longer than everything read: the window mode re-reads the whole text from a zero state, as the
    # stateful mode carries it, so greedy texts agree.
    whole = nbh.generate(model, vocab, prompt, 25, [0.0], window=100)[0.0]
    assert nbh.generate(model, vocab, prompt, 25, [0.0], stateful=True, window=100)[0.0] == whole
    default = nbh.generate(model, vocab, TEXT[:60], 25, [0.0, 1.0], seed=1)
    assert default == nbh.generate(model, vocab, TEXT[20:60], 25, [0.0, 1.0], seed=1)  # the last 40 characters
    assert all(len(t) == 25 for t in default.values())
    with pytest.raises(ValueError, match="seed_text is empty"):
        nbh.generate(model, vocab, "", 5)
    with pytest.raises(ValueError, match="window must be an integer >= 1"):
        nbh.generate(model, vocab, "the", 5, window=0)
    classic = nbh.build_model("gru", 4, 12, vocab.size)
    with pytest.raises(ValueError, match="window must be 12 or None"):
        nbh.generate(classic, vocab, TEXT[:12], 5, window=40)


def test_killed_run_resumes_to_the_straight_runs_weights_and_other_settings_are_refused(tmp_path, straight):
    """A real kill (os._exit in epoch 2, like SIGKILL), a changed command refused, then the same command again."""
    run_dir = tmp_path / "gru_every_char"
    cmd = [sys.executable, str(SCRIPT), str(run_dir), "gru"]
    killed = subprocess.run([*cmd, "2"], capture_output=True, text=True, timeout=300)
    assert killed.returncode == 9, killed.stderr[-3000:]
    assert [int(r["epoch"]) for r in log_rows(run_dir)] == [0]
    assert (run_dir / "backup" / "run.json").is_file() and not (run_dir / "model.keras").exists()
    before = {p.name: p.read_bytes() for p in (run_dir / "backup").iterdir()}
    for changes, cell, named in [({"units": 8}, "gru", "units: 16 then, 8 now"), ({}, "lstm", "cell: 'gru' then")]:
        with pytest.raises(ValueError, match="holds a checkpoint of an unfinished run with other settings") as e:
            every_char.train(run_dir, settings_for(**changes), TEXT, cell=cell)
        assert named in str(e.value) and str(run_dir / "backup") in str(e.value)
        assert f"rm -r {shlex.quote(str(run_dir / 'backup'))}" in str(e.value)
        assert "Run with the same settings" in str(e.value)
    with pytest.raises(ValueError, match=r"\(another corpus\)"):
        every_char.train(run_dir, settings_for(), TEXT.upper(), cell="gru")
    assert {p.name: p.read_bytes() for p in (run_dir / "backup").iterdir()} == before  # left as it was

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"resuming the unfinished run checkpointed in {run_dir / 'backup'} after epoch 1" in resumed.stdout
    report = json.loads(resumed.stdout.strip().splitlines()[-1])
    _, result = straight
    for a, b in zip(report["weights"], result["model"].get_weights(), strict=True):
        assert_allclose(np.array(a, dtype="float32"), b, rtol=1e-6, atol=1e-7)
    assert report["history"]["epoch"] == [1, 2]
    assert_allclose(report["history"]["loss"], result["history"]["loss"], rtol=1e-6)
    assert_allclose(report["history"]["val_loss"], result["history"]["val_loss"], rtol=1e-6)
    assert not (run_dir / "backup").exists() and (run_dir / "model.keras").is_file()


def test_nan_loss_stops_the_run(tmp_path, monkeypatch):
    """Weights poisoned before the third step: the loss is NaN, the run stops with a message, nothing is saved."""
    real = every_char.make_train_step

    def poisoned(model, optimizer=None, strategy=None):
        step = real(model, optimizer, strategy)
        calls = []

        def wrapped(x, y):
            calls.append(1)
            if len(calls) == 3:
                kernel = model.get_layer("dense").kernel
                kernel.assign(np.full(kernel.shape, np.nan, "float32"))
            return step(x, y)

        return wrapped

    monkeypatch.setattr(every_char, "make_train_step", poisoned)
    with pytest.raises(FloatingPointError, match="the training loss became nan at epoch 1, step 3: training stopped"):
        every_char.train(tmp_path, settings_for(), TEXT, cell="lstm")
    rows = log_rows(tmp_path)
    assert len(rows) == 1 and math.isnan(float(rows[0]["loss"])) and rows[0]["val_loss"] == "NA"
    assert nbh.read_history(tmp_path)["epoch"] == [1]
    assert not (tmp_path / "backup").exists() and not (tmp_path / "model.keras").exists()


def test_settings_that_do_not_fit_are_refused_before_training(tmp_path):
    with pytest.raises(ValueError, match="fewer than one batch"):
        every_char.train(tmp_path, settings_for(batch_size=512), TEXT)
    with pytest.raises(ValueError, match="seq_len=30 contradicts"):
        every_char.train(tmp_path, settings_for(), TEXT, seq_len=30)
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    "argv,match",
    [
        (["-p", "units", "0"], "units must be a positive integer, got 0"),
        (["--seq-len", "x"], "seq_len must be a positive integer, got 'x'"),
        (["-p", "samples_per_temperature", "3"], "-p samples_per_temperature: not a setting of train"),
        (["--seq-len", "20", "-p", "seq_len", "30"], "--seq-len 20 and -p seq_len 30 differ"),
    ],
)
def test_train_options_are_checked_where_they_enter(tmp_path, capsys, argv, match):
    from nbhelpers.cli import main

    with pytest.raises(SystemExit) as e:
        main(["train", "--output-dir", str(tmp_path), *argv])
    assert e.value.code == 2 and match in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
