"""Diagrams drawn by code with matplotlib: an LSTM cell, a GRU cell and the sliding training windows.

Nothing is downloaded; matplotlib is imported inside the functions, so ``import nbhelpers`` stays light.
"""

GATE_COLOUR = "#f6d55c"  # the layers with weights (sigma and tanh boxes)
NODE_COLOUR = "#f4a6a6"  # element-wise operations (circles)
LINE = {"color": "0.25", "lw": 1.4}
SHOWN = {" ": "␣", "\n": "⏎"}  # how draw_windows shows a space and a newline


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax.figure, ax


def _path(ax, *points, arrow=True):
    """A polyline through ``points`` ((x, y) tuples), with an arrow head on its last segment."""
    ax.plot([p[0] for p in points], [p[1] for p in points], solid_capstyle="butt", zorder=1, **LINE)
    if arrow:
        style = {"arrowstyle": "-|>", "mutation_scale": 12, "shrinkA": 0, "shrinkB": 0, **LINE}
        ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=style, zorder=1)


def _box(ax, x, y, label, w=0.9, h=0.6):
    """A gate: a rounded box centred on (x, y); its edges are at x +- w/2, y +- h/2."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02", fc=GATE_COLOUR, ec="0.25"))
    _label(ax, x, y, label, fontsize=11, zorder=3)


def _label(ax, x, y, text, ha="center", va="center", fontsize=12, **kwargs):
    ax.text(x, y, text, ha=ha, va=va, fontsize=fontsize, **kwargs)


def _gate(ax, x, label, name, bus=1.0, y=2.2, side=1):
    """A gate box at (x, y) fed from the input bus below it, with its name in small grey type beside the feed."""
    _path(ax, (x, bus), (x, y - 0.3))
    _box(ax, x, y, label)
    _label(ax, x + 0.1 * side, 1.45, name, ha="left" if side > 0 else "right", fontsize=8, color="0.35")


def _along(ax, y, x_start, nodes, x_end, r=0.28):
    """A horizontal line at height y from x_start to x_end, with arrows into the nodes at x positions ``nodes``."""
    starts, ends = [x_start] + [x + r for x in nodes], [x - r for x in nodes] + [x_end]
    for a, b in zip(starts, ends, strict=True):
        _path(ax, (a, y), (b, y))


def _node(ax, x, y, label, r=0.28, fontsize=11):
    """An element-wise operation: a circle of radius r centred on (x, y)."""
    from matplotlib.patches import Circle

    ax.add_patch(Circle((x, y), r, fc=NODE_COLOUR, ec="0.25", zorder=2))
    _label(ax, x, y, label, fontsize=fontsize, zorder=3)


def _cell_frame(ax, title, captions):
    """The rounded outline of the cell (x 0.6..11, y 0.4..6.2), the title and caption lines below it."""
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((0.6, 0.4), 10.4, 5.8, boxstyle="round,pad=0.1", fc="#eef3fb", ec="0.5", zorder=0))
    ax.set_title(title, fontsize=12)
    for k, line in enumerate(captions):
        _label(ax, 5.8, -0.9 - 0.5 * k, line, fontsize=10)
    ax.set_xlim(-1.1, 12.7)
    ax.set_ylim(-0.9 - 0.5 * len(captions), 6.5)


def draw_lstm_cell(ax=None):
    """Draw one LSTM cell at time step t, in the style of Olah's "Understanding LSTM Networks".

    The cell state runs along the top: c_{t-1} is scaled by the forget gate f_t and the
    input-gated candidate i_t * c~_t is added to it, giving c_t. The inputs x_t and h_{t-1}
    feed four layers (sigma: f_t, i_t, o_t; tanh: the candidate c~_t); the output is
    h_t = o_t * tanh(c_t). The equations follow Hochreiter & Schmidhuber (1997), with the
    forget gate of Gers, Schmidhuber & Cummins (2000), as Keras' ``LSTM`` layer computes them.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax, figsize=(9, 5.4))
    top, bus, gates = 5.6, 1.0, 2.2  # heights of the cell-state line, the input bus and the gate boxes
    _cell_frame(
        ax,
        "LSTM cell at time step $t$",
        [
            r"$c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t, \qquad h_t = o_t \odot \tanh(c_t)$",
            r"$\sigma$: logistic sigmoid, $\odot$: element-wise product",
        ],
    )
    _along(ax, top, 0, [2.6, 5.4], 11.8)  # the cell state: c_{t-1} -> forget product -> + -> c_t
    _label(ax, -0.15, top, "$c_{t-1}$", ha="right")
    _label(ax, 11.9, top, "$c_t$", ha="left")
    _path(ax, (0, bus), (8.0, bus), arrow=False)  # h_{t-1}, joined by x_t: the bus into the four layers
    _path(ax, (1.4, -0.2), (1.4, bus), arrow=False)
    _label(ax, -0.15, bus, "$h_{t-1}$", ha="right")
    _label(ax, 1.4, -0.35, "$x_t$", va="top")
    for x, label, name in [(2.6, r"$\sigma$", "forget"), (4.4, r"$\sigma$", "input"), (6.4, "tanh", "candidate")]:
        _gate(ax, x, label, name)
    _gate(ax, 8.0, r"$\sigma$", "output")
    _path(ax, (2.6, gates + 0.3), (2.6, top - 0.28))  # f_t
    _label(ax, 2.75, 4.0, "$f_t$", ha="left")
    _node(ax, 2.6, top, r"$\odot$")
    _path(ax, (4.4, gates + 0.3), (4.4, 3.6), (5.12, 3.6))  # i_t
    _label(ax, 4.25, 3.1, "$i_t$", ha="right")
    _path(ax, (6.4, gates + 0.3), (6.4, 3.6), (5.68, 3.6))  # candidate
    _label(ax, 6.55, 3.1, r"$\tilde{c}_t$", ha="left")
    _node(ax, 5.4, 3.6, r"$\odot$")
    _path(ax, (5.4, 3.88), (5.4, top - 0.28))
    _node(ax, 5.4, top, "+")
    _path(ax, (9.4, top), (9.4, 4.5))  # tanh(c_t)
    _box(ax, 9.4, 4.2, "tanh", w=0.8)
    _path(ax, (9.4, 3.9), (9.4, gates + 0.28))
    _path(ax, (8.45, gates), (9.12, gates))  # o_t
    _label(ax, 8.75, gates + 0.15, "$o_t$", va="bottom")
    _node(ax, 9.4, gates, r"$\odot$")
    _path(ax, (9.4, gates - 0.28), (9.4, bus), (11.8, bus))  # h_t
    _label(ax, 11.9, bus, "$h_t$", ha="left")
    return fig


def draw_gru_cell(ax=None, reset_after=True):
    """Draw one GRU cell at time step t, with the update Keras computes.

    The update gate z_t keeps part of the previous state and the candidate h~_t fills the rest:
    h_t = z_t * h_{t-1} + (1 - z_t) * h~_t (Keras' convention; Cho et al. 2014 write the roles of
    z_t and 1 - z_t the other way round). The reset gate r_t scales the previous state's
    contribution to the candidate; the caption says where, as set by ``reset_after`` (Keras GRU docs).

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made.
    reset_after : bool
        True (Keras' default, the cuDNN variant): r_t * (h_{t-1} U_h + b'_h);
        False (Cho et al. 2014): (r_t * h_{t-1}) U_h.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _axes(ax, figsize=(9, 5.4))
    top, bus, gates = 5.6, 1.0, 2.2
    where = (
        r"reset after the matrix product: $\tilde{h}_t = \tanh(x_t W_h + r_t \odot (h_{t-1} U_h + b'_h) + b_h)$"
        if reset_after
        else r"reset before the matrix product: $\tilde{h}_t = \tanh(x_t W_h + (r_t \odot h_{t-1})\, U_h + b_h)$"
    )
    _cell_frame(
        ax,
        f"GRU cell at time step $t$ (reset_after={reset_after})",
        [
            r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$",
            where,
            r"$\sigma$: logistic sigmoid, $\odot$: element-wise product",
        ],
    )
    _along(ax, top, 0, [7.4, 9.4], 11.8)  # the state: h_{t-1} -> keep product -> + -> h_t
    _label(ax, -0.15, top, "$h_{t-1}$", ha="right")
    _label(ax, 11.9, top, "$h_t$", ha="left")
    _path(ax, (1.0, top), (1.0, bus), (7.4, bus), arrow=False)  # h_{t-1}, joined by x_t: the bus
    _path(ax, (1.6, -0.2), (1.6, bus), arrow=False)
    _label(ax, 1.6, -0.35, "$x_t$", va="top")
    _gate(ax, 3.0, r"$\sigma$", "reset")
    _gate(ax, 7.4, r"$\sigma$", "update")
    _path(ax, (3.0, gates + 0.3), (3.0, 4.4), (5.72, 4.4))  # r_t
    _label(ax, 2.85, 3.4, "$r_t$", ha="right")
    _path(ax, (6.0, top), (6.0, 4.68))  # h_{t-1} into the reset product
    _node(ax, 6.0, 4.4, r"$\odot$")
    _path(ax, (6.0, 4.12), (6.0, 3.5))
    _gate(ax, 6.0, "tanh", "candidate", y=3.2, side=-1)  # fed by x_t
    # z_t: up to the keep product; the candidate's line passes under it (white gap)
    _path(ax, (7.4, gates + 0.3), (7.4, top - 0.28))
    ax.plot([7.28, 7.52], [3.2, 3.2], color="#eef3fb", lw=4, zorder=1.5)
    ax.plot([7.4, 7.4], [3.0, 3.4], zorder=1.6, **LINE)
    _label(ax, 7.25, 4.9, "$z_t$", ha="right")
    _node(ax, 7.4, top, r"$\odot$")
    _path(ax, (7.4, 4.1), (8.02, 4.1))  # 1 - z_t
    _node(ax, 8.3, 4.1, "1−", fontsize=9)
    _path(ax, (8.58, 4.1), (9.12, 4.1))
    _path(ax, (6.45, 3.2), (9.4, 3.2), (9.4, 3.82))  # candidate h~_t
    _label(ax, 8.4, 3.05, r"$\tilde{h}_t$", va="top")
    _node(ax, 9.4, 4.1, r"$\odot$")
    _path(ax, (9.4, 4.38), (9.4, top - 0.28))
    _node(ax, 9.4, top, "+")
    return fig


def draw_windows(text, maxlen=40, step=3, n_windows=4, ax=None):
    """Draw the first sliding training windows over the start of ``text``, and their targets.

    The top row shows the first ``maxlen + (n_windows - 1) * step + 1`` characters of ``text``
    (a space as '␣', a newline as '⏎'). Below it, row k shows window k, the characters
    ``[k*step, k*step + maxlen)`` the model reads, and its target, the character
    ``k*step + maxlen`` it learns to predict (drawn bold), as ``nbhelpers.make_windows`` cuts them.
    Only windows whose target lies inside ``text`` are drawn.

    Parameters
    ----------
    text : str
        At least ``maxlen + 1`` characters.
    maxlen : int >= 1
        Characters per window.
    step : int >= 1
        Stride between window starts, in characters.
    n_windows : int >= 1
        Windows to draw (fewer if ``text`` is too short).
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made, wide enough for the characters.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch, Rectangle

    if min(maxlen, step, n_windows) < 1:
        raise ValueError(f"maxlen, step and n_windows must be >= 1, got {maxlen}, {step}, {n_windows}")
    if len(text) <= maxlen:
        raise ValueError(f"text has {len(text)} characters; a window needs maxlen + 1 = {maxlen + 1}")
    n_windows = min(n_windows, len(range(0, len(text) - maxlen, step)))
    n_chars = maxlen + (n_windows - 1) * step + 1
    fontsize = 9 if n_chars <= 60 else 7
    fig, ax = _axes(ax, figsize=(min(1.6 + 0.24 * n_chars, 24), 0.9 + 0.36 * (n_windows + 1)))
    colours = {"window": "#9ecae1", "target": "#fdae6b", "text": "white"}

    def row(y, start, stop, kind, weight="normal"):
        for i in range(start, stop):
            ax.add_patch(Rectangle((i, y), 1, 0.8, fc=colours[kind], ec="0.4", lw=0.6))
            _label(ax, i + 0.5, y + 0.4, SHOWN.get(text[i], text[i]), fontsize=fontsize, fontweight=weight)

    row(0, 0, n_chars, "text")
    _label(ax, -0.4, 0.4, "text", ha="right", fontsize=fontsize)
    for k in range(n_windows):
        y, start = -1.0 * (k + 1), k * step
        row(y, start, start + maxlen, "window")
        row(y, start + maxlen, start + maxlen + 1, "target", weight="bold")
        _label(ax, -0.4, y + 0.4, f"window {k}", ha="right", fontsize=fontsize)
    handles = [Patch(fc=colours["window"], ec="0.4"), Patch(fc=colours["target"], ec="0.4")]
    labels = [f"window: the {maxlen} character{'s' * (maxlen > 1)} the model reads", "target: the next character"]
    legend = {"ncol": 1 + (n_chars >= 20), "fontsize": fontsize, "frameon": False}
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0, 0), **legend)
    ax.set_title(f"Training windows: maxlen={maxlen}, step={step}", fontsize=fontsize + 2)
    ax.set_xlim(-0.2 - 0.45 * fontsize, n_chars + 0.2)
    ax.set_ylim(-n_windows - 0.1, 0.9)
    return fig
