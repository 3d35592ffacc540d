"""Train a tiny model with the lesson's callbacks (``nbh.training_callbacks``); optionally die mid-epoch.

Used by tests/test_runs.py::test_killed_run_resumes_with_one_record_per_epoch:

    python resume_script.py RUN_DIR EPOCHS [KILL_AT_EPOCH]

With KILL_AT_EPOCH (1-based) the process ends with ``os._exit(9)`` at that epoch's third batch: like
SIGKILL, nothing is cleaned up. Otherwise it trains to the end, saves the run and prints the
history (``nbh.read_history``) as JSON on its last line.
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
    x, y = nbh.make_windows(vocab.encode(TEXT), settings["maxlen"], settings["step"])
    (x_train, y_train), (x_val, y_val) = nbh.split_windows(x, y, 0.1)
    model = nbh.build_model("gru", settings["units"], settings["maxlen"], vocab.size, settings["learning_rate"])
    callbacks = nbh.training_callbacks(run_dir, settings, TEXT) + ([KillMidEpoch()] if kill_at else [])
    model.fit(
        nbh.make_dataset(x_train, y_train, vocab.size, settings["batch_size"], shuffle=True, seed=settings["seed"]),
        validation_data=nbh.make_dataset(x_val, y_val, vocab.size, settings["batch_size"]),
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
