"""The lesson's diagrams: each returns a Figure whose text says what the lesson needs (checked on Text artists)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nbhelpers.diagrams import draw_gru_cell, draw_lstm_cell, draw_windows  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts + [ax.title]]


def all_text(fig):
    return " ".join(texts(fig))


def test_lstm_cell_shows_every_gate_and_the_legend():
    fig = draw_lstm_cell()
    assert isinstance(fig, Figure)
    found = texts(fig)
    for symbol in ["$f_t$", "$i_t$", "$o_t$", r"$\tilde{c}_t$", "$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$"]:
        assert symbol in found
    assert found.count(r"$\odot$") == 3 and "+" in found
    assert r"$\sigma$: logistic sigmoid, $\odot$: element-wise product" in found


def test_lstm_cell_draws_into_given_axes():
    fig, ax = plt.subplots()
    assert draw_lstm_cell(ax=ax) is fig
    assert "$f_t$" in [t.get_text() for t in ax.texts]


def test_gru_cell_shows_gates_and_where_the_reset_gate_acts():
    after, before = draw_gru_cell(reset_after=True), draw_gru_cell(reset_after=False)
    assert isinstance(after, Figure) and isinstance(before, Figure)
    for fig in (after, before):
        found = texts(fig)
        assert {"$z_t$", "$r_t$", r"$\tilde{h}_t$", "1−"} <= set(found)
        assert r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$" in found
    assert r"r_t \odot (h_{t-1} U_h + b'_h)" in all_text(after)
    assert r"(r_t \odot h_{t-1})\, U_h" in all_text(before)
    assert r"r_t \odot (h_{t-1} U_h" not in all_text(before)
    assert set(texts(after)) != set(texts(before))


def window_rows(fig):
    """Row label ("window k") -> the characters drawn in that row, left to right, and the bold one."""
    ax = fig.axes[0]
    rows = {}
    for label in ax.texts:
        if label.get_text().startswith("window "):
            y = label.get_position()[1]
            chars = sorted(
                (t for t in ax.texts if t.get_position()[1] == y and t is not label), key=lambda t: t.get_position()[0]
            )
            bold = [t.get_text() for t in chars if t.get_fontweight() == "bold"]
            rows[label.get_text()] = ("".join(t.get_text() for t in chars), bold)
    return rows


def test_windows_rows_and_targets_on_a_tiny_text():
    fig = draw_windows("abcdefghij", maxlen=4, step=2, n_windows=3)
    assert isinstance(fig, Figure)
    rows = window_rows(fig)
    assert rows == {"window 0": ("abcde", ["e"]), "window 1": ("cdefg", ["g"]), "window 2": ("efghi", ["i"])}
    assert any("target" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_windows_stops_where_the_text_ends_and_shows_spaces_and_newlines():
    # "abcdefghij" has room for 3 windows of 4 with step 2 (the 4th would need an 11th character)
    assert len(window_rows(draw_windows("abcdefghij", maxlen=4, step=2, n_windows=4))) == 3
    rows = window_rows(draw_windows("a b\nc", maxlen=1, step=1, n_windows=4))
    assert rows["window 0"] == ("a␣", ["␣"])
    assert rows["window 2"] == ("b⏎", ["⏎"])


def test_windows_at_the_lesson_settings_and_bad_inputs():
    text = "preface\n\n\nsupposing that truth is a woman--what then? " * 2
    fig = draw_windows(text, maxlen=40, step=3, n_windows=4)
    rows = window_rows(fig)
    assert len(rows) == 4
    assert rows["window 3"][1] == [text[9 + 40]]
    assert fig.get_figwidth() > 10  # wide enough for 50 boxes
    with pytest.raises(ValueError, match="maxlen"):
        draw_windows("abc", maxlen=3)
    with pytest.raises(ValueError, match=">= 1"):
        draw_windows("abcdef", maxlen=2, step=0)
