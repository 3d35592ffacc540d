"""Generating text from a trained model, and a callback that shows samples after each epoch."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from .checks import check_bool, check_int
from .paths import EpochLog
from .sampling import TOP_P_TOLERANCE, _check_top_k, _check_top_p, check_temperatures, sample_rows


def _predict_fn(model):
    """A compiled ``model(x, training=False)``; cached on the model so it is traced once."""
    fn = getattr(model, "_nbhelpers_predict", None)
    if fn is None:
        import tensorflow as tf

        fn = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        model._nbhelpers_predict = fn
    return fn


def _step_fn(model):
    """A compiled one-character step ``(x_t, states) -> (probs, states)`` using the model's own layers."""
    fn = getattr(model, "_nbhelpers_step", None)
    if fn is None:
        import tensorflow as tf

        rnn, dense = model.layers[0], model.layers[-1]

        def step(x_t, states):
            h, new_states = rnn.cell(x_t, states, training=False)
            return dense(h), new_states

        fn = tf.function(step, reduce_retracing=True)
        model._nbhelpers_step = fn
    return fn


def _stateful_fn(model, truncated: bool = False):
    """One compiled graph for the whole stateful generation: seed window, then ``length`` steps.

    Sampling happens inside the graph (``tf.random.stateless_categorical`` on log-probabilities
    divided by the temperature, truncated to the top-k / nucleus set; argmax for temperature 0),
    so no Python runs per character. Without top-k / top-p (``truncated=False``) the graph has
    no truncation ops at all: sorting every step would halve the speed.
    """
    cache = model.__dict__.setdefault("_nbhelpers_stateful", {})
    fn = cache.get(truncated)
    if fn is None:
        import tensorflow as tf

        rnn = model.layers[0]
        step = _step_fn(model)  # inlined into this graph
        _, maxlen, vocab_size = model.input_shape

        def truncate(logits, top_k, top_p):
            # As sampling._truncate_rows: ranks by value, ties by lower index (tf.math.top_k, stable argsort).
            kept = tf.reduce_max(tf.one_hot(tf.math.top_k(logits, top_k).indices, vocab_size), axis=1) > 0
            order = tf.argsort(logits, axis=1, direction="DESCENDING", stable=True)
            ranked = tf.gather(tf.nn.softmax(logits), order, batch_dims=1)
            in_nucleus = tf.math.cumsum(ranked, axis=1, exclusive=True) < top_p - TOP_P_TOLERANCE
            in_nucleus = tf.concat([tf.ones_like(in_nucleus[:, :1]), in_nucleus[:, 1:]], axis=1)  # the likeliest
            kept &= tf.gather(in_nucleus, tf.argsort(order, axis=1), batch_dims=1)  # back to vocab order
            return tf.where(kept, logits, -float("inf"))

        def run(seed_idx, length, temps, seed, top_k, top_p):
            # seed_idx (n, maxlen) int32, temps (n,) float32, seed (2,) int32, top_k int32 (vocab_size
            # = off), top_p float32 (> 1 = off) -> (n, length) int32
            states = rnn.cell.get_initial_state(tf.shape(seed_idx)[0])
            for t in range(maxlen):
                probs, states = step(tf.one_hot(seed_idx[:, t], vocab_size), states)
            sampled = temps > 0
            scale = tf.where(sampled, temps, tf.ones_like(temps))[:, None]

            def body(i, probs, states, chars):
                logits = tf.math.log(probs)  # -inf for zero probabilities: never drawn
                logits = (logits - tf.reduce_max(logits, axis=1, keepdims=True)) / scale
                if truncated:  # a Python bool: decided when the graph is traced
                    logits = truncate(logits, top_k, top_p)
                drawn = tf.random.stateless_categorical(logits, 1, seed=seed + tf.stack([0, i]), dtype=tf.int32)
                nxt = tf.where(sampled, drawn[:, 0], tf.argmax(probs, axis=1, output_type=tf.int32))
                probs, states = step(tf.one_hot(nxt, vocab_size), states)
                return i + 1, probs, states, chars.write(i, nxt)

            chars = tf.TensorArray(tf.int32, size=length)
            _, _, _, chars = tf.while_loop(lambda i, *_: i < length, body, [tf.constant(0), probs, states, chars])
            return tf.transpose(chars.stack())

        fn = tf.function(run, reduce_retracing=True)
        cache[truncated] = fn
    return fn


def generate(
    model,
    vocab,
    seed_text: str,
    length: int = 400,
    temperatures=(1.0,),
    rng=None,
    *,
    stateful: bool = False,
    top_k=None,
    top_p=None,
) -> dict:
    """Generate ``length`` characters after ``seed_text`` at each temperature.

    Each step feeds the last ``maxlen`` characters (one-hot, as in training) to the model and
    samples the next character with ``sample``, exactly as the classic example; the windows of
    all temperatures go through the model together as one batch.

    Parameters
    ----------
    model : keras.Model
        Input (batch, maxlen, vocab_size), output probs (batch, vocab_size).
    vocab : Vocabulary
        The vocabulary the model was trained with (saved next to it).
    seed_text : str
        At least ``maxlen`` characters, all in ``vocab``; only its last ``maxlen`` are used.
    length : int >= 0
        Characters to generate per temperature.
    temperatures : sequence of distinct float >= 0, or one float
        0 means argmax (greedy).
    rng : numpy.random.Generator or int, optional
        Seeds the sampling; the same seed gives the same text.
    stateful : bool
        False (default): the classic sliding window, the model re-reads the last ``maxlen``
        characters for every new one (``maxlen`` recurrent steps per character), exactly what it
        was trained on. True: run the recurrent cell once over the seed window, then carry its
        state and feed one character per step (1 recurrent step per character, ~``maxlen`` times
        less work). The state then summarises *all* text since the window's start, not just the
        last ``maxlen`` characters, so the probabilities differ from the window mode after the
        first character (the TensorFlow text-generation tutorial's one-step model works this way).
        The whole loop, sampling included, runs as one TensorFlow graph: draws come from
        ``tf.random.stateless_categorical`` seeded from ``rng`` (same distribution as ``sample``,
        other random numbers).
    top_k : int >= 1, optional
        Sample only among the k likeliest characters (after the temperature); see ``truncate``.
    top_p : float in (0, 1], optional
        Nucleus sampling: only among the likeliest characters whose probabilities reach ``top_p``.

    Returns
    -------
    dict
        temperature (float) -> generated text (str, ``length`` characters, without the seed).

    Raises
    ------
    ValueError
        If the seed is shorter than ``maxlen``, has characters outside ``vocab`` (named in the
        message), the vocabulary does not match the model, the model's weights are not finite
        (a training run whose loss became NaN), or a temperature, ``top_k``, ``top_p`` or
        ``stateful`` is invalid.
    """
    _, maxlen, vocab_size = model.input_shape
    if vocab_size != vocab.size:
        raise ValueError(
            f"the model expects vocab_size={vocab_size} but the vocabulary has {vocab.size} characters; "
            f"load the vocabulary saved with this model"
        )
    length = check_int("length", length, minimum=0)
    temps = check_temperatures(temperatures)
    top_k, top_p = _check_top_k(top_k), _check_top_p(top_p)
    stateful = check_bool("stateful", stateful)
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise ValueError(
            "the model's weights contain NaN or infinite values (did its loss become NaN?); "
            "retrain it, e.g. with a lower learning_rate"
        )
    if len(seed_text) < maxlen:
        raise ValueError(
            f"seed_text has {len(seed_text)} characters but the model reads windows of maxlen={maxlen}; "
            f"give at least {maxlen} characters (e.g. a passage of the corpus)"
        )
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    window = vocab.encode(seed_text)[-maxlen:]  # (maxlen,) int32; every seed character is checked
    windows = np.tile(window, (len(temps), 1))  # (n_temps, maxlen) int32
    eye = np.eye(vocab_size, dtype=np.float32)
    out = np.empty((len(temps), length), dtype=np.int32)
    if stateful:
        if length == 0:
            return {t: "" for t in temps}
        seed = rng.integers(0, 2**31 - 1, size=2).astype(np.int32)
        temps32 = np.minimum(temps, 1e30).astype(np.float32)  # float32 cannot hold 1e300: clamp, still "flat"
        k = np.int32(vocab_size if top_k is None else min(top_k, vocab_size))
        p = np.float32(2.0 if top_p is None else top_p)  # > 1: every character is in the nucleus
        stateful_fn = _stateful_fn(model, truncated=top_k is not None or top_p is not None)
        out = stateful_fn(windows, np.int32(length), temps32, seed, k, p).numpy()
    else:
        predict = _predict_fn(model)
        for step in range(length):
            probs = np.asarray(predict(eye[windows]))  # (n_temps, vocab_size) float32
            out[:, step] = sample_rows(probs, temps, rng, top_k=top_k, top_p=top_p)
            windows = np.concatenate([windows[:, 1:], out[:, step : step + 1]], axis=1)
    return {t: vocab.decode(out[row]) for row, t in enumerate(temps)}


class GenerateText(keras.callbacks.Callback):
    """Keras callback: after each epoch, print text generated at each temperature.

    The seed is one random ``maxlen``-character window of ``text`` per epoch (the same window
    for every temperature), as in the classic example. Every epoch's samples are recorded
    (``self.samples``; also appended to ``log_path`` if given) so a resumed run keeps them.

    Parameters
    ----------
    text : str
        The corpus (seeds are drawn from it).
    vocab : Vocabulary
    temperatures : sequence of float >= 0
    length : int >= 0
        Characters generated per temperature (default 400).
    seed : int, optional
        With a seed, epoch e draws its window and samples from ``default_rng([seed, e])``: the
        same text for the same weights, also after a resume.
    log_path : path, optional
        JSON-lines file, one record per epoch (epoch, seed text, samples).
    print_fn : callable
        Where the text goes (default ``print``).
    """

    def __init__(
        self,
        text,
        vocab,
        temperatures=(0.2, 0.5, 1.0, 1.2, 1.5),
        length=400,
        seed=None,
        log_path=None,
        print_fn=print,
    ):
        super().__init__()
        # Check everything now, not after the first (long) epoch.
        self.temperatures = check_temperatures(temperatures)
        self.length = check_int("length", length, minimum=0)
        if seed is not None:
            seed = check_int("seed", seed, minimum=0)
        if not isinstance(text, str) or len(text) < 2:
            raise ValueError("text must be the corpus string (seeds are drawn from it)")
        vocab.encode(text)  # raises, naming them, if the text has characters outside the vocabulary
        if log_path is not None and Path(log_path).is_dir():
            raise ValueError(f"log_path must be a file, got the folder {log_path}")
        self.text, self.vocab = text, vocab
        self.seed = seed
        self.print_fn = print_fn
        self.log = EpochLog(log_path)
        self._started = False

    @property
    def samples(self) -> list:
        """One dict per (epoch, temperature): ``epoch``, ``temperature``, ``seed``, ``text``."""
        return [
            {"epoch": e["epoch"], "temperature": s["temperature"], "seed": e["seed"], "text": s["text"]}
            for e in self.log.entries
            for s in e["samples"]
        ]

    def on_epoch_begin(self, epoch, logs=None):
        if not self._started:
            self._started = True
            self.log.start(epoch + 1)

    def on_train_begin(self, logs=None):
        self._started = False
        maxlen = self.model.input_shape[1]
        if len(self.text) < maxlen + 1:
            raise ValueError(f"text has {len(self.text)} characters; seeds need at least maxlen + 1 = {maxlen + 1}")

    def on_epoch_end(self, epoch, logs=None):
        maxlen = self.model.input_shape[1]
        rng = np.random.default_rng(None if self.seed is None else [self.seed, epoch])
        start = int(rng.integers(0, len(self.text) - maxlen))
        seed_text = self.text[start : start + maxlen]
        texts = generate(self.model, self.vocab, seed_text, self.length, self.temperatures, rng)
        self.print_fn(f"----- Generating text after epoch {epoch + 1}")
        self.print_fn(f'----- seed: "{seed_text}"')
        for t, generated in texts.items():
            self.print_fn(f"----- temperature {t}:\n{seed_text}{generated}\n")
        samples = [{"temperature": t, "text": generated} for t, generated in texts.items()]
        self.log.append({"epoch": epoch + 1, "seed": seed_text, "samples": samples})
