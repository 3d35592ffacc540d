"""Bad input gets a clear ValueError naming what was wrong (findings of a break-it session)."""

import json

import numpy as np
import pytest

import nbhelpers as nbh


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: nbh.make_dataset([[0, 1, 2], [1, 2, 3]], [3, 4], 3), r"must be in \[0, 3\)"),
        (lambda: nbh.make_dataset([[0, -1]], [1], 3), r"must be in \[0, 3\)"),
        (lambda: nbh.make_dataset([[0, 1]], [1, 2], 3), "shapes"),
        (lambda: nbh.split_windows(np.zeros((10, 3)), np.zeros(4), 0.2), "one entry per window"),
        (lambda: nbh.one_hot([1.0], 5), "integer indices"),
        (lambda: nbh.one_hot([0], 3.0), "vocab_size"),
        (lambda: nbh.Vocabulary.from_text("ab").decode([1.9, 0.2]), "integer indices"),
        (lambda: nbh.make_windows("hello world", 3, 1), "vocab.encode"),
        (lambda: nbh.make_windows(np.array([0.5, 1.5, 2.5, 3.5]), 2, 1), "character indices"),
        (lambda: nbh.build_model("gru", 4, 6, 3, reset_after="False"), "reset_after must be True or False"),
        (lambda: nbh.gru_params(128, 57, "False"), "reset_after must be True or False"),
        (lambda: nbh.build_model("lstm", 4, 6, 3, learning_rate="0.01"), "learning_rate"),
        (lambda: nbh.build_model("lstm", 4, 6, 3, learning_rate=float("inf")), "learning_rate"),
        (lambda: nbh.sample([0.5, 0.5], True), "temperature"),
        (lambda: nbh.check_parameters(temperatures=[1, 1.0, 0.5]), "distinct"),
        (lambda: nbh.check_parameters(seed=2**32), "2\\*\\*32"),
        (lambda: nbh.load_corpus(123), "file path"),
    ],
)
def test_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_integers_and_upper_case_cells_are_accepted():
    assert nbh.lstm_params(np.int64(128), np.int32(57)) == nbh.lstm_params(128, 57)
    assert nbh.rnn_params("LSTM", 128, 57) == nbh.model_params("lstm", 128, 57) - nbh.dense_params(128, 57)
    assert nbh.build_model("GRU", np.int64(4), 6, 3).count_params() == nbh.model_params("gru", 4, 3)


@pytest.fixture(scope="module")
def tiny():
    text = "abcabcabd" * 6
    vocab = nbh.Vocabulary.from_text(text)
    return text, vocab, nbh.build_model("lstm", 4, 6, vocab.size)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"temperatures": "0.5"}, "list of numbers"),
        ({"temperatures": [1.0, 1]}, "distinct"),
        ({"temperatures": []}, "at least one"),
        ({"length": -5}, "length"),
    ],
)
def test_generate_checks_arguments(tiny, kwargs, match):
    text, vocab, model = tiny
    with pytest.raises(ValueError, match=match):
        nbh.generate(model, vocab, text[:6], **{"length": 3, **kwargs})


def test_generate_accepts_one_temperature(tiny):
    text, vocab, model = tiny
    assert list(nbh.generate(model, vocab, text[:6], 3, 0.5, rng=0)) == [0.5]


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"text": "abcxyz" * 3}, "not in the vocabulary"),
        ({"length": -5}, "length"),
        ({"temperatures": []}, "at least one"),
        ({"seed": "abc"}, "seed"),
    ],
)
def test_generate_text_callback_checks_when_created(tiny, kwargs, match):
    text, vocab, _ = tiny
    with pytest.raises(ValueError, match=match):
        nbh.GenerateText(**{"text": text, "vocab": vocab, **kwargs})


def test_save_run_checks_before_writing(tiny, tmp_path):
    text, vocab, model = tiny
    nbh.save_run(tmp_path, model, vocab, {"loss": [2.0]})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(ValueError, match="NaN|Out of range"):
        nbh.save_run(tmp_path, model, vocab, {"loss": [float("nan")]})
    with pytest.raises(ValueError, match="Vocabulary"):
        nbh.save_run(tmp_path, model, list(vocab.chars), {"loss": [2.0]})
    with pytest.raises(ValueError, match="vocab_size"):
        nbh.save_run(tmp_path, model, nbh.Vocabulary.from_text("xy"), {"loss": [2.0]})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    nbh.save_run(tmp_path, model, vocab, {"loss": [np.float32(1.5)]})  # NumPy scalars are fine
    assert json.loads((tmp_path / "history.json").read_text()) == {"loss": [1.5]}


def test_load_run_names_damaged_files(tiny, tmp_path):
    text, vocab, model = tiny
    nbh.save_run(tmp_path, model, vocab, {"loss": [2.0]})
    (tmp_path / "history.json").write_text("{not json")
    with pytest.raises(ValueError, match="history.json"):
        nbh.load_run(tmp_path)
    (tmp_path / "history.json").unlink()
    nbh.Vocabulary.from_text("xy").save(tmp_path / "vocab.json")
    with pytest.raises(ValueError, match="vocab.json has 2 characters"):
        nbh.load_run(tmp_path)
    vocab.save(tmp_path / "vocab.json")
    (tmp_path / "model.keras").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="model.keras could not be loaded"):
        nbh.load_run(tmp_path)


def test_corpus_byte_order_mark_and_env_message(tmp_path, monkeypatch):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffHello".encode())
    assert nbh.load_corpus(p) == "hello"
    monkeypatch.setenv(nbh.CORPUS_ENV, str(tmp_path / "missing.txt"))
    with pytest.raises(FileNotFoundError, match="from NBHELPERS_CORPUS"):
        nbh.load_corpus()


def test_runner_checks_values_and_output_dir_before_running(tmp_path):
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        nbh.run_notebooks(tmp_path, {"epochs": 0}, ["02"])
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        nbh.run_notebooks(f, {}, ["04"])


def test_cli_keeps_paths_as_strings_and_needs_notebook_names(tmp_path, capsys):
    from nbhelpers.cli import main

    with pytest.raises(SystemExit):
        main(["run", "--notebooks"])
    with pytest.raises(SystemExit):
        main(["run", "--notebooks", "02", "-p", "epochs", "0", "--output-dir", str(tmp_path)])
    assert "epochs must be a positive integer" in capsys.readouterr().err
