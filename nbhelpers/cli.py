"""``python -m nbhelpers``: run the lesson, sample from a saved model, render the lesson to HTML.

Examples::

    python -m nbhelpers run -p epochs 1 -p max_windows 5000
    python -m nbhelpers generate --model outputs/lstm --prompt "the free spirit" --temperature 0.5 1.0
    python -m nbhelpers html --output-dir outputs
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

PATH_PARAMETERS = ("corpus_path", "output_dir")
# generate()'s argument names -> the options that set them
OPTION_NAMES = {"temperatures": "--temperature", "length": "--length", "top_k": "--top-k", "top_p": "--top-p"}


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
        description="Continue a prompt with a model saved by notebook 02 or 03 (model.keras + vocab.json).",
    )
    gen.add_argument(
        "--model",
        required=True,
        metavar="DIR",
        help="a run folder written by notebook 02 or 03 (model.keras + vocab.json), e.g. outputs/lstm",
    )
    gen.add_argument(
        "--prompt",
        required=True,
        metavar="TEXT",
        help="text to continue; lowercased when the vocabulary has no capitals; a prompt shorter than the "
        "model's window (maxlen: 40 for the lesson's models) is padded on the left with spaces",
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


def _run_dir(path: str) -> Path:
    """The run folder for ``--model``: the folder itself, or the folder of a given model.keras file."""
    p = Path(path)
    if p.is_file() and p.name == "model.keras":
        return p.parent
    if p.is_dir() and not (p / "model.keras").exists():
        runs = sorted(d.name for d in p.iterdir() if (d / "model.keras").is_file())
        if runs:
            raise ValueError(
                f"{p} holds the runs {', '.join(r + '/' for r in runs)}: pass one of them, e.g. --model {p / runs[0]}"
            )
    return p


def _prepare_prompt(prompt: str, vocab, maxlen: int):
    """Lowercase (for a lowercase vocabulary), check and left-pad the prompt.

    Returns (what the model reads, what is shown: the prompt without the padding, notes).
    """
    notes = []
    if not any(c.isupper() for c in vocab.chars) and prompt != prompt.lower():
        prompt = prompt.lower()
        notes.append("note: the prompt was lowercased (the model was trained on lowercase text)")
    if not prompt:
        raise ValueError("--prompt is empty; give some text to continue")
    unknown = sorted(set(prompt) - set(vocab.chars))
    if unknown:
        raise ValueError(
            f"--prompt has characters the model never saw: {''.join(unknown)!r}; it knows only "
            f"{''.join(vocab.chars)!r} (its vocab.json)"
        )
    if len(prompt) >= maxlen:
        return prompt, prompt, notes
    if " " not in vocab.chars:
        raise ValueError(f"--prompt has {len(prompt)} characters; this model needs at least maxlen={maxlen}")
    notes.append(f"note: the prompt has {len(prompt)} characters and the model reads {maxlen}; padded with spaces")
    return prompt.rjust(maxlen), prompt, notes


def _generate(args, parser) -> int:
    from .quiet import quiet_tensorflow

    quiet_tensorflow()
    from .generation import generate
    from .runs import load_run

    try:
        if args.seed is not None and args.seed < 0:
            raise ValueError(f"--seed must be >= 0, got {args.seed}")
        run = load_run(_run_dir(args.model))
        maxlen = run["model"].input_shape[1]
        prompt, shown, notes = _prepare_prompt(args.prompt, run["vocab"], maxlen)
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


def _html(args, parser) -> int:
    from .site import render_html

    try:
        site = render_html(args.output_dir)
    except (FileNotFoundError, ValueError) as e:
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m nbhelpers", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_generate(sub)
    _add_html(sub)
    args = parser.parse_args(argv)
    if args.command == "generate":
        return _generate(args, sub.choices["generate"])
    if args.command == "html":
        return _html(args, sub.choices["html"])

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
    failed = [r for r in results if r["error"]]
    if failed:
        print(
            f"{len(failed)} notebook(s) failed; open the executed notebook(s) above to see the error.", file=sys.stderr
        )
        return 1
    return 0
