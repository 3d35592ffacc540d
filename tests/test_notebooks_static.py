"""Checks on the committed notebooks themselves (no kernel needed)."""

import ast
import difflib
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


def code_of(nb):
    return "\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_is_annotated_literals_matching_defaults(path):
    tree = ast.parse(source(parameters_cell(load(path))))
    names = []
    for node in tree.body:
        # `epochs: int = 5`: papermill --help-notebook shows the type
        assert isinstance(node, ast.AnnAssign) and node.value is not None, ast.dump(node)
        name = node.target.id
        value = ast.literal_eval(node.value)  # plain literals only
        annotation = ast.unparse(node.annotation)
        assert annotation == type(value).__name__ or (annotation == "float" and isinstance(value, int)), (name, value)
        if name in nbh.DEFAULTS:
            assert value == nbh.DEFAULTS[name], f"{path.name}: {name} = {value!r}, DEFAULTS has {nbh.DEFAULTS[name]!r}"
        names.append(name)
    # papermill must see every parameter (it silently skips lines it cannot parse), with its type
    declared = nbh.lesson.declared_parameters(path)
    assert list(declared) == names
    assert all(p["inferred_type_name"] not in ("None", "") for p in declared.values()), declared


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_are_checked_once_in_the_next_cell(path):
    nb = load(path)
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    index = next(k for k, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    names = [n.target.id for n in ast.parse(source(cells[index])).body]
    checker = source(cells[index + 1])
    assert "nbh.check_parameters(" in checker
    for name in names:
        assert f"{name}={name}" in checker, (path.name, name)
    code = code_of(nb)
    assert "globals()" not in code, "assign the checked values by name"
    assert not re.search(r"^params\b", code, flags=re.M), "`params` means weight counts in this lesson"


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
    code = code_of(nb)
    assert "import nbhelpers as nbh" in code
    if "import keras" in code:  # TensorFlow's start-up lines are kept out of the outputs
        assert code.index("nbh.quiet_tensorflow()") < code.index("import keras")
    for line in ("tf.data autotuning", "README, Performance", "samples.samples", "gru_v1", "gru_v3"):
        assert line not in json.dumps(nb["cells"]), (path.name, line)


# The lesson's own lines, written in the cells (issue: "The lesson lives in its cells").
LESSON_LINES = {
    "01_data_prep.ipynb": ["sliding_window_view", "nbh.make_windows(", "nbh.one_hot("],
    "02_lstm_training.ipynb": [
        "keras.Sequential(",
        "keras.layers.LSTM(units)",
        'keras.layers.Dense(vocab.size, activation="softmax")',
        "model.compile(",
        "keras.optimizers.RMSprop(learning_rate=learning_rate)",
        "model.fit(",
        "def sample(probs, temperature, rng)",
        "def generate_text(",
        "nbh.sample(",
        "nbh.build_model(",
        "nbh.draw_lstm_cell(",
        "tf.GradientTape()",
    ],
    "03_gru_training.ipynb": [
        "keras.layers.GRU(units, reset_after=reset_after)",
        "model.compile(",
        "model.fit(",
        "nbh.build_model(",
        "nbh.draw_gru_cell(",
    ],
    "04_parameter_counts.ipynb": ["def lstm_step(", "def gru_step("],
    "06_every_char.ipynb": [
        "keras.layers.LSTM(units, return_sequences=True)",
        "keras.layers.GRU(units, return_sequences=True)",
        "tf.GradientTape()",
        "tf.train.CheckpointManager(",
        "nbh.chunk_dataset(",
        "nbh.make_train_step(",
        "stateful=True",
        "nbh.save_run(",
    ],
}


@pytest.mark.parametrize("name", sorted(LESSON_LINES))
def test_the_lesson_lives_in_the_cells(name):
    code = code_of(load(ROOT / "notebooks" / name))
    for line in LESSON_LINES[name]:
        assert line in code, (name, line)


@pytest.mark.parametrize("name", ["02_lstm_training.ipynb", "03_gru_training.ipynb"])
def test_theory_comes_before_training(name):
    cells = load(ROOT / "notebooks" / name)["cells"]
    first_fit = next(k for k, c in enumerate(cells) if "model.fit(" in source(c))
    before = "\n".join(source(c) for c in cells[:first_fit])
    assert "\\sigma" in before and "\\odot" in before and "softmax" in before  # equations, symbols defined
    assert "nbh.draw_" in before  # a diagram drawn by code
    if name.startswith("02"):
        for term in ("cross-entropy", "RMSprop", "**epoch**", "logistic sigmoid"):
            assert term in before, term
    else:
        for term in ("reset_after", "update gate", "reset gate", "Chung et al."):
            assert term in before, term


def paragraphs(nb):
    fixed = ("## Setup", "## Summary", "## Exercises", "**What you will learn**")
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "markdown":
            continue
        for para in re.split(r"\n\s*\n", source(c)):
            para = " ".join(para.split())
            if len(para) > 80 and not para.startswith("#") and para not in fixed:
                out.append(para)
    return out


def test_notebook_03_has_its_own_text():
    ours = paragraphs(load(ROOT / "notebooks" / "03_gru_training.ipynb"))
    theirs = paragraphs(load(ROOT / "notebooks" / "02_lstm_training.ipynb"))
    for para in ours:
        for other in theirs:
            assert difflib.SequenceMatcher(None, para, other).ratio() <= 0.8, (para, other)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_has_a_cost_a_check_and_a_hidden_solution(path):
    cells = load(path)["cells"]
    start = next(k for k, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Exercises" in source(c))
    tail = cells[start:]
    headings = [k for k, c in enumerate(tail) if c["cell_type"] == "markdown" and "### Exercise" in source(c)]
    assert headings, f"{path.name} has no exercises"
    assert any("import nbhelpers.exercises." in source(c) for c in tail if c["cell_type"] == "code")
    for n, k in enumerate(headings):
        block = tail[k : headings[n + 1] if n + 1 < len(headings) else len(tail)]
        text = source(block[0])
        assert "*Cost:*" in text, (path.name, text[:60])
        code_cells = [c for c in block if c["cell_type"] == "code"]
        solutions = [c for c in code_cells if "solution" in c["metadata"].get("tags", [])]
        assert len(solutions) == 1, (path.name, text[:60])
        assert solutions[0]["metadata"].get("jupyter", {}).get("source_hidden") is True
        assert any("check." in source(c) for c in code_cells if c not in solutions), "a visible check cell"
        assert "check." in source(solutions[0]), "the solution runs the same check"


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
        ("02_lstm_training.ipynb", ["trainable parameters: 102,585", "uniform guess: log2(57) = 5.8"]),
        ("03_gru_training.ipynb", ["trainable parameters: 79,161", "uniform guess: log2(57) = 5.8"]),
        (
            "04_parameter_counts.ipynb",
            ["95,232", "7,353", "102,585", "71,424", "78,777", "71,808", "79,161", "NumPy == Keras within 1e-5"],
        ),
        ("00_index.ipynb", ["corpus: 600,893 characters, 57 distinct"]),
        ("06_every_char.ipynb", ["trainable parameters: 102,585", "input shape: (None, None, 57)"]),
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
