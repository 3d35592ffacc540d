"""The HTML site without a browser: offline rendering, MathJax bundled, navigation, what the index says, no
reference to another host. (tests/site_check.py opens the site in headless Chromium: `make site-check`.)"""

import json
import re
import socket
from pathlib import Path

import nbformat
import pytest
from site_check import count_math, read_source

import nbhelpers as nbh
from nbhelpers import site
from nbhelpers.lesson import notebooks_dir

SETTINGS = {"lstm": {"epochs": 1, "max_windows": 2000, "seed": 7, "units": 64}, "gru": {"epochs": 3, "max_windows": 0}}
PAGES = {f"{Path(n).stem}.html" for n in nbh.NOTEBOOKS if n != "00_index.ipynb"} | {"index.html"}


def small_notebook(name: str, parameters: str = "") -> nbformat.NotebookNode:
    """A quick-to-render stand-in for a lesson notebook: its title, a little math, a parameters cell."""
    number = int(name[:2])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {number}. Notebook {number}\n\n## Step 1: math\n\n$h^2$ and $$4h$$")]
    if parameters:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    return nb


def make_run(root: Path, names, settings=SETTINGS, committed=False) -> Path:
    """A run folder: notebooks (the committed ones, or small stand-ins) and each run's settings.json."""
    (root / "notebooks").mkdir(parents=True)
    for name in names:
        nb = nbformat.read(str(notebooks_dir() / name), as_version=4) if committed else small_notebook(name)
        nbformat.write(nb, str(root / "notebooks" / name))
    for run, values in settings.items():
        (root / run).mkdir()
        (root / run / "settings.json").write_text(json.dumps(values))
    return root


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during rendering: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def filled_site(tmp_path_factory):
    """A run of notebook 04 alone; the pages it lacks rendered from the committed notebooks (all real pages)."""
    root = tmp_path_factory.mktemp("filled")
    run = make_run(root / "run", ["04_parameter_counts.ipynb"], committed=True)
    result = nbh.render_html(run, committed_for_missing=True, html_dir=root / "site")
    return run, root / "site", result


def test_render_offline_bundles_mathjax_and_links_pages(tmp_path, offline):
    run = make_run(tmp_path, ["01_data_prep.ipynb", "04_parameter_counts.ipynb"])
    result = nbh.render_html(run)
    html_dir = run / "html"
    assert [p.name for p in result["pages"]] == ["index.html", "01_data_prep.html", "04_parameter_counts.html"]
    assert (html_dir / "mathjax" / "MathJax.js").is_file()
    assert (html_dir / "mathjax" / "config" / "TeX-AMS-MML_HTMLorMML-full.js").is_file()
    assert result["mathjax"] == html_dir / "mathjax"
    page = (html_dir / "04_parameter_counts.html").read_text(encoding="utf-8")
    assert '<script src="mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"></script>' in page
    for gone in ("cdnjs", "require.min.js", "mermaid", "unpkg"):
        assert gone not in page, gone
    # navigation, top and bottom: index, previous and next among the pages that exist (02 and 03 were not run)
    first = (html_dir / "01_data_prep.html").read_text(encoding="utf-8")
    assert first.count('<a class="site-index" href="index.html">Index</a>') == 2
    assert first.count('<a class="site-prev" href="index.html" rel="prev">← Index</a>') == 2
    assert first.count('<a class="site-next" href="04_parameter_counts.html" rel="next">4. Notebook 4 →</a>') == 2
    assert page.count('href="01_data_prep.html" rel="prev">← 1. Notebook 1</a>') == 2 and 'rel="next"' not in page
    index = (html_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="01_data_prep.html" rel="next"' in index and 'rel="prev"' not in index


def run_note(index_html: str) -> str:
    note = index_html[index_html.index('<section class="site-run"') :]
    return note[: note.index("</section>")]


def test_index_says_which_run_it_shows(tmp_path):
    run = make_run(tmp_path, ["00_index.ipynb", "04_parameter_counts.ipynb"])
    nbh.render_html(run)
    note = run_note((run / "html" / "index.html").read_text(encoding="utf-8"))
    assert f"This site shows the run in <code>{run}</code>; its models were trained with:" in note
    assert "<tr><td>lstm</td><td>1</td><td>2,000 at most</td><td>7</td><td>64</td></tr>" in note
    assert "<tr><td>gru</td><td>3</td><td>all</td><td>?</td><td>?</td></tr>" in note
    assert note.index("<td>lstm</td>") < note.index("<td>gru</td>")
    assert "committed" not in note  # every page of this site comes from the run
    assert 'class="site-run"' not in (run / "html" / "04_parameter_counts.html").read_text(encoding="utf-8")
    assert 'class="site-run"' in (run / "html" / "00_index.html").read_text(encoding="utf-8")


def test_pages_the_run_lacks_can_come_from_the_committed_notebooks(filled_site):
    run, html_dir, result = filled_site
    assert {p.name for p in result["pages"]} == PAGES
    assert "01_data_prep.ipynb" in result["missing"] and "04_parameter_counts.ipynb" not in result["missing"]
    assert {p.name for p in result["committed"]} == PAGES - {"04_parameter_counts.html"}
    note = run_note((html_dir / "index.html").read_text(encoding="utf-8"))
    others = ", ".join(n[:2] for n in nbh.NOTEBOOKS if n != "04_parameter_counts.ipynb")
    assert f"(saved in the repository from a full run), not from this run: {others}.</p>" in note
    assert "<tr><td>lstm</td><td>1</td>" in note
    assert not (run / "html").exists()  # html_dir put the site elsewhere


def test_no_page_names_another_host(filled_site):
    _, html_dir, _ = filled_site
    pages = sorted(html_dir.glob("*.html"))
    assert {p.name for p in pages} == PAGES
    for page in pages:
        assert read_source(page.read_text(encoding="utf-8"))["external"] == [], page.name


def strip_code(markdown: str) -> str:
    """Markdown without fenced code blocks and inline code spans (MathJax skips both)."""
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    return re.sub(r"(`+).+?\1", "", markdown, flags=re.S)


def test_math_in_each_page_matches_its_notebook(filled_site):
    """Math spans counted in a page's HTML equal those in its notebook's markdown: rendering kept every one."""
    _, html_dir, _ = filled_site
    for name in nbh.NOTEBOOKS:
        nb = json.loads((notebooks_dir() / name).read_text(encoding="utf-8"))
        markdown = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        in_notebook = sum(count_math(strip_code(text)) for text in markdown)
        page = "index.html" if name == "00_index.ipynb" else f"{Path(name).stem}.html"
        assert read_source((html_dir / page).read_text(encoding="utf-8"))["math"] == in_notebook, name
    assert read_source((html_dir / "04_parameter_counts.html").read_text(encoding="utf-8"))["math"] > 20


def test_committed_site_says_so(tmp_path, monkeypatch):
    committed = tmp_path / "committed"
    committed.mkdir()
    training = "epochs: int = 5  # passes\nmax_windows: int = 0  # all\nseed: int = 42  # rng"
    nbformat.write(small_notebook("00_index.ipynb", 'corpus_path: str = ""'), str(committed / "00_index.ipynb"))
    nbformat.write(small_notebook("02_lstm_training.ipynb", training), str(committed / "02_lstm_training.ipynb"))
    monkeypatch.setattr(site, "notebooks_dir", lambda: committed)
    result = nbh.render_html(tmp_path / "out", committed=True)
    assert [p.name for p in result["pages"]] == ["index.html", "00_index.html", "02_lstm_training.html"]
    assert result["committed"] == result["pages"]
    note = run_note((tmp_path / "out" / "html" / "index.html").read_text(encoding="utf-8"))
    assert "This site shows the <strong>committed notebooks</strong>" in note
    assert "<tr><td>2. Notebook 2</td><td>5</td><td>all</td><td>42</td><td>?</td></tr>" in note
    assert "0. Notebook 0" not in note  # no training settings in 00


def test_read_source_finds_references_to_other_hosts():
    page = """<html><head>
    <link rel="stylesheet" href="https://cdn.example/x.css"><link rel="icon" href="favicon.png">
    <script src="//cdn.example/require.js"></script><script src="mathjax/MathJax.js?config=x"></script>
    <script type="module">const m = await import("https://cdn.example/mermaid.mjs"); import "./local.js";</script>
    <style>@import "https://fonts.example/f.css"; body { background: url('https://img.example/b.png'); }
    .ok { background: url(data:image/png;base64,AAAA) } .rel { background: url("img/x.png") }</style>
    </head><body><img src="data:image/png;base64,AAAA"><img srcset="a.png 1x, https://img.example/c.png 2x">
    <div style="background-image: url(file:///etc/x.png)"></div><a href="https://keras.io/">fine: a link</a>
    <p>$a$ and \\$5 and $$b$$</p><pre>$not$</pre><p>$c</p><p>d$</p><code>$e$</code></body></html>"""
    found = read_source(page)
    assert found["external"] == [
        ("<link href>", "https://cdn.example/x.css"),
        ("<script src>", "//cdn.example/require.js"),
        ("<script> import", "https://cdn.example/mermaid.mjs"),
        ("<style> url()", "https://fonts.example/f.css"),
        ("<style> url()", "https://img.example/b.png"),
        ("<img srcset>", "https://img.example/c.png"),
        ("<div style> url()", "file:///etc/x.png"),
    ]
    assert found["math"] == 2  # $a$, $$b$$; not the escaped dollar, <pre>, <code>, or $ across paragraphs


def test_count_math_follows_the_delimiters_mathjax_uses():
    assert count_math(r"$a$, $$b$$, \(c\), \[d\], \begin{align}e\end{align}, \$5") == 5
    assert count_math("$$\\begin{aligned} x \\end{aligned}$$") == 1
    assert count_math("no math, 5 dollars") == 0


def test_mathjax_is_copied_once_and_replaced_when_damaged(tmp_path):
    run = make_run(tmp_path, ["04_parameter_counts.ipynb"], settings={})
    nbh.render_html(run)
    marker = run / "html" / "mathjax" / "marker"
    marker.write_text("kept")
    nbh.render_html(run)
    assert marker.exists()  # the same version is not copied again
    (run / "html" / "mathjax" / ".source").write_text("another version")
    nbh.render_html(run)
    assert not marker.exists() and (run / "html" / "mathjax" / "MathJax.js").is_file()


def test_missing_mathjax_package_says_how_to_install_it(tmp_path, monkeypatch):
    run = make_run(tmp_path, ["04_parameter_counts.ipynb"], settings={})
    monkeypatch.setattr(site.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"jupyter-server-mathjax \(a pinned dependency\) is not installed"):
        nbh.render_html(run)
    assert not (run / "html").exists()  # nothing written


def test_notebook_parameters_reads_the_parameters_and_injected_cells():
    nb = small_notebook("02_x.ipynb", "epochs: int = 5  # passes\nseed = 42\nx = f(1)\nname: str = 'a'")
    injected = nbformat.v4.new_code_cell("epochs = 1\n")
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.append(injected)
    assert site.notebook_parameters(nb) == {"epochs": 1, "seed": 42, "name": "a"}
    assert site.notebook_title(nb, "fallback") == "2. Notebook 2"
    assert site.notebook_title(nbformat.v4.new_notebook(), "fallback") == "fallback"
