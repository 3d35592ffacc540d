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
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
    else:
        fig = ax.figure
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
