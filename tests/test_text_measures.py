"""Measures of generated text on tiny hand-checked examples."""

import math

import pytest

import nbhelpers as nbh

KNOWN = set(nbh.words("the sense of the will to power is man's own will"))


def test_words_are_lowercased_letter_runs_with_inner_apostrophes():
    assert nbh.words("The man's 'will'--to power, 1886; über-mensch") == [
        "the",
        "man's",
        "will",
        "to",
        "power",
        "über",
        "mensch",
    ]


def test_generated_words_completes_the_seed_word_and_drops_a_cut_last_word():
    # seed ends inside "power"; the model finished it, wrote "is", and was cut inside "tru"
    assert nbh.generated_words("er is tru", seed="the will to pow") == ["power", "is"]
    assert nbh.generated_words("the end.", seed="") == ["the", "end"]
    assert nbh.generated_words(" is", seed="to power") == []  # "is" may be cut: dropped


def test_text_measures_counts():
    q = nbh.text_measures(["the will to power the will to power the will x."], KNOWN)
    # words: the will to power the will to power the will x  (11 words, 10 known)
    assert q["words"] == 11
    assert q["word_share"] == pytest.approx(10 / 11)
    assert q["distinct_1"] == pytest.approx(5 / 11)  # the, will, to, power, x
    assert q["distinct_2"] == pytest.approx(5 / 10)  # the-will, will-to, to-power, power-the, will-x
    # 4-grams: 8; repeats of an earlier one: (the will to power) x1, (will to power the) x1,
    # (to power the will) x1 -> 3 / 8
    assert q["rep_4"] == pytest.approx(3 / 8)


def test_ngrams_never_cross_samples():
    one = nbh.text_measures(["the will to power ", "the will to power "], KNOWN)
    assert one["rep_4"] == 0.0  # each sample alone has no repeat
    assert one["distinct_2"] == pytest.approx(3 / 6)


def test_too_few_words_give_nan_not_an_error():
    q = nbh.text_measures(["the will "], KNOWN)
    assert q["words"] == 2 and math.isnan(q["rep_4"])
    assert math.isnan(nbh.text_measures([""], KNOWN)["word_share"])


@pytest.mark.parametrize(
    "args,match",
    [
        (("the will", KNOWN), "not one str"),
        ((["a", "b"], KNOWN, ["x"]), "one seed per text"),
        ((["a"], set()), "non-empty set of str"),
        ((["a"], "the will to power"), "must be a set of words, not str"),
        ((["a"], [1, 2]), "non-empty set of str"),
        ((["a"], {"the"}, "x"), "not one str"),
        (([b"bytes"], KNOWN), "must be str"),
    ],
)
def test_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        nbh.text_measures(*args)


def test_known_words_compare_in_lowercase_and_unicode_forms_agree():
    q = nbh.text_measures(["The Will to naïve power. "], {"THE", "will", "to", "power", "nai\u0308ve"})
    assert q["word_share"] == 1.0  # uppercase known words, NFD "naïve" in the list, NFC in the text
    assert nbh.words("man’s nai\u0308ve") == ["man’s", "na\u00efve"]  # curly apostrophe; NFD -> NFC
