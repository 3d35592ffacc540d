"""Generating text from a trained model, and a callback that shows samples after each epoch."""

from __future__ import annotations

import numpy as np

from .paths import EpochLog
from .sampling import _check_temperature, sample


def _predict_fn(model):
    """A compiled ``model(x, training=False)``; cached on the model so it is traced once."""
    fn = getattr(model, "_nbhelpers_predict", None)
    if fn is None:
        import tensorflow as tf

        fn = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        model._nbhelpers_predict = fn
    return fn


def generate(model, vocab, seed_text: str, length: int = 400, temperatures=(1.0,), rng=None) -> dict:
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
    temperatures : sequence of float >= 0
        0 means argmax (greedy).
    rng : numpy.random.Generator or int, optional
        Seeds the sampling; the same seed gives the same text.

    Returns
    -------
    dict
        temperature (float) -> generated text (str, ``length`` characters, without the seed).

    Raises
    ------
    ValueError
        If the seed is shorter than ``maxlen``, has characters outside ``vocab`` (named in the
        message), the vocabulary does not match the model, or a temperature is invalid.
    """
    _, maxlen, vocab_size = model.input_shape
    if vocab_size != vocab.size:
        raise ValueError(
            f"the model expects vocab_size={vocab_size} but the vocabulary has {vocab.size} characters; "
            f"load the vocabulary saved with this model"
        )
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
        raise ValueError(f"length must be an integer >= 0, got {length!r}")
    temps = [_check_temperature(t) for t in temperatures]
    if not temps:
        raise ValueError("give at least one temperature")
    if len(seed_text) < maxlen:
        raise ValueError(
            f"seed_text has {len(seed_text)} characters but the model reads windows of maxlen={maxlen}; "
            f"give at least {maxlen} characters (e.g. a passage of the corpus)"
        )
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    window = vocab.encode(seed_text)[-maxlen:]  # (maxlen,) int32; every seed character is checked
    windows = np.tile(window, (len(temps), 1))  # (n_temps, maxlen) int32
    eye = np.eye(vocab_size, dtype=np.float32)
    predict = _predict_fn(model)
    out = np.empty((len(temps), length), dtype=np.int32)
    for step in range(length):
        probs = np.asarray(predict(eye[windows]))  # (n_temps, vocab_size) float32
        for row, t in enumerate(temps):
            out[row, step] = sample(probs[row], t, rng)
        windows = np.concatenate([windows[:, 1:], out[:, step : step + 1]], axis=1)
    return {t: vocab.decode(out[row]) for row, t in enumerate(temps)}


def _keras_callback_base():
    import keras

    return keras.callbacks.Callback


class GenerateText(_keras_callback_base()):
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
        self.text, self.vocab, self.length = text, vocab, length
        self.temperatures = [_check_temperature(t) for t in temperatures]
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

    def on_train_begin(self, logs=None):
        self._started = False

    def on_epoch_begin(self, epoch, logs=None):
        if not self._started:
            self._started = True
            self.log.start(epoch + 1)

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
