"""Training with every character a target: the lesson's model read as a sequence model, and its training loop.

The classic setup (notebooks 02 and 03) cuts the text into 40-character windows every 3 characters and
learns from one target per window: the character after it. The same layers with
``return_sequences=True`` apply the softmax at every step, so a chunk of ``seq_len`` characters
gives ``seq_len`` targets (each character's successor) for one pass of the recurrent cell. This is
how the TensorFlow text-generation tutorial, d2l ("Recurrent Neural Networks") and handson-ml3
(chapter 16) train char-level models. Notebook 06 writes the method in its cells; this module is
the version the command line (``python -m nbhelpers train``), the benchmark and the multi-worker run
use.

The loop is a custom training step (``tf.GradientTape``, ``strategy.run`` and
``tf.nn.compute_average_loss``), not ``model.fit``: Keras 3's ``fit`` fails under
``tf.distribute.MultiWorkerMirroredStrategy`` ("PerReplica cannot be converted to a Tensor",
keras-team/keras#20585), and the custom step is what TensorFlow's guide "Custom training loop with
Keras and MultiWorkerMirroredStrategy" does. ``train`` keeps the lesson's promises for this loop:
resume after a kill (``tf.train.CheckpointManager``), a checkpoint from other settings is never
adopted, the NaN stop, and one logged row per epoch.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from .data import Vocabulary
from .paths import atomic_write_text
from .runs import check_run_record, nats_to_bits, read_history, run_record, save_run
from .settings import DEFAULTS, TRAIN_SETTINGS

# epochs.csv columns, in this order (notebook 02's CSVLogger columns plus val_seconds); `nbh.read_history` reads them.
LOG_COLUMNS = ("epoch", "loss", "val_loss", "bpc", "val_bpc", "seconds", "val_seconds")
VALIDATION_BATCH = 256  # classic windows per validation batch: the mean does not depend on it
SAMPLE_SEED_CHARS = 40  # characters of corpus text that seed the samples saved with a run


def build_sequence_model(
    cell: str = "lstm",
    units: int = 128,
    vocab_size: int = 57,
    learning_rate: float = 0.01,
    *,
    reset_after: bool = True,
    strategy=None,
):
    """Build and compile the lesson's model with a softmax at every step.

    ``Input(None, vocab_size) -> LSTM(units) or GRU(units), return_sequences=True ->
    Dense(vocab_size, softmax)``, with RMSprop(learning_rate) and sparse categorical cross-entropy
    (nats). The layers (``chars``, ``lstm``/``gru``, ``dense``) and their weights have the same names
    and shapes as ``build_model``'s, so the parameter count is the same (102,585 for LSTM(128) and
    57 characters) and weights copy across with ``set_weights``: the recurrent layer's weights do not
    depend on the sequence length, and ``Dense`` applies to the last axis at every step.

    Parameters
    ----------
    cell : {"lstm", "gru"}
    units : int >= 1
        Hidden size h.
    vocab_size : int >= 1
        One-hot width of the input and number of output classes.
    learning_rate : float > 0
        RMSprop learning rate.
    reset_after : bool
        GRU only, as in ``build_model``.
    strategy : tf.distribute.Strategy, optional
        Build and compile under ``strategy.scope()`` (the optimizer too); default
        ``models.default_strategy()``.

    Returns
    -------
    keras.Model
        Compiled; input (batch, time, vocab_size) float32 with any number of steps, output
        probabilities (batch, time, vocab_size) float32: row t is the distribution of the character
        after character t. ``model.optimizer`` is the RMSprop that ``make_train_step`` uses.

    Notes
    -----
    The arguments are trusted: they come from ``check_parameters`` (``train``, the CLI, notebooks).
    """
    import keras

    from .models import default_strategy

    strategy = strategy or default_strategy()
    with strategy.scope():
        if cell == "lstm":
            rnn = keras.layers.LSTM(units, return_sequences=True, name="lstm")
        else:
            rnn = keras.layers.GRU(units, return_sequences=True, reset_after=reset_after, name="gru")
        model = keras.Sequential(
            [
                keras.Input(shape=(None, vocab_size), name="chars"),
                rnn,
                keras.layers.Dense(vocab_size, activation="softmax", name="dense"),
            ],
            name=f"char_{cell}_every_char",
        )
        model.compile(
            loss="sparse_categorical_crossentropy",
            optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        )
    return model


def make_train_step(model, optimizer=None, strategy=None):
    """One compiled training step on a (global) batch of chunks, under ``strategy``.

    On each replica: the model on its share of the batch, the cross-entropy at every position
    (nats), ``tf.nn.compute_average_loss`` over the positions of the *global* batch, gradients with
    ``tf.GradientTape``, and ``optimizer.apply_gradients`` (which sums the replicas' gradients:
    the sum of per-replica means scaled by the global size is the global mean). With one replica
    this is exactly the plain step ``loss = mean(sparse_categorical_crossentropy(y, model(x)))``.

    Parameters
    ----------
    model : keras.Model
        A sequence model (``build_sequence_model``), built under ``strategy.scope()``.
    optimizer : keras.optimizers.Optimizer, optional
        Default ``model.optimizer``. It must have been created under ``strategy.scope()``.
    strategy : tf.distribute.Strategy, optional
        Default: the current one (``tf.distribute.get_strategy()``).

    Returns
    -------
    callable
        ``step(x, y)`` (a ``tf.function``): x (b, seq_len, vocab_size) float32 and y (b, seq_len)
        int32, or the per-replica values of a distributed dataset (``strategy.
        distribute_datasets_from_function``); returns the mean loss over every position of the global
        batch (float32 scalar tensor, nats), the same on every worker. Every replica's share must have
        the same size (batches built with ``drop_remainder=True``), so the global count of positions
        is the local count times the number of replicas.
    """
    import keras
    import tensorflow as tf

    strategy = strategy or tf.distribute.get_strategy()
    optimizer = optimizer or model.optimizer
    replicas = strategy.num_replicas_in_sync

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            probs = model(x, training=True)  # (b, seq_len, vocab_size)
            per_position = keras.losses.sparse_categorical_crossentropy(y, probs)  # (b, seq_len) nats
            positions = tf.size(per_position) * replicas  # positions in the global batch
            loss = tf.nn.compute_average_loss(per_position, global_batch_size=positions)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    @tf.function
    def step(x, y):
        per_replica = strategy.run(replica_step, args=(x, y))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    return step


def last_step_loss(model, val_ds) -> float:
    """The classic validation metric: mean cross-entropy (nats) of the LAST position on classic windows.

    A sequence model reading a window of ``maxlen`` characters predicts at every position; its last
    position sees the whole window, exactly what the classic model predicts from. Its mean over
    notebook 02's held-out windows is therefore comparable with notebook 02's ``val_loss``.

    Parameters
    ----------
    model : keras.Model
        A sequence model (output (b, maxlen, vocab_size)) or a classic one (output (b, vocab_size)).
    val_ds : iterable of (x, y)
        x (b, maxlen, vocab_size) float32 one-hot windows; y (b, vocab_size) one-hot or (b,) int
        next characters (``pipeline.window_dataset``, ``data.make_dataset``).

    Returns
    -------
    float
        Mean nats per window, with Keras' clipping of probabilities to [1e-7, 1 - 1e-7] (as
        ``categorical_crossentropy`` in ``fit``/``evaluate``).

    Raises
    ------
    ValueError
        The dataset is empty.
    """
    fn = model.__dict__.get("_nbhelpers_last_step_sum")
    if fn is None:
        import keras
        import tensorflow as tf

        def batch_sum(x, y):
            probs = model(x, training=False)
            if len(probs.shape) == 3:
                probs = probs[:, -1, :]  # (b, vocab_size): the prediction after the whole window
            if len(y.shape) == 1:
                nll = keras.losses.sparse_categorical_crossentropy(y, probs)
            else:
                nll = keras.losses.categorical_crossentropy(y, probs)  # (b,) nats
            return tf.reduce_sum(tf.cast(nll, tf.float64)), tf.shape(nll)[0]

        fn = model.__dict__["_nbhelpers_last_step_sum"] = tf.function(batch_sum, reduce_retracing=True)
    total, count = 0.0, 0
    for x, y in val_ds:
        batch_total, n = fn(x, y)
        total += float(batch_total)
        count += int(n)
    if count == 0:
        raise ValueError("the validation dataset is empty: no classic windows to measure the last-step loss on")
    return total / count


def tf_config() -> dict:
    """The ``TF_CONFIG`` environment variable as a dict (``{}`` when unset or empty).

    Raises
    ------
    ValueError
        Not a JSON object, or a cluster of several tasks without a ``task`` entry naming one of them.
    """
    raw = os.environ.get("TF_CONFIG", "").strip()
    if not raw:
        return {}
    try:
        config = json.loads(raw)
    except ValueError as e:
        raise ValueError(f"TF_CONFIG is not valid JSON ({e}): {raw!r}") from None
    if not isinstance(config, dict):
        raise ValueError(f'TF_CONFIG must be a JSON object like {{"cluster": ..., "task": ...}}, got {raw!r}')
    cluster, task = config.get("cluster") or {}, config.get("task") or {}
    if _task_count(config) > 1:
        ok = isinstance(task, dict) and isinstance(task.get("index"), int) and not isinstance(task["index"], bool)
        if not ok or task.get("index", -1) < 0 or task["index"] >= len(cluster.get(task.get("type"), [])):
            raise ValueError(
                f'TF_CONFIG names a cluster of {_task_count(config)} tasks but its "task" ({task!r}) is not one of '
                f'them; give e.g. "task": {{"type": "worker", "index": 0}}'
            )
    return config


def _task_count(config: dict) -> int:
    cluster = config.get("cluster") or {}
    if not isinstance(cluster, dict):
        raise ValueError(f'TF_CONFIG\'s "cluster" must map task types to address lists, got {cluster!r}')
    return sum(len(cluster.get(kind) or []) for kind in ("chief", "worker"))


def strategy_from_env():
    """``MultiWorkerMirroredStrategy`` when ``TF_CONFIG`` names a cluster of more than one task, else the default.

    Create it before any other TensorFlow work in the process: TensorFlow starts the worker's
    server and configures collective ops when the strategy is made ("Collective ops must be
    configured at program startup" otherwise). The default is ``models.default_strategy()``
    (MirroredStrategy over several local GPUs, else TensorFlow's default strategy).

    Raises
    ------
    ValueError
        A malformed ``TF_CONFIG`` (see ``tf_config``).
    """
    import tensorflow as tf

    from .models import default_strategy

    if _task_count(tf_config()) > 1:
        return tf.distribute.MultiWorkerMirroredStrategy()
    return default_strategy()


def is_chief(strategy=None) -> bool:
    """Whether this process is the chief: the one that writes files (logs, checkpoints, the saved run).

    The task of type ``chief`` if the cluster has one, else worker 0 (TensorFlow's rule); True
    without a cluster. Read from ``strategy.cluster_resolver`` when given, else from ``TF_CONFIG``.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is not None and getattr(resolver, "task_type", None):
        task_type, task_id = resolver.task_type, resolver.task_id
        has_chief = "chief" in resolver.cluster_spec().as_dict()
    else:
        config = tf_config()
        if _task_count(config) <= 1:
            return True
        task_type, task_id = config["task"]["type"], config["task"]["index"]
        has_chief = bool(config["cluster"].get("chief"))
    return task_type == "chief" or (task_type == "worker" and task_id == 0 and not has_chief)


def _task_name(strategy) -> str:
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is not None and getattr(resolver, "task_type", None):
        return f"{resolver.task_type}{resolver.task_id}"
    return "worker"


def _write_log_row(path: Path, row: dict) -> None:
    """Append one row to epochs.csv (header first if the file is new), flushed to disk before returning."""
    new = not path.is_file() or path.stat().st_size == 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if new:
        writer.writerow(LOG_COLUMNS)
    writer.writerow(["NA" if row.get(c) is None else row[c] for c in LOG_COLUMNS])
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(buffer.getvalue())
        f.flush()
        os.fsync(f.fileno())


def _epoch_dataset(strategy, encoded, seq_len, vocab_size, batch_size, stop, epoch, seed):
    """Epoch ``epoch``'s chunks, each global batch split by position: worker k takes rows [k*b, (k+1)*b).

    Every worker builds the same global batches (the order is a permutation seeded by (seed,
    epoch)) and keeps its own slice, so the union of a step's slices is the one-process batch,
    whatever tf.data's auto-sharding would do.
    """
    from .pipeline import chunk_dataset

    def dataset_fn(context):
        ds = chunk_dataset(encoded, seq_len, vocab_size, batch_size, stop=stop, epoch=epoch, shuffle=True, seed=seed)
        if context.num_replicas_in_sync == 1:
            return ds
        share = batch_size // context.num_input_pipelines
        k = context.input_pipeline_id
        ds = ds.map(lambda x, y: (x[k * share : (k + 1) * share], y[k * share : (k + 1) * share]))
        per_replica = context.get_per_replica_batch_size(batch_size)
        return ds if per_replica == share else ds.rebatch(per_replica)  # several replicas on this worker

    return strategy.distribute_datasets_from_function(dataset_fn)


def train(
    run_dir,
    settings: dict,
    text: str,
    *,
    cell: str = "lstm",
    seq_len=None,
    strategy=None,
    on_step=None,
) -> dict:
    """Train a sequence model with every character a target, resumably; save it as a run folder.

    Trains on non-overlapping ``seq_len``-character chunks of the text before the classic held-out
    tail (``pipeline.held_out_start``; ``max_windows`` limits the text as it limits the classic
    windows), in an order that is a permutation seeded by (seed, epoch). After each epoch it measures
    ``last_step_loss`` on the classic validation windows (notebook 02's ``val_loss``), prints one
    line, appends a row to ``run_dir/epochs.csv`` (columns ``LOG_COLUMNS``; ``seconds`` is the
    training time of the epoch, ``val_seconds`` the validation's) and checkpoints model, optimizer
    and epoch with ``tf.train.CheckpointManager`` in ``run_dir/backup/``, beside ``run.json``
    (``runs.run_record``: the settings, cell, seq_len and corpus fingerprint). Run again after a
    kill, it resumes from the last checkpoint and ends with the same weights as an uninterrupted run.
    At the end it saves the run (``save_run``: model.keras with input (None, None, vocab_size),
    vocab.json, history.json, samples.json, settings.json) and removes ``backup/``.

    Under ``MultiWorkerMirroredStrategy`` every worker runs this function with the same arguments;
    only the chief (``is_chief``) writes files. The other workers save their checkpoints (all must
    take part in a save) into a temporary folder outside ``run_dir`` that is removed afterwards,
    and restore from the chief's ``backup/`` (so a resumed cluster needs ``run_dir`` on a shared
    file system, or a copy of it on each machine).

    Parameters
    ----------
    run_dir : path
        The run folder (created if needed).
    settings : dict
        Checked settings (``check_parameters``): ``units``, ``batch_size`` (chunks per global step),
        ``epochs``, ``learning_rate``, ``seed``, ``maxlen``, ``step``, ``validation_fraction`` and
        ``max_windows`` (which classic windows are held out), ``temperatures`` and ``generate_chars``
        (the samples saved with the run); ``reset_after`` (GRU) and ``seq_len`` if present. Missing
        names take ``DEFAULTS``.
    text : str
        The corpus (``load_corpus``).
    cell : {"lstm", "gru"}
    seq_len : int >= 1, optional
        Characters per chunk; default ``settings["seq_len"]`` (``DEFAULTS["seq_len"]``).
    strategy : tf.distribute.Strategy, optional
        Default ``strategy_from_env()``: pass none, so that it is made before any other TensorFlow work.
    on_step : callable, optional
        Called as ``on_step(epoch, step, loss)`` (0-based, nats) after each training step (tests
        use it to kill the process mid-epoch).

    Returns
    -------
    dict
        ``model``, ``vocab``, ``history`` (``read_history`` of the log on the chief; this process'
        epochs on other workers) and ``run_dir`` (Path).

    Raises
    ------
    ValueError
        A checkpoint in ``backup/`` from other settings or another corpus (``runs.check_run_record``:
        the message names what differs, the folder, and the two ways on); a ``seq_len`` that
        contradicts ``settings["seq_len"]``; text too short for one batch of chunks; a batch size that
        the replicas do not divide.
    FloatingPointError
        The training loss became NaN or infinite: training stops at that step; the epoch's row
        (with its non-finite loss) is logged, the checkpoint removed, nothing saved.
    """
    strategy = strategy or strategy_from_env()  # first: MultiWorkerMirroredStrategy must precede other TF work
    import keras
    import tensorflow as tf

    from .generation import generate
    from .pipeline import encode_corpus, held_out_start, split_counts, window_dataset

    if seq_len is not None and settings.get("seq_len", seq_len) != seq_len:
        raise ValueError(f"seq_len={seq_len} contradicts settings['seq_len']={settings['seq_len']}; give one of them")
    settings = {**{k: DEFAULTS[k] for k in TRAIN_SETTINGS}, **settings}
    if seq_len is not None:
        settings["seq_len"] = seq_len
    seq_len = settings["seq_len"]
    run_dir = Path(run_dir)
    backup = run_dir / "backup"
    chief = is_chief(strategy)
    batch_size, epochs, seed = settings["batch_size"], settings["epochs"], settings["seed"]
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ValueError(f"batch_size={batch_size} must be a multiple of the {replicas} replicas in the cluster")

    vocab = Vocabulary.from_text(text)
    encoded = encode_corpus(text, vocab)  # (n_chars,) uint8 for up to 256 distinct characters
    maxlen, step = settings["maxlen"], settings["step"]
    split = (len(text), maxlen, step, settings["validation_fraction"], settings["max_windows"])
    first_val, n_val = split_counts(*split)  # the classic training windows, then the held-out ones
    stop = held_out_start(*split)  # no training chunk reads a character of the held-out windows
    steps_per_epoch = ((stop - 1) // seq_len) // batch_size  # chunk j needs characters up to j*seq_len + seq_len
    if steps_per_epoch < 1:
        raise ValueError(
            f"the training text ({stop:,} characters before the held-out tail) holds fewer than one batch of "
            f"batch_size={batch_size} chunks of seq_len={seq_len} characters; use a longer text (max_windows) "
            f"or smaller batch_size / seq_len"
        )

    record = run_record({"cell": cell, **settings}, text)
    # Resume or start afresh: every worker reads the same files; only the chief changes them.
    latest = tf.train.latest_checkpoint(str(backup))  # None when there is no checkpoint
    if latest is not None or (backup / "training_metadata.json").is_file():  # ours, or a BackupAndRestore one
        check_run_record(backup, record)  # refused before anything is built or written
    keras.utils.set_random_seed(seed)  # the same initial weights on every worker and every run
    model = build_sequence_model(
        cell,
        settings["units"],
        vocab.size,
        settings["learning_rate"],
        reset_after=settings["reset_after"],
        strategy=strategy,
    )
    optimizer = model.optimizer
    with strategy.scope():
        optimizer.build(model.trainable_variables)  # its slots exist before a checkpoint is restored into them
    epoch_var = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")  # epochs finished
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch_var)
    if latest is not None:
        checkpoint.restore(latest).assert_existing_objects_matched()
        print(f"resuming the unfinished run checkpointed in {backup} after epoch {int(epoch_var.numpy())}", flush=True)
    elif chief:
        shutil.rmtree(backup, ignore_errors=True)
        (run_dir / "epochs.csv").unlink(missing_ok=True)
    if chief:
        backup.mkdir(parents=True, exist_ok=True)
        atomic_write_text(backup / "run.json", json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        write_dir = backup
    else:
        write_dir = Path(tempfile.mkdtemp(prefix=f"nbhelpers-{_task_name(strategy)}-"))
    manager = tf.train.CheckpointManager(checkpoint, str(write_dir), max_to_keep=1)

    train_step = make_train_step(model, optimizer, strategy)
    val_ds = None
    if n_val > 0:
        val_ds = window_dataset(encoded, maxlen, step, vocab.size, VALIDATION_BATCH, first=first_val, count=n_val)
    rows = []
    try:
        while int(epoch_var.numpy()) < epochs:
            epoch = int(epoch_var.numpy())
            t0 = time.perf_counter()
            total, n_steps = 0.0, 0
            for x, y in _epoch_dataset(strategy, encoded, seq_len, vocab.size, batch_size, stop, epoch, seed):
                loss = float(train_step(x, y))
                total += loss
                n_steps += 1
                if on_step is not None:
                    on_step(epoch, n_steps - 1, loss)
                if not math.isfinite(loss):
                    break
            seconds = time.perf_counter() - t0
            mean = total / max(n_steps, 1)
            row = {"epoch": epoch, "loss": mean, "bpc": nats_to_bits(mean), "seconds": seconds}
            if math.isfinite(mean) and val_ds is not None:
                t0 = time.perf_counter()
                val_loss = last_step_loss(model, val_ds)
                row.update(val_loss=val_loss, val_bpc=nats_to_bits(val_loss), val_seconds=time.perf_counter() - t0)
            rows.append(row)
            if chief:
                _write_log_row(run_dir / "epochs.csv", row)
            print(_epoch_line(row), flush=True)
            if not math.isfinite(mean):
                if chief:
                    shutil.rmtree(backup, ignore_errors=True)
                raise FloatingPointError(
                    f"the training loss became {loss} at epoch {epoch + 1}, step {n_steps}: training stopped, "
                    f"nothing was saved (its weights are no longer numbers). Lower learning_rate (now "
                    f"{settings['learning_rate']}) and run again; the log is {run_dir / 'epochs.csv'}"
                )
            epoch_var.assign(epoch + 1)
            manager.save()  # after the log row: a kill in between re-runs the epoch, read_history keeps its last row

        history = read_history(run_dir) if chief else _history_of(rows)
        if chief:
            samples = _samples(generate, model, vocab, text, settings)
            save_run(run_dir, model, vocab, history, samples=samples, settings={"cell": cell, **settings})
            shutil.rmtree(backup, ignore_errors=True)  # finished: as Keras' BackupAndRestore does
        else:
            model.save(write_dir / "model.keras")  # every worker saves (TensorFlow's rule); only the chief keeps it
    finally:
        if not chief:
            shutil.rmtree(write_dir, ignore_errors=True)
    return {"model": model, "vocab": vocab, "history": history, "run_dir": run_dir}


def _epoch_line(row: dict) -> str:
    parts = [f"epoch {row['epoch'] + 1}: loss {row['loss']:.4f} nats = {row['bpc']:.4f} bits/char;"]
    if row.get("val_loss") is not None:
        parts.append(f"val_loss {row['val_loss']:.4f} nats = {row['val_bpc']:.4f} bits/char (last step);")
    parts.append(f"{row['seconds']:.1f} s training")
    if row.get("val_seconds") is not None:
        parts.append(f"+ {row['val_seconds']:.1f} s validation")
    return " ".join(parts)


def _history_of(rows: list) -> dict:
    """A ``read_history``-style dict of this process' epochs (workers other than the chief write no log)."""
    out = {"epoch": [r["epoch"] + 1 for r in rows]}
    for key, column in (("loss", "loss"), ("val_loss", "val_loss"), ("epoch_seconds", "seconds")):
        if rows and all(r.get(column) is not None for r in rows):
            out[key] = [float(r[column]) for r in rows]
    if "loss" in out:
        out["bpc"] = nats_to_bits(out["loss"])
    if "val_loss" in out:
        out["val_bpc"] = nats_to_bits(out["val_loss"])
    return out


def _samples(generate, model, vocab, text: str, settings: dict) -> list:
    """Stateful samples at the settings' temperatures, seeded by a passage of the corpus chosen by (seed, epochs)."""
    rng = np.random.default_rng([settings["seed"], settings["epochs"]])
    n = min(SAMPLE_SEED_CHARS, len(text) - 1)
    start = int(rng.integers(0, len(text) - n))
    prompt = text[start : start + n]
    texts = generate(
        model, vocab, prompt, settings["generate_chars"], settings["temperatures"], seed=settings["seed"], stateful=True
    )
    print(f'----- Generating text after epoch {settings["epochs"]} (stateful), seed: "{prompt}"')
    for t, generated in texts.items():
        print(f"----- temperature {t}:\n{prompt}{generated}\n")
    return [
        {"epoch": settings["epochs"], "temperature": t, "seed": prompt, "text": generated}
        for t, generated in texts.items()
    ]
