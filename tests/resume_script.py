"""Train a tiny model with the lesson's callbacks; optionally kill the process mid-epoch.

Used by test_training.py::test_killed_run_resumes_with_complete_history:
    python resume_script.py RUN_DIR EPOCHS [KILL_AT_EPOCH]
"""

import os
import sys
from pathlib import Path

import keras

import nbhelpers as nbh

run_dir, epochs = Path(sys.argv[1]), int(sys.argv[2])
kill_at = int(sys.argv[3]) if len(sys.argv) > 3 else None


class KillMidEpoch(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == kill_at and batch == 2:
            os._exit(9)  # like SIGKILL: no cleanup, no on_train_end


keras.utils.set_random_seed(0)
text = "the cat sat on the mat. the dog sat on the log. " * 8
vocab = nbh.Vocabulary.from_text(text)
x, y = nbh.make_windows(vocab.encode(text), 8, 1)
model = nbh.build_model("gru", 8, 8, vocab.size)
report = nbh.LossReport(log_path=run_dir / "epochs.jsonl")
samples = nbh.GenerateText(text, vocab, [0.5, 1.0], 10, seed=0, log_path=run_dir / "samples.jsonl")
backup = keras.callbacks.BackupAndRestore(str(run_dir / "backup"))
callbacks = [report, samples, backup] + ([KillMidEpoch()] if kill_at else [])
model.fit(nbh.make_dataset(x, y, vocab.size, 16), epochs=epochs, callbacks=callbacks, shuffle=False, verbose=0)
nbh.save_run(run_dir, model, vocab, report.record(), samples=samples.samples)
