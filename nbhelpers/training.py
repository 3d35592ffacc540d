"""Training helpers: losses in bits per character, a per-epoch report, saving and loading a run."""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path

from .data import Vocabulary
from .paths import atomic_write_json

LN2 = math.log(2.0)


def nats_to_bits(nats):
    """Convert a cross-entropy from nats (Keras' natural-log loss) to bits: divide by ln 2.

    Per character, the result is bits per character (bpc), the usual figure for char-level
    language models; log2(vocab_size) = log2(57) = 5.83 bpc is a uniform guess.
    """
    if isinstance(nats, (list, tuple)):
        return [n / LN2 for n in nats]
    return nats / LN2


def _keras_callback_base():
    import keras

    return keras.callbacks.Callback


class LossReport(_keras_callback_base()):
    """Keras callback: after each epoch print loss and val_loss in nats and bits/char, and time it.

    Stops training with a clear message if the loss becomes NaN or infinite.
    ``self.epoch_seconds`` lists the wall time of each epoch (training + validation + callbacks
    before this one).
    """

    def __init__(self, print_fn=print):
        super().__init__()
        self.print_fn = print_fn
        self.epoch_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epoch_seconds.append(time.perf_counter() - self._t0)
        parts = [f"epoch {epoch + 1}:"]
        for key in ("loss", "val_loss"):
            if key in logs:
                v = float(logs[key])
                parts.append(f"{key} {v:.4f} nats = {nats_to_bits(v):.4f} bits/char;")
        parts.append(f"{self.epoch_seconds[-1]:.1f} s")
        self.print_fn(" ".join(parts))
        if any(not math.isfinite(float(logs[k])) for k in ("loss", "val_loss") if k in logs):
            self.print_fn(
                "The loss is not finite (NaN or inf): training stopped. Try a smaller learning_rate."
            )
            self.model.stop_training = True


def history_record(history, epoch_seconds=None) -> dict:
    """A JSON-ready dict of a Keras ``History``: per-epoch lists, plus bits per character.

    Keys: ``epoch`` (1-based), ``loss``, ``val_loss`` (nats, if present), ``bpc``, ``val_bpc``
    and ``epoch_seconds`` (if given).
    """
    h = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    out = {"epoch": [e + 1 for e in history.epoch]}
    out.update(h)
    out["bpc"] = nats_to_bits(h.get("loss", []))
    if "val_loss" in h:
        out["val_bpc"] = nats_to_bits(h["val_loss"])
    if epoch_seconds is not None:
        out["epoch_seconds"] = [float(s) for s in epoch_seconds]
    return out


def save_run(run_dir, model, vocab: Vocabulary, history: dict, samples=None, settings=None) -> Path:
    """Save a trained model with everything needed to use it again; every file written atomically.

    Writes ``model.keras``, ``vocab.json``, ``history.json`` and, if given, ``samples.json`` and
    ``settings.json`` into ``run_dir`` (created if needed). Returns ``run_dir`` as a Path.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=run_dir, prefix=".model-", suffix=".keras")
    os.close(fd)
    try:
        model.save(tmp)
        os.replace(tmp, run_dir / "model.keras")
    finally:
        Path(tmp).unlink(missing_ok=True)
    vocab.save(run_dir / "vocab.json")
    atomic_write_json(run_dir / "history.json", history)
    if samples is not None:
        atomic_write_json(run_dir / "samples.json", samples)
    if settings is not None:
        atomic_write_json(run_dir / "settings.json", settings)
    return run_dir


def load_run(run_dir) -> dict:
    """Load what ``save_run`` wrote: keys ``model`` (Keras safe mode), ``vocab``, ``history``.

    Raises
    ------
    FileNotFoundError
        If ``run_dir`` lacks ``model.keras`` or ``vocab.json``; the message says how to make them.
    """
    import keras

    run_dir = Path(run_dir)
    for name in ("model.keras", "vocab.json"):
        if not (run_dir / name).is_file():
            raise FileNotFoundError(
                f"{run_dir / name} not found: run the training notebook (02 for LSTM, 03 for GRU) "
                f"with output_dir pointing at {run_dir.parent}, e.g. `make run`"
            )
    out = {
        "model": keras.models.load_model(run_dir / "model.keras", safe_mode=True),
        "vocab": Vocabulary.load(run_dir / "vocab.json"),
    }
    hist = run_dir / "history.json"
    out["history"] = json.loads(hist.read_text(encoding="utf-8")) if hist.is_file() else None
    return out
