"""``nbh.generate`` (window and stateful modes) against references written with ``model.predict`` and NumPy."""

import functools

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose

import nbhelpers as nbh
from nbhelpers.generation import predict_fn

TEXT = "the cat sat on the mat. the dog sat on the log. " * 6
MAXLEN = 10
SEED_TEXT = TEXT[:MAXLEN]
MODES = pytest.mark.parametrize("stateful", [False, True], ids=["window", "stateful"])
CELLS = pytest.mark.parametrize("cell", ["lstm", "gru"])


@pytest.fixture(scope="module")
def tiny_model():
    nbh.quiet_tensorflow()
    keras.utils.set_random_seed(0)
    vocab = nbh.Vocabulary.from_text(TEXT)
    x, y = nbh.make_windows(vocab.encode(TEXT), MAXLEN, 1)
    models = {}
    for cell in nbh.CELLS:
        model = nbh.build_model(cell, units=8, maxlen=MAXLEN, vocab_size=vocab.size)
        model.fit(nbh.make_dataset(x, y, vocab.size, 32), epochs=1, verbose=0, shuffle=False)
        models[cell] = model
    return models, vocab


def window_probs(model, vocab):
    """The classic way: model.predict on the last maxlen characters."""

    @functools.cache
    def probs(text):
        x = nbh.one_hot(vocab.encode(text[-MAXLEN:])[None, :], vocab.size).astype("float32")
        return model.predict(x, verbose=0)[0]

    return probs


def sequence_probs(model, vocab):
    """What the stateful mode computes: the same layers run over *all* the text since the seed window began."""
    rnn = model.layers[0]
    reference = keras.Sequential(
        [
            keras.Input(shape=(None, vocab.size)),
            type(rnn).from_config(rnn.get_config()),
            keras.layers.Dense(vocab.size, activation="softmax"),
        ]
    )
    reference.set_weights(model.get_weights())

    @functools.cache
    def probs(text):  # text: the seed window and what followed it
        x = nbh.one_hot(vocab.encode(text)[None], vocab.size).astype("float32")  # (1, len(text), vocab_size)
        return reference(x, training=False).numpy()[0]

    return probs


def uniforms_rng(seed, temperature):
    """The generator ``generate`` draws temperature T's uniforms from (its documented seeding)."""
    return np.random.default_rng([np.random.SeedSequence(seed).entropy, round(temperature * 1_000_000)])


def reference_text(probs, vocab, length, temperature, seed, top_k=None, top_p=None):
    """Generate with per-character reference probabilities and nbh.sample (inverse-CDF sampling after truncation)."""
    rng = uniforms_rng(seed, temperature)
    text = SEED_TEXT
    for _ in range(length):
        p = probs(text)
        if top_k is None and top_p is None:
            k = nbh.sample(p, temperature, rng)  # rng.choice(n, p=apply_temperature(p, T)): one uniform per draw
        else:
            logits = np.log(p.astype(np.float64)) / temperature
            w = np.exp(np.asarray(nbh.truncate_logits(logits - logits.max(), top_k, top_p)))
            cdf = np.cumsum(w)
            k = int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right"))
        text += vocab.chars[k]
    return text[len(SEED_TEXT) :]


@CELLS
def test_greedy_window_generation_equals_predict_per_character(tiny_model, cell):
    models, vocab = tiny_model
    probs = window_probs(models[cell], vocab)
    expected, text = "", SEED_TEXT
    for _ in range(15):
        expected += vocab.chars[int(np.argmax(probs(text + expected)))]
    assert nbh.generate(models[cell], vocab, SEED_TEXT, length=15, temperatures=[0.0])[0.0] == expected


@CELLS
def test_greedy_stateful_generation_equals_the_layer_run_over_the_whole_text(tiny_model, cell):
    models, vocab = tiny_model
    probs = sequence_probs(models[cell], vocab)
    expected = ""
    for _ in range(15):
        expected += vocab.chars[int(np.argmax(probs(SEED_TEXT + expected)))]
    assert nbh.generate(models[cell], vocab, SEED_TEXT, 15, [0.0], stateful=True)[0.0] == expected


@CELLS
def test_window_mode_probabilities_equal_model_predict(tiny_model, cell):
    models, vocab = tiny_model
    x_idx, _ = nbh.make_windows(vocab.encode(TEXT), MAXLEN, 7)
    x = nbh.one_hot(x_idx, vocab.size).astype("float32")
    assert predict_fn(models[cell]) is predict_fn(models[cell])  # compiled once per model
    assert_allclose(np.asarray(predict_fn(models[cell])(x)), models[cell].predict(x, verbose=0), atol=1e-6)


@MODES
@CELLS
def test_sampled_text_equals_a_per_character_loop_with_nbh_sample(tiny_model, cell, stateful):
    """At T > 0 each temperature draws what nbh.sample draws from its own seeded generator."""
    models, vocab = tiny_model
    probs = (sequence_probs if stateful else window_probs)(models[cell], vocab)
    got = nbh.generate(models[cell], vocab, SEED_TEXT, 12, [0.0, 0.8, 1.5], seed=3, stateful=stateful)
    for t in (0.8, 1.5):
        assert got[t] == reference_text(probs, vocab, 12, t, seed=3), t


@MODES
@CELLS
def test_truncated_sampling_equals_the_reference_and_stays_in_the_kept_set(tiny_model, cell, stateful):
    models, vocab = tiny_model
    probs = (sequence_probs if stateful else window_probs)(models[cell], vocab)
    for kwargs in ({"top_k": 2}, {"top_p": 0.5}, {"top_k": 3, "top_p": 0.8}):
        got = nbh.generate(models[cell], vocab, SEED_TEXT, 12, [1.0, 2.0], seed=11, stateful=stateful, **kwargs)
        for t, text in got.items():
            assert text == reference_text(probs, vocab, 12, t, 11, **kwargs), (t, kwargs)
            for i, ch in enumerate(text):
                p = probs(SEED_TEXT + text[:i])
                rank = int((p > p[vocab.char_to_index[ch]]).sum())  # likelier characters than the one drawn
                assert rank < kwargs.get("top_k", len(p)), (t, kwargs, text)


@MODES
@pytest.mark.parametrize("top_k", [None, 3], ids=["all", "top_k"])
def test_same_seed_same_text_at_a_temperature_whatever_else_is_asked(tiny_model, stateful, top_k):
    models, vocab = tiny_model
    model = models["lstm"]

    def run(temps):
        return nbh.generate(model, vocab, SEED_TEXT, 25, temps, seed=1, stateful=stateful, top_k=top_k)

    alone = run([0.5])[0.5]
    assert alone == run([0.5, 1.0])[0.5] == run([1.0, 0.5])[0.5] == run([0.0, 1.5, 0.5, 1.0])[0.5]
    assert run([1.0, 0.5]) == run([1.0, 0.5])
    assert list(run([1.0, 0.5])) == [1.0, 0.5]  # keys in the order asked


@MODES
@CELLS
def test_top_k_1_and_tiny_top_p_generate_the_greedy_text(tiny_model, cell, stateful):
    models, vocab = tiny_model
    greedy = nbh.generate(models[cell], vocab, SEED_TEXT, 20, [0.0], stateful=stateful)[0.0]
    for kwargs in ({"top_k": 1}, {"top_p": 1e-6}):
        got = nbh.generate(models[cell], vocab, SEED_TEXT, 20, [0.7, 1.5], seed=3, stateful=stateful, **kwargs)
        assert got == {0.7: greedy, 1.5: greedy}, kwargs


@CELLS
def test_lengths_vocabulary_and_seed(tiny_model, cell):
    models, vocab = tiny_model
    temps = [0.2, 0.5, 1.0, 1.2, 1.5]
    a = nbh.generate(models[cell], vocab, TEXT[:30], length=25, temperatures=temps, seed=5)
    assert a == nbh.generate(models[cell], vocab, TEXT[:30], length=25, temperatures=temps, seed=5)
    assert list(a) == temps
    for text in a.values():
        assert len(text) == 25 and set(text) <= set(vocab.chars)
    assert nbh.generate(models[cell], vocab, TEXT[:30], 25, temps, seed=[5, 1]) != a  # a list of ints is a seed too
    assert nbh.generate(models[cell], vocab, TEXT[:30], 5, 0.0) == nbh.generate(
        models[cell], vocab, TEXT[20:30], 5, [0.0]
    )  # only the last maxlen characters count; one number is one temperature
    assert nbh.generate(models[cell], vocab, SEED_TEXT, 0, [0.5, 1.0]) == {0.5: "", 1.0: ""}


def test_no_seed_draws_fresh_text(tiny_model):
    models, vocab = tiny_model
    a = nbh.generate(models["gru"], vocab, SEED_TEXT, 40, [1.5])
    b = nbh.generate(models["gru"], vocab, SEED_TEXT, 40, [1.5])
    assert a != b  # chance of equality: far below 1e-9 for this near-uniform model


def constant_model(probs):
    """A model whose output is ``probs`` whatever it reads: zero kernel, bias log(probs)."""
    vocab = nbh.Vocabulary(tuple("abcd"[: len(probs)]))
    model = nbh.build_model("lstm", 4, 5, vocab.size)
    dense = model.layers[-1]
    dense.kernel.assign(np.zeros(dense.kernel.shape, "float32"))
    dense.bias.assign(np.log(np.float32(probs)))
    return model, vocab


def test_nucleus_boundary_is_the_same_in_both_modes():
    """p landing on a float32 cumulative sum (0.5 + 0.3 = 0.79999995): both modes keep {a, b}."""
    model, vocab = constant_model([0.5, 0.3, 0.2, 1e-9])
    for stateful in (False, True):
        text = nbh.generate(model, vocab, "aaaaa", 400, [1.0], seed=0, stateful=stateful, top_p=0.8)[1.0]
        assert set(text) == {"a", "b"}, stateful


@pytest.mark.parametrize(
    "stateful,length,kwargs",
    [(True, 20_000, {}), (True, 20_000, {"top_k": 2}), (False, 3_000, {"top_p": 0.75})],
    ids=["stateful", "stateful-top_k", "window-top_p"],
)
def test_character_frequencies_follow_the_tempered_truncated_distribution(stateful, length, kwargs):
    p = np.array([0.45, 0.3, 0.15, 0.1])
    model, vocab = constant_model(p)
    t = 0.8
    text = nbh.generate(model, vocab, "abcda", length, [t], seed=2, stateful=stateful, **kwargs)[t]
    counts = np.array([text.count(c) for c in vocab.chars])
    q = nbh.apply_temperature(p, t)
    if kwargs:  # top_k=2, or top_p=0.75 (0.45 + 0.3 reaches it after tempering too): the two likeliest
        q = np.where(np.arange(4) < 2, q, 0.0)
        q /= q.sum()
        assert counts[2:].sum() == 0
    expected = length * q[q > 0]
    chi2 = float(((counts[q > 0] - expected) ** 2 / expected).sum())
    assert chi2 < 16.27, (chi2, counts)  # 99.9% quantile of chi-square with 3 degrees of freedom


def test_generation_errors(tiny_model):
    models, vocab = tiny_model
    model = models["lstm"]
    cases = [
        ({"seed_text": "the cat"}, "seed_text has 7 characters .* at least 10 characters"),
        ({"seed_text": "the QaX cat sat on"}, r"'QX'"),
        ({"vocab": nbh.Vocabulary.from_text("abc"), "seed_text": "abcabcabcabc"}, "vocab_size=.* has 3 characters"),
        ({"temperatures": [-1]}, "temperatures must be >= 0"),
        ({"temperatures": []}, "at least one temperature"),
        ({"temperatures": [1.0, 1]}, "distinct"),
        ({"temperatures": "hot"}, "temperatures"),
        ({"length": -5}, "length must be an integer >= 0"),
        ({"length": 2.5}, "length must be an integer >= 0"),
        ({"top_k": 0}, "top_k must be an integer >= 1"),
        ({"top_k": 2.5}, "top_k must be an integer >= 1"),
        ({"top_k": True}, "top_k must be an integer >= 1"),
        ({"top_p": 0.0}, r"top_p must be in \(0, 1\]"),
        ({"top_p": 1.5}, r"top_p must be in \(0, 1\]"),
        ({"top_p": float("nan")}, r"top_p must be in \(0, 1\]"),
        ({"top_p": "0.9"}, r"top_p must be in \(0, 1\]"),
        ({"seed": -1}, "seed must be an integer >= 0"),
        ({"seed": "abc"}, "seed must be an integer >= 0"),
        ({"seed": 1.5}, "seed must be an integer >= 0"),
    ]
    for kwargs, match in cases:
        args = {"model": model, "vocab": vocab, "seed_text": SEED_TEXT, "length": 5, **kwargs}
        with pytest.raises(ValueError, match=match):
            nbh.generate(**args)


def test_nan_weights_are_refused(tiny_model):
    models, vocab = tiny_model
    broken = keras.models.clone_model(models["lstm"])
    broken.set_weights(models["lstm"].get_weights())
    broken.layers[-1].bias.assign(np.full(broken.layers[-1].bias.shape, np.nan, "float32"))
    for stateful in (False, True):
        with pytest.raises(ValueError, match="NaN or infinite .* lower learning_rate"):
            nbh.generate(broken, vocab, SEED_TEXT, 5, [0.0, 1.0], stateful=stateful)
