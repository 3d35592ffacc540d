"""Train a tiny every-character model with ``every_char.train`` in its own process; optionally die mid-epoch.

Used by tests/test_every_char.py (a kill and a resume) and tests/test_multiworker.py (one process per
worker, with TF_CONFIG set by the test):

    python every_char_script.py RUN_DIR CELL [KILL_AT_EPOCH]

With KILL_AT_EPOCH (1-based) the process ends with ``os._exit(9)`` after that epoch's third step: like
SIGKILL, nothing is cleaned up. Otherwise it trains to the end and prints, on its last line, JSON with
``history``, ``chief`` (bool), ``replicas`` and ``weights`` (the model's weights as nested lists).
"""

import json
import os
import sys
from pathlib import Path

import nbhelpers as nbh

TEXT = "the cat sat on the mat. the dog sat on the log. a bird sang in the tree; the fox ran off!\n" * 30


def settings_for(**changes):
    """The tiny run's checked settings (tests change one of them to see a checkpoint refused)."""
    base = {
        "maxlen": 20,
        "step": 3,
        "units": 16,
        "batch_size": 8,
        "epochs": 2,
        "learning_rate": 0.01,
        "seed": 0,
        "seq_len": 20,
        "validation_fraction": 0.1,
        "generate_chars": 20,
        "temperatures": [0.5, 1.0],
    }
    return nbh.check_parameters(**{**base, **changes})


def main(run_dir: Path, cell: str, kill_at=None) -> None:
    nbh.quiet_tensorflow()
    from nbhelpers.every_char import is_chief, strategy_from_env, train

    strategy = strategy_from_env()  # before any other TensorFlow work

    def on_step(epoch, step, loss):
        if kill_at is not None and epoch + 1 == kill_at and step == 2:
            os._exit(9)  # like SIGKILL: no cleanup

    result = train(run_dir, settings_for(), TEXT, cell=cell, strategy=strategy, on_step=on_step)
    report = {
        "history": result["history"],
        "chief": is_chief(strategy),
        "replicas": strategy.num_replicas_in_sync,
        "weights": [w.tolist() for w in result["model"].get_weights()],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else None)
