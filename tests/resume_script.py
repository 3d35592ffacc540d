"""Train a tiny model as notebooks 02 and 03 do (``nbh.window_dataset``, ``nbh.training_callbacks``); optionally die.

Used by tests/test_runs.py (the killed-and-resumed run, and its equality with an uninterrupted one):

    python resume_script.py RUN_DIR EPOCHS [KILL_AT_EPOCH]

With KILL_AT_EPOCH (1-based) the process ends with ``os._exit(9)`` at that epoch's third batch: like
SIGKILL, nothing is cleaned up. Otherwise it trains to the end, saves the run and prints the
history (``nbh.read_history``) as JSON on its last line. The training windows are shuffled, with
a new order every epoch.
"""

import json
import os
import sys
from pathlib import Path

import nbhelpers as nbh

TEXT = "the cat sat on the mat. the dog sat on the log. " * 8


def settings_for(**changes):
    """The run's checked settings (tests change one of them to see the checkpoint refused)."""
    base = {"maxlen": 8, "step": 1, "units": 8, "batch_size": 16, "learning_rate": 0.01, "seed": 0, "epochs": 3}
    return nbh.check_parameters(**{**base, **changes})


def main(run_dir: Path, epochs: int, kill_at=None) -> None:
    nbh.quiet_tensorflow()
    import keras

    class KillMidEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch + 1

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == kill_at and batch == 2:
                os._exit(9)  # like SIGKILL: no cleanup, no on_train_end

    settings = settings_for(epochs=epochs)
    keras.utils.set_random_seed(settings["seed"])
    vocab = nbh.Vocabulary.from_text(TEXT)
    maxlen, step, batch_size = settings["maxlen"], settings["step"], settings["batch_size"]
    encoded = nbh.encode_corpus(TEXT, vocab)  # (n_chars,) uint8
    n_train, n_val = nbh.split_counts(len(encoded), maxlen, step, 0.1)
    train_ds = nbh.window_dataset(
        encoded, maxlen, step, vocab.size, batch_size, count=n_train, shuffle=True, seed=settings["seed"]
    )
    val_ds = nbh.window_dataset(encoded, maxlen, step, vocab.size, batch_size, first=n_train, count=n_val)
    model = nbh.build_model("gru", settings["units"], maxlen, vocab.size, settings["learning_rate"])
    callbacks = nbh.training_callbacks(run_dir, settings, TEXT, train_ds) + ([KillMidEpoch()] if kill_at else [])
    model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=settings["epochs"],
        callbacks=callbacks,
        shuffle=False,
        verbose=0,
    )
    record = nbh.read_history(run_dir)
    nbh.save_run(run_dir, model, vocab, record, settings=settings)
    print(json.dumps(record))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
