"""Figures for the lesson."""

from __future__ import annotations


def plot_history(history: dict, title: str = "", ax=None):
    """Plot training and validation loss per epoch, in bits per character.

    Parameters
    ----------
    history : dict
        As returned by ``history_record`` (keys ``epoch``, ``bpc`` and optionally ``val_bpc``).
    title : str
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _new_axes(ax)
    epochs = history["epoch"]
    ax.plot(epochs, history["bpc"], "o-", label="training")
    if history.get("val_bpc"):
        ax.plot(epochs, history["val_bpc"], "s--", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy (bits per character)")
    ax.set_xticks(epochs)
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _new_axes(ax, figsize=(6, 3.5)):
    import matplotlib.pyplot as plt

    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


def plot_comparison(histories: dict, ax=None):
    """Validation (dashed: training) bits per character per epoch, one colour per model.

    Parameters
    ----------
    histories : dict
        Label (e.g. ``"LSTM"``) -> history dict as ``history_record`` returns.

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
    ax.set_xlabel("epoch")
    ax.set_ylabel("bits per character")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_quality(rows: list, keys=("word_share", "distinct_2", "rep_4")):
    """One panel per measure: its value against temperature for each model, the corpus as a line.

    Parameters
    ----------
    rows : list of dict
        As ``compare.quality_by_temperature`` returns.
    keys : sequence of str
        The measures to plot.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.2), squeeze=False)
    models = [m for m in dict.fromkeys(r["model"] for r in rows) if m != "corpus"]
    for ax, key in zip(axes[0], keys, strict=True):
        for k, model in enumerate(models):
            pts = [(r["temperature"], r[key]) for r in rows if r["model"] == model]
            ax.plot([t for t, _ in pts], [v for _, v in pts], "o-", color=f"C{k}", label=model)
        for r in rows:
            if r["model"] == "corpus":
                ax.axhline(r[key], color="gray", linestyle=":", label="real text")
        ax.set_xlabel("temperature")
        ax.set_title(key)
        ax.grid(alpha=0.3)
    axes[0][0].legend()
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

    Returns
    -------
    matplotlib.figure.Figure
    """
    import math

    fig, ax = _new_axes(ax)
    for k, (label, h) in enumerate(entropies.items()):
        ax.plot(temperatures, h, "-", color=f"C{k}", label=label)
    ax.axhline(math.log2(vocab_size), color="gray", linestyle=":", label=f"uniform: log2({vocab_size})")
    ax.axvline(1.0, color="gray", linewidth=0.8)
    ax.set_xlabel("temperature")
    ax.set_ylabel("entropy of next character (bits)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
