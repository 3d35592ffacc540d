"""``python -m nbhelpers``: run the lesson, sample from a saved model, render the lesson to HTML.

Examples::

    python -m nbhelpers run --output-dir outputs/quick -p epochs 1 -p max_windows 5000 -p generate_chars 100
    python -m nbhelpers generate --model outputs/lstm --prompt "the free spirit" --temperature 0.5 1.0
    python -m nbhelpers html --output-dir outputs
    python -m nbhelpers train --cell lstm --output-dir outputs -p epochs 4
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from pathlib import Path

import yaml

from .settings import DEFAULTS, TRAIN_SETTINGS

PATH_PARAMETERS = ("corpus_path", "output_dir")
# generate()'s argument names -> the options that set them
OPTION_NAMES = {"temperatures": "--temperature", "length": "--length", "top_k": "--top-k", "top_p": "--top-p"}
# The settings `train` takes with -p (check_parameters' names), and its default chunks per step.
TRAIN_OPTIONS = ("corpus_path", *TRAIN_SETTINGS)
TRAIN_BATCH_SIZE = DEFAULTS["chunk_batch_size"]  # chunks per step (notebook 06's default), not windows


def _parse_value(text: str):
    """Parse a ``-p`` value as YAML (so ``1`` -> int, ``0.5`` -> float, ``[0.2, 0.5]`` -> list)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _add_run(sub):
    run = sub.add_parser("run", help="execute the lesson notebooks with papermill (what `make run` calls)")
    run.add_argument(
        "--output-dir", default="outputs", help="where models, histories and executed notebooks go (default: outputs)"
    )
    run.add_argument(
        "--notebooks", nargs="+", default=None, help="names or prefixes, e.g. 01 04 (default: all, in order)"
    )
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="override a notebook parameter, e.g. -p epochs 1 -p temperatures '[0.5, 1.0]'",
    )
    run.add_argument(
        "--in-place", action="store_true", help="write outputs into notebooks/ (refresh the committed notebooks)"
    )
    run.add_argument("--log-output", action="store_true", help="echo cell outputs while running")


def _add_generate(sub):
    gen = sub.add_parser(
        "generate",
        help="sample text from a saved model",
        description="Continue a prompt with a model saved by notebook 02 or 03, or by `python -m nbhelpers train` "
        "(model.keras + vocab.json).",
    )
    gen.add_argument(
        "--model",
        required=True,
        metavar="DIR",
        help="a run folder written by notebook 02 or 03 or by `train` (model.keras + vocab.json), e.g. outputs/lstm",
    )
    gen.add_argument(
        "--prompt",
        required=True,
        metavar="TEXT",
        help="text to continue; lowercased when the vocabulary has no capitals; a prompt shorter than the "
        "model's window (maxlen: 40 for the lesson's models) is padded on the left with spaces; a model saved by "
        "`train` reads any length (its last 40 characters)",
    )
    gen.add_argument(
        "--temperature",
        type=float,
        nargs="+",
        default=[0.5],
        metavar="T",
        help="one or more temperatures >= 0; 0 means argmax (default: 0.5)",
    )
    gen.add_argument("--length", type=int, default=400, metavar="N", help="characters to generate (default: 400)")
    gen.add_argument(
        "--seed", type=int, default=None, help="random seed; the same seed gives the same text (default: random)"
    )
    gen.add_argument("--top-k", type=int, default=None, metavar="K", help="sample among the K likeliest characters")
    gen.add_argument(
        "--top-p", type=float, default=None, metavar="P", help="nucleus sampling: the likeliest characters up to mass P"
    )
    gen.add_argument(
        "--stateful",
        action="store_true",
        help="carry the recurrent state (one step per character, much faster) instead of re-reading a window",
    )


def _add_html(sub):
    html = sub.add_parser("html", help="render a run's executed notebooks to HTML with an index page")
    html.add_argument("--output-dir", default="outputs", help="the run's output folder (default: outputs)")


def _add_train(sub):
    train = sub.add_parser(
        "train",
        help="train a model with every character a target (notebook 06's method); several workers with TF_CONFIG",
        description="Train LSTM/GRU + Dense with the loss at every position of non-overlapping chunks, validate on "
        "the classic held-out windows after each epoch, and save a run folder that `generate` reads. Killed, the "
        "same command resumes from the last epoch's checkpoint. With TF_CONFIG naming a cluster, run the same "
        "command once per worker: MultiWorkerMirroredStrategy trains on all of them and only the chief writes files.",
    )
    train.add_argument("--cell", choices=("lstm", "gru"), default="lstm", help="the recurrent layer (default: lstm)")
    train.add_argument(
        "--output-dir",
        default="outputs",
        help="the run folder is OUTPUT_DIR/<cell>_every_char (default: outputs; relative to the project root)",
    )
    train.add_argument(
        "--seq-len", default=None, metavar="N", help="characters per training chunk (default: the setting seq_len, 50)"
    )
    train.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help=f"a setting, as in the notebooks: {', '.join(TRAIN_OPTIONS)} "
        f"(defaults: the lesson's, but batch_size {TRAIN_BATCH_SIZE} chunks)",
    )


def _train(args, parser) -> int:
    from .paths import resolve_output_dir
    from .settings import DEFAULTS, check_parameters

    params = {name: value if name in PATH_PARAMETERS else _parse_value(value) for name, value in args.parameter}
    try:
        unknown = sorted(set(params) - set(TRAIN_OPTIONS))
        if unknown:
            raise ValueError(
                f"-p {unknown[0]}: not a setting of train (it takes {', '.join(TRAIN_OPTIONS)}; the run folder "
                f"is set by --output-dir)"
            )
        if args.seq_len is not None:
            if "seq_len" in params and str(params["seq_len"]) != str(args.seq_len):
                raise ValueError(f"--seq-len {args.seq_len} and -p seq_len {params['seq_len']} differ: give one")
            params["seq_len"] = args.seq_len
        defaults = {name: DEFAULTS[name] for name in TRAIN_OPTIONS} | {"batch_size": TRAIN_BATCH_SIZE}
        settings = check_parameters(**{**defaults, **params, "output_dir": args.output_dir})
    except ValueError as e:
        parser.error(str(e))
    run_dir = resolve_output_dir(settings["output_dir"]) / f"{args.cell}_every_char"

    from .quiet import quiet_tensorflow

    quiet_tensorflow()
    from .data import load_corpus
    from .every_char import is_chief, strategy_from_env, train

    try:
        strategy = strategy_from_env()  # before any other TensorFlow work (MultiWorkerMirroredStrategy needs it)
        text = load_corpus(settings["corpus_path"])
        train(run_dir, settings, text, cell=args.cell, strategy=strategy)
    except (OSError, ValueError) as e:  # settings that do not fit the text, a checkpoint of other settings
        parser.error(str(e))
    except FloatingPointError as e:  # the NaN stop
        print(f"error: {e}", file=sys.stderr)
        return 1
    if is_chief(strategy):
        print(
            f"saved the run in {run_dir}; continue a prompt with: python -m nbhelpers generate "
            f"--model {shlex.quote(str(run_dir))} --stateful --prompt 'the free spirit'"
        )
    else:
        print(f"this worker is done; the chief saved the run in {run_dir}")
    return 0


def _run_dir(path: str) -> Path:
    """The run folder for ``--model``: the folder itself, or the folder of a given model.keras file."""
    p = Path(path)
    if p.is_file() and p.name == "model.keras":
        return p.parent
    if p.is_dir() and not (p / "model.keras").exists():
        runs = sorted(d.name for d in p.iterdir() if (d / "model.keras").is_file())
        if runs:
            raise ValueError(
                f"{p} holds the runs {', '.join(r + '/' for r in runs)}: pass one of them, "
                f"e.g. --model {shlex.quote(str(p / runs[0]))}"
            )
    if not (p / "model.keras").is_file():
        from .lesson import saved_models, shown_path

        found = saved_models(p)
        if found:
            others = ", ".join(shown_path(d) for d in found[:5])
            raise ValueError(
                f"{p / 'model.keras'} not found; did you mean --model {shown_path(found[0])}? "
                f"(saved models: {others}{', ...' if len(found) > 5 else ''})"
            )
    return p


def _prepare_prompt(prompt: str, vocab, maxlen: int | None):
    """Lowercase (for a lowercase vocabulary), check and left-pad the prompt.

    Returns (what the model reads, what is shown: the prompt without the padding, notes).
    """
    from .data import describe_characters, normalize_text

    notes = []
    prompt = normalize_text(prompt)  # NFC, as the corpus: "é" typed as e + a combining accent is one character
    if not any(c.isupper() for c in vocab.chars) and prompt != prompt.lower():
        prompt = normalize_text(prompt.lower())
        notes.append("note: the prompt was lowercased (the model was trained on lowercase text)")
    if not prompt:
        raise ValueError("--prompt is empty; give some text to continue")
    unknown = sorted(set(prompt) - set(vocab.chars))
    if unknown:
        raise ValueError(
            f"--prompt has characters the model never saw: {''.join(unknown)!r} ({describe_characters(unknown)}); "
            f"it knows only {''.join(vocab.chars)!r} (its vocab.json)"
        )
    if maxlen is None or len(prompt) >= maxlen:  # None: a sequence model (`train`) reads any length
        return prompt, prompt, notes
    if " " not in vocab.chars:
        raise ValueError(f"--prompt has {len(prompt)} characters; this model needs at least maxlen={maxlen}")
    notes.append(f"note: the prompt has {len(prompt)} characters and the model reads {maxlen}; padded with spaces")
    return prompt.rjust(maxlen), prompt, notes


def _encodable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _stdout_note(vocab) -> list:
    """Check that standard output can write every character of the vocabulary, before generating.

    When it cannot (``PYTHONIOENCODING=cp1252`` and a model trained on Russian text, say),
    switch stdout to backslash escapes (``\\u0447``) and return a note saying so; else [].
    """
    from .data import describe_characters

    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        "".encode(encoding)
    except LookupError:  # an encoding Python does not know: printing will tell
        return []
    bad = [c for c in vocab.chars if not _encodable(c, encoding)]
    if not bad:
        return []
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is None:
        raise ValueError(
            f"standard output ({encoding}) cannot write {len(bad)} of the model's characters "
            f"({describe_characters(bad, limit=3)}); set PYTHONIOENCODING=utf-8"
        )
    reconfigure(errors="backslashreplace")
    example = bad[0].encode("ascii", errors="backslashreplace").decode("ascii")
    return [
        f"note: standard output is {encoding}, which cannot write {len(bad)} of the model's {vocab.size} characters "
        f"({describe_characters(bad, limit=3)}); they are written as backslash escapes such as {example}. "
        f"To see them, set PYTHONIOENCODING=utf-8 or use a UTF-8 terminal."
    ]


def _run_notes(run_dir, vocab) -> list:
    """Notes for stderr before generating: an output encoding that cannot write the text, a quick run's model."""
    from .lesson import quick_run_note

    notes = _stdout_note(vocab)
    try:
        settings = json.loads((Path(run_dir) / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # no settings.json (it is optional), or unreadable: no note
        settings = None
    if isinstance(settings, dict):
        quick = quick_run_note(settings.get("epochs"), settings.get("max_windows"))
        if quick:
            notes.append(f"note: this model's settings.json: {quick}")
    return notes


def _generate(args, parser) -> int:
    from .quiet import quiet_tensorflow

    quiet_tensorflow()
    from .generation import generate
    from .runs import load_run

    try:
        if args.seed is not None and args.seed < 0:
            raise ValueError(f"--seed must be >= 0, got {args.seed}")
        run_dir = _run_dir(args.model)
        run = load_run(run_dir)
        maxlen = run["model"].input_shape[1]
        prompt, shown, notes = _prepare_prompt(args.prompt, run["vocab"], maxlen)
        notes += _run_notes(run_dir, run["vocab"])  # before generating: an encoding that fails is found now
        texts = generate(
            run["model"],
            run["vocab"],
            prompt,
            args.length,
            args.temperature,
            seed=args.seed,
            stateful=args.stateful,
            top_k=args.top_k,
            top_p=args.top_p,
        )
    except (OSError, ValueError) as e:  # OSError: a missing or unreadable file, named in the message
        message = str(e)
        for argument, option in OPTION_NAMES.items():  # name generate()'s arguments as the command line does
            message = re.sub(rf"^{argument}\b", option, message)
        parser.error(message)
    for note in notes:
        print(note, file=sys.stderr)
    for t, text in texts.items():
        print(f"----- temperature {t}:\n{shown}{text}\n")
    return 0


def _other_runs_hint(output_dir, message: str) -> str:
    """``render_html``'s "no executed notebooks" message, led by the run folders nearby that have some."""
    from .lesson import executed_runs, shown_path
    from .paths import project_root, resolve_output_dir

    found = executed_runs(output_dir)
    if not found:
        return message
    named = [shown_path(d, project_root()) for d in found]  # as `make` (run at the project root) takes them
    how_to_run = message.split("; ", 1)[-1]  # "run the lesson first with `make run ...`"
    return (
        f"no executed lesson notebooks in {resolve_output_dir(output_dir) / 'notebooks'}, but "
        f"{', '.join(named[:5])} {'has' if len(named) == 1 else 'have'} some: did you mean "
        f"`make html OUTPUT_DIR={named[0]}` (or `python -m nbhelpers html --output-dir {named[0]}`)? "
        f"Otherwise, {how_to_run}"
    )


def _html(args, parser) -> int:
    from .site import render_html

    try:
        site = render_html(args.output_dir)
    except FileNotFoundError as e:
        parser.error(_other_runs_hint(args.output_dir, str(e)))
    except ValueError as e:
        parser.error(str(e))
    for page in site["pages"]:
        print(page)
    if site["missing"]:
        print(
            f"note: the run did not execute {', '.join(site['missing'])}; the index links to their pages anyway "
            f"(absent, or from an older run): run them to complete the site",
            file=sys.stderr,
        )
    return 0


def _quick_run_warning(params: dict, results: list) -> None:
    """After a run that trained too little for words (the README's quick run), say so on stderr."""
    from .lesson import declared_parameters, quick_run_note
    from .settings import DEFAULTS

    trained = [
        r
        for r in results
        if r["error"] is None and Path(r["output"]).is_file() and "epochs" in declared_parameters(r["output"])
    ]
    note = quick_run_note(params.get("epochs", DEFAULTS["epochs"]), params.get("max_windows", DEFAULTS["max_windows"]))
    if trained and note:
        print(f"note: {note}", file=sys.stderr)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nbhelpers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_generate(sub)
    _add_html(sub)
    _add_train(sub)
    args = parser.parse_args(argv)
    if args.command == "generate":
        return _generate(args, sub.choices["generate"])
    if args.command == "html":
        return _html(args, sub.choices["html"])
    if args.command == "train":
        return _train(args, sub.choices["train"])

    from .lesson import run_notebooks

    # Paths stay strings (YAML would turn "yes" into True); other values are read as YAML.
    params = {name: value if name in PATH_PARAMETERS else _parse_value(value) for name, value in args.parameter}
    try:
        results = run_notebooks(
            args.output_dir, params, args.notebooks, in_place=args.in_place, log_output=args.log_output
        )
    except ValueError as e:
        sub.choices["run"].error(str(e))
    total = 0.0
    for r in results:
        total += r["seconds"]
        status = "ok" if r["error"] is None else f"FAILED: {r['error']}"
        print(f"{r['notebook']:<28} {r['seconds']:7.1f} s  {status}  -> {r['output']}")
    print(f"{'total':<28} {total:7.1f} s")
    _quick_run_warning(params, results)
    failed = [r for r in results if r["error"]]
    if failed:
        print(
            f"{len(failed)} notebook(s) failed; open the executed notebook(s) above to see the error.", file=sys.stderr
        )
        return 1
    return 0
