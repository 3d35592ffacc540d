"""The lesson's figures, checked on their artists: titles, axis labels, integer epoch ticks, panels, labelled lines."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import nbhelpers as nbh  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def history(n_epochs, validation=True):
    epochs = list(range(1, n_epochs + 1))
    h = {"epoch": epochs, "bpc": [3.0 - 0.1 * e for e in epochs]}
    if validation:
        h["val_bpc"] = [3.1 - 0.1 * e for e in epochs]
    return h


def visible_ticks(ax):
    lo, hi = sorted(ax.get_xlim())
    return [t for t in ax.get_xticks() if lo - 1e-9 <= t <= hi + 1e-9]


@pytest.mark.parametrize("n_epochs", [1, 2, 5, 30])
def test_epoch_axes_have_whole_epoch_ticks_and_labels(n_epochs):
    both = {"LSTM": history(n_epochs), "GRU": history(n_epochs)}
    figs = [nbh.plot_history(history(n_epochs)), nbh.plot_comparison(both)]
    for fig in figs:
        (ax,) = fig.axes
        fig.canvas.draw()
        ticks = visible_ticks(ax)
        assert ticks, "no tick on the epoch axis"
        assert all(float(t).is_integer() for t in ticks), ticks
        assert ax.get_xlabel() == "epoch"
        assert "bits per character" in ax.get_ylabel()
        assert ax.get_title()


def test_history_and_comparison_titles_and_legends():
    ax = nbh.plot_history(history(3), title="LSTM(128) on Nietzsche").axes[0]
    assert ax.get_title() == "LSTM(128) on Nietzsche"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]
    assert nbh.plot_history(history(3, validation=False)).axes[0].get_title()  # a default title
    ax = nbh.plot_comparison({"LSTM": history(3), "GRU": history(3)}).axes[0]
    assert "LSTM" in ax.get_title() and "GRU" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["LSTM training", "LSTM validation", "GRU training", "GRU validation"]


def measure_rows():
    rows = [{"model": "corpus", "temperature": math.nan, "word_share": 0.95, "distinct_1": 0.5, "distinct_2": 0.9}]
    rows[0]["rep_4"] = 0.0
    for model, shift in (("LSTM", 0.0), ("GRU", 0.05)):
        for t in (0.2, 1.0, 1.5):
            rows.append(
                {
                    "model": model,
                    "temperature": t,
                    "word_share": 1 - t / 2 - shift,
                    "distinct_1": t / 2,
                    "distinct_2": min(1.0, t),
                    "rep_4": max(0.0, 0.5 - t) if t < 1 else math.nan,
                }
            )
    return rows


def test_text_measures_has_four_panels_with_word_titles_and_y_labels():
    fig = nbh.plot_text_measures(measure_rows())
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["word share", "distinct-1", "distinct-2", "rep-4"]
    for ax in axes:
        assert ax.get_ylabel() and "_" not in ax.get_ylabel()
        assert ax.get_xlabel() == "temperature"
        labels = [line.get_label() for line in ax.get_lines()]
        assert labels[:2] == ["LSTM", "GRU"] and "real text" in labels
    assert fig._suptitle is not None and fig._suptitle.get_text()
    lstm = axes[1].get_lines()[0]  # distinct-1 of the LSTM, plotted against temperature
    assert list(lstm.get_xdata()) == [0.2, 1.0, 1.5] and list(lstm.get_ydata()) == [0.1, 0.5, 0.75]


def test_text_measures_skip_a_measure_the_real_text_lacks():
    rows = measure_rows()
    rows[0]["rep_4"] = math.nan  # too few words for a 4-gram
    fig = nbh.plot_text_measures(rows, keys=("word_share", "rep_4"))
    rep_4 = fig.axes[1]
    assert rep_4.get_title() == "rep-4"
    assert "real text" not in [line.get_label() for line in rep_4.get_lines()]


def test_entropy_plot_labels_the_t1_line_and_the_uniform_ceiling():
    temps = [0.5, 1.0, 2.0]
    fig = nbh.plot_entropy(temps, {"LSTM": [1.0, 2.0, 3.0], "GRU": [1.2, 2.2, 3.3]}, 57)
    (ax,) = fig.axes
    assert ax.get_title() and ax.get_xlabel().startswith("temperature") and "bits" in ax.get_ylabel()
    lines = {line.get_label(): line for line in ax.get_lines()}
    t1 = [line for label, line in lines.items() if label.startswith("T = 1")]
    assert len(t1) == 1 and list(t1[0].get_xdata()) == [1.0, 1.0]
    uniform = [line for label, line in lines.items() if "log2(57)" in label]
    assert len(uniform) == 1 and uniform[0].get_ydata()[0] == pytest.approx(math.log2(57))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "LSTM" in legend and t1[0].get_label() in legend
    (mark,) = [t for t in ax.texts if t.get_text().strip() == "T = 1"]  # also written on the line itself
    assert mark.get_position()[0] == 1.0


def test_text_measures_with_an_odd_number_of_panels_hides_the_spare_one():
    fig = nbh.plot_text_measures(measure_rows(), keys=("word_share", "distinct_2", "rep_4"))
    visible = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert visible == ["word share", "distinct-2", "rep-4"]
