"""Render a run's executed notebooks to HTML with nbconvert, with an index page (``make html``)."""

from __future__ import annotations

import re
from pathlib import Path

from .paths import atomic_write_text, resolve_output_dir
from .runners import NOTEBOOKS, notebooks_dir

INDEX = "00_index.ipynb"
_LOCAL_LINK = re.compile(r'href="(\d\d_\w+)\.ipynb(#[^"]*)?"')


def _html(path: Path) -> str:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(str(path), as_version=4))
    return _LOCAL_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)  # links between pages


def render_html(output_dir="outputs") -> list:
    """Write ``<output_dir>/html/<notebook>.html`` for each executed notebook, and ``index.html``.

    The executed notebooks are read from ``<output_dir>/notebooks/`` (what ``make run`` writes),
    in lesson order. ``index.html`` is notebook 00 (the lesson's table of contents) from the run,
    or the committed one when the run did not include it; links between notebooks point at the
    HTML pages.

    Parameters
    ----------
    output_dir : str or Path
        The run's output folder; relative paths are taken from the project root.

    Returns
    -------
    list of Path
        The pages written, index first.

    Raises
    ------
    FileNotFoundError
        No executed notebook of the lesson in ``<output_dir>/notebooks/``; the message says to
        run ``make run`` (or ``python -m nbhelpers run``) first.
    """
    out_root = resolve_output_dir(output_dir)
    executed = [out_root / "notebooks" / name for name in NOTEBOOKS if (out_root / "notebooks" / name).is_file()]
    if not [p for p in executed if p.name != INDEX]:
        raise FileNotFoundError(
            f"no executed lesson notebooks in {out_root / 'notebooks'}; run the lesson first with `make run` "
            f"(or `python -m nbhelpers run --output-dir {output_dir}`), then `make html`"
        )
    html_dir = out_root / "html"
    html_dir.mkdir(parents=True, exist_ok=True)
    index_source = next((p for p in executed if p.name == INDEX), notebooks_dir() / INDEX)
    pages = [atomic_write_text(html_dir / "index.html", _html(index_source))]
    for path in executed:
        pages.append(atomic_write_text(html_dir / f"{path.stem}.html", _html(path)))
    return pages
