"""``python -m nbhelpers generate`` and ``html`` (``run`` is covered in test_lesson.py)."""

import re
import shlex
import shutil
import subprocess
import sys

import pytest

import nbhelpers as nbh
from nbhelpers.cli import main
from nbhelpers.lesson import notebooks_dir
from nbhelpers.paths import umask

TEXT = "the will to power. the free spirit. beyond good and evil. " * 8


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    nbh.quiet_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    vocab = nbh.Vocabulary.from_text(TEXT)
    x, y = nbh.make_windows(vocab.encode(TEXT), 12, 1)
    model = nbh.build_model("gru", 8, 12, vocab.size)
    model.fit(nbh.make_dataset(x, y, vocab.size, 32), epochs=1, verbose=0, shuffle=False)
    return nbh.save_run(tmp_path_factory.mktemp("run") / "gru", model, vocab, {"loss": [1.0]})


def test_generate_prints_each_temperature_reproducibly(run_dir, capsys):
    args = ["generate", "--model", str(run_dir), "--prompt", "The Free Spirit", "--length", "30", "--seed", "3"]
    assert main([*args, "--temperature", "0", "1.0"]) == 0
    out, err = capsys.readouterr()
    assert "lowercased" in err and "padded" not in err  # 15 characters: no padding for a window of 12
    assert main([*args, "--temperature", "0", "1.0"]) == 0
    assert capsys.readouterr().out == out  # same seed, same text
    blocks = out.split("----- temperature ")[1:]
    assert [b.split(":")[0] for b in blocks] == ["0.0", "1.0"]
    for b in blocks:
        body = b.split(":\n", 1)[1].strip("\n")
        assert body.startswith("the free spirit")  # lowercased: the vocabulary has no capitals
        assert len(body) == len("the free spirit") + 30


def test_short_prompt_is_padded_and_greedy_matches_the_library(run_dir, capsys):
    assert main(["generate", "--model", str(run_dir), "--prompt", "evil", "--temperature", "0", "--length", "20"]) == 0
    out, err = capsys.readouterr()
    assert "the prompt has 4 characters and the model reads 12; padded with spaces" in err
    run = nbh.load_run(run_dir)
    expected = nbh.generate(run["model"], run["vocab"], "        evil", 20, [0.0])[0.0]
    assert out == f"----- temperature 0.0:\nevil{expected}\n\n"


def test_top_k_1_and_stateful_options(run_dir, capsys):
    base = ["generate", "--model", str(run_dir), "--prompt", TEXT[:20], "--length", "15"]
    assert main([*base, "--temperature", "0"]) == 0
    greedy = capsys.readouterr().out
    assert main([*base, "--temperature", "1.3", "--top-k", "1", "--seed", "1"]) == 0
    assert capsys.readouterr().out.replace("1.3", "0.0") == greedy
    assert main([*base, "--temperature", "0.5", "--stateful", "--top-p", "0.9", "--seed", "1"]) == 0
    assert "----- temperature 0.5:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra,match",
    [
        (["--temperature", "-1"], r"--temperature must be >= 0 \(0 means argmax\), got \[-1.0\]"),
        (["--temperature", "0.5", "0.5"], "--temperature must be distinct"),
        (["--temperature", "hot"], "invalid float value: 'hot'"),
        (["--length", "-5"], "length must be an integer >= 0, got -5"),
        (["--length", "ten"], "invalid int value: 'ten'"),
        (["--top-k", "0"], "--top-k must be an integer >= 1"),
        (["--top-p", "1.5"], r"--top-p must be in \(0, 1\]"),
        (["--seed", "-2"], "--seed must be >= 0"),
        (["--prompt", "the will # power"], r"never saw: '#' \(U\+0023 NUMBER SIGN\); it knows only"),
        (["--prompt", ""], "--prompt is empty"),
        (["--model", "/nonexistent/run"], "model.keras not found: run the training notebook"),
    ],
)
def test_generate_bad_options_exit_2_with_a_clear_message(run_dir, capsys, extra, match):
    args = ["generate", "--model", str(run_dir), "--prompt", "the will to power", *extra]
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert re.search(match, err), err
    lines = err.strip().splitlines()
    assert lines[0].startswith("usage: python -m nbhelpers generate") and lines[-1].startswith(
        "python -m nbhelpers generate: error: "
    )  # argparse's usage, then one line saying what is wrong
    assert "Traceback" not in err


def test_generate_missing_model_says_how_to_make_one(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["generate", "--model", str(tmp_path / "lstm"), "--prompt", "x"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'lstm' / 'model.keras'} not found: run the training notebook (02 for LSTM, 03 for GRU)" in err
    assert f"make run OUTPUT_DIR={shlex.quote(str(tmp_path))}" in err


def test_python_m_nbhelpers_generate_end_to_end(run_dir):
    """The installed entry point, in a fresh process: what a learner types after training."""
    cmd = [sys.executable, "-m", "nbhelpers", "generate", "--model", str(run_dir), "--prompt", "the will to power"]
    res = subprocess.run([*cmd, "--temperature", "0", "--length", "12"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    run = nbh.load_run(run_dir)
    expected = nbh.generate(run["model"], run["vocab"], "the will to power", 12, [0.0])[0.0]
    assert res.stdout == f"----- temperature 0.0:\nthe will to power{expected}\n\n"
    assert "oneDNN" not in res.stderr and "cuda" not in res.stderr  # TensorFlow's start-up lines are kept out
    bad = subprocess.run([*cmd, "--top-k", "0"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1].endswith(
        "error: --top-k must be an integer >= 1 (1 means argmax) or None to keep all, got 0"
    )


def test_help_documents_every_option():
    out = subprocess.run(
        [sys.executable, "-m", "nbhelpers", "generate", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("usage: python -m nbhelpers generate")
    for option in ("--model", "--prompt", "--temperature", "--length", "--seed", "--top-k", "--top-p", "--stateful"):
        assert option in out
    top = subprocess.run([sys.executable, "-m", "nbhelpers", "--help"], capture_output=True, text=True, check=True)
    for command in ("run", "generate", "html", "python -m nbhelpers generate --model outputs/lstm"):
        assert command in top.stdout
    assert top.stderr == ""


def test_html_renders_executed_notebooks_with_an_index(tmp_path, capsys):
    executed = tmp_path / "notebooks"
    executed.mkdir()
    shutil.copy(notebooks_dir() / "04_parameter_counts.ipynb", executed)
    assert main(["html", "--output-dir", str(tmp_path)]) == 0
    index = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    page = (tmp_path / "html" / "04_parameter_counts.html").read_text(encoding="utf-8")
    assert 'href="04_parameter_counts.html"' in index and '.ipynb"' not in index
    assert "102,585" in page
    assert str(tmp_path / "html" / "index.html") in capsys.readouterr().out


def test_html_without_a_run_says_to_run_first(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["html", "--output-dir", str(tmp_path)])
    assert e.value.code == 2
    assert f"run the lesson first with `make run OUTPUT_DIR={shlex.quote(str(tmp_path))}`" in capsys.readouterr().err


def test_html_leaves_the_site_alone_when_a_notebook_is_damaged(tmp_path, capsys):
    executed = tmp_path / "notebooks"
    executed.mkdir()
    shutil.copy(notebooks_dir() / "04_parameter_counts.ipynb", executed)
    assert main(["html", "--output-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "did not execute 01_data_prep.ipynb, 02_lstm_training.ipynb" in err  # the index links to them
    page = tmp_path / "html" / "04_parameter_counts.html"
    assert oct(page.stat().st_mode & 0o777) == oct(0o666 & ~umask())  # readable like any file written here
    before = page.read_bytes()
    (executed / "01_data_prep.ipynb").write_text("{}")
    with pytest.raises(SystemExit) as e:
        main(["html", "--output-dir", str(tmp_path)])
    assert e.value.code == 2 and "01_data_prep.ipynb could not be rendered" in capsys.readouterr().err
    assert page.read_bytes() == before and not (tmp_path / "html" / "01_data_prep.html").exists()


def test_model_may_be_the_file_and_a_parent_folder_is_explained(run_dir, capsys):
    args = ["--prompt", "the will to power", "--temperature", "0", "--length", "5"]
    assert main(["generate", "--model", str(run_dir / "model.keras"), *args]) == 0
    with pytest.raises(SystemExit):
        main(["generate", "--model", str(run_dir.parent), *args])
    err = capsys.readouterr().err
    assert f"holds the runs gru/: pass one of them, e.g. --model {run_dir}" in err


def test_html_pages_have_their_own_titles(tmp_path):
    executed = tmp_path / "notebooks"
    executed.mkdir()
    shutil.copy(notebooks_dir() / "04_parameter_counts.ipynb", executed)
    nbh.render_html(tmp_path)
    assert "<title>04 parameter counts · char-level RNN lesson</title>" in (
        tmp_path / "html" / "04_parameter_counts.html"
    ).read_text(encoding="utf-8")
