"""The lesson's notebooks, in order, and running them headlessly with papermill (what ``make run`` calls)."""

from __future__ import annotations

import shlex
import time
from pathlib import Path

from .paths import project_root, resolve_output_dir
from .settings import DEFAULTS, check_parameters

NOTEBOOKS = (
    "00_index.ipynb",
    "01_data_prep.ipynb",
    "02_lstm_training.ipynb",
    "03_gru_training.ipynb",
    "04_parameter_counts.ipynb",
    "05_lstm_vs_gru.ipynb",
    "06_every_char.ipynb",
)


# Fewer window passes than one epoch over the lesson's corpus (200,285 windows) train too little for words.
QUICK_RUN_WINDOWS = 200_000


def notebooks_dir() -> Path:
    """The folder holding the lesson's notebooks (``<project root>/notebooks``)."""
    return project_root() / "notebooks"


def select_notebooks(names):
    """Map user-given names (``02``, ``02_lstm_training`` or the file name) to notebook paths."""
    if not names:
        return [notebooks_dir() / n for n in NOTEBOOKS]
    out = []
    for name in names:
        p = Path(name)
        if p.suffix == ".ipynb" and p.exists():
            out.append(p.resolve())
            continue
        hits = [n for n in NOTEBOOKS if n == name or n.startswith(str(name))]
        if len(hits) != 1:
            raise ValueError(f"unknown notebook {name!r}; choose from {list(NOTEBOOKS)} (a prefix such as '02' works)")
        out.append(notebooks_dir() / hits[0])
    return out


def declared_parameters(path) -> dict:
    """Names and defaults in a notebook's ``parameters`` cell (``papermill.inspect_notebook``)."""
    import papermill as pm

    return pm.inspect_notebook(str(path))


def strip_run_metadata(path) -> None:
    """Remove papermill's per-cell timing metadata so a refreshed notebook diffs cleanly.

    Also removes the cell papermill injects for the runner's own ``progress_bar = False`` (a
    headless run has no one to watch a progress bar), so the committed notebooks keep their
    plain parameters cell; any other injected value stays on record.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("papermill", None)
    nb.cells = [c for c in nb.cells if not _is_runner_injection(c)]
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
    nbformat.write(nb, str(path))


def _is_runner_injection(cell) -> bool:
    lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")]
    return "injected-parameters" in cell.metadata.get("tags", []) and lines == ["progress_bar = False"]


def run_notebooks(output_dir="outputs", parameters=None, notebooks=None, *, in_place=False, log_output=False):
    """Execute notebooks in order with papermill, each in a fresh kernel.

    Parameters
    ----------
    output_dir : str or Path
        Passed to every notebook that declares ``output_dir``; executed notebooks are written to
        ``<output_dir>/notebooks/``. Relative paths are taken from the project root.
    parameters : dict, optional
        Parameter overrides. Each notebook gets those it declares; a name that no selected
        notebook declares is an error (a typo would otherwise be silently ignored).
    notebooks : list of str, optional
        Names or prefixes (``"02"``); default all, in lesson order.
    in_place : bool
        Write outputs back into the source notebooks (refreshes the committed outputs) and leave
        ``output_dir`` at the notebooks' default.
    log_output : bool
        Echo cell outputs to the terminal as they run.

    Returns
    -------
    list of dict
        Per notebook: ``notebook``, ``output`` (Path), ``seconds``, ``error`` (str or None).

    Raises
    ------
    ValueError
        Unknown notebook, unknown parameter name or bad value, or an output_dir that is a file
        (all before anything runs).
    """
    import papermill as pm

    parameters = dict(parameters or {})
    paths = select_notebooks(notebooks)
    declared = {p: declared_parameters(p) for p in paths}
    known = set().union(*declared.values())
    unknown = sorted(set(parameters) - known - {"progress_bar"})
    if unknown:
        raise ValueError(f"unknown parameter(s) {unknown}; the selected notebooks declare {sorted(known)}")
    check_parameters(**{k: v for k, v in parameters.items() if k in DEFAULTS})  # bad values: fail before running
    out_root = resolve_output_dir(output_dir)
    if out_root.exists() and not out_root.is_dir():
        raise ValueError(f"output_dir {out_root} exists and is not a folder")
    if not in_place:
        parameters.setdefault("output_dir", str(out_root))
    parameters.setdefault("progress_bar", False)  # headless: one line per epoch, no progress bar
    results = []
    for path in paths:
        params = {k: v for k, v in parameters.items() if k in declared[path]}
        target = path if in_place else out_root / "notebooks" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        error = None
        try:
            pm.execute_notebook(
                str(path),
                str(target),
                parameters=params,
                cwd=str(path.parent),
                progress_bar=False,
                log_output=log_output,
                config=_kernel_config(),
            )
        except pm.PapermillExecutionError as e:
            error = f"{e.ename}: {e.evalue} (cell {e.exec_count})"
        if in_place and error is None:
            strip_run_metadata(target)
        results.append({"notebook": path.name, "output": target, "seconds": time.perf_counter() - t0, "error": error})
    return results


def _kernel_config():
    """traitlets configuration for the kernels papermill starts: CurveZMQ-encrypted messages when possible.

    ipykernel warns "Kernel is running over TCP without encryption" once per kernel on stderr
    (the terminal of ``make run``) unless the kernel manager gives it CurveZMQ keys, which
    jupyter_client does with ``transport_encryption = "auto"`` for kernels whose kernelspec
    declares ``supported_encryption: ["curve"]`` (ipykernel's does) when pyzmq has Curve
    support. Without either, this is an empty configuration and the kernel runs as before.
    """
    import zmq
    from jupyter_client import KernelManager
    from traitlets.config import Config

    if "transport_encryption" not in KernelManager.class_trait_names() or not zmq.has("curve"):
        return Config()
    return Config({"KernelManager": {"transport_encryption": "auto"}})


def shown_path(path, base=None) -> str:
    """``path`` as a user would type it in a shell: relative to ``base`` (default: the cwd) when inside it, quoted.

    For commands that messages suggest (``make html OUTPUT_DIR=outputs/quick``): the path is
    quoted with ``shlex.quote`` only when needed, so a path with spaces or quotes still works
    when pasted.
    """
    path = Path(path).absolute()
    base = Path(base or Path.cwd()).absolute()
    try:
        text = str(path.relative_to(base)) if path != base else "."
    except ValueError:
        text = str(path)
    return shlex.quote(text)


def _subfolders(folder: Path) -> list:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # missing or unreadable
        return []


def executed_runs(output_dir) -> list:
    """Other output folders that hold executed lesson notebooks, for "did you mean" hints.

    Looks in ``output_dir`` itself, its subfolders (``outputs/quick`` when ``outputs`` was asked
    for) and its siblings (``outputs/quick`` when ``outputs/full`` was asked for). A folder counts
    when its ``notebooks/`` holds a lesson notebook other than the index.

    Returns
    -------
    list of Path
        Absolute folders, most recently run first, without ``output_dir`` itself when it has none.
    """
    root = resolve_output_dir(output_dir)
    candidates = {root, *_subfolders(root), *_subfolders(root.parent)}
    found = []
    for folder in candidates:
        executed = [folder / "notebooks" / n for n in NOTEBOOKS[1:] if (folder / "notebooks" / n).is_file()]
        if executed:
            found.append((max(p.stat().st_mtime for p in executed), folder))
    return [folder for _, folder in sorted(found, key=lambda t: (-t[0], str(t[1])))]


def saved_models(model_dir) -> list:
    """Run folders that hold a saved model (``model.keras`` and ``vocab.json``), for "did you mean" hints.

    Looks where a user's ``--model outputs/lstm`` might have meant another run: ``model_dir``'s
    siblings (``outputs/gru``) and their subfolders (``outputs/quick/lstm``).

    Returns
    -------
    list of Path
        Absolute folders; those named like ``model_dir`` (the same cell) first, then most recent first.
    """
    wanted = Path(model_dir).absolute()
    candidates = set()
    for folder in _subfolders(wanted.parent):
        candidates.update([folder, *_subfolders(folder)])
    found = [d for d in candidates if (d / "model.keras").is_file() and (d / "vocab.json").is_file()]
    found = [d for d in found if d != wanted]
    return sorted(found, key=lambda d: (d.name != wanted.name, -(d / "model.keras").stat().st_mtime, str(d)))


def quick_run_note(epochs, max_windows):
    """A warning for settings that train too little to write words, else None.

    One epoch on 5,000 windows (the README's quick run) checks that everything runs in a few
    minutes, but its models write gibberish. The note is printed after such a run and when
    generating from its models, so the text is not mistaken for what the lesson's models write.

    Parameters
    ----------
    epochs, max_windows : int
        The run's settings (``max_windows`` 0 means all windows: never quick).

    Returns
    -------
    str or None
        One sentence, or None when ``epochs * max_windows`` reaches ``QUICK_RUN_WINDOWS``.
    """
    try:
        epochs, max_windows = int(epochs), int(max_windows)
    except (TypeError, ValueError):
        return None
    if max_windows <= 0 or epochs <= 0 or epochs * max_windows >= QUICK_RUN_WINDOWS:
        return None
    return (
        f"{epochs} epoch{'s' if epochs != 1 else ''} on {max_windows:,} windows only checks that everything runs: "
        f"models trained that little write gibberish. For text with real words, train with the defaults "
        f"(5 epochs on all the windows: plain `make run`)."
    )
