"""A training run on disk: the Keras callbacks that log and checkpoint it, and saving and loading it.

A run folder (``outputs/lstm/``, say) holds ``model.keras``, ``vocab.json``, ``history.json``,
``samples.json`` and ``settings.json`` once training has finished, ``epochs.csv`` (one row per
finished epoch, written by ``keras.callbacks.CSVLogger``) and, while a run is unfinished,
``backup/`` (``keras.callbacks.BackupAndRestore``). What this module adds to Keras' callbacks:
bits per character, a check that a checkpoint is only resumed with the settings and corpus it was
made with, one history record per epoch after a resume, and ``DatasetEpoch``, which hands Keras'
epoch number to a shuffled ``window_dataset`` so a resumed run repeats the uninterrupted run's orders.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import shlex
import shutil
import tempfile
import time
from pathlib import Path

import keras

from .data import Vocabulary
from .paths import atomic_write_text, umask

LN2 = math.log(2.0)
# Settings that may change between a killed run and its resumption (epochs: train longer).
RESUMABLE_CHANGES = ("epochs", "temperatures", "generate_chars", "output_dir", "corpus_path", "progress_bar")


def nats_to_bits(nats):
    """A cross-entropy in nats (Keras' natural-log loss) in bits: divided by ln 2.

    Per character, the result is bits per character (bpc), the usual figure for char-level
    language models; log2(vocab_size) = log2(57) = 5.83 bpc is a uniform guess.
    """
    if isinstance(nats, (list, tuple)):
        return [n / LN2 for n in nats]
    return nats / LN2


class BitsPerChar(keras.callbacks.Callback):
    """Print one line per epoch (loss and val_loss in nats and bits per character, seconds) and log them.

    Adds ``bpc``, ``val_bpc`` and ``seconds`` to the epoch's logs, so a ``CSVLogger`` placed after
    it in the callback list writes them too.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        logs["seconds"] = time.perf_counter() - self._t0
        parts = [f"epoch {epoch + 1}:"]
        for key in ("loss", "val_loss"):
            if key in logs:
                bits_key = key.replace("loss", "bpc")
                logs[bits_key] = nats_to_bits(float(logs[key]))
                parts.append(f"{key} {float(logs[key]):.4f} nats = {logs[bits_key]:.4f} bits/char;")
        print(" ".join(parts), f"{logs['seconds']:.1f} s")


def corpus_fingerprint(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of the text (UTF-8): which corpus a run was trained on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class DatasetEpoch(keras.callbacks.Callback):
    """Tell shuffled ``window_dataset`` pipelines which epoch Keras is starting, so they take that epoch's order.

    At each ``on_epoch_begin(epoch)`` it sets every dataset's ``epoch`` variable to Keras' epoch
    number (0-based), before ``fit`` makes the epoch's iterator. A run resumed by
    ``BackupAndRestore`` at epoch e then visits the windows in the permutation for ``(seed, e)``,
    as the uninterrupted run did, instead of starting again from epoch 0's order.

    Parameters
    ----------
    *datasets : tf.data.Dataset
        Made by ``window_dataset(..., shuffle=True)`` (their ``epoch`` attribute is a tf.Variable).

    Raises
    ------
    ValueError
        A dataset without that variable (unshuffled, or not made by ``window_dataset``).
    """

    def __init__(self, *datasets):
        super().__init__()
        self.variables = [getattr(ds, "epoch", None) for ds in datasets]
        if not datasets or any(v is None for v in self.variables):
            raise ValueError("DatasetEpoch needs datasets made by nbh.window_dataset(..., shuffle=True)")

    def on_epoch_begin(self, epoch, logs=None):
        for variable in self.variables:
            variable.assign(epoch)


def training_callbacks(run_dir, settings: dict, text: str, train_ds=None) -> list:
    """Keras callbacks for a resumable training run in ``run_dir``, after checking any checkpoint there.

    If ``run_dir/backup/`` holds a checkpoint made with other settings or another corpus, refuse
    (a resumed run would splice two experiments into one history). If it holds none, earlier logs
    are removed: the run starts fresh. The settings and corpus fingerprint are recorded in
    ``backup/run.json`` for the next check.

    Parameters
    ----------
    run_dir : path
        The run folder (created if needed).
    settings : dict
        The checked notebook settings (``check_parameters``).
    text : str
        The corpus the run trains on.
    train_ds : tf.data.Dataset, optional
        The training data. When it is a shuffled ``window_dataset``, ``DatasetEpoch(train_ds)`` is
        added, so each epoch (a resumed one too) takes the order for its epoch number. Other
        datasets add nothing.

    Returns
    -------
    list of keras.callbacks.Callback
        ``[BitsPerChar(), CSVLogger(run_dir/"epochs.csv", append=True), TerminateOnNaN(),
        BackupAndRestore(run_dir/"backup")]``, then ``DatasetEpoch(train_ds)`` when it applies:
        the checkpoint is written after the epoch is logged.

    Raises
    ------
    ValueError
        A checkpoint from other settings or another corpus; the message names what differs, the
        ``backup/`` folder, and the two ways on (same settings, or delete the folder).
    """
    run_dir = Path(run_dir)
    backup = run_dir / "backup"
    record = run_record(settings, text)
    if (backup / "training_metadata.json").is_file():  # BackupAndRestore's checkpoint
        check_run_record(backup, record)
        print(f"resuming the unfinished run checkpointed in {backup}")
    else:
        shutil.rmtree(backup, ignore_errors=True)
        (run_dir / "epochs.csv").unlink(missing_ok=True)
    backup.mkdir(parents=True, exist_ok=True)
    atomic_write_text(backup / "run.json", json.dumps(record, indent=2, ensure_ascii=False))
    callbacks = [
        BitsPerChar(),
        keras.callbacks.CSVLogger(str(run_dir / "epochs.csv"), append=True),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.BackupAndRestore(str(backup)),
    ]
    if getattr(train_ds, "epoch", None) is not None:  # a shuffled window_dataset: its order follows Keras' epoch
        callbacks.append(DatasetEpoch(train_ds))
    return callbacks


def run_record(settings: dict, text: str) -> dict:
    """What a checkpoint records of its run: the settings that must not change, and the corpus fingerprint.

    Returns
    -------
    dict
        ``{"settings": settings less RESUMABLE_CHANGES, "corpus": corpus_fingerprint(text)}``; written
        as ``run.json`` beside a checkpoint (``training_callbacks``, ``every_char.train``).
    """
    return {
        "settings": {k: v for k, v in settings.items() if k not in RESUMABLE_CHANGES},
        "corpus": corpus_fingerprint(text),
    }


def check_run_record(folder, record: dict) -> None:
    """Refuse to resume the checkpoint in ``folder`` unless its ``run.json`` equals ``record`` (``run_record``).

    Raises
    ------
    ValueError
        A checkpoint from other settings, another corpus, or without a readable ``run.json``; the
        message names what differs, the folder, and the two ways on (same settings, or delete it).
    """
    folder = Path(folder)
    try:
        before = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = None
    if before != record:
        changed = _differences(before, record)
        raise ValueError(
            f"{folder} holds a checkpoint of an unfinished run with other settings ({changed}). Run with the "
            f"same settings to resume it, or delete that folder to start afresh: rm -r {shlex.quote(str(folder))}"
        )


def _differences(before, now) -> str:
    if not isinstance(before, dict):
        return "no record of its settings"
    if before.get("corpus") != now["corpus"]:
        return "another corpus"
    old, new = before.get("settings", {}), now["settings"]
    return ", ".join(
        f"{k}: {old.get(k)!r} then, {new.get(k)!r} now" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)
    )


def read_history(run_dir) -> dict:
    """The run's history from ``epochs.csv``: one entry per epoch (the last record of each, after a resume).

    Returns
    -------
    dict
        Lists, one value per finished epoch: ``epoch`` (1-based), ``loss`` and ``val_loss``
        (nats), ``bpc`` and ``val_bpc`` (bits per character), ``epoch_seconds`` (training) and
        ``val_seconds`` (validation, logged by ``every_char.train`` only); a key is left out when
        the log lacks it.
    """
    path = Path(run_dir) / "epochs.csv"
    by_epoch = {}
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                by_epoch[int(row["epoch"])] = row
    epochs = [by_epoch[e] for e in sorted(by_epoch)]
    out = {"epoch": [e + 1 for e in sorted(by_epoch)]}
    columns = (("loss", "loss"), ("val_loss", "val_loss"), ("epoch_seconds", "seconds"), ("val_seconds", "val_seconds"))
    for key, column in columns:
        values = [row.get(column) for row in epochs]
        if epochs and all(v not in (None, "", "NA") for v in values):
            out[key] = [float(v) for v in values]
    if "loss" in out:
        out["bpc"] = nats_to_bits(out["loss"])
    if "val_loss" in out:
        out["val_bpc"] = nats_to_bits(out["val_loss"])
    return out


def _json_text(name, obj) -> str:
    """``obj`` as indented JSON for ``save_run`` (NumPy scalars and arrays allowed; NaN and inf refused)."""

    def to_builtin(o):
        if hasattr(o, "tolist"):  # NumPy scalars and arrays
            return o.tolist()
        if isinstance(o, Path):
            return str(o)
        raise TypeError(f"{type(o).__name__} is not JSON serializable")

    try:
        return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False, default=to_builtin) + "\n"
    except (TypeError, ValueError) as e:
        raise ValueError(f"cannot save {name} as JSON: {e}") from None


def save_run(run_dir, model, vocab: Vocabulary, history: dict, samples=None, settings=None) -> Path:
    """Save a trained model with everything needed to use it again; every file written atomically.

    Writes ``model.keras``, ``vocab.json``, ``history.json`` and, if given, ``samples.json`` and
    ``settings.json`` into ``run_dir`` (created if needed). Everything is serialised before the
    first file is written, so a bad argument leaves an earlier run untouched.

    Raises
    ------
    ValueError
        A dict that cannot be written as JSON (NaN and infinity are refused: not valid JSON).
    """
    texts = {"vocab.json": _json_text("vocab", {"chars": list(vocab.chars)})}
    for name, obj in (("history", history), ("samples", samples), ("settings", settings)):
        if obj is not None:
            texts[f"{name}.json"] = _json_text(name, obj)
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=run_dir, prefix=".model-", suffix=".keras")
    os.close(fd)
    try:
        model.save(tmp)
        os.chmod(tmp, 0o666 & ~umask())  # as a file written in place (mkstemp made it 0600)
        os.replace(tmp, run_dir / "model.keras")
    finally:
        Path(tmp).unlink(missing_ok=True)
    for name, text in texts.items():
        atomic_write_text(run_dir / name, text)
    return run_dir


def read_json(path: Path):
    """A JSON file written by ``save_run``; ValueError naming the file if it is damaged."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{path} is not a valid JSON file written by save_run ({e}); re-run the training") from None


def load_run(run_dir) -> dict:
    """Load what ``save_run`` wrote: keys ``model`` (Keras safe mode), ``vocab``, ``history``.

    Raises
    ------
    FileNotFoundError
        If ``run_dir`` lacks ``model.keras`` or ``vocab.json``; the message says how to make them.
    ValueError
        A damaged file (named in the message), or a vocabulary that does not fit the model.
    """
    run_dir = Path(run_dir)
    for name in ("model.keras", "vocab.json"):
        if not (run_dir / name).is_file():
            raise FileNotFoundError(
                f"{run_dir / name} not found: run the training notebook (02 for LSTM, 03 for GRU) "
                f"with output_dir={run_dir.parent}, e.g. `make run OUTPUT_DIR={shlex.quote(str(run_dir.parent))}`"
            )
    data = read_json(run_dir / "vocab.json")
    try:
        vocab = Vocabulary(tuple(data["chars"]))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{run_dir / 'vocab.json'} is not a vocabulary written by save_run ({e!r})") from None
    try:
        model = keras.models.load_model(run_dir / "model.keras", safe_mode=True)
    except Exception as e:  # Keras reports a damaged archive in many ways, some misleading
        raise ValueError(
            f"{run_dir / 'model.keras'} could not be loaded ({type(e).__name__}: {e}); re-run the training"
        ) from e
    if model.input_shape[-1] != vocab.size:
        raise ValueError(
            f"{run_dir}: the model reads vocab_size={model.input_shape[-1]} but vocab.json has {vocab.size} characters"
        )
    hist = run_dir / "history.json"
    return {"model": model, "vocab": vocab, "history": read_json(hist) if hist.is_file() else None}
