"""A training run on disk: Keras' callbacks via ``training_callbacks``, resuming, ``save_run`` / ``load_run``."""

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
from numpy.testing import assert_allclose, assert_array_equal

import nbhelpers as nbh
from nbhelpers.runs import corpus_fingerprint, read_json

SCRIPT = Path(__file__).with_name("resume_script.py")
RESUME = runpy.run_path(str(SCRIPT))  # its TEXT and settings_for; main() runs only as a script
TEXT, settings_for = RESUME["TEXT"], RESUME["settings_for"]


class Interrupted(Exception):
    pass


class RaiseAfterLog(keras.callbacks.Callback):
    """Raise at the end of epoch ``at`` (1-based): after CSVLogger wrote its row, before BackupAndRestore saved it."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.at:
            raise Interrupted(f"stopped after logging epoch {self.at}")


def train(run_dir, settings, text=TEXT, cell="gru", before_backup=None, dataset=None, after=()):
    """Train as notebooks 02 and 03 do (shuffled windows, validation); ``before_backup`` goes just before
    BackupAndRestore, ``after`` at the end of the callbacks."""
    nbh.quiet_tensorflow()
    keras.utils.set_random_seed(settings["seed"])
    vocab = nbh.Vocabulary.from_text(text)
    maxlen, step, batch_size = settings["maxlen"], settings["step"], settings["batch_size"]
    encoded = nbh.encode_corpus(text, vocab)
    n_train, n_val = nbh.split_counts(len(encoded), maxlen, step, 0.1)
    train_ds = dataset or nbh.window_dataset(
        encoded, maxlen, step, vocab.size, batch_size, count=n_train, shuffle=True, seed=settings["seed"]
    )
    model = nbh.build_model(cell, settings["units"], maxlen, vocab.size, settings["learning_rate"])
    callbacks = nbh.training_callbacks(run_dir, settings, text, train_ds)
    names = ["BitsPerChar", "CSVLogger", "TerminateOnNaN", "BackupAndRestore"] + ["DatasetEpoch"] * (dataset is None)
    assert [type(c).__name__ for c in callbacks] == names
    if before_backup is not None:
        callbacks.insert(3, before_backup)
    history = model.fit(
        train_ds,
        validation_data=nbh.window_dataset(encoded, maxlen, step, vocab.size, batch_size, first=n_train, count=n_val),
        epochs=settings["epochs"],
        callbacks=callbacks + list(after),
        shuffle=False,
        verbose=0,
    )
    return model, vocab, history


def csv_epochs(run_dir):
    """The raw rows of epochs.csv: (0-based epoch, loss), duplicates included."""
    with open(Path(run_dir) / "epochs.csv", newline="", encoding="utf-8") as f:
        return [(int(row["epoch"]), float(row["loss"])) for row in csv.DictReader(f)]


# --- a run and its log ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_two_epochs_give_one_record_each_in_bits_per_char(tmp_path, capsys, cell):
    model, vocab, history = train(tmp_path, settings_for(epochs=2), cell=cell)
    assert [e for e, _ in csv_epochs(tmp_path)] == [0, 1]
    record = nbh.read_history(tmp_path)
    assert record["epoch"] == [1, 2]
    assert sorted(record) == ["bpc", "epoch", "epoch_seconds", "loss", "val_bpc", "val_loss"]
    assert_allclose(record["loss"], history.history["loss"], rtol=1e-6)
    assert_allclose(record["val_loss"], history.history["val_loss"], rtol=1e-6)
    assert_allclose(record["bpc"], np.array(record["loss"]) / math.log(2), rtol=1e-12)
    assert_allclose(record["val_bpc"], np.array(record["val_loss"]) / math.log(2), rtol=1e-12)
    assert all(s > 0 for s in record["epoch_seconds"])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch ")]
    assert len(lines) == 2 and lines[0].startswith("epoch 1: loss ") and "bits/char; val_loss" in lines[0]
    assert f"= {record['bpc'][1]:.4f} bits/char" in lines[1]
    assert not (tmp_path / "backup").exists()  # Keras removes the checkpoint once training has finished
    with open(tmp_path / "epochs.csv", encoding="utf-8") as f:
        assert {"bpc", "val_bpc", "seconds"} <= set(next(csv.reader(f)))  # BitsPerChar's additions are logged


def test_read_history_keeps_the_last_record_of_each_epoch(tmp_path):
    (tmp_path / "epochs.csv").write_text(
        "epoch,bpc,loss,seconds,val_bpc,val_loss,val_seconds\n0,,2.0,1.5,NA,NA,NA\n1,,1.8,1.5,NA,NA,NA\n"
        "1,,1.7,1.4,NA,NA,NA\n2,,1.6,1.3,NA,NA,NA\n",
        encoding="utf-8",
    )
    record = nbh.read_history(tmp_path)
    assert record["epoch"] == [1, 2, 3] and record["loss"] == [2.0, 1.7, 1.6]
    assert record["epoch_seconds"] == [1.5, 1.4, 1.3] and "val_loss" not in record and "val_bpc" not in record
    assert nbh.read_history(tmp_path / "nothing") == {"epoch": []}


def test_no_checkpoint_starts_fresh(tmp_path):
    (tmp_path / "epochs.csv").write_text("epoch,loss\n0,9.0\n", encoding="utf-8")  # from an earlier, finished run
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "run.json").write_text("{}", encoding="utf-8")  # no training_metadata.json: no checkpoint
    nbh.training_callbacks(tmp_path, settings_for(), TEXT)
    assert not (tmp_path / "epochs.csv").exists()
    record = json.loads((tmp_path / "backup" / "run.json").read_text(encoding="utf-8"))
    assert record == {
        "settings": {k: v for k, v in settings_for().items() if k != "epochs"},
        "corpus": record["corpus"],
    }
    assert record["corpus"] == corpus_fingerprint(TEXT)


def test_corpus_fingerprint():
    fp = corpus_fingerprint(TEXT)
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert fp == corpus_fingerprint(str(TEXT)) and fp != corpus_fingerprint(TEXT + " ")


def test_terminate_on_nan_stops_the_run(tmp_path):
    settings = settings_for(epochs=3)
    vocab = nbh.Vocabulary.from_text(TEXT)
    x = np.full((32, settings["maxlen"], vocab.size), np.nan, dtype="float32")  # a NaN input batch: NaN loss
    y = nbh.one_hot(np.zeros(32, dtype=int), vocab.size).astype("float32")
    import tensorflow as tf

    nan_batches = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    _, _, history = train(tmp_path, settings, dataset=nan_batches)
    assert len(history.history["loss"]) == 1 and math.isnan(history.history["loss"][0])  # stopped in epoch 1
    record = nbh.read_history(tmp_path)
    assert record["epoch"] == [1] and math.isnan(record["loss"][0])
    assert not (tmp_path / "backup").exists()


# --- resuming ------------------------------------------------------------------------------------------------------


@pytest.fixture
def interrupted(tmp_path):
    """A run of 3 epochs stopped after epoch 2 was logged, but before its checkpoint: the checkpoint is of epoch 1."""
    with pytest.raises(Interrupted):
        train(tmp_path, settings_for(), before_backup=RaiseAfterLog(2))
    assert [e for e, _ in csv_epochs(tmp_path)] == [0, 1]
    metadata = json.loads((tmp_path / "backup" / "training_metadata.json").read_text())
    assert metadata["epoch"] == 1  # BackupAndRestore resumes at (0-based) epoch 1
    return tmp_path


def test_resumed_run_has_one_record_per_epoch(interrupted, capsys):
    logged_before = csv_epochs(interrupted)
    train(interrupted, settings_for())
    assert f"resuming the unfinished run checkpointed in {interrupted / 'backup'}" in capsys.readouterr().out
    rows = csv_epochs(interrupted)
    assert [e for e, _ in rows] == [0, 1, 1, 2]  # epoch 2 ran twice: its first row was logged, not checkpointed
    record = nbh.read_history(interrupted)
    assert record["epoch"] == [1, 2, 3]
    assert record["loss"] == [logged_before[0][1], rows[2][1], rows[3][1]]  # the last record of each epoch
    assert not (interrupted / "backup").exists()


class OptimizerState(keras.callbacks.Callback):
    """The optimizer's variables (step count, RMSprop's averages) when training begins and after each epoch."""

    def __init__(self):
        super().__init__()
        self.at_begin, self.after_epoch = None, {}

    def state(self):
        # by path less the optimizer's own name ("rm_sprop_6/"): the step count "iteration", "..._velocity", ...
        return {v.path.split("/", 1)[-1]: np.array(v.numpy()) for v in self.model.optimizer.variables}

    def on_train_begin(self, logs=None):  # placed after BackupAndRestore: sees what it restored
        self.at_begin = self.state()

    def on_epoch_end(self, epoch, logs=None):
        self.after_epoch[epoch] = self.state()


def test_resumed_run_restores_the_optimizer_and_equals_the_uninterrupted_run(tmp_path_factory):
    """In one process: stopped after epoch 2 was logged but before its checkpoint, then run again."""
    settings = settings_for()
    straight_dir, run_dir = tmp_path_factory.mktemp("straight"), tmp_path_factory.mktemp("interrupted")
    straight, _, _ = train(straight_dir, settings)
    first = OptimizerState()
    with pytest.raises(Interrupted):
        train(run_dir, settings, before_backup=RaiseAfterLog(2), after=[first])
    again = OptimizerState()
    resumed, _, _ = train(run_dir, settings, after=[again])

    checkpointed = first.after_epoch[0]  # the checkpoint is of epoch 1
    assert sorted(again.at_begin) == sorted(checkpointed)
    for path, value in checkpointed.items():  # BackupAndRestore restores the optimizer's state, not only the weights
        assert_array_equal(again.at_begin[path], value, err_msg=path)
    n_batches = math.ceil(nbh.split_counts(len(TEXT), settings["maxlen"], settings["step"], 0.1)[0] / 16)
    assert int(checkpointed["iteration"]) == n_batches
    assert any(p.endswith("velocity") and np.abs(v).max() > 0 for p, v in checkpointed.items())

    rows = csv_epochs(run_dir)
    assert [e for e, _ in rows] == [0, 1, 1, 2] and rows[1][1] == pytest.approx(rows[2][1], rel=1e-6)  # epoch 2 twice
    got, expected = nbh.read_history(run_dir), nbh.read_history(straight_dir)
    for key in ("loss", "val_loss"):
        assert_allclose(got[key], expected[key], rtol=1e-6, err_msg=key)
    for resumed_w, straight_w in zip(resumed.get_weights(), straight.get_weights(), strict=True):
        assert_allclose(resumed_w, straight_w, rtol=1e-6, atol=1e-7)


def test_longer_run_may_resume(interrupted, capsys):
    train(interrupted, settings_for(epochs=4, temperatures=[0.5], generate_chars=10, progress_bar=False))
    assert "resuming" in capsys.readouterr().out
    assert nbh.read_history(interrupted)["epoch"] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "change,named",
    [
        ({"units": 16}, "units: 8 then, 16 now"),
        ({"learning_rate": 0.001}, "learning_rate: 0.01 then, 0.001 now"),
        ({"seed": 1}, "seed: 0 then, 1 now"),
        ({"maxlen": 9}, "maxlen: 8 then, 9 now"),
    ],
)
def test_checkpoint_with_other_settings_is_refused(interrupted, change, named):
    before = {p.name: p.read_bytes() for p in (interrupted / "backup").iterdir()}
    with pytest.raises(ValueError, match="holds a checkpoint of an unfinished run with other settings") as e:
        nbh.training_callbacks(interrupted, settings_for(**change), TEXT)
    message = str(e.value)
    assert str(interrupted / "backup") in message and named in message
    assert f"rm -r {shlex.quote(str(interrupted / 'backup'))}" in message
    assert "Run with the same settings to resume it" in message
    assert {p.name: p.read_bytes() for p in (interrupted / "backup").iterdir()} == before  # left as it was
    assert [e for e, _ in csv_epochs(interrupted)] == [0, 1]


def test_checkpoint_from_another_corpus_is_refused(interrupted):
    with pytest.raises(ValueError, match=r"backup holds a checkpoint .* \(another corpus\)"):
        nbh.training_callbacks(interrupted, settings_for(), TEXT.upper())


def test_checkpoint_without_its_record_is_refused(interrupted):
    (interrupted / "backup" / "run.json").write_text("{cut sh", encoding="utf-8")
    with pytest.raises(ValueError, match="no record of its settings"):
        nbh.training_callbacks(interrupted, settings_for(), TEXT)


def run_script(run_dir, *args):
    return subprocess.run([sys.executable, str(SCRIPT), str(run_dir), *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    """A real kill (os._exit at batch 2 of epoch 2, like SIGKILL), then the same command again; what each step left."""
    run_dir = tmp_path_factory.mktemp("killed")
    seen = {"killed": run_script(run_dir, 3, 2)}
    seen["rows_after_kill"] = csv_epochs(run_dir)
    seen["backup_after_kill"] = (run_dir / "backup" / "training_metadata.json").is_file()
    seen["model_after_kill"] = (run_dir / "model.keras").exists()
    with pytest.raises(ValueError, match="units: 8 then, 32 now"):  # what a changed notebook would meet
        nbh.training_callbacks(run_dir, settings_for(units=32), TEXT)
    seen["resumed"] = run_script(run_dir, 3)
    return run_dir, seen


def test_killed_run_resumes_with_one_record_per_epoch(killed_and_resumed):
    run_dir, seen = killed_and_resumed
    assert seen["killed"].returncode == 9, seen["killed"].stderr[-3000:]
    assert [e for e, _ in seen["rows_after_kill"]] == [0]
    assert seen["backup_after_kill"] and not seen["model_after_kill"]
    resumed = seen["resumed"]
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming the unfinished run checkpointed in" in resumed.stdout
    assert [e for e, _ in csv_epochs(run_dir)] == [0, 1, 2]
    record = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert record["epoch"] == [1, 2, 3] and all(math.isfinite(v) for v in record["loss"] + record["val_loss"])
    run = nbh.load_run(run_dir)
    assert run["history"] == record and run["model"].get_layer("gru").units == 8
    assert json.loads((run_dir / "settings.json").read_text()) == settings_for()
    assert not (run_dir / "backup").exists()  # removed by Keras once training finished


def test_killed_and_resumed_run_equals_the_uninterrupted_run(killed_and_resumed, tmp_path):
    """Issue 12, resume reproducibility: shuffled windows, 3 epochs, killed in epoch 2, started again.

    Each epoch visits the windows in the permutation for (seed, epoch), with the epoch number
    from Keras (nbh.DatasetEpoch), and BackupAndRestore restores the weights and the optimizer's
    state: the resumed run's losses and final weights are the uninterrupted run's.
    """
    run_dir, seen = killed_and_resumed
    assert seen["resumed"].returncode == 0, seen["resumed"].stderr[-3000:]
    straight = run_script(tmp_path, 3)
    assert straight.returncode == 0, straight.stderr[-3000:]
    resumed_record, straight_record = nbh.read_history(run_dir), nbh.read_history(tmp_path)
    assert resumed_record["epoch"] == straight_record["epoch"] == [1, 2, 3]
    for key in ("loss", "val_loss"):
        assert_allclose(resumed_record[key], straight_record[key], rtol=1e-6, err_msg=key)
    resumed_weights = nbh.load_run(run_dir)["model"].get_weights()
    straight_weights = nbh.load_run(tmp_path)["model"].get_weights()
    for resumed_w, straight_w in zip(resumed_weights, straight_weights, strict=True):
        assert_allclose(resumed_w, straight_w, rtol=1e-6, atol=1e-7)


# --- save_run / load_run --------------------------------------------------------------------------------------------


def test_nats_to_bits():
    assert_allclose(nbh.nats_to_bits(math.log(2)), 1.0)
    assert_allclose(nbh.nats_to_bits([math.log(57)]), [math.log2(57)])
    assert_allclose(nbh.nats_to_bits(np.array([math.log(4), 0.0])), [2.0, 0.0])


@pytest.fixture(scope="module")
def tiny():
    nbh.quiet_tensorflow()
    keras.utils.set_random_seed(0)
    text = "abcabcabd" * 10
    vocab = nbh.Vocabulary.from_text(text)
    x, y = nbh.make_windows(vocab.encode(text), 6, 1)
    models = {}
    for cell in nbh.CELLS:
        models[cell] = nbh.build_model(cell, 4, 6, vocab.size)
        models[cell].fit(nbh.make_dataset(x, y, vocab.size, 16), epochs=1, verbose=0, shuffle=False)
    return models, vocab, x


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_save_and_load_run(tmp_path, tiny, cell):
    models, vocab, x = tiny
    record = {"epoch": [1], "loss": [np.float32(1.5)], "bpc": [np.float64(2.1)]}  # NumPy scalars are fine
    samples = [{"epoch": 1, "temperature": 0.5, "text": "abc"}]
    run_dir = nbh.save_run(tmp_path / cell, models[cell], vocab, record, samples=samples, settings={"units": 4})
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "history.json",
        "model.keras",
        "samples.json",
        "settings.json",
        "vocab.json",
    ]
    loaded = nbh.load_run(run_dir)
    assert loaded["vocab"] == vocab and loaded["history"] == {"epoch": [1], "loss": [1.5], "bpc": [2.1]}
    assert read_json(run_dir / "samples.json") == samples and read_json(run_dir / "settings.json") == {"units": 4}
    xb = nbh.one_hot(x[:4], vocab.size).astype("float32")
    assert_allclose(loaded["model"].predict(xb, verbose=0), models[cell].predict(xb, verbose=0), rtol=1e-6)
    assert loaded["model"].get_config()["layers"][1]["config"]["name"] == cell


def test_history_is_optional_when_loading(tmp_path, tiny):
    models, vocab, _ = tiny
    nbh.save_run(tmp_path, models["lstm"], vocab, {"loss": [1.0]})
    (tmp_path / "history.json").unlink()
    assert nbh.load_run(tmp_path)["history"] is None


def test_save_run_refuses_nan_before_writing_anything(tmp_path, tiny):
    models, vocab, _ = tiny
    nbh.save_run(tmp_path, models["lstm"], vocab, {"loss": [2.0]})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(ValueError, match="cannot save history as JSON"):
        nbh.save_run(tmp_path, models["gru"], vocab, {"loss": [float("nan")]})
    with pytest.raises(ValueError, match="cannot save samples as JSON"):
        nbh.save_run(tmp_path, models["gru"], vocab, {"loss": [2.0]}, samples=[object()])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # the earlier run is untouched


def test_load_run_missing_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"lstm/model.keras not found: run the training notebook \(02 for LSTM"):
        nbh.load_run(tmp_path / "lstm")


def test_load_run_names_damaged_files(tmp_path, tiny):
    models, vocab, _ = tiny
    nbh.save_run(tmp_path, models["lstm"], vocab, {"loss": [2.0]})
    (tmp_path / "history.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"history.json is not a valid JSON file written by save_run"):
        nbh.load_run(tmp_path)
    (tmp_path / "history.json").unlink()
    (tmp_path / "vocab.json").write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match="vocab.json is not a valid JSON file"):
        nbh.load_run(tmp_path)
    (tmp_path / "vocab.json").write_text('{"letters": "abc"}')
    with pytest.raises(ValueError, match="vocab.json is not a vocabulary written by save_run"):
        nbh.load_run(tmp_path)
    nbh.Vocabulary.from_text("xy").save(tmp_path / "vocab.json")
    with pytest.raises(ValueError, match="vocab_size=4 but vocab.json has 2 characters"):
        nbh.load_run(tmp_path)
    vocab.save(tmp_path / "vocab.json")
    (tmp_path / "model.keras").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="model.keras could not be loaded"):
        nbh.load_run(tmp_path)


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


def test_seeded_runs_are_identical():
    """Same seed: same windows order, same initial weights, same losses (on CPU)."""
    nbh.quiet_tensorflow()
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


def test_reloaded_model_generates_with_its_saved_vocabulary(tmp_path):
    nbh.quiet_tensorflow()
    keras.utils.set_random_seed(0)
    text = "Привет, мир! Как дела? " * 10  # any UTF-8 alphabet works end to end
    vocab = nbh.Vocabulary.from_text(text)
    x, y = nbh.make_windows(vocab.encode(text), 8, 2)
    model = nbh.build_model("lstm", 8, 8, vocab.size)
    model.fit(nbh.make_dataset(x, y, vocab.size, 16), epochs=1, verbose=0, shuffle=False)
    nbh.save_run(tmp_path, model, vocab, {"epoch": [1]})
    run = nbh.load_run(tmp_path)
    assert run["vocab"] == vocab
    before = nbh.generate(model, vocab, text[:8], 30, [0.0, 1.0], seed=3)
    after = nbh.generate(run["model"], run["vocab"], text[:8], 30, [0.0, 1.0], seed=3)
    assert before == after and set(after[1.0]) <= set(text)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        nbh.generate(run["model"], run["vocab"], "hello world, english", 5)
