"""Side-by-side benchmark: the classic Keras example's approach vs nbhelpers' (``make bench``).

Measures, in one run on this machine:
- generation: characters per second (all temperatures together) for the classic
  ``model.predict`` per character, nbhelpers' batched window mode and its stateful one-step mode,
  and checks that the window mode gives the same probabilities as ``model.predict``;
- training: windows per second for one epoch (LSTM and GRU, batch 128) on N windows, classic
  (dense bool one-hot arrays, ``model.fit``, default layers) vs nbhelpers (integer windows one-hot
  per batch with tf.data, ``build_model``), in interleaved rounds;
- memory: peak resident memory of data prep + one LSTM epoch on all windows, each approach in a
  fresh process.
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
    seed = text[: args.maxlen]
    rng = np.random.default_rng(0)
    classic_generate(model, vocab, seed, 2, 1.0, rng)  # warm-up
    t0 = time.perf_counter()
    for t in TEMPERATURES:
        classic_generate(model, vocab, seed, args.classic_chars, t, rng)
    classic_cps = args.classic_chars * len(TEMPERATURES) / (time.perf_counter() - t0)

    out = {"classic_chars_per_s": classic_cps}
    for mode, stateful in (("window", False), ("stateful", True)):
        nbh.generate(model, vocab, seed, 2, TEMPERATURES, rng, stateful=stateful)  # warm-up (trace)
        t0 = time.perf_counter()
        nbh.generate(model, vocab, seed, args.chars, TEMPERATURES, rng, stateful=stateful)
        out[f"{mode}_chars_per_s"] = args.chars * len(TEMPERATURES) / (time.perf_counter() - t0)
        out[f"{mode}_speedup"] = out[f"{mode}_chars_per_s"] / classic_cps

    # Same semantics: the window mode's probabilities for 200 corpus windows equal model.predict's.
    x_idx, _ = nbh.make_windows(vocab.encode(text[:5000]), args.maxlen, 25)
    x = nbh.one_hot(x_idx, vocab.size).astype("float32")
    ours = np.asarray(nbh.generation._predict_fn(model)(x))
    out["window_max_abs_prob_diff"] = float(np.abs(ours - model.predict(x, verbose=0)).max())
    return out


def bench_training(text, vocab, args):
    """Epochs of classic and nbhelpers training, interleaved round by round.

    On a shared machine the speed drifts (here epochs of the same model took 5 s or 10 s
    depending on the minute), so the two approaches alternate: round r times one epoch of each,
    back to back. Reported per approach: the best epoch (the machine at its quietest) and, for
    the ratio, both best / best and the median of the per-round ratios. One untimed epoch first
    traces each model.
    """
    import keras

    x_idx, y_idx = nbh.make_windows(vocab.encode(text), args.maxlen, args.step, args.windows)
    x, y = nbh.one_hot(x_idx, vocab.size), nbh.one_hot(y_idx, vocab.size)  # classic: dense bool arrays
    out = {"windows": int(len(x_idx)), "rounds": args.rounds}
    for cell in nbh.CELLS:
        keras.utils.set_random_seed(0)
        classic = classic_model(cell, args.units, args.maxlen, vocab.size)
        keras.utils.set_random_seed(0)
        ours = nbh.build_model(cell, args.units, args.maxlen, vocab.size)
        ds = nbh.make_dataset(x_idx, y_idx, vocab.size, 128, shuffle=True, seed=0)
        fits = {
            "classic": lambda m=classic: m.fit(x, y, batch_size=128, epochs=1, verbose=0),
            "nbhelpers": lambda m=ours, ds=ds: m.fit(ds, epochs=1, verbose=0, shuffle=False),
        }
        seconds = {k: [] for k in fits}
        losses = {k: [] for k in fits}
        for k, fit in fits.items():
            t0 = time.perf_counter()
            losses[k].append(float(fit().history["loss"][-1]))  # untimed in the ratios: tracing
            out[f"{cell}_{k}_first_epoch_s"] = time.perf_counter() - t0
        for _ in range(args.rounds):
            for k, fit in fits.items():
                t0 = time.perf_counter()
                losses[k].append(float(fit().history["loss"][-1]))
                seconds[k].append(time.perf_counter() - t0)
        for k in fits:
            out[f"{cell}_{k}_epoch_s"] = seconds[k]
            out[f"{cell}_{k}_windows_per_s"] = len(x_idx) / min(seconds[k])  # best round
            out[f"{cell}_{k}_loss"] = losses[k]
        out[f"{cell}_speedup"] = min(seconds["classic"]) / min(seconds["nbhelpers"])
        out[f"{cell}_speedup_median"] = float(
            np.median([c / n for c, n in zip(seconds["classic"], seconds["nbhelpers"], strict=True)])
        )
    return out


def memory_child(approach, corpus, windows):
    """Data prep + one LSTM epoch; print peak RSS in MB (run in a fresh process).

    Also reports the peak before data prep (TensorFlow imported, model built): the baseline that
    no data pipeline can remove.
    """
    nbh.build_model("lstm", 128, 40, 57)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
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
    print(
        json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "baseline_mb": baseline})
    )


def bench_memory(args):
    out = {"memory_windows": args.memory_windows or "all"}
    for approach in ("classic", "nbhelpers"):
        cmd = [sys.executable, __file__, "--memory-child", approach, "--memory-windows", str(args.memory_windows)]
        if args.corpus:
            cmd += ["--corpus", args.corpus]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        child = json.loads(res.stdout.strip().splitlines()[-1])
        out[f"{approach}_peak_rss_mb"] = child["peak_rss_mb"]
        out[f"{approach}_above_baseline_mb"] = child["peak_rss_mb"] - child["baseline_mb"]
        out["baseline_mb"] = child["baseline_mb"]
    out["memory_ratio"] = out["nbhelpers_peak_rss_mb"] / out["classic_peak_rss_mb"]
    above = out["classic_above_baseline_mb"]
    out["memory_ratio_above_baseline"] = out["nbhelpers_above_baseline_mb"] / above if above > 0 else None
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default="", help="text file (default: $NBHELPERS_CORPUS or the download)")
    p.add_argument("--windows", type=int, default=20000, help="windows for the training benchmark")
    p.add_argument("--rounds", type=int, default=5, help="timed epochs per approach, interleaved")
    p.add_argument("--chars", type=int, default=400, help="characters per temperature, nbhelpers generation")
    p.add_argument("--classic-chars", type=int, default=40, help="characters per temperature, classic (slow)")
    p.add_argument("--memory-windows", type=int, default=0, help="windows for the memory benchmark (0 = all)")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--output", default="outputs/bench.json")
    p.add_argument("--memory-child", choices=["classic", "nbhelpers"], help=argparse.SUPPRESS)
    p.add_argument("--maxlen", type=int, default=40)
    p.add_argument("--step", type=int, default=3)
    p.add_argument("--units", type=int, default=128)
    args = p.parse_args(argv)
    if args.memory_child:
        return memory_child(args.memory_child, args.corpus or None, args.memory_windows)

    import tensorflow as tf

    text = nbh.load_corpus(args.corpus or None)
    vocab = nbh.Vocabulary.from_text(text)
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}, "
        f"TensorFlow {tf.__version__}, GPUs: {len(tf.config.list_physical_devices('GPU'))}",
        "generation": bench_generation(text, vocab, args),
        "training": bench_training(text, vocab, args),
    }
    if not args.skip_memory:
        results["memory"] = bench_memory(args)

    out = nbh.resolve_output_dir(args.output)
    nbh.paths.atomic_write_json(out, results)
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
            f"nbhelpers {t[f'{cell}_nbhelpers_windows_per_s']:7.0f}   ({t[f'{cell}_speedup']:.2f}x best epochs, "
            f"{t[f'{cell}_speedup_median']:.2f}x median of rounds; loss after {t['rounds'] + 1} epochs "
            f"{t[f'{cell}_classic_loss'][-1]:.3f} vs {t[f'{cell}_nbhelpers_loss'][-1]:.3f}; {t['windows']} windows)"
        )
    if "memory" in results:
        m = results["memory"]
        print(
            f"peak memory, data prep + 1 LSTM epoch ({m['memory_windows']} windows): classic "
            f"{m['classic_peak_rss_mb']:.0f} MB   nbhelpers {m['nbhelpers_peak_rss_mb']:.0f} MB   "
            f"(ratio {m['memory_ratio']:.2f})"
        )
        ratio = m["memory_ratio_above_baseline"]
        print(
            f"  above the TensorFlow + model baseline of {m['baseline_mb']:.0f} MB: classic "
            f"{m['classic_above_baseline_mb']:.0f} MB   nbhelpers {m['nbhelpers_above_baseline_mb']:.0f} MB   "
            f"(ratio {'n/a' if ratio is None else f'{ratio:.2f}'})"
        )
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
