"""Bad values are refused where they enter, once, with a message naming what was wrong (findings of a break-it session).

Values enter through notebook parameters (``check_parameters``), the command line, files read, and the few
public functions a learner calls directly (``sample``, ``generate``, ``load_corpus``); the functions behind
them trust their callers. The detailed cases live beside each module's tests; this file holds the cross-cutting
ones.
"""

import numpy as np
import pytest

import nbhelpers as nbh


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: nbh.check_parameters(temperatures=[1, 1.0, 0.5]), "temperatures must be distinct"),
        (lambda: nbh.check_parameters(seed=2**32), r"seed must be < 2\*\*32"),
        (lambda: nbh.check_parameters(reset_after="False!"), "reset_after must be True or False"),
        (lambda: nbh.check_parameters(units="12.5"), "units must be a positive integer, got '12.5'"),
        (lambda: nbh.load_corpus(123), "path must be a file path"),
        (lambda: nbh.sample([0.5, 0.5], True), "temperature must be"),
        (lambda: nbh.apply_temperature([[0.5, 0.5]], -1.0), "temperature must be >= 0"),
        (lambda: nbh.entropy_bits([]), "probs must be a non-empty array"),
        (lambda: nbh.Vocabulary.from_text("ab").encode("abc!"), r"2 character\(s\) not in the vocabulary: '!c'"),
        (lambda: nbh.split_windows(np.zeros((10, 3)), np.zeros(4), 0.2), "one entry per window"),
        (lambda: nbh.split_windows(np.zeros((10, 3)), np.zeros(10), 1.5), r"validation_fraction must be in \[0, 1\)"),
    ],
)
def test_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_papermill_strings_are_checked_once_then_trusted():
    """Injected text ("8", "false") is converted where it enters; the functions behind take the result as it is."""
    settings = nbh.check_parameters(units="8", maxlen="6", learning_rate="0.01", reset_after="false", vocab_size="5")
    units, maxlen, vocab_size = settings["units"], settings["maxlen"], settings["vocab_size"]
    model = nbh.build_model(
        "gru", units, maxlen, vocab_size, settings["learning_rate"], reset_after=settings["reset_after"]
    )
    assert model.get_layer("gru").reset_after is False
    assert model.count_params() == nbh.model_params("gru", 8, 5, reset_after=False)
    assert nbh.count_windows(100, settings["maxlen"], 3) == 32


@pytest.fixture(scope="module")
def tiny():
    nbh.quiet_tensorflow()
    text = "abcabcabd" * 6
    vocab = nbh.Vocabulary.from_text(text)
    return text, vocab, nbh.build_model("lstm", 4, 6, vocab.size)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"temperatures": "0.5,"}, None),  # text such as papermill passes is read as a list: accepted
        ({"temperatures": "0.5, -1"}, "temperatures must be >= 0"),
        ({"temperatures": [1.0, 1]}, "distinct"),
        ({"temperatures": []}, "at least one"),
        ({"length": -5}, "length"),
        ({"length": True}, "length"),
        ({"seed_text": "abcab"}, "seed_text has 5 characters but the model reads windows of maxlen=6"),
        ({"seed": [1, -2]}, "seed must be an integer >= 0"),
    ],
)
def test_generate_checks_its_arguments(tiny, kwargs, match):
    text, vocab, model = tiny
    args = {"seed_text": text[:6], "length": 3, **kwargs}
    if match is None:
        assert list(nbh.generate(model, vocab, **args)) == [0.5]
        return
    with pytest.raises(ValueError, match=match):
        nbh.generate(model, vocab, **args)


def test_generate_accepts_one_temperature_and_numpy_numbers(tiny):
    text, vocab, model = tiny
    assert list(nbh.generate(model, vocab, text[:6], 3, 0.5, seed=0)) == [0.5]
    got = nbh.generate(model, vocab, text[:6], np.int64(3), np.array([0.5, 1.0]), seed=np.int64(0), top_k=np.int32(2))
    assert list(got) == [0.5, 1.0] and all(len(t) == 3 for t in got.values())
