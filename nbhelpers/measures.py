"""Measures of generated text: real words, diversity and repetition.

None of these is "quality" on its own; together they show the temperature trade-off:

- ``word_share``: the share of generated words that occur in a reference word list (the training
  text). High at low temperature, falling as the model invents words.
- ``distinct_1`` / ``distinct_2``: distinct word unigrams / bigrams over all unigrams / bigrams
  (Li et al. 2016, "A Diversity-Promoting Objective Function for Neural Conversation Models").
  Low when the text keeps reusing the same words.
- ``rep_4``: the share of word 4-grams that repeat an earlier 4-gram of the same text (seq-rep-4,
  Welleck et al. 2020, "Neural Text Generation with Unlikelihood Training"). High when
  low-temperature text falls into a loop ("the sense of the sense of the ...").

Words are runs of letters with inner apostrophes (``man's``, ``man’s``), lowercased, after Unicode
NFC normalisation (so a decomposed ``naïve`` is one word).
"""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def words(text: str) -> list:
    """The words of ``text``, lowercased, in order.

    Raises
    ------
    ValueError
        If ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    return [m.group().lower() for m in WORD.finditer(unicodedata.normalize("NFC", text))]


def generated_words(generated: str, seed: str = "") -> list:
    """The words the model wrote: those of ``seed + generated`` with a character in ``generated``.

    A word that completes the seed's last word counts (the model chose how to end it); the last
    word is dropped when it touches the end of the text, because generation may have cut it off.
    """
    if not isinstance(generated, str) or not isinstance(seed, str):
        raise ValueError(f"seed and generated must be str, got {type(seed).__name__} and {type(generated).__name__}")
    full = unicodedata.normalize("NFC", seed + generated)
    seed = unicodedata.normalize("NFC", seed)
    out = []
    for m in WORD.finditer(full):
        if m.end() > len(seed) and m.end() < len(full):
            out.append(m.group().lower())
    return out


def _ngrams(tokens: list, n: int) -> list:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def text_measures(texts, known_words, seeds=None) -> dict:
    """Pool the measures over generated texts (for example several samples at one temperature).

    Parameters
    ----------
    texts : list of str
        Generated texts, without their seeds; each is one sample (n-grams never cross samples).
    known_words : set (or other collection) of str
        Reference vocabulary, e.g. ``set(words(training_text))``; compared in lowercase.
    seeds : list of str, optional
        The seed of each text, so that a word completing the seed counts (``generated_words``).

    Returns
    -------
    dict
        ``words`` (int, words measured), ``word_share``, ``distinct_1``, ``distinct_2``, ``rep_4``
        (floats in [0, 1]; NaN when there are too few words for the measure).

    Raises
    ------
    ValueError
        ``texts`` or ``seeds`` is a str instead of a list, ``seeds`` has another length, or
        ``known_words`` is a str (the text itself), empty, or holds something other than str.
    """
    if isinstance(texts, str) or isinstance(seeds, str):
        raise ValueError("texts and seeds must be lists of str, not one str; wrap it: [text]")
    texts = list(texts)
    seeds = [""] * len(texts) if seeds is None else list(seeds)
    if len(seeds) != len(texts):
        raise ValueError(f"need one seed per text: {len(texts)} texts, {len(seeds)} seeds")
    hint = "pass the words of the training text, e.g. set(nbh.words(text))"
    if isinstance(known_words, (str, bytes)) or not hasattr(known_words, "__iter__"):
        raise ValueError(f"known_words must be a set of words, not {type(known_words).__name__}; {hint}")
    known_words = list(known_words)
    if not known_words or not all(isinstance(w, str) for w in known_words):
        raise ValueError(f"known_words must be a non-empty set of str; {hint}")
    known_words = {unicodedata.normalize("NFC", w).lower() for w in known_words}
    samples = [generated_words(t, s) for t, s in zip(texts, seeds, strict=True)]
    tokens = [w for sample in samples for w in sample]
    grams = {n: [g for sample in samples for g in _ngrams(sample, n)] for n in (1, 2)}
    repeats = fours = 0
    for sample in samples:
        seen = set()
        for g in _ngrams(sample, 4):
            repeats += g in seen
            fours += 1
            seen.add(g)

    def ratio(a, b):
        return a / b if b else float("nan")

    return {
        "words": len(tokens),
        "word_share": ratio(sum(w in known_words for w in tokens), len(tokens)),
        "distinct_1": ratio(len(set(grams[1])), len(grams[1])),
        "distinct_2": ratio(len(set(grams[2])), len(grams[2])),
        "rep_4": ratio(repeats, fours),
    }
