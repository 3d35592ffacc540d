"""Side-by-side benchmark: the classic Keras example's approach vs nbhelpers' (``make bench``).

Measures, in one run on this machine (each section can be skipped: ``--skip-<section>``):
- generation: characters per second (all temperatures together) for the classic
  ``model.predict`` per character, nbhelpers' batched window mode and its stateful one-step mode,
  and checks that the window mode gives the same probabilities as ``model.predict``;
- training: windows per second of one epoch (LSTM and GRU, batch 128) on N windows, classic
  (dense bool one-hot arrays, ``model.fit``, default layers) vs nbhelpers (integer windows one-hot
  per batch with tf.data, ``build_model``), in interleaved rounds, as wall time and as compute
  only;
- memory: peak resident memory of data prep + one LSTM epoch on all windows, each approach in a
  fresh process, and the floor any approach needs (TensorFlow, model, one training step);
- time_to_quality: for LSTM and GRU, the training seconds the classic method (windows, one target
  each, ``model.fit``) and the every-character method (chunks, a target at every position, the
  custom step of ``nbhelpers.every_char``) need to reach the classic model's validation bpc after
  its epochs, on the same held-out windows with the same seed, in alternating rounds; and each
  method's validation bpc when the classic method finishes;
- memory_scaling: peak resident memory above the floor per character of the corpus at 1x, 10x
  and 100x its size, for the every-character path, the classic windows gathered per batch, and
  the classic dense one-hot arrays (refused, with its estimate, when that exceeds MemAvailable).
Prints every figure and ratio and writes them to a JSON file. Timings are for this machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nbhelpers as nbh
from nbhelpers.paths import atomic_write_json

TEMPERATURES = [0.2, 0.5, 1.0, 1.2, 1.5]


def classic_model(cell, units, maxlen, vocab_size, learning_rate=0.01):
    """The classic example's model: default layer arguments, as in keras-io's example."""
    import keras

    layer = keras.layers.LSTM(units) if cell == "lstm" else keras.layers.GRU(units)
    model = keras.Sequential(
        [keras.Input(shape=(maxlen, vocab_size)), layer, keras.layers.Dense(vocab_size, activation="softmax")]
    )
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate))
    return model


def classic_generate(model, vocab, seed_text, length, temperature, rng):
    """The classic loop: one-hot the window, ``model.predict``, sample, slide."""
    maxlen = model.input_shape[1]
    sentence, out = seed_text[-maxlen:], []
    for _ in range(length):
        x = nbh.one_hot(vocab.encode(sentence)[None], vocab.size)
        probs = model.predict(x, verbose=0)[0]
        c = vocab.chars[nbh.sample(probs, temperature, rng)]
        out.append(c)
        sentence = sentence[1:] + c
    return "".join(out)


def bench_generation(text, vocab, args):
    import keras

    keras.utils.set_random_seed(0)
    model = nbh.build_model("lstm", args.units, args.maxlen, vocab.size)
    seed_text = text[: args.maxlen]
    rng = np.random.default_rng(0)
    classic_generate(model, vocab, seed_text, 2, 1.0, rng)  # warm-up
    t0 = time.perf_counter()
    for t in TEMPERATURES:
        classic_generate(model, vocab, seed_text, args.classic_chars, t, rng)
    classic_cps = args.classic_chars * len(TEMPERATURES) / (time.perf_counter() - t0)

    out = {"classic_chars_per_s": classic_cps}
    for mode, stateful in (("window", False), ("stateful", True)):
        nbh.generate(model, vocab, seed_text, 2, TEMPERATURES, seed=0, stateful=stateful)  # warm-up (trace)
        t0 = time.perf_counter()
        nbh.generate(model, vocab, seed_text, args.chars, TEMPERATURES, seed=0, stateful=stateful)
        out[f"{mode}_chars_per_s"] = args.chars * len(TEMPERATURES) / (time.perf_counter() - t0)
        out[f"{mode}_speedup"] = out[f"{mode}_chars_per_s"] / classic_cps

    # Same semantics: the window mode's probabilities for 200 corpus windows equal model.predict's.
    x_idx, _ = nbh.make_windows(vocab.encode(text[:5000]), args.maxlen, 25)
    x = nbh.one_hot(x_idx, vocab.size).astype("float32")
    ours = np.asarray(nbh.generation.predict_fn(model)(x))  # what the window mode runs for each character
    out["window_max_abs_prob_diff"] = float(np.abs(ours - model.predict(x, verbose=0)).max())
    return out


def bench_training(text, vocab, args):
    """Epochs of classic and nbhelpers training, interleaved round by round.

    Each epoch is one ``model.fit(..., epochs=1)`` call, as in the classic example's loop, and
    rounds alternate the two approaches so both see the same machine. Every epoch counts,
    the first (which traces the model) included. Reported per approach: windows per second of
    wall time (what a student waits for) and of compute only (first batch start to last batch
    end; the first epoch's includes tracing), each with its ratio, and per epoch the seconds
    before the first batch (set-up) and after the last (tear-down). With tf.data autotuning on,
    as in Keras' pipeline for arrays, the tear-down can include waiting for the autotuner's
    next wake-up (``nbhelpers.make_dataset`` turns autotuning off; see README, Performance).
    """
    import keras

    class BatchClock(keras.callbacks.Callback):
        """Seconds from the first batch's start to the last batch's end: an epoch's compute."""

        def on_epoch_begin(self, epoch, logs=None):
            self.first = self.last = None

        def on_train_batch_begin(self, batch, logs=None):
            if self.first is None:
                self.first = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.last = time.perf_counter()

    x_idx, y_idx = nbh.make_windows(vocab.encode(text), args.maxlen, args.step, args.windows)
    x, y = nbh.one_hot(x_idx, vocab.size), nbh.one_hot(y_idx, vocab.size)  # classic: dense bool arrays
    out = {"windows": int(len(x_idx)), "rounds": args.rounds}
    clock = BatchClock()
    for cell in nbh.CELLS:
        keras.utils.set_random_seed(0)
        classic = classic_model(cell, args.units, args.maxlen, vocab.size)
        keras.utils.set_random_seed(0)
        ours = nbh.build_model(cell, args.units, args.maxlen, vocab.size)
        ds = nbh.make_dataset(x_idx, y_idx, vocab.size, 128, shuffle=True, seed=0)
        fits = {
            "classic": lambda m=classic: m.fit(x, y, batch_size=128, epochs=1, verbose=0, callbacks=[clock]),
            "nbhelpers": lambda m=ours, ds=ds: m.fit(ds, epochs=1, verbose=0, shuffle=False, callbacks=[clock]),
        }
        wall, compute, setup, teardown, losses = ({k: [] for k in fits} for _ in range(5))
        for _ in range(args.rounds):
            for k, fit in fits.items():
                t0 = time.perf_counter()
                losses[k].append(float(fit().history["loss"][-1]))
                t1 = time.perf_counter()
                wall[k].append(t1 - t0)
                compute[k].append(clock.last - clock.first)
                setup[k].append(clock.first - t0)
                teardown[k].append(t1 - clock.last)
                print(
                    f"  {cell:4s} {k:9s} epoch {len(wall[k])}: {wall[k][-1]:6.1f} s wall = {setup[k][-1]:4.1f} set-up "
                    f"+ {compute[k][-1]:6.1f} compute + {teardown[k][-1]:4.1f} tear-down",
                    file=sys.stderr,
                    flush=True,
                )
        for k in fits:
            out[f"{cell}_{k}_epoch_s"] = wall[k]
            out[f"{cell}_{k}_compute_s"] = compute[k]
            out[f"{cell}_{k}_setup_s"] = setup[k]
            out[f"{cell}_{k}_teardown_s"] = teardown[k]
            out[f"{cell}_{k}_windows_per_s"] = len(x_idx) * args.rounds / sum(wall[k])
            out[f"{cell}_{k}_compute_windows_per_s"] = len(x_idx) * args.rounds / sum(compute[k])
            out[f"{cell}_{k}_loss"] = losses[k]
        out[f"{cell}_speedup"] = sum(wall["classic"]) / sum(wall["nbhelpers"])
        out[f"{cell}_compute_speedup"] = sum(compute["classic"]) / sum(compute["nbhelpers"])
    return out


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB (2^20 bytes).

    On Linux this is ``VmHWM`` from /proc/self/status (kB there, i.e. KiB), the high-water mark
    of this program's own memory. Not ``ru_maxrss``: Linux carries a parent's peak into a
    child's ``ru_maxrss`` across fork and exec, so a child started by this benchmark after the
    training rounds reported the parent's 919 MiB as its own (a child started from a 400 MiB
    Python process reports 408 MiB before doing anything). Elsewhere, ``ru_maxrss`` (bytes on
    macOS, KiB on other systems).
    """
    status = "/proc/self/status"
    if os.path.exists(status):
        with open(status) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def memory_child(approach, corpus, windows):
    """Print this process's peak RSS in MiB as JSON after one of three jobs (run it fresh).

    ``approach`` "classic" or "nbhelpers": data prep + one LSTM epoch on ``windows`` windows
    (0 = all); "floor": the model and one training step on one batch, the least that any data
    pipeline needs. ``baseline_mib`` is the peak before the job (Python, NumPy, TensorFlow and
    nbhelpers imported).
    """
    nbh.quiet_tensorflow()  # ``import nbhelpers`` does not load TensorFlow: load it before the baseline
    baseline = peak_rss_mib()
    if approach == "floor":
        rng = np.random.default_rng(0)
        x = nbh.one_hot(rng.integers(0, 57, (128, 40)), 57).astype("float32")  # (128, 40, 57)
        y = nbh.one_hot(rng.integers(0, 57, 128), 57).astype("float32")  # (128, 57)
        nbh.build_model("lstm", 128, 40, 57).train_on_batch(x, y)
    else:
        text = nbh.load_corpus(corpus)
        vocab = nbh.Vocabulary.from_text(text)
        x_idx, y_idx = nbh.make_windows(vocab.encode(text), 40, 3, windows)
        if approach == "classic":
            x, y = nbh.one_hot(x_idx, vocab.size), nbh.one_hot(y_idx, vocab.size)
            del x_idx, y_idx
            classic_model("lstm", 128, 40, vocab.size).fit(x, y, batch_size=128, epochs=1, verbose=0)
        else:
            ds = nbh.make_dataset(x_idx, y_idx, vocab.size, 128, shuffle=True, seed=0)
            nbh.build_model("lstm", 128, 40, vocab.size).fit(ds, epochs=1, verbose=0, shuffle=False)
    print(json.dumps({"peak_rss_mib": peak_rss_mib(), "baseline_mib": baseline}))


def bench_memory(args):
    """Peak memory of each approach, and of the floor, each in a fresh process (MiB)."""
    out = {"memory_windows": args.memory_windows or "all"}
    for approach in ("classic", "nbhelpers", "floor"):
        cmd = [sys.executable, __file__, "--memory-child", approach, "--memory-windows", str(args.memory_windows)]
        if args.corpus:
            cmd += ["--corpus", args.corpus]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"memory benchmark child {approach!r} failed:\n{res.stderr[-3000:]}")
        child = json.loads(res.stdout.strip().splitlines()[-1])
        out[f"{approach}_peak_rss_mib"] = child["peak_rss_mib"]
        out[f"{approach}_baseline_mib"] = child["baseline_mib"]
    floor = out["floor_peak_rss_mib"]
    out["memory_ratio"] = out["nbhelpers_peak_rss_mib"] / out["classic_peak_rss_mib"]
    out["floor_ratio"] = floor / out["classic_peak_rss_mib"]
    for approach in ("classic", "nbhelpers"):
        out[f"{approach}_above_floor_mib"] = out[f"{approach}_peak_rss_mib"] - floor
    above = out["classic_above_floor_mib"]
    out["memory_ratio_above_floor"] = out["nbhelpers_above_floor_mib"] / above if above > 0 else None
    return out


VALIDATION_BATCH = 256  # held-out windows per validation batch (the mean does not depend on it)


def _classic_run(cell, encoded, vocab, n_train, val_ds, args):
    """The classic method: ``build_model`` on the training windows with ``model.fit``, then one validation.

    Training seconds are the wall time of one ``model.fit(..., epochs=args.ttq_epochs)`` call
    (tracing in its first epoch included, no validation inside); the last-step validation loss
    on the held-out windows is measured after it and timed separately.
    """
    import keras

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.t0)
            losses.append(float(logs["loss"]))

    seconds, losses = [], []
    keras.utils.set_random_seed(args.seed)
    model = nbh.build_model(cell, args.units, args.maxlen, vocab.size, args.learning_rate)
    train_ds = nbh.window_dataset(
        encoded, args.maxlen, args.step, vocab.size, args.batch_size, count=n_train, shuffle=True, seed=args.seed
    )
    t0 = time.perf_counter()
    model.fit(
        train_ds, epochs=args.ttq_epochs, verbose=0, shuffle=False, callbacks=[nbh.DatasetEpoch(train_ds), EpochClock()]
    )
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    val_bpc = float(nbh.nats_to_bits(nbh.last_step_loss(model, val_ds)))
    return {
        "train_s": train_s,
        "epoch_s": seconds,
        "epochs": len(seconds),
        "loss_bpc": [float(nbh.nats_to_bits(x)) for x in losses],
        "val_bpc": val_bpc,
        "val_s": time.perf_counter() - t0,
    }


def _every_char_run(cell, encoded, vocab, stop, val_ds, target, args, until_s=None):
    """The every-character method: ``build_sequence_model`` and ``make_train_step`` on chunks before ``stop``.

    Trains epoch by epoch (epoch e in the order of ``chunk_dataset(..., epoch=e, seed=args.seed)``)
    and measures the last-step validation bpc ``args.ttq_evals_per_epoch`` times per epoch, at
    evenly spaced steps, the last at the epoch's end (with the clock stopped: validation does not
    count as training, and it changes neither the weights nor the order of the chunks), until it
    is at most ``target``, for at most ``args.ttq_max_epochs`` epochs. Without ``until_s`` it
    stops there. With ``until_s`` (the classic run's training seconds) it goes on training while
    one more epoch (as long as the longest full one so far after the first, which also traces)
    still ends by then, and validates the last one: ``at_classic_finish`` is the latest
    validation that ended by ``until_s``. Training seconds include building each epoch's dataset
    and the first epoch's tracing, as the classic ``fit`` does.
    """
    import keras

    keras.utils.set_random_seed(args.seed)
    model = nbh.build_sequence_model(cell, args.units, vocab.size, args.learning_rate)
    train_step = nbh.make_train_step(model)
    evals = args.ttq_evals_per_epoch
    state = {"train_s": 0.0, "val_s": 0.0, "reached_s": None, "reached_epoch": None}
    epoch_s, curve = [], []

    def validate(at_epoch, losses):
        t0 = time.perf_counter()
        val_bpc = float(nbh.nats_to_bits(nbh.last_step_loss(model, val_ds)))
        state["val_s"] += time.perf_counter() - t0
        loss_bpc = float(nbh.nats_to_bits(sum(losses) / len(losses)))  # mean training loss so far this epoch
        curve.append({"epoch": at_epoch, "train_s": state["train_s"], "val_bpc": val_bpc, "loss_bpc": loss_bpc})
        if state["reached_s"] is None and val_bpc <= target:
            state["reached_s"], state["reached_epoch"] = state["train_s"], at_epoch

    for epoch in range(args.ttq_max_epochs):
        t0, spent, losses = time.perf_counter(), 0.0, []
        ds = nbh.chunk_dataset(
            encoded, args.seq_len, vocab.size, args.chunk_batch_size, stop=stop, epoch=epoch, seed=args.seed
        )  # (b, seq_len, V) float32 one-hot chunks, (b, seq_len) int32 next characters
        n_steps = len(ds)
        marks = {round(n_steps * k / evals) for k in range(1, evals)} - {0, n_steps}  # validations within the epoch
        stopped = False
        for i, (x, y) in enumerate(ds, 1):
            losses.append(float(train_step(x, y)))
            if state["reached_s"] is None and i in marks:
                dt = time.perf_counter() - t0
                spent, state["train_s"] = spent + dt, state["train_s"] + dt
                validate(round(epoch + i / n_steps, 3), losses)
                if state["reached_s"] is not None and until_s is None:
                    stopped = True
                    break
                t0 = time.perf_counter()
        if not stopped:
            dt = time.perf_counter() - t0
            spent, state["train_s"] = spent + dt, state["train_s"] + dt
        epoch_s.append(spent)
        if stopped:
            break
        full = epoch_s[1:] or epoch_s  # a next epoch's likely length: the first one also traces
        fits = until_s is not None and state["train_s"] + max(full) <= until_s
        last = epoch + 1 == args.ttq_max_epochs
        if state["reached_s"] is None or last or not fits:  # to test the target, or the bpc at the classic finish
            validate(epoch + 1, losses)
        if state["reached_s"] is not None and not fits:
            break
    within = [c for c in curve if until_s is not None and c["train_s"] <= until_s]
    return {
        "reached_s": state["reached_s"],
        "reached_epoch": state["reached_epoch"],
        "epochs": len(epoch_s),
        "epoch_s": epoch_s,
        "train_s": state["train_s"],
        "val_s": state["val_s"],
        "curve": curve,
        "at_classic_finish": (
            {"val_bpc": within[-1]["val_bpc"], "train_s": within[-1]["train_s"], "epochs": within[-1]["epoch"]}
            if within
            else None
        ),
    }


def bench_time_to_quality(text, vocab, args):
    """Seconds of training each method needs to reach the classic model's validation bpc, per cell.

    Both methods hold out the same text, the classic validation tail (``split_counts``,
    ``held_out_start``), and are measured on its windows with the classic metric
    (``last_step_loss``), the every-character model ``args.ttq_evals_per_epoch`` times per epoch
    (``_every_char_run``). The target is the classic run's bpc after ``args.ttq_epochs`` epochs in
    round 1; the classic method's time to it is its training time (each later classic round's own
    bpc is recorded too). Rounds alternate which method runs first (classic first in round 1, so
    the target is known), so both see the same machine; ``speedup`` is the median over rounds of
    classic_s / every_char_s in the same round, ``spread`` their min and max. In the first
    ``args.ttq_finish_rounds`` rounds the every-character run goes on to the classic run's
    training time: ``val_bpc_at_classic_finish``.
    """
    encoded = nbh.encode_corpus(text, vocab)  # (n_chars,) uint8
    split = (len(text), args.maxlen, args.step, args.validation_fraction, args.ttq_windows)
    n_train, n_val = nbh.split_counts(*split)
    stop = nbh.held_out_start(*split)
    val_ds = nbh.window_dataset(
        encoded, args.maxlen, args.step, vocab.size, VALIDATION_BATCH, first=n_train, count=n_val
    )  # (256, maxlen, V), (256, V) float32 batches of the held-out windows
    out = {
        "train_windows": n_train,
        "val_windows": n_val,
        "held_out_start": stop,
        "classic_epochs": args.ttq_epochs,
        "every_char_max_epochs": args.ttq_max_epochs,
        "every_char_evals_per_epoch": args.ttq_evals_per_epoch,
        "rounds": args.ttq_rounds,
        "seq_len": args.seq_len,
        "chunk_batch_size": args.chunk_batch_size,
        "batch_size": args.batch_size,
        "seed": args.seed,
    }
    for cell in args.ttq_cells:
        runs, target = [], None
        for r in range(args.ttq_rounds):
            for method in ("classic", "every_char") if r % 2 == 0 else ("every_char", "classic"):
                if method == "classic":
                    run = _classic_run(cell, encoded, vocab, n_train, val_ds, args)
                    target = run["val_bpc"] if target is None else target
                    line = f"{run['epochs']} epochs {run['train_s']:7.1f} s, val bpc {run['val_bpc']:.4f}"
                else:
                    until = None
                    if r < args.ttq_finish_rounds:
                        until = next(x["train_s"] for x in reversed(runs) if x["method"] == "classic")
                    run = _every_char_run(cell, encoded, vocab, stop, val_ds, target, args, until)
                    line = (
                        f"target {target:.4f} bpc "
                        + (
                            f"reached after {run['reached_epoch']} epochs, {run['reached_s']:6.1f} s"
                            if run["reached_s"] is not None
                            else f"not reached in {run['epochs']} epochs ({run['train_s']:.1f} s)"
                        )
                        + (
                            f"; {run['at_classic_finish']['val_bpc']:.4f} bpc after "
                            f"{run['at_classic_finish']['train_s']:.1f} s"
                            if run["at_classic_finish"]
                            else ""
                        )
                    )
                runs.append({"round": r + 1, "method": method, **run})
                print(f"  time to quality {cell:4s} round {r + 1} {method:10s} {line}", file=sys.stderr, flush=True)
        classic = [x for x in runs if x["method"] == "classic"]
        every = [x for x in runs if x["method"] == "every_char"]
        ratios = [
            c["train_s"] / e["reached_s"] for c, e in zip(classic, every, strict=True) if e["reached_s"] is not None
        ]
        finish = next((e["at_classic_finish"] for e in every if e["at_classic_finish"]), None)
        out[cell] = {
            "target_val_bpc": target,
            "classic_s": [c["train_s"] for c in classic],
            "every_char_s": [e["reached_s"] for e in every],
            "every_char_epochs": [e["reached_epoch"] for e in every],
            "speedup": statistics.median(ratios) if ratios else None,
            "spread": [min(ratios), max(ratios)] if ratios else None,
            "reached": f"{len(ratios)} of {len(every)} rounds",
            "classic_val_bpc": [c["val_bpc"] for c in classic],
            "val_bpc_at_classic_finish": {
                "classic": classic[0]["val_bpc"],
                "every_char": finish["val_bpc"] if finish else None,
                "every_char_train_s": finish["train_s"] if finish else None,
                "every_char_epochs": finish["epochs"] if finish else None,
                "classic_train_s": classic[0]["train_s"],
            },
            "runs": runs,
        }
    return out


def mem_available_mib():
    """``MemAvailable`` from /proc/meminfo in MiB: memory that can be used without swapping (None elsewhere)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024  # kB there, i.e. KiB
    except OSError:
        pass
    return None


DENSE_COPIES = 3  # the classic dense arrays plus what Keras' array pipeline holds: measured 2.8x at 1x (README)
FLOOR_ALLOWANCE_MIB = 1024  # what a fresh process needs before any data: TensorFlow, model, one step (~650 MiB)


def dense_estimate_mib(n_chars, maxlen, step, vocab_size):
    """Memory (MiB) the classic dense one-hot path needs above the floor for ``n_chars`` characters.

    ``vocab.encode`` (int32, 4 B per character), ``make_windows``' int32 windows and targets
    (4 (maxlen + 1) B per window) and their start offsets (8 B), and ``DENSE_COPIES`` times the
    bool one-hot arrays ((maxlen + 1) x vocab_size B per window): the arrays themselves, then
    ``model.fit``'s slicing and shuffling of them (the full-corpus run measured 1,305 MiB above
    the floor for 468 MB of one-hot arrays, 2.8x).
    """
    n = nbh.count_windows(n_chars, maxlen, step)
    return (4 * n_chars + n * (4 * (maxlen + 1) + 8 + DENSE_COPIES * (maxlen + 1) * vocab_size)) / 2**20


SCALING_PATHS = ("every_char", "classic_windows", "classic_dense")


def scaling_child(path, corpus, steps, args):
    """Print, as JSON, this process's peak RSS (MiB) before and after one data path on ``corpus`` (run it fresh).

    First the floor: TensorFlow, the path's model and one training step on a batch of zeros (no
    data), then ``peak_rss_mib()``. Then the data path, for ``steps`` training steps, and the peak
    again:
    - "every_char": ``load_corpus``, ``encode_corpus`` (1 B per character), ``chunk_dataset``
      (shuffled: the epoch's order of chunks, 4 B each) and the custom step;
    - "classic_windows": ``load_corpus``, ``encode_corpus``, ``window_dataset`` over the classic
      training windows (shuffled: the epoch's order, 4 B per window) and ``model.fit``;
    - "classic_dense": the classic example's arrays, ``make_windows`` and bool ``one_hot``, and
      ``model.fit`` on them; refused (nothing allocated, ``refused`` in the output) when
      ``dense_estimate_mib`` exceeds the budget (``--memory-budget-mib``, else MemAvailable now).
    A fixed number of steps keeps the time bounded at 100x; the data structures of an epoch
    (text, encoded array, the epoch's permutation) all exist from its first step.
    """
    tf = nbh.quiet_tensorflow()
    import keras

    keras.utils.set_random_seed(args.seed)
    v = args.vocab_size  # the corpus' distinct characters, counted by the parent: the floor's model is the real one
    if path == "every_char":
        model = nbh.build_sequence_model("lstm", args.units, v, args.learning_rate)
        train_step = nbh.make_train_step(model)
        zeros = (
            tf.zeros((args.chunk_batch_size, args.seq_len, v)),
            tf.zeros((args.chunk_batch_size, args.seq_len), "int32"),
        )
        float(train_step(*zeros))
    else:
        model = nbh.build_model("lstm", args.units, args.maxlen, v, args.learning_rate)
        model.train_on_batch(
            np.zeros((args.batch_size, args.maxlen, v), "float32"), np.zeros((args.batch_size, v), "float32")
        )
    floor = peak_rss_mib()
    out = {"floor_mib": floor}
    t0 = time.perf_counter()
    if path == "classic_dense":
        n_chars = os.path.getsize(corpus)  # bytes >= characters: an upper bound before anything is read
        estimate = dense_estimate_mib(n_chars, args.maxlen, args.step, v)
        budget = args.memory_budget_mib or mem_available_mib()
        out |= {"estimate_mib": estimate, "budget_mib": budget}
        if budget is not None and estimate > budget:
            print(json.dumps(out | {"refused": True, "peak_mib": peak_rss_mib()}))
            return 0
    text = nbh.load_corpus(corpus)
    vocab = nbh.Vocabulary.from_text(text)
    if vocab.size != v:
        raise ValueError(f"the scaling corpus has {vocab.size} distinct characters; the floor's model has {v}")
    if path == "every_char":
        encoded = nbh.encode_corpus(text, vocab)  # (n_chars,) uint8
        stop = nbh.held_out_start(len(text), args.maxlen, args.step, args.validation_fraction)
        ds = nbh.chunk_dataset(encoded, args.seq_len, v, args.chunk_batch_size, stop=stop, seed=args.seed)
        for x, y in ds.take(steps):
            float(train_step(x, y))
    elif path == "classic_windows":
        encoded = nbh.encode_corpus(text, vocab)
        n_train, _ = nbh.split_counts(len(text), args.maxlen, args.step, args.validation_fraction)
        ds = nbh.window_dataset(
            encoded, args.maxlen, args.step, v, args.batch_size, count=n_train, shuffle=True, seed=args.seed
        )
        model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    else:
        x_idx, y_idx = nbh.make_windows(vocab.encode(text), args.maxlen, args.step)
        x, y = nbh.one_hot(x_idx, v), nbh.one_hot(y_idx, v)  # (n, maxlen, V), (n, V) bool
        del x_idx, y_idx
        model.fit(x, y, batch_size=args.batch_size, epochs=1, steps_per_epoch=steps, verbose=0)
    out |= {"peak_mib": peak_rss_mib(), "chars": len(text), "seconds": time.perf_counter() - t0, "refused": False}
    print(json.dumps(out))
    return 0


def _scaled_corpus(text, scale, folder):
    """``text`` repeated ``scale`` times, written as UTF-8 to a file in ``folder`` (one copy in memory at a time)."""
    path = Path(folder) / f"corpus_x{scale}.txt"
    with open(path, "w", encoding="utf-8", newline="") as f:
        for _ in range(scale):
            f.write(text)
    return path


def bench_memory_scaling(text, vocab, args):
    """Peak RSS above the floor per character, at each scale of the corpus and for each path, each in a fresh process.

    The larger corpora are the corpus repeated, written to a temporary folder that is deleted
    afterwards (one at a time). Each row: ``path``, ``scale``, ``chars``, ``peak_mib`` and
    ``floor_mib`` (``scaling_child``: the same process before any data), ``bytes_per_char`` =
    (peak - floor) / chars in bytes (MiB = 2**20 B), ``steps``, ``seconds`` (the data path's) and
    ``status`` "measured", or "refused" for the dense one-hot path when its estimate
    (``dense_estimate_mib``) plus ``FLOOR_ALLOWANCE_MIB`` exceeds MemAvailable (or
    ``--memory-budget-mib``): no process is started, and the row keeps ``estimate_mib`` and
    ``mem_available_mib`` with null peak, floor and bytes per character. The child checks again
    against MemAvailable before it allocates, so the dense path never runs the machine out of memory.
    """
    rows = []
    args.vocab_size = vocab.size
    with tempfile.TemporaryDirectory(prefix="nbhelpers-bench-") as folder:
        for scale in args.scales:
            corpus = _scaled_corpus(text, scale, folder)
            chars = len(text) * scale
            for path in args.scaling_paths:
                row = {"path": path, "scale": scale, "chars": chars, "steps": args.scaling_steps}
                estimate = (
                    dense_estimate_mib(chars, args.maxlen, args.step, args.vocab_size)
                    if path == "classic_dense"
                    else None
                )
                budget = args.memory_budget_mib or mem_available_mib()
                if estimate is not None and budget is not None and estimate + FLOOR_ALLOWANCE_MIB > budget:
                    # refused without starting a process: it would need the floor as well as the arrays
                    child = {"refused": True, "estimate_mib": estimate, "budget_mib": budget}
                else:
                    cmd = [sys.executable, __file__, "--scaling-child", path, "--corpus", str(corpus)]
                    cmd += [*_child_args(args)]
                    res = subprocess.run(cmd, capture_output=True, text=True)
                    if res.returncode != 0:
                        raise RuntimeError(f"memory scaling child {path!r} x{scale} failed:\n{res.stderr[-3000:]}")
                    child = json.loads(res.stdout.strip().splitlines()[-1])
                if child["refused"]:
                    row |= {"status": "refused", "peak_mib": None, "floor_mib": None, "bytes_per_char": None}
                    row |= {"estimate_mib": child["estimate_mib"], "mem_available_mib": child["budget_mib"]}
                    line = (
                        f"refused: estimate {child['estimate_mib']:,.0f} MiB above the floor, "
                        f"{child['budget_mib']:,.0f} MiB available"
                    )
                else:
                    peak, floor = child["peak_mib"], child["floor_mib"]
                    row |= {"status": "measured", "peak_mib": peak, "floor_mib": floor, "chars": child["chars"]}
                    row["bytes_per_char"] = (peak - floor) * 2**20 / child["chars"]
                    row["seconds"] = child["seconds"]
                    if estimate is not None:
                        row["estimate_mib"] = child["estimate_mib"]
                    line = (
                        f"peak {peak:7.0f} MiB, floor {floor:5.0f} MiB, {row['bytes_per_char']:6.2f} B/char "
                        f"({child['seconds']:.1f} s)"
                    )
                rows.append(row)
                print(
                    f"  memory scaling {path:15s} x{scale:<4d} {chars:>12,d} chars: {line}", file=sys.stderr, flush=True
                )
            corpus.unlink()
    return {"rows": rows, "steps": args.scaling_steps, "scales": args.scales}


def _child_args(args):
    """The settings a scaling child needs, as command-line arguments."""
    out = []
    names = (
        "maxlen",
        "step",
        "units",
        "batch_size",
        "seq_len",
        "chunk_batch_size",
        "seed",
        "scaling_steps",
        "vocab_size",
    )
    for name in names:
        out += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    out += ["--learning-rate", repr(args.learning_rate), "--validation-fraction", repr(args.validation_fraction)]
    if args.memory_budget_mib:
        out += ["--memory-budget-mib", repr(args.memory_budget_mib)]
    return out


def _at_least_one(value):
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _int_list(value):
    try:
        items = [int(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {value!r}") from None
    if not items or min(items) < 1:
        raise argparse.ArgumentTypeError(f"expected integers >= 1, got {value!r}")
    return items


def _choices(allowed):
    def parse(value):
        items = [x.strip() for x in value.split(",") if x.strip()]
        if not items or set(items) - set(allowed):
            raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {','.join(allowed)}, got {value!r}")
        return items

    return parse


SECTIONS = ("generation", "training", "memory", "time-to-quality", "memory-scaling")


def parse_args(argv=None):
    d = nbh.DEFAULTS
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default="", help="text file (default: $NBHELPERS_CORPUS or the download)")
    p.add_argument("--output", default="outputs/bench.json")
    for section in SECTIONS:
        p.add_argument(f"--skip-{section}", action="store_true", help=f"do not run the {section} section")
    g = p.add_argument_group("generation, training and memory")
    g.add_argument("--windows", type=int, default=0, help="windows for the training benchmark (0 = all)")
    g.add_argument("--rounds", type=_at_least_one, default=2, help="epochs per approach and cell, interleaved")
    g.add_argument("--chars", type=int, default=400, help="characters per temperature, nbhelpers generation")
    g.add_argument("--classic-chars", type=int, default=40, help="characters per temperature, classic (slow)")
    g.add_argument("--memory-windows", type=int, default=0, help="windows for the memory benchmark (0 = all)")
    g = p.add_argument_group("time to quality")
    g.add_argument("--ttq-cells", type=_choices(nbh.CELLS), default=list(nbh.CELLS), help="cells (default lstm,gru)")
    g.add_argument("--ttq-windows", type=int, default=0, help="use the first N classic windows' text (0 = all)")
    g.add_argument("--ttq-rounds", type=_at_least_one, default=2, help="runs per method and cell, alternating")
    g.add_argument("--ttq-epochs", type=_at_least_one, default=d["epochs"], help="classic epochs: the target")
    g.add_argument("--ttq-max-epochs", type=_at_least_one, default=30, help="every-character epochs at most")
    g.add_argument("--ttq-evals-per-epoch", type=_at_least_one, default=2, help="every-character validations per epoch")
    g.add_argument(
        "--ttq-finish-rounds",
        type=int,
        default=1,
        help="rounds whose every-character run goes on to the classic run's training time (0: none)",
    )
    g = p.add_argument_group("memory scaling")
    g.add_argument("--scales", type=_int_list, default=[1, 10, 100], help="corpus sizes (default 1,10,100)")
    g.add_argument(
        "--scaling-paths", type=_choices(SCALING_PATHS), default=list(SCALING_PATHS), help="data paths to measure"
    )
    g.add_argument("--scaling-steps", type=_at_least_one, default=100, help="training steps per path and scale")
    g.add_argument(
        "--memory-budget-mib",
        type=float,
        default=0,
        help="refuse the dense one-hot path above this estimate (default 0: MemAvailable)",
    )
    g = p.add_argument_group("model and data settings (the lesson's defaults)")
    g.add_argument("--maxlen", type=int, default=d["maxlen"])
    g.add_argument("--step", type=int, default=d["step"])
    g.add_argument("--units", type=int, default=d["units"])
    g.add_argument("--batch-size", type=int, default=d["batch_size"], help="classic windows per step")
    g.add_argument("--learning-rate", type=float, default=d["learning_rate"])
    g.add_argument("--validation-fraction", type=float, default=d["validation_fraction"])
    g.add_argument("--seq-len", type=int, default=d["seq_len"], help="every-character chunk length")
    g.add_argument("--chunk-batch-size", type=int, default=d["chunk_batch_size"], help="chunks per step")
    g.add_argument("--seed", type=int, default=d["seed"], help="time to quality and memory scaling")
    p.add_argument("--memory-child", choices=["classic", "nbhelpers", "floor"], help=argparse.SUPPRESS)
    p.add_argument("--scaling-child", choices=SCALING_PATHS, help=argparse.SUPPRESS)
    p.add_argument("--vocab-size", type=int, default=0, help=argparse.SUPPRESS)  # a scaling child's model
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.memory_child:
        return memory_child(args.memory_child, args.corpus or None, args.memory_windows)
    if args.scaling_child:
        return scaling_child(args.scaling_child, args.corpus, args.scaling_steps, args)

    tf = nbh.quiet_tensorflow()
    text = nbh.load_corpus(args.corpus or None)
    vocab = nbh.Vocabulary.from_text(text)
    skipped = [s for s in SECTIONS if getattr(args, f"skip_{s.replace('-', '_')}")]
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, GPUs: {len(tf.config.list_physical_devices('GPU'))}",
        "settings": {k: v for k, v in vars(args).items() if k not in ("memory_child", "scaling_child", "output")}
        | {"temperatures": TEMPERATURES},
        "skipped": skipped,
    }
    sections = {
        "generation": lambda: bench_generation(text, vocab, args),
        "training": lambda: bench_training(text, vocab, args),
        "memory": lambda: bench_memory(args),
        "time_to_quality": lambda: bench_time_to_quality(text, vocab, args),
        "memory_scaling": lambda: bench_memory_scaling(text, vocab, args),
    }
    timings = {}
    for name, run in sections.items():
        if name.replace("_", "-") not in skipped:
            t0 = time.perf_counter()
            results[name] = run()
            timings[name] = time.perf_counter() - t0
    results["section_seconds"] = timings

    out = nbh.resolve_output_dir(args.output)
    atomic_write_json(out, results)
    print(f"machine: {results['machine']}")
    if "generation" in results:
        g = results["generation"]
        print(
            f"generation, chars/s   classic {g['classic_chars_per_s']:9.1f}   window {g['window_chars_per_s']:9.1f} "
            f"({g['window_speedup']:.0f}x)   stateful {g['stateful_chars_per_s']:9.1f} "
            f"({g['stateful_speedup']:.0f}x)   max |prob diff| {g['window_max_abs_prob_diff']:.1e}"
        )
    if "training" in results:
        t = results["training"]
        for cell in nbh.CELLS:
            print(
                f"training {cell}, windows/s  classic {t[f'{cell}_classic_windows_per_s']:7.0f}   "
                f"nbhelpers {t[f'{cell}_nbhelpers_windows_per_s']:7.0f}   "
                f"(nbhelpers / classic {t[f'{cell}_speedup']:.2f}x by wall time; "
                f"compute only {t[f'{cell}_classic_compute_windows_per_s']:.0f} vs "
                f"{t[f'{cell}_nbhelpers_compute_windows_per_s']:.0f}, {t[f'{cell}_compute_speedup']:.2f}x; "
                f"loss after {t['rounds']} epoch(s) {t[f'{cell}_classic_loss'][-1]:.3f} vs "
                f"{t[f'{cell}_nbhelpers_loss'][-1]:.3f}; {t['windows']} windows)"
            )
    if "memory" in results:
        m = results["memory"]
        print(
            f"peak memory, data prep + 1 LSTM epoch ({m['memory_windows']} windows): classic "
            f"{m['classic_peak_rss_mib']:.0f} MiB   nbhelpers {m['nbhelpers_peak_rss_mib']:.0f} MiB   "
            f"(ratio {m['memory_ratio']:.2f})"
        )
        ratio = m["memory_ratio_above_floor"]
        print(
            f"  floor (TensorFlow + model + one training step on one batch): {m['floor_peak_rss_mib']:.0f} MiB "
            f"= {m['floor_ratio']:.2f} of classic; above it: classic {m['classic_above_floor_mib']:.0f} MiB   "
            f"nbhelpers {m['nbhelpers_above_floor_mib']:.0f} MiB   (ratio {'n/a' if ratio is None else f'{ratio:.2f}'})"
        )
    if "time_to_quality" in results:
        q = results["time_to_quality"]
        for cell in args.ttq_cells:
            c = q[cell]
            speed = "not reached" if c["speedup"] is None else f"{c['speedup']:.2f}x"
            spread = "" if c["spread"] is None else f" (spread {c['spread'][0]:.2f}-{c['spread'][1]:.2f}x)"
            every = ", ".join("not reached" if s is None else f"{s:.1f}" for s in c["every_char_s"])
            finish = c["val_bpc_at_classic_finish"]
            at = "n/a" if finish["every_char"] is None else f"{finish['every_char']:.4f}"
            classic = ", ".join(f"{s:.1f}" for s in c["classic_s"])
            print(
                f"time to quality {cell}: target {c['target_val_bpc']:.4f} val bpc "
                f"({q['classic_epochs']} classic epochs on {q['train_windows']} windows): classic {classic} s, "
                f"every-char {every} s, speedup {speed}{spread}; val bpc when classic finishes: classic "
                f"{finish['classic']:.4f}, every-char {at}"
            )
    if "memory_scaling" in results:
        for row in results["memory_scaling"]["rows"]:
            if row["status"] == "refused":
                what = (
                    f"refused (estimate {row['estimate_mib']:,.0f} MiB above the floor; "
                    f"{row['mem_available_mib']:,.0f} MiB available)"
                )
            else:
                what = (
                    f"peak {row['peak_mib']:,.0f} MiB, floor {row['floor_mib']:,.0f} MiB, "
                    f"{row['bytes_per_char']:.2f} B/char above the floor"
                )
            print(f"memory scaling {row['path']:15s} x{row['scale']:<4d} {row['chars']:>12,d} chars: {what}")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
