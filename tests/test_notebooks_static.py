"""Checks on the committed notebooks themselves (no kernel needed)."""

import ast
import json
import re
import subprocess
from pathlib import Path

import pytest

import nbhelpers as nbh

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = [ROOT / "notebooks" / name for name in nbh.NOTEBOOKS]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def parameters_cell(nb):
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, "papermill needs exactly one cell tagged 'parameters'"
    return cells[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_plain_literals_matching_defaults(path):
    tree = ast.parse(source(parameters_cell(load(path))))
    names = []
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        name = node.targets[0].id
        value = ast.literal_eval(node.value)  # plain literals only
        assert isinstance(value, (int, float, str, list)), (name, value)
        if name in nbh.DEFAULTS:
            assert value == nbh.DEFAULTS[name], f"{path.name}: {name} = {value!r}, DEFAULTS has {nbh.DEFAULTS[name]!r}"
        names.append(name)
    # papermill must see every parameter (it silently skips lines it cannot parse)
    assert list(nbh.runners.declared_parameters(path)) == names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outline(path):
    nb = load(path)
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and source(cells[0]).startswith("# ")
    assert "What you will learn" in source(cells[0])
    headings = [
        line for c in cells if c["cell_type"] == "markdown" for line in source(c).splitlines() if line.startswith("## ")
    ]
    assert headings[0] == "## Setup"
    assert headings[-2:] == ["## Summary", "## Exercises"]
    assert any(h.startswith("## Step") for h in headings)
    code = "\n".join(source(c) for c in cells if c["cell_type"] == "code")
    assert "import nbhelpers as nbh" in code
    assert "def " not in code.replace("def show_breakdown", ""), "helper code belongs in nbhelpers"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_outputs_are_clean(path):
    nb = load(path)
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any(c.get("outputs") for c in code_cells), "the committed notebooks carry a real run's outputs"
    for c in code_cells:
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", source(c)
            assert out.get("name") != "stderr", f"stderr in {path.name}: {out.get('text')}"
    assert not any(c.get("metadata", {}).get("tags") == ["injected-parameters"] for c in nb["cells"])


def outputs_text(path):
    nb = load(path)
    parts = []
    for c in nb["cells"]:
        for out in c.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


@pytest.mark.parametrize(
    "name,figures",
    [
        (
            "01_data_prep.ipynb",
            [
                "corpus length: 600893",
                "total chars: 57",
                "nb sequences: 200285",
                "x shape: (200285, 40, 57)",
                "y shape: (200285, 57)",
                "a uniform guess: log2(57) = 5.83 bits per character",
            ],
        ),
        ("02_lstm_training.ipynb", ["trainable parameters: 102,585", "a uniform guess: log2(57) = 5.83 bpc"]),
        (
            "03_gru_training.ipynb",
            [
                "trainable parameters: 79,161",
                "a uniform guess: log2(57) = 5.83 bpc",
                # quoted in the note on overfitting: the committed run's last two validation losses
                "epoch 4: loss 1.611 nats = 2.324 bpc, val_loss 1.686",
                "epoch 5: loss 1.600 nats = 2.308 bpc, val_loss 1.686",
            ],
        ),
        (
            "04_parameter_counts.ipynb",
            ["95,232", "7,353", "102,585", "71,424", "78,777", "71,808", "79,161", "NumPy == Keras within 1e-5"],
        ),
        ("00_index.ipynb", ["corpus: 600,893 characters, 57 distinct"]),
        (
            "05_lstm_vs_gru.ipynb",
            [
                "LSTM(128): 102,585 trainable parameters",
                "GRU(128): 79,161",
                "settings that differ: none",
                "a uniform guess: log2(57) = 5.83 bpc",
            ],
        ),
    ],
)
def test_committed_outputs_show_the_quoted_figures(name, figures):
    text = outputs_text(ROOT / "notebooks" / name)
    for figure in figures:
        assert figure in text


@pytest.mark.parametrize("name", ["02_lstm_training.ipynb", "03_gru_training.ipynb"])
def test_committed_training_notebooks_are_a_full_run(name):
    text = outputs_text(ROOT / "notebooks" / name)
    for epoch in range(1, 6):
        assert f"----- Generating text after epoch {epoch}" in text
        assert f"epoch {epoch}: loss" in text
    for t in nbh.DEFAULTS["temperatures"]:
        assert text.count(f"----- temperature {t}:") == 5
    # The prose says an epoch takes under a minute on a 2-core CPU; Step 4 prints each one.
    seconds = [float(s) for s in re.findall(r"^epoch \d: loss .*; ([\d.]+) s$", text, flags=re.M)]
    assert len(seconds) >= 5 and max(seconds) < 60, seconds


def test_index_lists_the_lesson_in_order_with_a_paragraph_each():
    nb = load(ROOT / "notebooks" / "00_index.ipynb")
    md = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    links = re.findall(r"\]\((\d\d_\w+\.ipynb)\)", md)
    assert links == [n for n in nbh.NOTEBOOKS if n != "00_index.ipynb"]
    for name in links:
        assert (ROOT / "notebooks" / name).is_file()
        paragraph = re.split(r"\n\d\. \[", md.split(f"]({name})", 1)[1])[0]
        assert len(paragraph.split()) >= 20, name


def test_figures_quoted_in_the_index_are_printed_by_the_lesson():
    nb = load(ROOT / "notebooks" / "00_index.ipynb")
    md = "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    printed = "\n".join(outputs_text(p) for p in NOTEBOOKS)
    quoted = set(re.findall(r"\d{1,3}(?:,\d{3})+", md))
    assert quoted >= {"200,285", "102,585", "79,161"}
    for figure in quoted:  # printed with or without the thousands separator
        assert figure in printed or figure.replace(",", "") in printed, figure


def test_corpus_is_never_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert not [f for f in tracked if "nietzsche" in f.lower()]


def test_readme_comparison_tables_are_the_committed_run():
    """The README's LSTM-vs-GRU tables quote notebook 05's committed outputs, row by row."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## LSTM vs GRU, head to head", 1)[1].split("\n## ", 1)[0]
    printed = outputs_text(ROOT / "notebooks" / "05_lstm_vs_gru.ipynb")
    printed_rows = {tuple(line.split()) for line in printed.splitlines()}
    rows = [
        tuple(c.strip() for c in line.strip("|").split("|"))
        for line in section.splitlines()
        if line.startswith("| ") and not line.startswith("| model")
    ]
    assert len(rows) == 2 + 11
    for row in rows[:2]:  # model, parameters, s/epoch, loss, val loss, bpc, val bpc (the table adds epochs)
        assert (row[0], row[1], "5", *row[2:]) in printed_rows, row
    for row in rows[2:]:  # model, T, word share, distinct-1, distinct-2, rep-4 (the table adds words)
        assert any(r[:2] == row[:2] and r[3:] == row[2:] for r in printed_rows if len(r) == 7), row
    flat = " ".join(section.split())
    lstm_h, lstm_ce, gru_h, gru_ce = re.search(
        r"entropy is (\S+) bits against a cross-entropy of (\S+) bits .*\(GRU: (\S+) and (\S+)\)", flat
    ).groups()
    for cell, h, ce in (("LSTM", lstm_h, lstm_ce), ("GRU", gru_h, gru_ce)):
        assert f"{cell}: at T=1 mean entropy {h} bits, cross-entropy of the true next characters {ce} bits" in printed
