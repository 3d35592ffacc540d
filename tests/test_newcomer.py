"""The newcomer's path (issue 12): the README's quick start works as written, and what it meets on the way.

The quick start is three commands: a quick run, its HTML, text from its LSTM. Training is left to
the fast notebook runs (test_notebooks_fast.py); here the html and generate steps run, exactly as
the README writes them, on a tiny run laid out as the quick run lays out its folder. Then: errors
that name the run folders that exist, the note that a quick run's text is gibberish, `make lab`
as root, example commands that never write over another example's run, a terminal without
ipykernel's TCP warning, papermill's types, one measured figure for a full run, and the Makefile
with paths that hold spaces.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

import nbhelpers as nbh
from nbhelpers.cli import main

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)
TEXT = "the free spirit. beyond good and evil. the will to power.\n" * 6
QUICK = "outputs/quick"  # the quick run's folder, as the README names it
NOTEBOOKS_DIR = ROOT / "notebooks"


def make_env(**extra):
    """The environment for a nested `make`: none of the outer make's flags or variable overrides."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env.update(extra)
    return env


def save_tiny_run(run_dir, settings=None):
    """An untrained LSTM and its vocabulary saved like a training notebook's run (generation needs no training)."""
    import keras

    keras.utils.set_random_seed(0)
    vocab = nbh.Vocabulary.from_text(TEXT)
    model = nbh.build_model("lstm", 8, 12, vocab.size)
    model.optimizer.build(model.trainable_variables)  # as after training: the saved optimizer loads without a warning
    return nbh.save_run(run_dir, model, vocab, {"loss": [1.0]}, settings=settings)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """``<tmp>/outputs/quick`` laid out as the README's quick run leaves it: executed notebooks and two models."""
    outputs = tmp_path_factory.mktemp("project") / "outputs"
    quick = outputs / "quick"
    (quick / "notebooks").mkdir(parents=True)
    for name in ("00_index.ipynb", "04_parameter_counts.ipynb"):  # executed notebooks that render quickly
        shutil.copy(NOTEBOOKS_DIR / name, quick / "notebooks" / name)
    settings = {"epochs": 1, "max_windows": 5000, "generate_chars": 100, "seed": 42}
    for cell in ("lstm", "gru"):
        save_tiny_run(quick / cell, settings=settings)
    return outputs


def readme_quick_start():
    """The commands of the README's first code block under "## Quick start", comments and blank lines dropped."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:bash|sh)?\n(.*?)```", section, re.S).group(1)
    block = block.replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_readme_quick_start_is_the_quick_run_then_its_html_then_generation():
    commands = readme_quick_start()
    assert len(commands) >= 3, commands
    run, html, generate = commands[:3]
    assert run.startswith("make run ") and f"OUTPUT_DIR={QUICK}" in run.split(), run
    assert {"EPOCHS=1", "MAX_WINDOWS=5000"} <= set(run.split()), run
    assert html == f"make html OUTPUT_DIR={QUICK}", html
    assert "nbhelpers generate" in generate and f"--model {QUICK}/lstm" in generate, generate


def test_readme_quick_start_html_and_generate_steps_work_as_written(quick_run, capsys, monkeypatch):
    """The README's html and generate commands, word for word, on the tiny quick run (its folder swapped in)."""
    _, html, generate = readme_quick_start()[:3]
    quick = quick_run / "quick"
    # `make html OUTPUT_DIR=X` runs `python -m nbhelpers html --output-dir X` (what its recipe says)
    recipe = subprocess.run(
        ["make", "-s", "-n", "-o", ".venv/.installed", *shlex.split(html)[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=make_env(),
        check=True,
    ).stdout.strip()
    (line,) = [ln for ln in recipe.splitlines() if " -m nbhelpers html " in ln]
    args = shlex.split(line)
    assert args[1:4] == ["-m", "nbhelpers", "html"], recipe
    args = [str(quick) if a == QUICK else a for a in args[4:]]
    assert main(["html", *args]) == 0
    assert (quick / "html" / "index.html").is_file() and (quick / "html" / "04_parameter_counts.html").is_file()
    capsys.readouterr()

    words = shlex.split(generate)
    args = words[words.index("generate") :]
    args = [str(quick / "lstm") if a == f"{QUICK}/lstm" else a for a in args]
    if "--prompt" in args:  # the tiny model knows only the characters of TEXT
        args[args.index("--prompt") + 1] = "the free spirit"
    assert main([*args, "--length", "20"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("----- temperature ") and "the free spirit" in out
    assert "gibberish" in err  # the quick run's model says what to expect of it


def test_html_names_the_run_folder_that_exists(quick_run, capsys):
    """`make html` (OUTPUT_DIR=outputs) after the quick run: the error names outputs/quick, not a full run."""
    with pytest.raises(SystemExit) as e:
        main(["html", "--output-dir", str(quick_run)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    quick = shlex.quote(str(quick_run / "quick"))
    assert f"did you mean `make html OUTPUT_DIR={quick}`" in err, err
    assert f"python -m nbhelpers html --output-dir {quick}" in err


def test_html_suggests_folders_relative_to_the_project_root(tmp_path):
    run = tmp_path / "outputs" / "quick run"
    (run / "notebooks").mkdir(parents=True)
    (run / "notebooks" / "02_lstm_training.ipynb").write_text("{}")
    from nbhelpers import lesson

    assert lesson.executed_runs(tmp_path / "outputs") == [run]
    assert lesson.shown_path(run, tmp_path) == "'outputs/quick run'"


def test_generate_names_the_saved_model_that_exists(quick_run, capsys):
    """`generate --model outputs/lstm` after the quick run: the error names outputs/quick/lstm."""
    with pytest.raises(SystemExit) as e:
        main(["generate", "--model", str(quick_run / "lstm"), "--prompt", "the free spirit"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"{quick_run / 'lstm' / 'model.keras'} not found; did you mean --model " in err, err
    assert shlex.quote(str(quick_run / "quick" / "lstm")) in err.split("did you mean --model ")[1].split("?")[0]
    assert "Traceback" not in err


def test_a_quick_run_warns_that_its_text_is_gibberish(monkeypatch, capsys, tmp_path):
    def fake_run(output_dir, parameters, notebooks, *, in_place, log_output):  # the notebooks as if just run
        return [
            {"notebook": n.name, "output": n, "seconds": 1.0, "error": None}
            for n in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
            if n.name.startswith(tuple(notebooks))
        ]

    monkeypatch.setattr("nbhelpers.lesson.run_notebooks", fake_run)
    quick = ["-p", "epochs", "1", "-p", "max_windows", "5000", "--output-dir", str(tmp_path)]
    assert main(["run", "--notebooks", "02", *quick]) == 0
    err = capsys.readouterr().err
    assert "1 epoch on 5,000 windows only checks that everything runs" in err and "gibberish" in err
    for enough in (["--notebooks", "02"], ["--notebooks", "04", *quick], ["--notebooks", "02", "-p", "epochs", "1"]):
        assert main(["run", *enough]) == 0  # the defaults; no training; all the windows
        assert "gibberish" not in capsys.readouterr().err, enough
    from nbhelpers.lesson import quick_run_note

    assert quick_run_note(5, 5000) and not quick_run_note(5, 40_000) and not quick_run_note(1, 0)


def test_make_lab_as_root_keeps_allow_root_with_lab_args(tmp_path):
    """`make lab LAB_ARGS=...` as root: the extra arguments add to --allow-root (an `id` that says 0 stands in)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 0\n")
    (fake / "id").chmod(0o755)
    env = make_env(PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    res = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "lab", "LAB_ARGS=--no-browser --port 8899"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    (line,) = [ln for ln in res.stdout.splitlines() if "jupyter lab" in ln]
    assert {"--allow-root", "--no-browser", "--port", "8899"} <= set(line.split()), line


def test_lab_args_are_documented():
    assert "LAB_ARGS" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "LAB_ARGS" in (ROOT / "Makefile").read_text().split("\n\n", 1)[0]  # `make help`


# --- example commands: each writes to a folder of its own --------------------------------------------------------

MAKE_VARIABLES = {"EPOCHS": "epochs", "MAX_WINDOWS": "max_windows", "GENERATE_CHARS": "generate_chars"}
MAKE_VARIABLES |= {"SEED": "seed", "UNITS": "units", "CORPUS": "corpus_path"}


def example_commands():
    """Commands the learner is shown: README code, the Makefile's help, the notebooks' markdown, the CLI's help."""
    texts = [("README.md", (ROOT / "README.md").read_text(encoding="utf-8"))]
    help_lines = [ln for ln in (ROOT / "Makefile").read_text().split("\n\n", 1)[0].splitlines() if ln.startswith("#")]
    texts.append(("Makefile", "\n".join(f"`{ln.lstrip('# ')}`" for ln in help_lines)))
    for name in nbh.NOTEBOOKS:
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        texts += [(name, c.source) for c in nb.cells if c.cell_type == "markdown"]
    doc = sys.modules["nbhelpers.cli"].__doc__
    texts.append(("nbhelpers/cli.py", "\n".join(f"`{ln.strip()}`" for ln in doc.splitlines())))
    commands = []
    for where, text in texts:
        text = text.replace("\\\n", " ")
        blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
        inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
        for line in [ln for b in blocks for ln in b.splitlines()] + inline:
            line = line.split("  #")[0].strip()
            if re.search(r"(^|[\s/])(make run|papermill|nbhelpers run)\b", line):
                commands.append((where, line))
    return commands


def settings_and_folder(command):
    """What a run command changes from the defaults, and the folder it writes its models to."""
    words = shlex.split(command.replace("...", ""))
    settings, folder = {}, "outputs"
    for i, word in enumerate(words):
        name, _, value = word.partition("=")
        if name == "OUTPUT_DIR" or word in ("--output-dir",):
            folder = value or words[i + 1]
        elif name in MAKE_VARIABLES:
            settings[MAKE_VARIABLES[name]] = value
        elif name == "PARAMS":
            settings.update(settings_and_folder(value)[0])
        elif word == "-p" and words[i + 1] == "output_dir":
            folder = words[i + 2]
        elif word == "-p":
            settings[words[i + 1]] = words[i + 2]
        elif word in ("-y", "--parameters_yaml"):
            settings["yaml"] = words[i + 1]
    return settings, folder.rstrip("/")


def test_example_commands_never_write_over_another_examples_run():
    commands = example_commands()
    assert any("make run" in c for _, c in commands) and any("papermill" in c for _, c in commands)
    writers = {}
    for where, command in commands:
        settings, folder = settings_and_folder(command)
        writers.setdefault(folder, {}).setdefault(json.dumps(settings, sort_keys=True), []).append((where, command))
    clashes = {folder: runs for folder, runs in writers.items() if len(runs) > 1}
    assert not clashes, "example commands with different settings write to the same folder: " + json.dumps(
        clashes, indent=1
    )


def test_the_checker_sees_a_clash():
    quick = settings_and_folder("make run EPOCHS=1 MAX_WINDOWS=5000 OUTPUT_DIR=outputs/quick")
    assert quick == ({"epochs": "1", "max_windows": "5000"}, "outputs/quick")
    papermill = "papermill notebooks/02_lstm_training.ipynb out.ipynb -p epochs 1 -p max_windows 5000"
    assert settings_and_folder(papermill) == ({"epochs": "1", "max_windows": "5000"}, "outputs")
    assert settings_and_folder('make run PARAMS="-p learning_rate 0.005"') == ({"learning_rate": "0.005"}, "outputs")


# --- papermill, the Makefile's figure --------------------------------------------------------------------------


@pytest.mark.parametrize("name", nbh.NOTEBOOKS)
def test_papermill_help_notebook_shows_every_parameters_type(name):
    """`papermill --help-notebook NOTEBOOK` (papermill's command, run in this process)."""
    from click.testing import CliRunner
    from papermill.cli import papermill as papermill_command

    path = NOTEBOOKS_DIR / name
    res = CliRunner().invoke(papermill_command, ["--help-notebook", str(path)])
    assert res.exit_code == 0, res.output
    assert "Unknown type" not in res.output, res.output
    for parameter in papermill.inspect_notebook(str(path)):
        assert re.search(rf"^  {parameter}: \w+ \(default ", res.output, re.M), (parameter, res.output)


def test_the_makefile_quotes_no_figure_of_its_own_for_a_full_run():
    """The time of a full run is measured once, in the README; the Makefile's help points there."""
    header = (ROOT / "Makefile").read_text().split("\n\n", 1)[0]
    assert not re.search(r"\d+\s*(min|minutes|s)\b", header), header


# --- the quick run's commands with paths that hold spaces; a terminal without ipykernel's warning -----------------


@pytest.fixture(scope="module")
def spaced_run(tmp_path_factory, corpus_path):
    """`make run` of notebook 00 with OUTPUT_DIR and CORPUS that hold spaces."""
    tmp = tmp_path_factory.mktemp("spaces")
    corpus = tmp / "my corpus" / "nietzsche.txt"
    corpus.parent.mkdir()
    shutil.copy(corpus_path, corpus)
    out = tmp / "out dir"
    cmd = ["make", "-o", ".venv/.installed", "run", f"PY={PY}", f"OUTPUT_DIR={out}", f"CORPUS={corpus}"]
    cmd.append("PARAMS=--notebooks 00")
    env = make_env()
    env.pop("NBHELPERS_CORPUS", None)
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=600)
    return res, out


def test_make_run_takes_paths_with_spaces(spaced_run):
    res, out = spaced_run
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    executed = nbformat.read(out / "notebooks" / "00_index.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "corpus: 600,893 characters, 57 distinct" in text  # read from the corpus path with a space


def test_running_notebooks_leaves_the_terminal_clean(tmp_path):
    """ipykernel warns "Kernel is running over TCP without encryption" unless its messages are encrypted.

    A one-cell notebook stands in for the lesson's (the runner starts every kernel the same way).
    """
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('output_dir: str = "x"  # where it writes')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print('ran')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "one.ipynb")
    cmd = [
        str(PY),
        "-m",
        "nbhelpers",
        "run",
        "--notebooks",
        str(tmp_path / "one.ipynb"),
        "--output-dir",
        str(tmp_path / "out"),
    ]
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert "without encryption" not in res.stdout + res.stderr, res.stderr[-3000:]
    assert res.stderr == "", res.stderr  # nothing else either


def test_make_quotes_every_path_it_passes(tmp_path):
    out, corpus, fast = tmp_path / "it's a dir", tmp_path / "my corpus.txt", "build/fast dir"
    variables = [f"OUTPUT_DIR={out}", f"CORPUS={corpus}", f"FAST_DIR={fast}", "EPOCHS=1"]
    res = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", "html", "bench", "clean", "unit", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=make_env(),
        check=True,
    )
    lines = res.stdout.splitlines()
    for option, path in [("--output-dir", str(out)), ("--output", str(out / "bench.json"))]:
        for line in [ln for ln in lines if f" {option} " in ln]:
            words = shlex.split(line)
            assert words[words.index(option) + 1] == path, line
    (clean,) = [ln for ln in lines if ln.startswith("rm -rf")]
    assert str(out) in shlex.split(clean)
    (unit,) = [ln for ln in lines if "pytest tests" in ln]
    assert shlex.split(unit)[0] == f"NBHELPERS_FAST_DIR={fast}"
    show = 'show: ; @printf "%s" "$$NBHELPERS_CORPUS"'
    res = subprocess.run(
        ["make", "-s", "--eval", show, "show", f"CORPUS={corpus}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=make_env(),
        check=True,
    )
    assert res.stdout == str(corpus)
