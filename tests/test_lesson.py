"""The lesson as a whole: running its notebooks with papermill (``make run``) and the ``run`` command's options."""

import json

import nbformat
import pytest

import nbhelpers as nbh
from nbhelpers import lesson
from nbhelpers.cli import main


def test_notebooks_are_listed_in_lesson_order_and_exist():
    assert list(nbh.NOTEBOOKS) == sorted(nbh.NOTEBOOKS) and nbh.NOTEBOOKS[0] == "00_index.ipynb"
    for name in nbh.NOTEBOOKS:
        assert (lesson.notebooks_dir() / name).is_file(), name


def test_select_notebooks_by_prefix_name_or_path(tmp_path):
    assert [p.name for p in lesson.select_notebooks(["02", "04_parameter_counts"])] == [
        "02_lstm_training.ipynb",
        "04_parameter_counts.ipynb",
    ]
    assert [p.name for p in lesson.select_notebooks(None)] == list(nbh.NOTEBOOKS)
    other = tmp_path / "mine.ipynb"
    other.write_text("{}")
    assert lesson.select_notebooks([str(other)]) == [other.resolve()]
    for bad in ("07", "0"):  # no match, or more than one
        with pytest.raises(ValueError, match=f"unknown notebook '{bad}'; choose from"):
            lesson.select_notebooks([bad])


def test_unknown_parameter_is_rejected_before_running(tmp_path):
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['epoch'\]; the selected notebooks declare"):
        nbh.run_notebooks(tmp_path, {"epoch": 3}, ["02"])
    assert not (tmp_path / "notebooks").exists()


def test_parameter_only_some_notebooks_declare_is_accepted_by_the_check():
    declared = lesson.declared_parameters(lesson.notebooks_dir() / "04_parameter_counts.ipynb")
    assert "epochs" not in declared and "units" in declared


def test_values_and_output_dir_are_checked_before_running(tmp_path):
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        nbh.run_notebooks(tmp_path, {"epochs": 0}, ["02"])
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        nbh.run_notebooks(f, {}, ["04"])


def test_cli_reads_values_as_yaml_and_keeps_paths_as_text(monkeypatch, capsys, tmp_path):
    calls = []

    def fake_run(output_dir, parameters, notebooks, *, in_place, log_output):
        calls.append((output_dir, parameters, notebooks, in_place, log_output))
        return [{"notebook": "02_lstm_training.ipynb", "output": tmp_path / "x", "seconds": 1.25, "error": None}]

    monkeypatch.setattr(lesson, "run_notebooks", fake_run)
    args = ["run", "--notebooks", "02", "--output-dir", str(tmp_path), "--in-place"]
    for name, value in [
        ("epochs", "1"),
        ("learning_rate", "0.5"),
        ("temperatures", "[0.2, 0.5]"),
        ("corpus_path", "yes"),  # YAML would read yes as True: paths stay text
        ("output_dir", "007"),
        ("seed", "a: b: c"),  # not YAML: kept as text, for check_parameters to refuse
    ]:
        args += ["-p", name, value]
    assert main(args) == 0
    ((output_dir, parameters, notebooks, in_place, log_output),) = calls
    assert parameters == {
        "epochs": 1,
        "learning_rate": 0.5,
        "temperatures": [0.2, 0.5],
        "corpus_path": "yes",
        "output_dir": "007",
        "seed": "a: b: c",
    }
    assert (output_dir, notebooks, in_place, log_output) == (str(tmp_path), ["02"], True, False)
    out = capsys.readouterr().out
    assert "02_lstm_training.ipynb" in out and "1.2 s  ok" in out and "total" in out


def test_cli_run_reports_bad_values_and_needs_notebook_names(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["run", "--notebooks"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["run", "--notebooks", "02", "-p", "epochs", "0", "--output-dir", str(tmp_path)])
    assert e.value.code == 2
    assert "error: epochs must be a positive integer, got 0" in capsys.readouterr().err


def test_failing_notebook_exits_non_zero_and_keeps_the_error(tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("output_dir = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("raise RuntimeError('boom')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    assert main(["run", "--notebooks", str(path), "--output-dir", str(tmp_path / "out")]) == 1
    executed = json.loads((tmp_path / "out" / "notebooks" / "bad.ipynb").read_text())
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["evalue"] == "boom"
    injected = [c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and str(tmp_path / "out") in "".join(injected[0]["source"])  # output_dir passed on
    captured = capsys.readouterr()
    assert "FAILED: RuntimeError: boom" in captured.out and "1 notebook(s) failed" in captured.err


def test_strip_run_metadata(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("1")
    cell.metadata["papermill"] = {"duration": 1.0}
    cell.metadata["execution"] = {"iopub.status.busy": "now"}
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["papermill"] = {"parameters": {}}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    lesson.strip_run_metadata(path)
    again = nbformat.read(path, as_version=4)
    assert "papermill" not in again.metadata and again.cells[0].metadata == {"tags": ["parameters"]}


def test_output_dir_is_relative_to_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert nbh.resolve_output_dir("outputs") == nbh.project_root() / "outputs"
    assert nbh.resolve_output_dir(tmp_path / "abs") == tmp_path / "abs"
    assert (nbh.project_root() / "pyproject.toml").is_file()
