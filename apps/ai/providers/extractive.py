"""The offline summarizer: the material's facts, then the sentences of its notes that carry the
most of what the notes talk about (term frequency, common words left out), in their order.

Deterministic and pure Python: the same material always gives the same summary, with no
network, no model and no dependency, so it is the default and runs inside the request.
"""

import re
from collections import Counter

from ..material import Material

MAX_SENTENCES = 3
MAX_SENTENCE_CHARS = 300
# Shorter sentences carry too little to stand alone in a summary ("Called them.").
MIN_WORDS = 4

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just let me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves us get got also via per re ok okay yes still one two may might must shall
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class ExtractiveProvider:
    name = "extractive"
    model = "tf-v1"
    inline = True

    @property
    def key(self) -> str:
        return f"{self.name}:{self.model}"

    def summarize(self, material: Material) -> str:
        lines = [" ".join(material.facts)] if material.facts else [material.title]
        sentences = key_sentences(material.passages, limit=MAX_SENTENCES)
        if sentences:
            lines.append("Key points: " + " ".join(sentences))
        return "\n".join(lines)


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _content_words(text: str) -> list[str]:
    return [word for word in _words(text) if word not in _STOPWORDS and not word.isdigit()]


def split_sentences(passages: list[str]) -> list[str]:
    sentences = []
    for passage in passages:
        for piece in _SENTENCE_END.split(passage):
            piece = " ".join(piece.split())
            if piece:
                sentences.append(_clip(piece))
    return sentences


def _clip(sentence: str) -> str:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    return sentence[: MAX_SENTENCE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def key_sentences(passages: list[str], *, limit: int) -> list[str]:
    """The `limit` sentences that score highest, in the order they were written.

    A sentence's score is the sum of its distinct content words' frequencies (relative to the
    most frequent word), divided by the square root of their number: it rewards sentences
    about what the notes keep coming back to and damps the edge of merely long ones. Ties go
    to the earlier sentence."""
    sentences = split_sentences(passages)
    frequencies = Counter(word for sentence in sentences for word in _content_words(sentence))
    if not frequencies:
        return sentences[:limit]
    top = max(frequencies.values())
    scored = []
    for position, sentence in enumerate(sentences):
        words = set(_content_words(sentence))
        if not words:
            continue
        long_enough = len(_words(sentence)) >= MIN_WORDS
        score = sum(frequencies[word] / top for word in words) / len(words) ** 0.5
        scored.append((not long_enough, -score, position))
    chosen = sorted(scored)[:limit]
    return [sentences[position] for _, _, position in sorted(chosen, key=lambda item: item[2])]
