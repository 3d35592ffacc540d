"""Training helpers: losses in bits per character, a per-epoch report, saving and loading a run."""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path

import keras

from .data import Vocabulary
from .paths import EpochLog, _umask, atomic_write_text

LN2 = math.log(2.0)


def nats_to_bits(nats):
    """Convert a cross-entropy from nats (Keras' natural-log loss) to bits: divide by ln 2.

    Per character, the result is bits per character (bpc), the usual figure for char-level
    language models; log2(vocab_size) = log2(57) = 5.83 bpc is a uniform guess.
    """
    if isinstance(nats, (list, tuple)):
        return [n / LN2 for n in nats]
    return nats / LN2


class LossReport(keras.callbacks.Callback):
    """Keras callback: after each epoch print loss and val_loss in nats and bits/char, and time it.

    Stops training with a clear message if the loss becomes NaN or infinite. Every finished
    epoch is recorded (``self.epochs``; also appended to ``log_path`` if given), so together with
    ``keras.callbacks.BackupAndRestore`` a killed run resumes with a complete history. Put this
    callback *before* ``BackupAndRestore`` in the list, so an epoch is logged before it is
    checkpointed.

    Parameters
    ----------
    log_path : path, optional
        JSON-lines file of per-epoch records (epoch, loss, val_loss in nats, seconds).
    print_fn : callable
        Where the report goes (default ``print``).
    """

    def __init__(self, log_path=None, print_fn=print):
        super().__init__()
        self.print_fn = print_fn
        self.log = EpochLog(log_path)
        self._started = False

    @property
    def epochs(self) -> list:
        """One dict per finished epoch: ``epoch`` (1-based), ``loss``, ``val_loss``, ``seconds``."""
        return self.log.entries

    def on_train_begin(self, logs=None):
        self._started = False

    def on_epoch_begin(self, epoch, logs=None):
        if not self._started:
            self._started = True
            kept = self.log.start(epoch + 1)
            if epoch > 0:
                self.print_fn(f"resuming at epoch {epoch + 1} ({len(kept)} earlier epoch(s) in the log)")
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        entry = {"epoch": epoch + 1, **{k: float(v) for k, v in logs.items()}}
        entry["seconds"] = time.perf_counter() - self._t0
        parts = [f"epoch {epoch + 1}:"]
        for key in ("loss", "val_loss"):
            if key in logs:
                parts.append(f"{key} {entry[key]:.4f} nats = {nats_to_bits(entry[key]):.4f} bits/char;")
        parts.append(f"{entry['seconds']:.1f} s")
        self.print_fn(" ".join(parts))
        if any(not math.isfinite(entry[k]) for k in ("loss", "val_loss") if k in entry):
            self.print_fn("The loss is not finite (NaN or inf): training stopped. Try a smaller learning_rate.")
            self.model.stop_training = True
            return  # a NaN epoch is not recorded
        self.log.append(entry)

    def record(self) -> dict:
        """``history_record(self.epochs)``: the complete history, including epochs before a resume."""
        return history_record(self.epochs)


def history_record(epochs) -> dict:
    """A JSON-ready history: per-epoch lists, with losses also in bits per character.

    Parameters
    ----------
    epochs : list of dict
        ``LossReport.epochs``: each with ``epoch`` and ``loss`` (nats), optionally ``val_loss``
        and ``seconds``.

    Returns
    -------
    dict
        ``epoch`` (1-based), ``loss`` and ``val_loss`` (nats), ``bpc`` and ``val_bpc`` (bits per
        character), ``epoch_seconds``; a key is left out when no epoch has it.
    """
    out = {"epoch": [int(e["epoch"]) for e in epochs], "loss": [float(e["loss"]) for e in epochs]}
    out["bpc"] = nats_to_bits(out["loss"])
    if epochs and all("val_loss" in e for e in epochs):
        out["val_loss"] = [float(e["val_loss"]) for e in epochs]
        out["val_bpc"] = nats_to_bits(out["val_loss"])
    if epochs and all("seconds" in e for e in epochs):
        out["epoch_seconds"] = [float(e["seconds"]) for e in epochs]
    return out


def _json_text(name, obj) -> str:
    """Serialise ``obj`` for ``save_run`` (NumPy scalars and arrays allowed; NaN/inf refused)."""

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
    ``settings.json`` into ``run_dir`` (created if needed). Everything is checked and serialised
    before the first file is written, so a bad argument leaves an earlier run untouched.

    Raises
    ------
    ValueError
        ``vocab`` is not a Vocabulary matching the model's input width, or a dict cannot be
        written as JSON (NaN and infinity are refused: they are not valid JSON).
    """
    if not isinstance(vocab, Vocabulary):
        raise ValueError(f"vocab must be a nbhelpers.Vocabulary, got {type(vocab).__name__}")
    if model.input_shape[-1] != vocab.size:
        raise ValueError(f"the model reads vocab_size={model.input_shape[-1]} but the vocabulary has {vocab.size}")
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
        os.chmod(tmp, 0o666 & ~_umask())  # as a file written in place (mkstemp made it 0600)
        os.replace(tmp, run_dir / "model.keras")
    finally:
        Path(tmp).unlink(missing_ok=True)
    for name, text in texts.items():
        atomic_write_text(run_dir / name, text)
    return run_dir


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
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
                f"with output_dir={run_dir.parent}, e.g. `make run OUTPUT_DIR={run_dir.parent}`"
            )
    data = _read_json(run_dir / "vocab.json")
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
    return {"model": model, "vocab": vocab, "history": _read_json(hist) if hist.is_file() else None}
