"""The lesson's model: one recurrent layer (LSTM or GRU) and a softmax over the vocabulary."""

from __future__ import annotations

CELLS = ("lstm", "gru")


def default_strategy():
    """``tf.distribute.MirroredStrategy`` when several GPUs are visible, else the default strategy.

    MirroredStrategy keeps one copy of the weights per device and splits each batch between them
    (synchronous data parallelism; TensorFlow guide "Distributed training with Keras").
    """
    import tensorflow as tf

    if len(tf.config.list_physical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def build_model(
    cell: str = "lstm",
    units: int = 128,
    maxlen: int = 40,
    vocab_size: int = 57,
    learning_rate: float = 0.01,
    *,
    reset_after: bool = True,
    unroll: bool = False,
    strategy=None,
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
    unroll : bool
        Unroll the time steps into one graph instead of a loop. Default False: Keras' default,
        and on a GPU the only setting with which Keras uses the fused cuDNN kernel. On a 2-core
        CPU unrolling 40 steps was no faster per epoch of compute (LSTM, best of 3 interleaved
        epochs on 20,000 windows) and took about 4 s longer to trace, so it stays off. Weights, parameter counts and
        results are the same either way.
    strategy : tf.distribute.Strategy, optional
        Build and compile under ``strategy.scope()``; default ``default_strategy()``
        (MirroredStrategy over all GPUs when there are several).

    Returns
    -------
    keras.Model
        Compiled; input (batch, maxlen, vocab_size) float32, output probs (batch, vocab_size).

    Notes
    -----
    The arguments are trusted: notebooks pass settings checked by ``check_parameters``.
    Notebooks 02 and 03 write this model in their own cells and assert that theirs and this one
    have the same layer configurations and, with shared weights, the same outputs.
    """
    import keras

    strategy = strategy or default_strategy()
    with strategy.scope():
        if cell == "lstm":
            rnn = keras.layers.LSTM(units, unroll=unroll, name="lstm")
        else:
            rnn = keras.layers.GRU(units, reset_after=reset_after, unroll=unroll, name="gru")
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
            optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        )
    return model
