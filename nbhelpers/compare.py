"""LSTM vs GRU head to head: load both saved runs, tabulate them, measure their text per temperature."""

from __future__ import annotations

import math
import shlex
from pathlib import Path

import numpy as np

from .generation import generate
from .measures import text_measures
from .paths import resolve_output_dir
from .runs import load_run, read_json

NOTEBOOK_OF = {"lstm": "02_lstm_training", "gru": "03_gru_training"}


def load_runs(output_dir="outputs", cells=("lstm", "gru")) -> dict:
    """Load the runs saved by notebooks 02 and 03 under ``<output_dir>/<cell>/``.

    Returns
    -------
    dict
        cell -> ``load_run``'s dict (``model``, ``vocab``, ``history``) plus ``settings`` (dict or
        None, from ``settings.json``) and ``run_dir`` (Path).

    Raises
    ------
    FileNotFoundError
        One or more runs are missing; the message names each and the command that makes them.
    ValueError
        A damaged run (as ``load_run``; a damaged ``history.json`` or ``settings.json`` is named),
        or runs trained on different vocabularies.
    """
    root = resolve_output_dir(output_dir)
    missing = [c for c in cells if not (root / c / "model.keras").is_file() or not (root / c / "vocab.json").is_file()]
    if missing:
        which = ", ".join(f"{c.upper()} ({root / c}, notebook {NOTEBOOK_OF.get(c, '?')[:2]})" for c in missing)
        numbers = " ".join(NOTEBOOK_OF.get(c, c)[:2] for c in missing)
        quoted = shlex.quote(str(output_dir))
        raise FileNotFoundError(
            f"no saved run for {which}. Train first: `make run OUTPUT_DIR={quoted}` (the whole lesson), or "
            f"`python -m nbhelpers run --notebooks {numbers} --output-dir {quoted}`; "
            f"add `-p epochs 1 -p max_windows 5000` for a quick one"
        )
    runs = {}
    for cell in cells:
        run = load_run(root / cell)
        _check_history(root / cell / "history.json", run["history"])
        settings = root / cell / "settings.json"
        run["settings"] = read_json(settings) if settings.is_file() else None
        if run["settings"] is not None and not isinstance(run["settings"], dict):
            raise ValueError(f"{settings} is not a settings file written by save_run; re-run the training")
        run["run_dir"] = Path(root / cell)
        runs[cell] = run
    vocabs = {tuple(r["vocab"].chars) for r in runs.values()}
    if len(vocabs) > 1:
        raise ValueError("the runs were trained on different vocabularies (different corpora?); re-run both")
    return runs


def _check_history(path: Path, history) -> None:
    """A history as notebooks 02 and 03 save it: lists of numbers (``loss`` required), one per epoch."""
    if history is None:
        raise ValueError(f"{path} is missing; re-run the training notebook to write it")
    ok = isinstance(history, dict) and isinstance(history.get("loss"), list) and history["loss"]
    n = len(history["loss"]) if ok else 0
    for key in ("loss", "val_loss", "bpc", "val_bpc", "epoch_seconds"):
        values = history.get(key) if ok else None
        if values is not None and (
            not isinstance(values, list)
            or len(values) != n
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        ):
            ok = False
    if not ok:
        raise ValueError(f"{path} is not a loss history written by save_run; re-run the training notebook")


def setting_differences(runs: dict, names=("corpus_path", "maxlen", "step", "epochs", "max_windows", "seed")) -> dict:
    """Settings that differ between the runs (name -> {cell: value}); empty when the comparison is fair."""
    out = {}
    for name in names:
        values = {cell: (r["settings"] or {}).get(name) for cell, r in runs.items()}
        if len({repr(v) for v in values.values()}) > 1:
            out[name] = values
    return out


def summary_rows(runs: dict) -> list:
    """One row per run: parameters, seconds per epoch, final losses (nats) and bits per character.

    Returns
    -------
    list of dict
        Keys ``model``, ``parameters``, ``epochs``, ``seconds_per_epoch`` (mean over the epochs,
        NaN if not recorded), ``loss``, ``val_loss`` (nats, last epoch; NaN without validation),
        ``bpc``, ``val_bpc`` (bits per character).
    """
    rows = []
    for cell, run in runs.items():
        h = run["history"]
        last = {k: (h[k][-1] if h.get(k) else math.nan) for k in ("loss", "val_loss", "bpc", "val_bpc")}
        seconds = h.get("epoch_seconds") or [math.nan]
        rows.append(
            {
                "model": f"{cell.upper()}({run['model'].layers[0].units})",
                "parameters": int(run["model"].count_params()),
                "epochs": len(h["loss"]),
                "seconds_per_epoch": float(np.mean(seconds)),
                **last,
            }
        )
    return rows


def format_table(rows: list, columns: dict) -> str:
    """Rows of dicts as an aligned text table; ``columns`` maps key -> (heading, format spec).

    NaN (a measure that does not apply) is shown as ``-``.
    """

    def show(value, spec):
        if value is None or (isinstance(value, (float, np.floating)) and math.isnan(value)):
            return "-"
        return format(value, spec)

    cells = [[heading for heading, _ in columns.values()]]
    for row in rows:
        cells.append([show(row[key], spec) for key, (_, spec) in columns.items()])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    # first column left-aligned (names), the others right-aligned (numbers)
    lines = [
        "  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]) for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def pick_seeds(text: str, maxlen: int, count: int, length: int, start: int, rng) -> list:
    """``count`` seed positions in ``text[start:]`` with room for ``maxlen + length`` characters after."""
    room = len(text) - maxlen - length
    if room - start < count:
        raise ValueError(
            f"the text after position {start} is too short for {count} seeds of {maxlen} + {length} characters; "
            f"lower generate_chars or samples_per_temperature, or raise validation_fraction"
        )
    return sorted(int(i) for i in rng.choice(np.arange(start, room), size=count, replace=False))


def measures_by_temperature(
    runs: dict, text: str, known_words, temperatures, length: int, samples: int, start: int, seed: int, **sampling
) -> list:
    """Generate from every run at every temperature from the same seeds; measure with ``text_measures``.

    Parameters
    ----------
    runs : dict
        As ``load_runs``.
    text : str
        The corpus; seeds are ``maxlen``-character windows of ``text[start:]`` (the validation tail
        when ``start`` is where it begins), the same for every model and temperature.
    known_words : set of str
        Words of the training text.
    temperatures : list of float >= 0
    length : int >= 1
        Characters generated per sample.
    samples : int >= 1
        Samples per model and temperature.
    start : int >= 0
        First character position seeds may start at.
    seed : int >= 0
        Seeds the choice of seed windows and the sampling.
    **sampling
        ``top_k`` / ``top_p`` for ``generate``.

    Returns
    -------
    list of dict
        One row per (model, temperature) and a ``corpus`` row (the real continuations of the same
        seeds, temperature NaN): ``model``, ``temperature`` and ``text_measures``' keys.

    Raises
    ------
    ValueError
        A text too short after ``start`` for the seeds (the message says which setting to change).
    """
    maxlen = next(iter(runs.values()))["model"].input_shape[1]
    rng = np.random.default_rng(seed)
    starts = pick_seeds(text, maxlen, samples, length, start, rng)
    seeds = [text[s : s + maxlen] for s in starts]
    real = [text[s + maxlen : s + maxlen + length] for s in starts]
    rows = [{"model": "corpus", "temperature": math.nan, **text_measures(real, known_words, seeds)}]
    for cell, run in runs.items():
        texts = {t: [] for t in temperatures}
        for k, seed_text in enumerate(seeds):
            out = generate(run["model"], run["vocab"], seed_text, length, temperatures, seed=[seed, k], **sampling)
            for t in temperatures:
                texts[t].append(out[t])
        for t in temperatures:
            rows.append({"model": cell.upper(), "temperature": t, **text_measures(texts[t], known_words, seeds)})
    return rows
