"""Highlighted snippets: HTML-escaped text with <mark> around matched words.

Matching runs the stored text through the index's own analysis chain (`indexer.chain.Chain`), so
a word is marked exactly where the index holds a term of the query: "khawatir" marks
"kekhawatiran", "cikampek" marks the Cikampek of "Jakarta-Cikampek", and a stopword is never
marked. Only the top hits of a page are highlighted, in a separate pass from facet counting.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from indexer.analysis import chain_of
from indexer.chain import Chain, nfc

MAX_ANALYZED_CHARS = 30_000  # snippets come from the first part of very long articles


def match_spans(chain: Chain | None, text: str, terms: set[str], phrases=()) -> list[tuple[int, int]]:
    """Character spans of the words the index holds a term of `terms` at, and of whole phrases: a
    phrase (a tuple of terms) is marked only where its words stand at consecutive positions
    (stopwords closed up, as in the index), so `Korea Utara` does not mark the Korea of Korea
    Selatan. A number found by one of its variants (`6.276` in `6.276,63`) marks the written word.
    `text` is NFC (the chain's offsets are into that form).
    """
    if (not terms and not phrases) or not text or chain is None:
        return []
    spans = chain.spans(text, terms, phrases, end=MAX_ANALYZED_CHARS)
    return _merged(spans) if phrases else spans


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


def snippet(chain: Chain | None, text: str, terms: set[str], size: int, phrases=()) -> str:
    """Best fragment of the body around the matches, escaped, with ellipses where cut."""
    text = nfc(" ".join(text.split()))  # paragraphs become one line in a snippet
    spans = match_spans(chain, text, terms, phrases)
    start, end = _window(text, spans, size)
    html = mark(text, spans, start, end)
    return ("… " if start > 0 else "") + html + (" …" if end < len(text) else "")


def highlight_all(chain: Chain | None, text: str, terms: set[str], phrases=()) -> str:
    """The whole (short) text escaped, with every match marked: for titles."""
    text = nfc(text)
    return mark(text, match_spans(chain, text, terms, phrases))


@dataclass(frozen=True)
class Marker:
    """What one query marks (its stems and phrases), bound to the index's analysis chain."""
    chain: Chain | None
    terms: frozenset
    phrases: frozenset

    @classmethod
    def of(cls, stem_analyzer, compiled) -> "Marker":
        """What `compiled` (a query.CompiledQuery) marks, where the index holds it."""
        return cls(chain_of(stem_analyzer), compiled.highlight_terms, compiled.highlight_phrases)

    def all(self, text: str) -> str:
        return highlight_all(self.chain, text, self.terms, self.phrases)

    def snippet(self, text: str, size: int) -> str:
        return snippet(self.chain, text, self.terms, size, self.phrases)


PLAIN = Marker(chain=None, terms=frozenset(), phrases=frozenset())
"""Marks nothing: titles and snippets escaped as they are (requests with highlight=False)."""
