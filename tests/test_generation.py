import numpy as np
import pytest

import nbhelpers as nbh

TEXT = "the cat sat on the mat. the dog sat on the log. " * 6
MAXLEN = 10


@pytest.fixture(scope="module")
def tiny_model():
    import keras

    keras.utils.set_random_seed(0)
    vocab = nbh.Vocabulary.from_text(TEXT)
    x, y = nbh.make_windows(vocab.encode(TEXT), MAXLEN, 1)
    models = {}
    for cell in nbh.CELLS:
        model = nbh.build_model(cell, units=8, maxlen=MAXLEN, vocab_size=vocab.size)
        model.fit(nbh.make_dataset(x, y, vocab.size, 32), epochs=1, verbose=0, shuffle=False)
        models[cell] = model
    return models, vocab


def predict_per_character(model, vocab, seed_text, length):
    """The classic approach: model.predict on one window per character, greedy (argmax)."""
    sentence = seed_text[-MAXLEN:]
    out = ""
    for _ in range(length):
        x = nbh.one_hot(vocab.encode(sentence)[None, :], vocab.size).astype("float32")
        probs = model.predict(x, verbose=0)[0]
        c = vocab.chars[int(np.argmax(probs))]
        out += c
        sentence = sentence[1:] + c
    return out


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_greedy_generation_equals_predict_per_character(tiny_model, cell):
    models, vocab = tiny_model
    got = nbh.generate(models[cell], vocab, TEXT[:MAXLEN], length=15, temperatures=[0.0])
    assert got[0.0] == predict_per_character(models[cell], vocab, TEXT[:MAXLEN], 15)


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_generation_lengths_vocabulary_and_seed(tiny_model, cell):
    models, vocab = tiny_model
    temps = [0.2, 0.5, 1.0, 1.2, 1.5]
    a = nbh.generate(models[cell], vocab, TEXT[:30], length=25, temperatures=temps, rng=5)
    b = nbh.generate(models[cell], vocab, TEXT[:30], length=25, temperatures=temps, rng=5)
    assert a == b
    assert list(a) == temps
    for text in a.values():
        assert len(text) == 25 and set(text) <= set(vocab.chars)


def test_generation_errors(tiny_model):
    models, vocab = tiny_model
    model = models["lstm"]
    with pytest.raises(ValueError, match="at least 10 characters"):
        nbh.generate(model, vocab, "the cat", 5)
    with pytest.raises(ValueError, match="'QX'"):
        nbh.generate(model, vocab, "the QaX cat sat on", 5)
    with pytest.raises(ValueError, match="vocab_size"):
        nbh.generate(model, nbh.Vocabulary.from_text("abc"), "abcabcabcabc", 5)
    with pytest.raises(ValueError, match="temperature"):
        nbh.generate(model, vocab, TEXT[:MAXLEN], 5, temperatures=[-1])


def test_callback_prints_each_temperature(tiny_model):
    models, vocab = tiny_model
    model = models["gru"]
    lines = []
    cb = nbh.GenerateText(TEXT, vocab, temperatures=[0.2, 1.0], length=12, seed=0, print_fn=lines.append)
    x, y = nbh.make_windows(vocab.encode(TEXT), MAXLEN, 3)
    model.fit(nbh.make_dataset(x, y, vocab.size, 32), epochs=2, verbose=0, callbacks=[cb], shuffle=False)
    assert [(s["epoch"], s["temperature"]) for s in cb.samples] == [(1, 0.2), (1, 1.0), (2, 0.2), (2, 1.0)]
    for s in cb.samples:
        assert len(s["text"]) == 12 and set(s["text"]) <= set(vocab.chars)
        assert s["seed"] in TEXT and len(s["seed"]) == MAXLEN
    printed = "\n".join(lines)
    assert "temperature 0.2" in printed and "temperature 1.0" in printed


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_stateful_step_reproduces_the_window_probabilities(tiny_model, cell):
    """Stepping the cell over the seed window gives the model's own output for that window."""
    models, vocab = tiny_model
    model = models[cell]
    seed = vocab.encode(TEXT[:MAXLEN])
    eye = np.eye(vocab.size, dtype=np.float32)
    states = model.layers[0].cell.get_initial_state(1)
    step = nbh.generation._step_fn(model)
    for ch in seed:
        probs, states = step(eye[[ch]], states)
    expected = model.predict(eye[seed][None], verbose=0)
    np.testing.assert_allclose(np.asarray(probs), expected, atol=1e-5)


@pytest.mark.parametrize("cell", nbh.CELLS)
def test_stateful_generation(tiny_model, cell):
    models, vocab = tiny_model
    temps = [0.0, 0.5, 1.5]
    a = nbh.generate(models[cell], vocab, TEXT[:MAXLEN], 20, temps, rng=1, stateful=True)
    b = nbh.generate(models[cell], vocab, TEXT[:MAXLEN], 20, temps, rng=1, stateful=True)
    window = nbh.generate(models[cell], vocab, TEXT[:MAXLEN], 20, [0.0], stateful=False)
    assert a == b
    assert a[0.0][0] == window[0.0][0]  # same first character: same window, same probabilities
    for text in a.values():
        assert len(text) == 20 and set(text) <= set(vocab.chars)


@pytest.mark.parametrize("stateful", [False, True], ids=["window", "stateful"])
@pytest.mark.parametrize("cell", nbh.CELLS)
def test_top_k_1_and_tiny_top_p_generate_the_greedy_text(tiny_model, cell, stateful):
    models, vocab = tiny_model
    seed = TEXT[:MAXLEN]
    greedy = nbh.generate(models[cell], vocab, seed, 20, [0.0], stateful=stateful)[0.0]
    for kwargs in ({"top_k": 1}, {"top_p": 1e-6}):
        got = nbh.generate(models[cell], vocab, seed, 20, [0.7, 1.5], rng=3, stateful=stateful, **kwargs)
        assert got == {0.7: greedy, 1.5: greedy}, kwargs


@pytest.mark.parametrize("stateful", [False, True], ids=["window", "stateful"])
@pytest.mark.parametrize("cell", nbh.CELLS)
def test_truncated_draws_stay_in_the_kept_set(tiny_model, cell, stateful):
    """Replay each generated text step by step: every character was among the kept ones."""
    models, vocab = tiny_model
    model = models[cell]
    seed_idx = vocab.encode(TEXT[:MAXLEN])
    eye = np.eye(vocab.size, dtype=np.float32)
    for kwargs in ({"top_k": 2}, {"top_p": 0.5}, {"top_k": 3, "top_p": 0.8}):
        texts = nbh.generate(model, vocab, TEXT[:MAXLEN], 30, [1.0, 2.0], rng=11, stateful=stateful, **kwargs)
        for t, text in texts.items():
            window, states = list(seed_idx), model.layers[0].cell.get_initial_state(1)
            step = nbh.generation._step_fn(model)
            if stateful:
                for ch in seed_idx:
                    probs, states = step(eye[[ch]], states)
            for ch in vocab.encode(text):
                if not stateful:
                    probs = model(eye[window[-MAXLEN:]][None], training=False)
                kept = nbh.truncate(nbh.apply_temperature(np.asarray(probs)[0], t), **kwargs) > 0
                assert kept[ch], (t, kwargs, text)
                window.append(ch)
                if stateful:
                    probs, states = step(eye[[ch]], states)


def test_nucleus_boundary_is_the_same_in_both_modes():
    """p landing on a float32 cumulative sum (0.5 + 0.3 = 0.79999995): both modes keep {a, b}."""
    vocab = nbh.Vocabulary(tuple("abcd"))
    model = nbh.build_model("lstm", 4, 5, vocab.size)
    dense = model.layers[-1]
    dense.kernel.assign(np.zeros(dense.kernel.shape, "float32"))
    dense.bias.assign(np.log(np.float32([0.5, 0.3, 0.2, 1e-9])))
    for stateful in (False, True):
        text = nbh.generate(model, vocab, "aaaaa", 400, [1.0], 0, stateful=stateful, top_p=0.8)[1.0]
        assert set(text) == {"a", "b"}, stateful


def test_nan_weights_and_non_bool_stateful_are_refused(tiny_model):
    models, vocab = tiny_model
    import keras

    broken = keras.models.clone_model(models["lstm"])
    broken.set_weights(models["lstm"].get_weights())
    broken.layers[-1].bias.assign(np.full(broken.layers[-1].bias.shape, np.nan, "float32"))
    for stateful in (False, True):
        with pytest.raises(ValueError, match="NaN or infinite"):
            nbh.generate(broken, vocab, TEXT[:MAXLEN], 5, [0.0, 1.0], stateful=stateful)
    with pytest.raises(ValueError, match="stateful must be True or False"):
        nbh.generate(models["lstm"], vocab, TEXT[:MAXLEN], 5, stateful="False")
