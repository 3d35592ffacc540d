"""Loading both runs, the comparison table and the per-temperature text measures (notebook 05)."""

import math

import pytest

import nbhelpers as nbh

TEXT = "the will to power. the free spirit. beyond good and evil. the gay science. " * 12


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    import keras

    root = tmp_path_factory.mktemp("outputs")
    vocab = nbh.Vocabulary.from_text(TEXT)
    x, y = nbh.make_windows(vocab.encode(TEXT), 12, 2)
    for cell in nbh.CELLS:
        keras.utils.set_random_seed(0)
        model = nbh.build_model(cell, 8, 12, vocab.size)
        model.fit(nbh.make_dataset(x, y, vocab.size, 32), epochs=2, verbose=0, shuffle=False)
        loss = [2.5, 2.0]  # nats; no validation in this history
        history = {"epoch": [1, 2], "loss": loss, "bpc": nbh.nats_to_bits(loss), "epoch_seconds": [3.0, 5.0]}
        nbh.save_run(root / cell, model, vocab, history, settings={"maxlen": 12, "epochs": 2, "seed": 0})
    return root


def test_load_runs_and_summary(runs_dir):
    runs = nbh.load_runs(runs_dir)
    assert list(runs) == ["lstm", "gru"]
    assert nbh.setting_differences(runs) == {}
    rows = nbh.summary_rows(runs)
    assert [r["model"] for r in rows] == ["LSTM(8)", "GRU(8)"]
    vocab_size = runs["lstm"]["vocab"].size
    for row, cell in zip(rows, nbh.CELLS, strict=True):
        assert row["parameters"] == nbh.model_params(cell, 8, vocab_size)
        assert row["epochs"] == 2 and row["seconds_per_epoch"] == 4.0
        assert row["loss"] == 2.0 and row["bpc"] == pytest.approx(2.0 / math.log(2))
        assert math.isnan(row["val_loss"])  # this history has no validation


def test_missing_runs_name_each_and_say_how_to_make_them(tmp_path, runs_dir):
    with pytest.raises(FileNotFoundError) as e:
        nbh.load_runs(tmp_path)
    msg = str(e.value)
    assert "LSTM" in msg and "GRU" in msg and "make run" in msg and "--notebooks 02 03" in msg
    (tmp_path / "lstm").symlink_to(runs_dir / "lstm")
    with pytest.raises(FileNotFoundError, match=r"no saved run for GRU .*--notebooks 03 "):
        nbh.load_runs(tmp_path)


def test_setting_differences_flag_an_unfair_comparison(runs_dir):
    runs = nbh.load_runs(runs_dir)
    runs["gru"]["settings"] = {**runs["gru"]["settings"], "epochs": 5}
    assert nbh.setting_differences(runs) == {"epochs": {"lstm": 2, "gru": 5}}


def test_format_table_aligns_and_shows_nan_as_dash():
    rows = [{"m": "LSTM", "v": 1.23456}, {"m": "GRU", "v": float("nan")}]
    table = nbh.format_table(rows, {"m": ("model", ""), "v": ("value", ".2f")})
    assert table.splitlines() == ["model  value", "-----  -----", "LSTM    1.23", "GRU        -"]


def test_measures_by_temperature_same_seeds_for_every_model(runs_dir):
    runs = nbh.load_runs(runs_dir)
    known = set(nbh.words(TEXT))
    start = len(TEXT) // 2
    args = (runs, TEXT, known, [0.0, 1.0], 30, 3, start, 7)
    rows = nbh.measures_by_temperature(*args)
    assert rows == nbh.measures_by_temperature(*args)  # seeded: the same measures again
    assert [(r["model"], r["temperature"]) for r in rows][1:] == [
        ("LSTM", 0.0),
        ("LSTM", 1.0),
        ("GRU", 0.0),
        ("GRU", 1.0),
    ]
    corpus = rows[0]
    assert corpus["model"] == "corpus" and math.isnan(corpus["temperature"])
    assert corpus["word_share"] == 1.0  # real text of the corpus: every word is known
    for r in rows:
        assert 0 <= r["word_share"] <= 1 and r["words"] > 0


def test_measures_by_temperature_refuses_a_too_short_tail(runs_dir):
    runs = nbh.load_runs(runs_dir)
    with pytest.raises(ValueError, match="too short"):
        nbh.measures_by_temperature(runs, TEXT, {"the"}, [1.0], 400, 2, len(TEXT) - 100, 0)
    with pytest.raises(ValueError, match="too short for 900 seeds"):
        nbh.measures_by_temperature(runs, TEXT, {"the"}, [1.0], 10, 900, 0, 0)


def test_damaged_history_or_settings_are_named(tmp_path, runs_dir):
    import shutil

    for cell in nbh.CELLS:
        shutil.copytree(runs_dir / cell, tmp_path / cell)
    (tmp_path / "gru" / "settings.json").write_bytes(b"\x00\xff binary")
    with pytest.raises(ValueError, match=r"gru/settings.json is not a valid JSON file"):
        nbh.load_runs(tmp_path)
    (tmp_path / "gru" / "settings.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match=r"gru/settings.json is not a settings file"):
        nbh.load_runs(tmp_path)
    (tmp_path / "gru" / "settings.json").write_text("{}")
    (tmp_path / "lstm" / "history.json").write_text('{"loss": [1.0], "val_loss": [null]}')
    with pytest.raises(ValueError, match=r"lstm/history.json is not a loss history"):
        nbh.load_runs(tmp_path)
