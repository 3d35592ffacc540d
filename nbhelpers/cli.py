"""``python -m nbhelpers``: command-line entry points."""

from __future__ import annotations

import argparse
import sys

import yaml

PATH_PARAMETERS = ("corpus_path", "output_dir")


def _parse_value(text: str):
    """Parse a ``-p`` value as YAML (so ``1`` -> int, ``0.5`` -> float, ``[0.2, 0.5]`` -> list)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nbhelpers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute the lesson notebooks with papermill")
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
    args = parser.parse_args(argv)

    from .runners import run_notebooks

    # Paths stay strings (YAML would turn "yes" into True); other values are read as YAML.
    params = {name: value if name in PATH_PARAMETERS else _parse_value(value) for name, value in args.parameter}
    try:
        results = run_notebooks(
            args.output_dir, params, args.notebooks, in_place=args.in_place, log_output=args.log_output
        )
    except ValueError as e:
        parser.error(str(e))
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
