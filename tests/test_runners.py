import json

import nbformat
import pytest

import nbhelpers as nbh
from nbhelpers.cli import _parse_value, main


def test_unknown_parameter_is_rejected_before_running(tmp_path):
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['epoch'\]"):
        nbh.run_notebooks(tmp_path, {"epoch": 3}, ["02"])


def test_parameter_only_some_notebooks_declare_is_accepted_by_the_check():
    declared = nbh.runners.declared_parameters(nbh.runners.notebooks_dir() / "04_parameter_counts.ipynb")
    assert "epochs" not in declared and "units" in declared


def test_unknown_notebook():
    with pytest.raises(ValueError, match="unknown notebook"):
        nbh.runners._select(["07"])
    assert [p.name for p in nbh.runners._select(["02", "04_parameter_counts"])] == [
        "02_lstm_training.ipynb",
        "04_parameter_counts.ipynb",
    ]


@pytest.mark.parametrize(
    "text,value", [("1", 1), ("0.5", 0.5), ("[0.2, 0.5]", [0.2, 0.5]), ("abc", "abc"), ("a: b: c", "a: b: c")]
)
def test_cli_values(text, value):
    assert _parse_value(text) == value


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
    assert "FAILED: RuntimeError: boom" in capsys.readouterr().out


def test_relative_corpus_path_from_another_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # README.md exists only relative to the project root
    assert nbh.load_corpus("README.md", lowercase=False).startswith("# ")
    (tmp_path / "README.md").write_text("Local", encoding="utf-8")
    assert nbh.load_corpus("README.md") == "local"  # the cwd wins when the file is there


def test_output_dir_is_relative_to_the_project_root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert nbh.resolve_output_dir("outputs") == nbh.project_root() / "outputs"
    assert nbh.resolve_output_dir(tmp_path / "abs") == tmp_path / "abs"
