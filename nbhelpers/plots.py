"""Figures for the lesson: loss per epoch, the two models side by side, text measures and entropy.

Every figure has a title, every axis a label in words, and epoch axes have integer ticks only.
matplotlib is imported inside the functions, so ``import nbhelpers`` stays light.
"""

from __future__ import annotations

import math

# Panel title and y-axis label of each text measure (keys of ``text_measures``).
MEASURE_LABELS = {
    "word_share": ("word share", "share of words found in the training text"),
    "distinct_1": ("distinct-1", "distinct words / all words"),
    "distinct_2": ("distinct-2", "distinct word pairs / all pairs"),
    "rep_4": ("rep-4", "share of 4-word sequences repeated"),
}


def _new_axes(ax, figsize=(6, 3.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


def _epoch_axis(ax, epochs) -> None:
    """Label the x axis "epoch" and put its ticks on whole epochs only (no 1.5): each epoch when few."""
    from matplotlib.ticker import MaxNLocator

    epochs = sorted({int(e) for e in epochs})
    if len(epochs) <= 12:
        ax.set_xticks(epochs)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")


def plot_history(history: dict, title: str = "Bits per character per epoch", ax=None, untrained_bpc=None):
    """Plot training and validation loss per epoch, in bits per character.

    Parameters
    ----------
    history : dict
        As ``read_history`` returns (keys ``epoch``, ``bpc`` and optionally ``val_bpc``).
    title : str
        The axes' title.
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made.
    untrained_bpc : float, optional
        The untrained model's loss (bits per character), drawn as epoch 0: where training starts.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    epochs = history["epoch"]
    ax.plot(epochs, history["bpc"], "o-", label="training")
    if history.get("val_bpc"):
        ax.plot(epochs, history["val_bpc"], "s--", label="validation")
    if untrained_bpc is not None:
        ax.plot([0], [untrained_bpc], "kx", label="untrained (epoch 0)")
    _epoch_axis(ax, epochs)
    ax.set_ylabel("cross-entropy (bits per character)")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_comparison(histories: dict, ax=None):
    """Validation (dashed: training) bits per character per epoch, one colour per model.

    Parameters
    ----------
    histories : dict
        Label (e.g. ``"LSTM"``) -> history dict as ``read_history`` returns.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    for k, (label, h) in enumerate(histories.items()):
        colour = f"C{k}"
        ax.plot(h["epoch"], h["bpc"], "o--", color=colour, alpha=0.6, label=f"{label} training")
        if h.get("val_bpc"):
            ax.plot(h["epoch"], h["val_bpc"], "s-", color=colour, label=f"{label} validation")
    _epoch_axis(ax, [e for h in histories.values() for e in h["epoch"]])
    ax.set_ylabel("cross-entropy (bits per character)")
    ax.set_title(" vs ".join(histories) + ": bits per character per epoch")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_text_measures(rows: list, keys=("word_share", "distinct_1", "distinct_2", "rep_4")):
    """One panel per measure: its value against temperature for each model, the real text as a line.

    Parameters
    ----------
    rows : list of dict
        As ``measures_by_temperature`` returns (a ``corpus`` row and one row per model and temperature).
    keys : sequence of str
        The measures to plot, keys of ``MEASURE_LABELS``; two per row of panels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n_cols = min(2, len(keys))
    n_rows = math.ceil(len(keys) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.5 * n_cols, 3.2 * n_rows), squeeze=False)
    models = [m for m in dict.fromkeys(r["model"] for r in rows) if m != "corpus"]
    real = [r for r in rows if r["model"] == "corpus"]
    for ax, key in zip(axes.flat, keys, strict=False):
        title, ylabel = MEASURE_LABELS[key]
        for k, model in enumerate(models):
            pts = [(r["temperature"], r[key]) for r in rows if r["model"] == model]
            ax.plot([t for t, _ in pts], [v for _, v in pts], "o-", color=f"C{k}", label=model)
        for r in real:
            if math.isfinite(r[key]):
                ax.axhline(r[key], color="gray", linestyle=":", label="real text")
        ax.set_xlabel("temperature")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(keys) :]:
        ax.set_visible(False)
    axes.flat[0].legend()
    fig.suptitle("Generated text against temperature (dotted: the real continuations of the same seeds)")
    fig.tight_layout()
    return fig


def plot_entropy(temperatures, entropies: dict, vocab_size: int, ax=None):
    """Mean entropy of the next-character distribution (bits) against temperature.

    Parameters
    ----------
    temperatures : sequence of float
    entropies : dict
        Label -> mean entropy in bits at each temperature.
    vocab_size : int
        Draws the ceiling log2(vocab_size), a uniform guess.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    for k, (label, h) in enumerate(entropies.items()):
        ax.plot(temperatures, h, "-", color=f"C{k}", label=label)
    ax.axhline(math.log2(vocab_size), color="gray", linestyle=":", label=f"uniform guess: log2({vocab_size}) bits")
    ax.axvline(1.0, color="gray", linewidth=0.8, label="T = 1: the model's own probabilities")
    ax.text(1.0, 0.97, " T = 1", transform=ax.get_xaxis_transform(), color="gray", ha="left", va="top")
    ax.set_xlabel("temperature T")
    ax.set_ylabel("entropy of next character (bits)")
    ax.set_ylim(bottom=0)
    ax.set_title("Temperature sets the entropy of the next character")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
