"""Faults users of char-RNN lessons report (issue 12, "Field reports"), each turned into a test of its kind.

Each test drives the fault the way the report does (a CRLF corpus, a cp1252 terminal, a Keras
backend set in the environment, a path with spaces, the seed per temperature, an NFD prompt)
through public entry points that the lesson has had all along (``load_corpus``, ``Vocabulary``,
``build_model``, ``save_run`` and ``python -m nbhelpers``), so each also shows the fault on a
checkout from before the fix. Rows tested elsewhere: figures whatever MPLBACKEND says
(test_notebooks_fast.py), a checkpoint from other settings (test_runs.py), resume
reproducibility (test_runs.py).
"""

import os
import shlex
import subprocess
import sys
import unicodedata

import pytest

import nbhelpers as nbh
from nbhelpers.cli import main

RUSSIAN = "что такое истина? истина есть то, что есть. что есть, то и истина.\n" * 8
ENGLISH = "the free spirit. beyond good and evil. café au lait, naïve art.\n" * 8


def tiny_run(run_dir, text, cell="lstm", maxlen=12):
    """An untrained model and its vocabulary, saved as a training notebook saves them (generation needs no training)."""
    import keras

    keras.utils.set_random_seed(0)
    vocab = nbh.Vocabulary.from_text(text)
    model = nbh.build_model(cell, 8, maxlen, vocab.size)
    model.optimizer.build(model.trainable_variables)  # as after training: the saved optimizer loads without a warning
    return nbh.save_run(run_dir, model, vocab, {"loss": [1.0]})


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("english") / "lstm", ENGLISH)


@pytest.fixture(scope="module")
def russian(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("russian") / "lstm", RUSSIAN)


def cli(*args, **env):
    """``python -m nbhelpers ...`` in a fresh process, with extra environment variables."""
    full = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "nbhelpers", *args], capture_output=True, env=full, timeout=300)


# --- line endings in the corpus ---------------------------------------------------------------------------------


def test_a_crlf_corpus_reads_as_python_text_mode_does(tmp_path, corpus_path):
    lf = corpus_path.read_bytes()
    crlf = tmp_path / "nietzsche-crlf.txt"
    crlf.write_bytes(lf.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    text = nbh.load_corpus(crlf)
    assert (len(text), len(set(text))) == (600_893, 57)
    assert "\r" not in text and text == nbh.load_corpus(corpus_path)


# --- output encoding --------------------------------------------------------------------------------------------


def test_generate_on_a_terminal_that_cannot_write_the_vocabulary(russian, capsys):
    """cp1252 has no Cyrillic: the text is written with backslash escapes and a note says so, with no traceback."""
    args = ["generate", "--model", str(russian), "--prompt", "что такое истина?", "--length", "30", "--seed", "1"]
    res = cli(*args, PYTHONIOENCODING="cp1252")
    out, err = res.stdout.decode("cp1252"), res.stderr.decode("cp1252")
    assert res.returncode == 0 and "Traceback" not in err, err
    assert "----- temperature 0.5:\n\\u0447\\u0442\\u043e \\u0442\\u0430\\u043a\\u043e\\u0435" in out, out
    assert "standard output is cp1252, which cannot write" in err and "PYTHONIOENCODING=utf-8" in err, err
    assert "CYRILLIC SMALL LETTER" in err, err
    assert main(args) == 0  # this process writes UTF-8
    shown, err = capsys.readouterr()
    assert err == ""
    assert shown.startswith("----- temperature 0.5:\nчто такое истина?")
    assert out.encode("ascii").decode("unicode_escape") == shown  # the same text, escaped


# --- the Keras backend from the environment -------------------------------------------------------------------


def test_generate_runs_on_tensorflow_whatever_keras_backend_says(english, capsys):
    """KERAS_BACKEND=jax (installed or not): the command still runs on TensorFlow and writes the same text."""
    args = ["generate", "--model", str(english), "--prompt", "the free spirit", "--temperature", "0", "--length", "20"]
    assert main(args) == 0  # this process: TensorFlow (tests/conftest.py)
    res = cli(*args, KERAS_BACKEND="jax")
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    assert res.stdout.decode() == capsys.readouterr().out


def test_the_notebooks_setup_cell_runs_keras_on_tensorflow_whatever_keras_backend_says():
    """Every notebook's setup cell, in a fresh process with KERAS_BACKEND=jax (jax installed or not)."""
    setup = "import nbhelpers as nbh\nnbh.quiet_tensorflow()\nimport keras\nprint(keras.backend.backend())\n"
    res = subprocess.run(
        [sys.executable, "-c", setup], capture_output=True, text=True, env={**os.environ, "KERAS_BACKEND": "jax"}
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout == "tensorflow\n"


# --- paths with spaces ------------------------------------------------------------------------------------------


def test_cli_takes_paths_with_spaces_and_quotes_the_paths_it_suggests(tmp_path, capsys):
    runs = tmp_path / "my runs"
    tiny_run(runs / "lstm", ENGLISH)
    base = ["--prompt", "the free spirit", "--temperature", "0", "--length", "5"]
    assert main(["generate", "--model", str(runs / "lstm"), *base]) == 0
    capsys.readouterr()
    suggested = []
    for model in (runs, tmp_path / "my runs" / "gru"):  # the folder of the runs; a missing cell beside one
        with pytest.raises(SystemExit):
            main(["generate", "--model", str(model), *base])
        suggested.append(capsys.readouterr().err)
    assert f"--model {shlex.quote(str(runs / 'lstm'))}" in suggested[0], suggested[0]
    assert f"--model {shlex.quote(str(runs / 'lstm'))}" in suggested[1], suggested[1]
    for err in suggested:  # pasted into a shell, the suggested option is one path
        message = err.strip().splitlines()[-1]  # argparse's usage line before it names --model too
        words = shlex.split(message.split("--model ", 1)[1].split("?")[0].split(")")[0])
        assert words[0] == str(runs / "lstm"), err


# --- seeded sampling per temperature ----------------------------------------------------------------------------


@pytest.mark.parametrize("stateful", [[], ["--stateful"]], ids=["window", "stateful"])
def test_the_same_seed_gives_the_same_text_at_a_temperature_whatever_else_is_asked(english, capsys, stateful):
    def text_at(temperatures, t="0.5"):
        args = ["generate", "--model", str(english), "--prompt", "the free spirit", "--length", "40", "--seed", "1"]
        assert main([*args, *stateful, "--temperature", *temperatures]) == 0
        out = capsys.readouterr().out
        return out.split(f"----- temperature {t}:\n", 1)[1].split("\n\n", 1)[0]

    alone = text_at(["0.5"])
    assert alone == text_at(["0.5", "1.0"]) == text_at(["1.0", "0.5"]) == text_at(["0.2", "1.5", "0.5"])


# --- Unicode normalisation --------------------------------------------------------------------------------------


def test_an_nfd_prompt_is_read_as_nfc(english, capsys):
    prompt = unicodedata.normalize("NFD", "café au lait, naïve")
    assert len(prompt) == len("café au lait, naïve") + 2  # e + combining acute, i + combining diaeresis
    assert main(["generate", "--model", str(english), "--prompt", prompt, "--temperature", "0", "--length", "5"]) == 0
    assert capsys.readouterr().out.startswith("----- temperature 0.0:\ncafé au lait, naïve")


@pytest.mark.parametrize(
    "prompt,named",
    [
        ("the free spirit\u0301", "U+0301 COMBINING ACUTE ACCENT"),  # a combining accent with nothing to join
        ("the free spirit\u00a0", "U+00A0 NO-BREAK SPACE"),  # looks like a space
        ("the frее spirit", "U+0435 CYRILLIC SMALL LETTER IE"),  # Cyrillic е, which looks like e
    ],
)
def test_unknown_prompt_characters_are_named(english, capsys, prompt, named):
    with pytest.raises(SystemExit) as e:
        main(["generate", "--model", str(english), "--prompt", prompt])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "--prompt has characters the model never saw" in err and named in err, err


def test_vocabulary_encode_names_unknown_characters():
    vocab = nbh.Vocabulary.from_text("abc ")
    with pytest.raises(ValueError, match=r"U\+00A0 NO-BREAK SPACE, U\+2019 RIGHT SINGLE QUOTATION MARK"):
        vocab.encode("a\u00a0b\u2019c")


def test_an_nfd_corpus_reads_as_nfc(tmp_path):
    path = tmp_path / "nfd.txt"
    path.write_text(unicodedata.normalize("NFD", ENGLISH), encoding="utf-8")
    text = nbh.load_corpus(path)
    assert text == ENGLISH and "\u0301" not in nbh.Vocabulary.from_text(text).chars
