"""Side-by-side benchmark: the classic Keras example's approach vs nbhelpers' (``make bench``).

Measures, in one run on this machine:
- generation: characters per second (all temperatures together) for the classic
  ``model.predict`` per character, nbhelpers' batched window mode and its stateful one-step mode,
  and checks that the window mode gives the same probabilities as ``model.predict``;
- training: windows per second of one epoch (LSTM and GRU, batch 128) on N windows, classic
  (dense bool one-hot arrays, ``model.fit``, default layers) vs nbhelpers (integer windows one-hot
  per batch with tf.data, ``build_model``), in interleaved rounds, as wall time and as compute
  only;
- memory: peak resident memory of data prep + one LSTM epoch on all windows, each approach in a
  fresh process, and the floor any approach needs (TensorFlow, model, one training step).
Prints every figure and ratio and writes them to a JSON file. Timings are for this machine only.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

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


def _at_least_one(value):
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default="", help="text file (default: $NBHELPERS_CORPUS or the download)")
    p.add_argument("--windows", type=int, default=0, help="windows for the training benchmark (0 = all)")
    p.add_argument("--rounds", type=_at_least_one, default=2, help="epochs per approach and cell, interleaved")
    p.add_argument("--chars", type=int, default=400, help="characters per temperature, nbhelpers generation")
    p.add_argument("--classic-chars", type=int, default=40, help="characters per temperature, classic (slow)")
    p.add_argument("--memory-windows", type=int, default=0, help="windows for the memory benchmark (0 = all)")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--output", default="outputs/bench.json")
    p.add_argument("--memory-child", choices=["classic", "nbhelpers", "floor"], help=argparse.SUPPRESS)
    p.add_argument("--maxlen", type=int, default=40)
    p.add_argument("--step", type=int, default=3)
    p.add_argument("--units", type=int, default=128)
    args = p.parse_args(argv)
    if args.memory_child:
        return memory_child(args.memory_child, args.corpus or None, args.memory_windows)

    tf = nbh.quiet_tensorflow()
    text = nbh.load_corpus(args.corpus or None)
    vocab = nbh.Vocabulary.from_text(text)
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, GPUs: {len(tf.config.list_physical_devices('GPU'))}",
        "settings": {k: v for k, v in vars(args).items() if k not in ("memory_child", "output")}
        | {"temperatures": TEMPERATURES},
        "generation": bench_generation(text, vocab, args),
        "training": bench_training(text, vocab, args),
    }
    if not args.skip_memory:
        results["memory"] = bench_memory(args)

    out = nbh.resolve_output_dir(args.output)
    atomic_write_json(out, results)
    g, t = results["generation"], results["training"]
    print(f"machine: {results['machine']}")
    print(
        f"generation, chars/s   classic {g['classic_chars_per_s']:9.1f}   window {g['window_chars_per_s']:9.1f} "
        f"({g['window_speedup']:.0f}x)   stateful {g['stateful_chars_per_s']:9.1f} ({g['stateful_speedup']:.0f}x)   "
        f"max |prob diff| {g['window_max_abs_prob_diff']:.1e}"
    )
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
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
