"""Highlighted snippets: HTML-escaped text with <mark> around matched words.

Matching runs the stored text through the same stemming analyzer as the
index, so a query for "khawatir" marks "kekhawatiran".  Only the top hits of
a page are highlighted (a separate pass from facet counting: doing both on one
Whoosh Results object is what blew up the tail latency in the research notes).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Callable

from indexer.analysis import TOKEN_RE, number_variants

MAX_ANALYZED_CHARS = 30_000  # snippets come from the first part of very long articles


def word_stemmer(analyzer):
    """lower-case word -> indexed form, the analyzer's own (cached) stem function."""
    for item in getattr(analyzer, "items", ()):
        if hasattr(item, "stem") and callable(item.stem):
            return item.stem
    return lambda word: word


def stopwords(analyzer) -> frozenset:
    """The analyzer's stopwords (phrases are indexed without them)."""
    for item in getattr(analyzer, "items", ()):
        if hasattr(item, "stops"):
            return frozenset(item.stops)
    return frozenset()


def match_spans(stem, text: str, terms: set[str], phrases=(), stops=frozenset()) -> list[tuple[int, int]]:
    """Character spans of the words whose stem is in `terms`, and of whole phrases: a phrase
    (a tuple of stems) is marked only where its words stand together (stopwords between them
    skipped, as the index skips them), so `Korea Utara` does not mark the Korea of Korea Selatan.

    Uses the tokenizer's pattern directly instead of the full Whoosh token
    chain: this runs for every hit on every page, and a dictionary lookup per
    word is all it needs.
    """
    if (not terms and not phrases) or not text:
        return []
    numbers = any(t[:1].isdigit() for t in terms)     # a number typed: `6.276` marks `6.276,63`
    spans = []
    words = [] if phrases else None                    # (span, stem) of every non-stopword
    for match in TOKEN_RE.finditer(text, 0, MAX_ANALYZED_CHARS):
        word = match.group().lower()
        if word.endswith(("'s", "\u2019s")):
            word = word[:-2]
        stemmed = None
        if word in terms or (stemmed := stem(word)) in terms or (
                numbers and word[-1:].isdigit() and any(v in terms for v in number_variants(word))):
            spans.append(match.span())
        if words is not None and word not in stops:
            words.append((match.span(), stemmed if stemmed is not None else stem(word)))
    if phrases:
        stems = [w[1] for w in words]
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(stems) - n + 1):
                if tuple(stems[i:i + n]) == phrase:
                    spans.append((words[i][0][0], words[i + n - 1][0][1]))
        spans = _merged(spans)
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """Escape text[start:end], wrapping the spans inside it in <mark>."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end or s < pos:
            continue
        out.append(escape(text[pos:s]))
        out.append("<mark>" + escape(text[s:e]) + "</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def _window(text: str, spans: list[tuple[int, int]], size: int) -> tuple[int, int]:
    """The window of `size` chars covering the most distinct matches, snapped to word edges."""
    if not spans:
        start, end = 0, min(len(text), size)
    else:
        best, best_score = spans[0][0], -1
        for i, (s, _) in enumerate(spans):
            inside = {text[a:b].lower() for a, b in spans[i:] if b <= s + size}
            score = len(inside) * 10 + sum(1 for a, b in spans[i:] if b <= s + size)
            if score > best_score:
                best, best_score = s, score
        start = max(0, best - size // 5)
        end = min(len(text), start + size)
    if start > 0:
        space = text.rfind(" ", max(0, start - 20), start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.find(" ", end, end + 20)
        end = space if space != -1 else end
    return start, end


def snippet(stem, text: str, terms: set[str], size: int, phrases=(), stops=frozenset()) -> str:
    """Best fragment of the body around the matches, escaped, with ellipses where cut."""
    text = " ".join(text.split())  # paragraphs become one line in a snippet
    spans = match_spans(stem, text, terms, phrases, stops)
    start, end = _window(text, spans, size)
    html = mark(text, spans, start, end)
    return ("… " if start > 0 else "") + html + (" …" if end < len(text) else "")


def highlight_all(stem, text: str, terms: set[str], phrases=(), stops=frozenset()) -> str:
    """The whole (short) text escaped, with every match marked: for titles."""
    return mark(text, match_spans(stem, text, terms, phrases, stops))


@dataclass(frozen=True)
class Marker:
    """What one query marks (its stems and phrases), bound to the index's stemmer."""
    stem: Callable[[str], str]
    terms: frozenset
    phrases: frozenset
    stops: frozenset

    @classmethod
    def of(cls, stem_analyzer, compiled) -> "Marker":
        """What `compiled` (a query.CompiledQuery) marks, stemmed like the index."""
        phrases = compiled.highlight_phrases
        return cls(word_stemmer(stem_analyzer), compiled.highlight_terms, phrases,
                   stopwords(stem_analyzer) if phrases else frozenset())

    def all(self, text: str) -> str:
        return highlight_all(self.stem, text, self.terms, self.phrases, self.stops)

    def snippet(self, text: str, size: int) -> str:
        return snippet(self.stem, text, self.terms, size, self.phrases, self.stops)


PLAIN = Marker(stem=lambda word: word, terms=frozenset(), phrases=frozenset(), stops=frozenset())
"""Marks nothing: titles and snippets escaped as they are (requests with highlight=False)."""
