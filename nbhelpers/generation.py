"""Generating text from a trained model: window or stateful mode, temperature, top-k and nucleus.

Notebook 02 writes the classic generation loop in its cells (a window of ``maxlen`` characters in,
one character out, with a float64 temperature sampler). This module is the version the CLI,
notebook 05 and the benchmark use: the same loop, compiled, with every temperature in one batch,
plus the stateful mode and top-k / nucleus truncation. Both modes draw the next character with
one function, ``_next_chars``, from uniform numbers drawn in NumPy beforehand, one generator per
temperature: the same seed gives the same text at a temperature, whatever else is asked for.
"""

from __future__ import annotations

import numbers

import numpy as np

from .settings import as_temperatures

# Nucleus boundary tolerance: a set whose mass falls short of p by less than this counts as reaching it,
# so rounding in the probabilities cannot add a character.
TOP_P_TOLERANCE = 1e-6
# Characters a sequence model (input (None, None, vocab_size), every_char.build_sequence_model) reads in window
# mode unless told otherwise: the classic maxlen.
DEFAULT_WINDOW = 40


def truncate_logits(logits, top_k=None, top_p=None):
    """Keep only the top-k and/or nucleus (top-p) entries of each row of logits; the rest become -inf.

    Top-k keeps the k likeliest characters (Fan, Lewis & Dauphin 2018, "Hierarchical Neural Story
    Generation"); nucleus sampling keeps the fewest likeliest characters whose probabilities sum
    to at least p (Holtzman et al. 2020, "The Curious Case of Neural Text Degeneration"). Ranks
    are by value, ties by lower index; the likeliest character is always kept, so ``top_k=1`` and
    ``top_p`` -> 0 are argmax. With both, a character must pass both. Used inside both generation
    modes' graphs, and callable eagerly on NumPy arrays.

    Parameters
    ----------
    logits : array_like or tf.Tensor, shape (n, vocab_size) or (vocab_size,), float
        Log-probabilities up to a constant per row (``log(probs)``; -inf for impossible characters).
    top_k : int >= 1 or tf int32 scalar, optional
        None keeps all.
    top_p : float in (0, 1] or tf float scalar, optional
        None keeps all. A sum within ``TOP_P_TOLERANCE`` of p counts as reaching it.

    Returns
    -------
    tf.Tensor, the shape and dtype of ``logits``
        Dropped entries are -inf; ``tf.nn.softmax`` of a row renormalises what is kept.
    """
    import tensorflow as tf

    logits = tf.convert_to_tensor(logits)
    one_row = logits.shape.rank == 1
    if one_row:
        logits = logits[None]
    order = tf.argsort(logits, axis=1, direction="DESCENDING", stable=True)  # likeliest first, ties: lower index
    rank = tf.argsort(order, axis=1)  # rank of each character, in vocabulary order
    kept = tf.ones_like(logits, dtype=tf.bool)
    if top_k is not None:
        kept &= rank < tf.cast(top_k, rank.dtype)
    if top_p is not None:
        ranked = tf.gather(tf.nn.softmax(logits), order, batch_dims=1)
        before = tf.math.cumsum(ranked, axis=1, exclusive=True)  # mass of the likelier characters
        in_nucleus = before < tf.cast(top_p, before.dtype) - TOP_P_TOLERANCE
        kept &= tf.gather(in_nucleus, rank, batch_dims=1) | tf.equal(rank, 0)
    out = tf.where(kept, logits, tf.constant(-np.inf, logits.dtype))
    return out[0] if one_row else out


def _next_chars(probs, temps, u, top_k, top_p, truncated: bool):
    """Draw one character per row: float64 inverse-CDF sampling of ``probs`` reweighted by ``temps``.

    probs (n, vocab_size) float32, temps (n,) float64 (0 = argmax), u (n,) float64 uniforms in
    [0, 1), top_k int32, top_p float64 -> (n,) int32. ``truncated`` is a Python bool, fixed when
    the graph is traced: without top-k / top-p the graph has no sorting at all.
    """
    import tensorflow as tf

    p = tf.cast(probs, tf.float64)
    greedy = tf.equal(temps, 0.0)
    logits = tf.math.log(p) / tf.where(greedy, tf.ones_like(temps), temps)[:, None]  # -inf for p = 0
    logits -= tf.reduce_max(logits, axis=1, keepdims=True)  # the likeliest character weighs 1
    if truncated:
        logits = truncate_logits(logits, top_k, top_p)
    cdf = tf.math.cumsum(tf.exp(logits), axis=1)  # (n, vocab_size), unnormalised
    drawn = tf.reduce_sum(tf.cast(cdf <= (u * cdf[:, -1])[:, None], tf.int32), axis=1)  # searchsorted, right
    last = (
        tf.shape(p)[1]
        - 1
        - tf.argmax(tf.reverse(tf.cast(logits > -np.inf, tf.int32), [1]), axis=1, output_type=tf.int32)
    )
    drawn = tf.minimum(drawn, last)  # guards the rounding case u * total == total
    return tf.where(greedy, tf.argmax(p, axis=1, output_type=tf.int32), drawn)


def predict_fn(model):
    """``model(x, training=False)`` compiled once and cached on the model: x (n, maxlen, vocab_size) -> probs.

    probs (n, vocab_size) for a window model, (n, maxlen, vocab_size) for a sequence model.
    """
    fn = model.__dict__.get("_nbhelpers_predict")
    if fn is None:
        import tensorflow as tf

        fn = model.__dict__["_nbhelpers_predict"] = tf.function(
            lambda x: model(x, training=False), reduce_retracing=True
        )
    return fn


def _window_fn(model, truncated: bool):
    """One compiled window-mode step: the model on one window per row, then ``_next_chars``.

    A sequence model (output (n, time, vocab_size)) predicts at every position of the window; the
    last position's probabilities are those of the next character. Its windows may have any length.
    """
    cache = model.__dict__.setdefault("_nbhelpers_window", {})
    if truncated not in cache:
        import tensorflow as tf

        vocab_size = model.input_shape[-1]
        every_step = len(model.output_shape) == 3
        predict = predict_fn(model)

        def step(windows, temps, u, top_k, top_p):
            probs = predict(tf.one_hot(windows, vocab_size))  # (n, vocab_size), or (n, window, vocab_size)
            if every_step:
                probs = probs[:, -1, :]
            return _next_chars(probs, temps, u, top_k, top_p, truncated)

        signature = [tf.TensorSpec([None, model.input_shape[1]], tf.int32), *_draw_signature(tf, [None])]
        cache[truncated] = tf.function(step, input_signature=signature)
    return cache[truncated]


def _stateful_fn(model, truncated: bool):
    """One compiled graph for the whole stateful generation: the seed window, then ``length`` steps."""
    cache = model.__dict__.setdefault("_nbhelpers_stateful", {})
    if truncated not in cache:
        import tensorflow as tf

        rnn, dense = model.layers[0], model.layers[-1]
        _, maxlen, vocab_size = model.input_shape

        def run(seed_idx, temps, u, top_k, top_p):
            # seed_idx (n, maxlen) int32 (n, >= 1 characters for a sequence model), temps (n,) float64,
            # u (n, length) float64 -> (n, length) int32
            states = rnn.cell.get_initial_state(tf.shape(seed_idx)[0])
            if maxlen is not None:
                for t in range(maxlen):
                    h, states = rnn.cell(tf.one_hot(seed_idx[:, t], vocab_size), states, training=False)
            else:  # a sequence model: a seed of any length, read in a loop
                h, states = rnn.cell(tf.one_hot(seed_idx[:, 0], vocab_size), states, training=False)

                def read(t, h, states):
                    h, states = rnn.cell(tf.one_hot(seed_idx[:, t], vocab_size), states, training=False)
                    return t + 1, h, states

                _, h, states = tf.while_loop(lambda t, *_: t < tf.shape(seed_idx)[1], read, [tf.constant(1), h, states])
            length = tf.shape(u)[1]

            def body(i, h, states, chars):
                nxt = _next_chars(dense(h), temps, u[:, i], top_k, top_p, truncated)
                h, states = rnn.cell(tf.one_hot(nxt, vocab_size), states, training=False)
                return i + 1, h, states, chars.write(i, nxt)

            chars = tf.TensorArray(tf.int32, size=length)
            _, _, _, chars = tf.while_loop(lambda i, *_: i < length, body, [tf.constant(0), h, states, chars])
            return tf.transpose(chars.stack())

        signature = [tf.TensorSpec([None, maxlen], tf.int32), *_draw_signature(tf, [None, None])]
        cache[truncated] = tf.function(run, input_signature=signature)
    return cache[truncated]


def _draw_signature(tf, u_shape):
    """Input specs of temps (n,) float64, u ``u_shape`` float64, top_k int32 and top_p float64: traced once."""
    return [
        tf.TensorSpec([None], tf.float64),
        tf.TensorSpec(u_shape, tf.float64),
        tf.TensorSpec([], tf.int32),
        tf.TensorSpec([], tf.float64),
    ]


def _uniforms(seed, temperatures, length: int) -> np.ndarray:
    """(n_temps, length) float64 uniforms; row i from its own generator, seeded by (seed, temperature i)."""
    entropy = np.random.SeedSequence(seed).entropy
    rows = [
        np.random.default_rng([entropy, int(round(t * 1_000_000))]).random(length) if t > 0 else np.zeros(length)
        for t in temperatures
    ]
    return np.array(rows, dtype=np.float64).reshape(len(temperatures), length)


def _checked_seed(seed):
    if seed is None:
        return None
    items = [seed] if isinstance(seed, numbers.Integral) else seed
    try:
        ok = all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0 for s in items)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"seed must be an integer >= 0 (or a list of them), or None for a random one; got {seed!r}")
    return seed


def generate(
    model,
    vocab,
    seed_text: str,
    length: int = 400,
    temperatures=(1.0,),
    seed=None,
    *,
    stateful=False,
    top_k=None,
    top_p=None,
    window=None,
) -> dict:
    """Generate ``length`` characters after ``seed_text`` at each temperature.

    Parameters
    ----------
    model : keras.Model
        A window model: input (batch, maxlen, vocab_size), output probs (batch, vocab_size), as
        ``build_model``. Or a sequence model: input (batch, None, vocab_size), output probs
        (batch, time, vocab_size), as ``every_char.build_sequence_model``; it reads windows of
        ``window`` characters and the last position's probabilities are the next character's.
    vocab : Vocabulary
        The vocabulary the model was trained with (saved next to it).
    seed_text : str
        Characters all in ``vocab``. A window model needs at least ``maxlen`` and uses the last
        ``maxlen``; a sequence model uses the last ``window`` (all of a shorter seed, at least one).
    length : int >= 0
        Characters to generate per temperature.
    temperatures : sequence of distinct float >= 0, or one float
        0 means argmax (greedy).
    seed : int >= 0, list of them, or None
        The same seed gives the same text at a temperature, also when other temperatures are
        asked for in the same call; None draws a fresh one.
    stateful : bool
        False (default): the classic sliding window; the model re-reads the last ``maxlen``
        characters for every new one (``maxlen`` recurrent steps per character), exactly what it
        was trained on. True: run the recurrent cell once over the seed window, then carry its
        state and feed one character per step (~``maxlen`` times less work, and the whole loop is
        one TensorFlow graph). The state then summarises *all* text since the window's start, so
        the probabilities differ from the window mode after the first character (the TensorFlow
        text-generation tutorial's one-step model works this way).
    top_k : int >= 1, optional
        Sample only among the k likeliest characters (after the temperature); see ``truncate_logits``.
    top_p : float in (0, 1], optional
        Nucleus sampling: only among the likeliest characters whose probabilities reach ``top_p``.
    window : int >= 1, optional
        Sequence models only: the characters of context read in window mode (while the text is
        shorter, all of it) and, in stateful mode, the seed characters the cell runs over before
        generating. Default ``DEFAULT_WINDOW`` (40, the classic ``maxlen``). A window model reads
        its ``maxlen``: None or that value.

    Returns
    -------
    dict
        temperature (float) -> generated text (str, ``length`` characters, without the seed).

    Raises
    ------
    ValueError
        A seed text shorter than ``maxlen`` (empty, for a sequence model) or with characters
        outside ``vocab`` (named), a vocabulary that does not fit the model, weights that are not
        finite (a run whose loss became NaN), or a bad ``length``, temperature, ``seed``,
        ``top_k``, ``top_p`` or ``window``.
    """
    _, maxlen, vocab_size = model.input_shape
    if vocab_size != vocab.size:
        raise ValueError(
            f"the model expects vocab_size={vocab_size} but the vocabulary has {vocab.size} characters; "
            f"load the vocabulary saved with this model"
        )
    if isinstance(length, bool) or not isinstance(length, numbers.Integral) or length < 0:
        raise ValueError(f"length must be an integer >= 0, got {length!r}")
    temps = as_temperatures("temperatures", temperatures)
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1):
        raise ValueError(f"top_k must be an integer >= 1 (1 means argmax) or None to keep all, got {top_k!r}")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, numbers.Real) or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1] (1 keeps everything; near 0 means argmax) or None, got {top_p!r}")
    seed = _checked_seed(seed)
    if not isinstance(stateful, (bool, np.bool_)):
        raise ValueError(f"stateful must be True or False, got {stateful!r}")
    if window is not None and (isinstance(window, bool) or not isinstance(window, numbers.Integral) or window < 1):
        raise ValueError(f"window must be an integer >= 1 (characters of context) or None, got {window!r}")
    if maxlen is not None and window not in (None, maxlen):
        raise ValueError(f"this model reads windows of maxlen={maxlen} characters; window must be {maxlen} or None")
    context = maxlen or window or DEFAULT_WINDOW  # characters the model reads
    if maxlen is None and not seed_text:
        raise ValueError("seed_text is empty; give at least one character to continue")
    if len(seed_text) < (maxlen or 0):
        raise ValueError(
            f"seed_text has {len(seed_text)} characters but the model reads windows of maxlen={maxlen}; "
            f"give at least {maxlen} characters (e.g. a passage of the corpus)"
        )
    start = vocab.encode(seed_text)[-context:]  # (<= context,) int32; raises, naming unknown characters
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise ValueError(
            "the model's weights contain NaN or infinite values (did its loss become NaN?); "
            "retrain it, e.g. with a lower learning_rate"
        )
    if length == 0:
        return {t: "" for t in temps}
    truncated = top_k is not None or (top_p is not None and top_p < 1)
    k = np.int32(min(top_k or vocab_size, vocab_size))
    p = np.float64(top_p if top_p is not None else 1.0)
    t64 = np.array(temps, dtype=np.float64)  # (n_temps,)
    u = _uniforms(seed, temps, length)  # (n_temps, length) float64
    windows = np.tile(start, (len(temps), 1))  # (n_temps, <= context) int32
    if stateful:
        out = _stateful_fn(model, truncated)(windows, t64, u, k, p).numpy()  # (n_temps, length) int32
    else:
        step_fn = _window_fn(model, truncated)
        out = np.empty((len(temps), length), dtype=np.int32)
        for i in range(length):
            out[:, i] = step_fn(windows, t64, u[:, i], k, p).numpy()
            windows = np.concatenate([windows, out[:, i : i + 1]], axis=1)[:, -context:]
    return {t: vocab.decode(out[row]) for row, t in enumerate(temps)}
