"""Two local workers under ``MultiWorkerMirroredStrategy`` (TF_CONFIG) train exactly as one process does.

Keras 3's ``model.fit`` fails under that strategy (keras-team/keras#20585); ``every_char.train``'s custom step
(``strategy.run`` + ``tf.nn.compute_average_loss``) is what runs here, on CPU, with ports from ``bind(0)``.
"""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from numpy.testing import assert_allclose

import nbhelpers as nbh

SCRIPT = Path(__file__).with_name("every_char_script.py")
SCRIPT_NAMES = runpy.run_path(str(SCRIPT))
TEXT, settings_for = SCRIPT_NAMES["TEXT"], SCRIPT_NAMES["settings_for"]
ROOT = Path(__file__).resolve().parent.parent
WORKER_TIMEOUT_S = 120  # per worker process
SAVED = ["epochs.csv", "history.json", "model.keras", "samples.json", "settings.json", "vocab.json"]


def free_ports(n):
    """``n`` distinct free local ports (bound to port 0, read, released)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def one_process_run(tmp_path):
    """The same settings in one process, through the command line: the reference."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TEXT, encoding="utf-8")
    s = settings_for()
    options = [("corpus_path", str(corpus))] + [
        (name, json.dumps(s[name]))
        for name in ("maxlen", "step", "units", "batch_size", "epochs", "learning_rate", "seed", "generate_chars")
    ]
    options += [("validation_fraction", str(s["validation_fraction"])), ("temperatures", json.dumps(s["temperatures"]))]
    cmd = [sys.executable, "-m", "nbhelpers", "train", "--cell", "lstm", "--output-dir", str(tmp_path / "one")]
    cmd += ["--seq-len", str(s["seq_len"])] + [x for pair in options for x in ("-p", *pair)]
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    run_dir = tmp_path / "one" / "lstm_every_char"
    assert f"saved the run in {run_dir}" in res.stdout
    return run_dir


def test_two_workers_train_as_one_process(tmp_path):
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    run_dir = tmp_path / "cluster" / "lstm_every_char"
    workers = []
    for index in range(2):
        scratch = tmp_path / f"tmp{index}"  # the worker's TMPDIR: where a non-chief keeps its checkpoints
        scratch.mkdir()
        env = {
            **os.environ,
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
            "TMPDIR": str(scratch),
            "CUDA_VISIBLE_DEVICES": "",  # CPU only
        }
        cmd = [sys.executable, str(SCRIPT), str(run_dir), "lstm"]
        workers.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    started = time.monotonic()
    outputs = []
    try:
        for worker in workers:
            left = max(1.0, WORKER_TIMEOUT_S - (time.monotonic() - started))
            outputs.append(worker.communicate(timeout=left))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
    chief, other = (json.loads(out.strip().splitlines()[-1]) for out, _ in outputs)
    assert (chief["chief"], other["chief"]) == (True, False)
    assert chief["replicas"] == other["replicas"] == 2

    # both workers end with the same weights and losses
    for a, b in zip(chief["weights"], other["weights"], strict=True):
        assert np.array_equal(np.array(a, dtype="float32"), np.array(b, dtype="float32"))
    for key in ("epoch", "loss", "val_loss"):
        assert chief["history"][key] == other["history"][key], key

    # only the chief wrote the run folder; the other worker's checkpoints went to its temporary folder, now removed
    assert sorted(p.name for p in run_dir.iterdir()) == SAVED
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["lstm_every_char"]
    assert not any((tmp_path / "tmp1").iterdir()) and not any((tmp_path / "tmp0").iterdir())
    assert nbh.read_history(run_dir)["loss"] == chief["history"]["loss"]

    # one process on the same global batches: the same losses and weights, within float tolerance
    one = one_process_run(tmp_path)
    alone = nbh.read_history(one)
    assert alone["epoch"] == chief["history"]["epoch"] == [1, 2]
    assert_allclose(chief["history"]["loss"], alone["loss"], rtol=1e-5)
    assert_allclose(chief["history"]["val_loss"], alone["val_loss"], rtol=1e-5)
    weights = nbh.load_run(one)["model"].get_weights()
    for a, b in zip(chief["weights"], weights, strict=True):
        assert_allclose(np.array(a, dtype="float32"), b, rtol=1e-5, atol=1e-6)
