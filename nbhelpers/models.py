"""The lesson's model: one recurrent layer (LSTM or GRU) and a softmax over the vocabulary."""

from __future__ import annotations

CELLS = ("lstm", "gru")


def build_model(
    cell: str = "lstm",
    units: int = 128,
    maxlen: int = 40,
    vocab_size: int = 57,
    learning_rate: float = 0.01,
    *,
    reset_after: bool = True,
):
    """Build and compile the classic char-level model.

    ``Input(maxlen, vocab_size) -> LSTM(units) or GRU(units) -> Dense(vocab_size, softmax)``,
    trained with RMSprop and categorical cross-entropy (in nats), as in the classic Keras example.
    Layers are named ``chars``, ``lstm``/``gru`` and ``dense`` so ``model.summary()`` is the same
    on every run.

    Parameters
    ----------
    cell : {"lstm", "gru"}
    units : int >= 1
        Hidden size h.
    maxlen : int >= 1
        Characters per input window.
    vocab_size : int >= 1
        One-hot width i of the input and number of output classes o.
    learning_rate : float > 0
        RMSprop learning rate.
    reset_after : bool
        GRU only: Keras 3's default True (the cuDNN-compatible variant with a separate recurrent
        bias) or False (the original formulation of Cho et al. 2014). Ignored for LSTM.

    Returns
    -------
    keras.Model
        Compiled; input (batch, maxlen, vocab_size) float32, output probs (batch, vocab_size).

    Raises
    ------
    ValueError
        Unknown ``cell`` or a size/learning rate out of range.
    """
    import keras

    cell = str(cell).lower()
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    for name, value in (("units", units), ("maxlen", maxlen), ("vocab_size", vocab_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")

    if cell == "lstm":
        rnn = keras.layers.LSTM(units, name="lstm")
    else:
        rnn = keras.layers.GRU(units, reset_after=reset_after, name="gru")
    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen, vocab_size), name="chars"),
            rnn,
            keras.layers.Dense(vocab_size, activation="softmax", name="dense"),
        ],
        name=f"char_{cell}",
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(learning_rate=float(learning_rate)),
    )
    return model
