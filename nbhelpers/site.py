"""The lesson as a website: a run's executed notebooks rendered to HTML with nbconvert (``make html``).

The site works offline, opened from disk: MathJax 2.7.9 comes from the pinned
``jupyter-server-mathjax`` package and is copied into the site folder (``mathjax/``), pages load
nothing from another host (no require.js, no mermaid, no CDN), and every link between pages is
relative. Each page links to the index and to the previous and next notebook; ``index.html`` says
which run (or the committed notebooks) it shows, with the epochs, windows and seed of each model.
"""

from __future__ import annotations

import ast
import html
import importlib.metadata
import importlib.util
import json
import re
import shlex
import shutil
from pathlib import Path

from .lesson import NOTEBOOKS, notebooks_dir
from .paths import atomic_write_text, project_root, resolve_output_dir

INDEX = "00_index.ipynb"
MATHJAX_PACKAGE = "jupyter-server-mathjax"
MATHJAX_DIR = "mathjax"  # inside the site folder
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the combined configuration the package ships
RUN_ORDER = ("lstm", "gru")  # run folders listed first on the index, in lesson order
_LOCAL_LINK = re.compile(r'href="(\d\d_\w+)\.ipynb(#[^"]*)?"')

# The lab template of nbconvert, with its CDN scripts replaced: MathJax from the site folder, no
# require.js (no output here needs it), no mermaid (no notebook draws one), no widget manager.
TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  tex2jax: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
  },
  TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}},
  "HTML-CSS": {
    availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null,
    linebreaks: {automatic: true}
  },
  displayAlign: "center",
  messageStyle: "none"
});
</script>
<script src="{{ resources.site.mathjax_url }}"></script>
{%- endblock html_head_js_mathjax -%}
{% block extra_css %}
<style type="text/css">
nav.site-nav {
  display: flex; justify-content: space-between; gap: 1em; max-width: 1100px; margin: 0.5em auto;
  padding: 0.5em 1em; font-family: var(--jp-ui-font-family); font-size: 14px;
  border-bottom: 1px solid var(--jp-border-color2);
}
nav.site-nav.site-bottom { border-bottom: none; border-top: 1px solid var(--jp-border-color2); }
nav.site-nav a { text-decoration: none; }
nav.site-nav .site-prev, nav.site-nav .site-next { flex: 1; }
nav.site-nav .site-next { text-align: right; }
section.site-run {
  max-width: 1100px; margin: 0.5em auto; padding: 0.5em 1em; font-family: var(--jp-ui-font-family);
  font-size: 14px; background: var(--jp-layout-color2); border-radius: 4px;
}
section.site-run table { border-collapse: collapse; margin: 0.4em 0; }
section.site-run th, section.site-run td { padding: 0.15em 0.8em; text-align: left; }
</style>
{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.site.nav_top }}
{{ resources.site.run_note }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.site.nav_bottom }}
{{ super() }}
{% endblock body_footer %}
"""


def mathjax_source() -> Path:
    """The MathJax 2 folder shipped by the pinned ``jupyter-server-mathjax`` package (holds ``MathJax.js``).

    Raises
    ------
    ModuleNotFoundError
        The package is not installed (it is a pinned dependency: ``make venv`` installs it).
    """
    spec = importlib.util.find_spec("jupyter_server_mathjax")  # finds the folder without importing jupyter_server
    static = Path(next(iter(spec.submodule_search_locations))) / "static" if spec else None
    if static is None or not (static / "MathJax.js").is_file():
        raise ModuleNotFoundError(
            f"MathJax not found: the package {MATHJAX_PACKAGE} (a pinned dependency) is not installed; "
            f"run `make venv` (or `pip install -c requirements.lock -e .`)"
        )
    return static


def _copy_mathjax(source: Path, html_dir: Path) -> Path:
    """Copy MathJax (``source``) into ``html_dir/mathjax`` unless the same package version is already there."""
    target = html_dir / MATHJAX_DIR
    stamp = f"{MATHJAX_PACKAGE} {importlib.metadata.version(MATHJAX_PACKAGE)}\n"
    if (target / "MathJax.js").is_file() and (target / ".source").is_file():
        if (target / ".source").read_text(encoding="utf-8") == stamp:
            return target
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    (target / ".source").write_text(stamp, encoding="utf-8")
    return target


def notebook_title(nb, fallback: str) -> str:
    """The notebook's first ``# `` heading (``1. Preparing the data``), else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def notebook_parameters(nb) -> dict:
    """The values a notebook ran with: its ``parameters`` cell, then papermill's ``injected-parameters`` cell.

    Only plain assignments of literals are read (``epochs: int = 5  # comment``); other lines are skipped.
    """
    values = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if cell.cell_type != "code" or tag not in cell.metadata.get("tags", []):
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
                if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
                    try:
                        values[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        pass
    return values


def _read_notebook(path: Path):
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as e:  # nbformat reports a damaged notebook in several ways
        raise ValueError(f"{path} could not be rendered ({type(e).__name__}: {e}); run the lesson again") from e


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _settings_row(name: str, settings: dict) -> str:
    windows = settings.get("max_windows")
    windows = "all" if windows == 0 else (f"{_number(windows)} at most" if windows is not None else "?")
    cells = [name, _number(settings.get("epochs", "?")), windows, _number(settings.get("seed", "?"))]
    cells.append(_number(settings.get("units", "?")))
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def _settings_table(rows: list) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("model", "epochs", "windows (max_windows)", "seed", "units"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def run_settings(out_root: Path) -> dict:
    """``{run folder name: settings}`` from ``<out_root>/<run>/settings.json`` (lstm and gru first)."""
    found = {p.parent.name: p for p in sorted(out_root.glob("*/settings.json"))}
    names = [n for n in RUN_ORDER if n in found] + [n for n in found if n not in RUN_ORDER]
    out = {}
    for name in names:
        try:
            out[name] = json.loads(found[name].read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a damaged file: the index says nothing about that run
    return out


def _shown_path(path: Path) -> str:
    try:
        return str(path.relative_to(project_root()))
    except ValueError:
        return str(path)


def _run_note(out_root: Path, committed_mode: bool, sources: dict, notebooks: dict) -> str:
    """The index's statement of what the site shows (``sources``: notebook name -> (path, "run" or "committed"))."""
    committed_pages = [name for name in NOTEBOOKS if sources.get(name, (None, ""))[1] == "committed"]
    if committed_mode:
        rows = [
            _settings_row(notebook_title(nb, name), params)
            for name, nb in notebooks.items()
            if "epochs" in (params := notebook_parameters(nb))
        ]
        text = (
            "<p>This site shows the <strong>committed notebooks</strong> (the outputs saved in the repository, "
            "from a full run at the defaults of their parameters cells):</p>"
        )
        return f'<section class="site-run" id="site-run">{text}{_settings_table(rows) if rows else ""}</section>'
    settings = run_settings(out_root)
    where = html.escape(_shown_path(out_root))
    if settings:
        text = f"<p>This site shows the run in <code>{where}</code>; its models were trained with:</p>"
        table = _settings_table([_settings_row(name, s) for name, s in settings.items()])
    else:
        text = f"<p>This site shows the run in <code>{where}</code>, which holds no trained model (no settings.json)."
        text += "</p>"
        table = ""
    if committed_pages:
        names = ", ".join(html.escape(n[:2]) for n in committed_pages)
        table += (
            f"<p>Pages from the <strong>committed notebooks</strong> (saved in the repository from a full run), "
            f"not from this run: {names}.</p>"
        )
    return f'<section class="site-run" id="site-run">{text}{table}</section>'


def _nav(order: list, titles: dict, page: str, where: str) -> str:
    """Links to the previous page, the index and the next page (``page`` is an html file name)."""
    position = order.index(page) if page in order else 0
    prev_page = order[position - 1] if position > 0 else None
    next_page = order[position + 1] if position + 1 < len(order) else None
    prev_link = (
        f'<a class="site-prev" rel="prev" href="{prev_page}">&larr; {html.escape(titles[prev_page])}</a>'
        if prev_page
        else '<span class="site-prev"></span>'
    )
    next_link = (
        f'<a class="site-next" rel="next" href="{next_page}">{html.escape(titles[next_page])} &rarr;</a>'
        if next_page
        else '<span class="site-next"></span>'
    )
    index_link = '<a class="site-index" href="index.html">Index</a>'
    return f'<nav class="site-nav site-{where}" aria-label="lesson pages">{prev_link}{index_link}{next_link}</nav>'


def render_html(output_dir="outputs", *, committed=False, committed_for_missing=False, html_dir=None) -> dict:
    """Write ``<output_dir>/html/<notebook>.html`` for each executed notebook, ``index.html`` and MathJax.

    The executed notebooks are read from ``<output_dir>/notebooks/`` (what ``make run`` writes),
    in lesson order. ``index.html`` is notebook 00 (the lesson's table of contents) from the run,
    or the committed one when the run did not include it; links between notebooks point at the
    HTML pages. Every page has links to the index and to the previous and next page; the index
    says which run it shows (epochs, windows and seed of each model, from
    ``<output_dir>/<run>/settings.json``). MathJax is copied into ``html/mathjax/`` so equations
    render with no network. Every page is rendered before any is written, so a damaged notebook
    leaves an earlier site as it was. Nothing is downloaded.

    Parameters
    ----------
    output_dir : str or Path
        The run's output folder; relative paths are taken from the project root.
    committed : bool
        Render the committed notebooks (``notebooks/``, with the outputs saved in the repository)
        instead of a run's; the index says so. ``output_dir`` is then only where ``html/`` goes.
    committed_for_missing : bool
        For each lesson notebook the run did not execute, render the committed one (the index
        names those pages), so every link of the site resolves.
    html_dir : str or Path, optional
        Where to write the site (default ``<output_dir>/html``).

    Returns
    -------
    dict
        ``pages``: the paths written, index first; ``missing``: lesson notebooks the run did not
        execute (without ``committed_for_missing`` the index still links to them, so their pages
        are absent or from an older run); ``committed``: pages rendered from committed notebooks;
        ``mathjax``: the folder MathJax was copied to.

    Raises
    ------
    FileNotFoundError
        No executed notebook of the lesson in ``<output_dir>/notebooks/`` (the message says to
        run ``make run`` first).
    ModuleNotFoundError
        MathJax's package (``jupyter-server-mathjax``, pinned) is not installed.
    ValueError
        An executed notebook that cannot be read (named), or the site folder is a file.
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    out_root = resolve_output_dir(output_dir)
    run_dir = notebooks_dir() if committed else out_root / "notebooks"
    executed = {name: run_dir / name for name in NOTEBOOKS if (run_dir / name).is_file()}
    if not committed and not [name for name in executed if name != INDEX]:
        quoted = shlex.quote(str(output_dir))
        raise FileNotFoundError(
            f"no executed lesson notebooks in {out_root / 'notebooks'}; run the lesson first with "
            f"`make run OUTPUT_DIR={quoted}` (or `python -m nbhelpers run --output-dir {quoted}`), "
            f"then `make html OUTPUT_DIR={quoted}`"
        )
    mathjax_files = mathjax_source()  # before anything is written: a missing package leaves no half site
    html_dir = out_root / "html" if html_dir is None else resolve_output_dir(html_dir)
    if html_dir.exists() and not html_dir.is_dir():
        raise ValueError(f"{html_dir} exists and is not a folder; move it away or choose another output_dir")
    missing = [name for name in NOTEBOOKS if name != INDEX and name not in executed]
    source = "committed" if committed else "run"
    sources = {name: (path, source) for name, path in executed.items()}
    if INDEX not in sources:
        sources[INDEX] = (notebooks_dir() / INDEX, "committed")
    if committed_for_missing:
        for name in missing:
            if (notebooks_dir() / name).is_file():
                sources[name] = (notebooks_dir() / name, "committed")
    notebooks = {name: _read_notebook(sources[name][0]) for name in NOTEBOOKS if name in sources}

    # index.html first, then one page per notebook in lesson order (00's page again as 00_index.html when run)
    pages = {"index.html": (INDEX, sources[INDEX][1])}
    pages.update({f"{Path(n).stem}.html": (n, sources[n][1]) for n in notebooks if n != INDEX or n in executed})
    titles = {page: notebook_title(notebooks[name], Path(name).stem) for page, (name, _) in pages.items()}
    titles["index.html"] = "Index"
    order = ["index.html"] + [p for p in pages if p not in ("index.html", "00_index.html")]
    run_note = _run_note(out_root, committed, sources, notebooks)

    exporter = HTMLExporter(
        template_name="lab", extra_loaders=[DictLoader({"site.html.j2": TEMPLATE})], template_file="site.html.j2"
    )
    rendered = {}
    for page, (name, _) in pages.items():
        resources = {
            "metadata": {"name": f"{Path(name).stem.replace('_', ' ')} · char-level RNN lesson"},  # the tab's name
            "site": {
                "mathjax_url": f"{MATHJAX_DIR}/MathJax.js?config={MATHJAX_CONFIG}",
                "nav_top": _nav(order, titles, page, "top"),
                "nav_bottom": _nav(order, titles, page, "bottom"),
                "run_note": run_note if page in ("index.html", "00_index.html") else "",
            },
        }
        try:
            body, _ = exporter.from_notebook_node(notebooks[name], resources=resources)
        except Exception as e:  # a notebook nbformat read but nbconvert cannot render
            raise ValueError(f"{sources[name][0]} could not be rendered ({type(e).__name__}: {e})") from e
        rendered[page] = _LOCAL_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)

    html_dir.mkdir(parents=True, exist_ok=True)
    mathjax = _copy_mathjax(mathjax_files, html_dir)
    written = [atomic_write_text(html_dir / page, body) for page, body in rendered.items()]
    return {
        "pages": written,
        "missing": missing,
        "committed": [html_dir / page for page, (_, src) in pages.items() if src == "committed"],
        "mathjax": mathjax,
    }
