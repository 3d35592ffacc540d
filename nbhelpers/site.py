"""The lesson as a website: a run's executed notebooks rendered to HTML with nbconvert (``make html``)."""

from __future__ import annotations

import re
from pathlib import Path

from .lesson import NOTEBOOKS, notebooks_dir
from .paths import atomic_write_text, resolve_output_dir

INDEX = "00_index.ipynb"
_LOCAL_LINK = re.compile(r'href="(\d\d_\w+)\.ipynb(#[^"]*)?"')


def _html(path: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    try:
        nb = nbformat.read(str(path), as_version=4)
        title = f"{path.stem.replace('_', ' ')} · char-level RNN lesson"  # the browser tab's name
        body, _ = HTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    except Exception as e:  # nbformat reports a damaged notebook in several ways
        raise ValueError(f"{path} could not be rendered ({type(e).__name__}: {e}); run the lesson again") from e
    return _LOCAL_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)  # links between pages


def render_html(output_dir="outputs") -> dict:
    """Write ``<output_dir>/html/<notebook>.html`` for each executed notebook, and ``index.html``.

    The executed notebooks are read from ``<output_dir>/notebooks/`` (what ``make run`` writes),
    in lesson order. ``index.html`` is notebook 00 (the lesson's table of contents) from the run,
    or the committed one when the run did not include it; links between notebooks point at the
    HTML pages. Every page is rendered before any is written, so a damaged notebook leaves an
    earlier site as it was.

    Parameters
    ----------
    output_dir : str or Path
        The run's output folder; relative paths are taken from the project root.

    Returns
    -------
    dict
        ``pages``: the paths written, index first; ``missing``: lesson notebooks the run did not
        execute (the index still links to them, so their pages are absent or from an older run).

    Raises
    ------
    FileNotFoundError
        No executed notebook of the lesson in ``<output_dir>/notebooks/``; the message says to
        run ``make run`` (or ``python -m nbhelpers run``) first.
    ValueError
        An executed notebook that cannot be read (named), or ``<output_dir>/html`` is a file.
    """
    out_root = resolve_output_dir(output_dir)
    executed = [out_root / "notebooks" / name for name in NOTEBOOKS if (out_root / "notebooks" / name).is_file()]
    if not [p for p in executed if p.name != INDEX]:
        raise FileNotFoundError(
            f"no executed lesson notebooks in {out_root / 'notebooks'}; run the lesson first with "
            f"`make run OUTPUT_DIR={output_dir}` (or `python -m nbhelpers run --output-dir {output_dir}`), "
            f"then `make html OUTPUT_DIR={output_dir}`"
        )
    html_dir = out_root / "html"
    if html_dir.exists() and not html_dir.is_dir():
        raise ValueError(f"{html_dir} exists and is not a folder; move it away or choose another output_dir")
    index_source = next((p for p in executed if p.name == INDEX), notebooks_dir() / INDEX)
    rendered = {"index.html": _html(index_source)}
    for path in executed:
        rendered[f"{path.stem}.html"] = _html(path)
    html_dir.mkdir(parents=True, exist_ok=True)
    pages = [atomic_write_text(html_dir / name, body) for name, body in rendered.items()]
    missing = [name for name in NOTEBOOKS if name != INDEX and not (out_root / "notebooks" / name).is_file()]
    return {"pages": pages, "missing": missing}
