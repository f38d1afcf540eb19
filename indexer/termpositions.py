"""A text's terms and positions as Warta's analyzer chains index them, without Whoosh's tokens.

Whoosh analyses a field by pushing one `Token` object through a chain of generators and then
groups the tokens by term. For the chains `make_analyzer` and `make_exact_analyzer` build,
`TermPositions` computes the same terms at the same positions with two dictionary lookups per
token (raw token -> parts, part -> term). The indexing path (`indexer.whooshfast.FastPositions`)
and pseudo-relevance feedback use it; any other analyzer goes through Whoosh's own path.

The result is identical by construction and by test (tests/test_termpositions.py compares both
paths on the demo corpus and on generated text). Measurements: docs/decisions.md ("Builds").
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from itertools import chain

from indexer.analysis import (_DIGIT_RE, TOKEN_RE, AcronymLowercaseFilter, IndonesianStemFilter,
                              IndonesianStopFilter, IndonesianTokenizer, _clean_token, _compound_spans,
                              number_variants)
from indexer.memo import cached_map

_CACHE_LIMIT = 200_000      # entries per table; a table is simply cleared when it fills up
_STOPPED = False            # the "term" of a token the chain drops


def _token_parts(raw: str) -> tuple[str, ...]:
    """What IndonesianTokenizer emits for one TOKEN_RE match."""
    if raw.isalnum():
        return (raw,)
    spans = _compound_spans(raw)
    if spans:
        return tuple(_clean_token(raw[a:b])[0] for a, b in spans)
    if "'" in raw or "\u2019" in raw or "`" in raw or "\u2010" in raw or "\u2011" in raw:
        return (_clean_token(raw)[0],)
    return (raw,)


class _Stack(tuple):
    """Terms indexed at one position (a number and its variants)."""


class TermPositions:
    """term -> positions of one text, as the analyzer chain would index it (mode "index")."""

    def __init__(self, ambiguous: frozenset, stops: frozenset | None, stem, numbers: bool = True):
        self.numbers = numbers
        self.ambiguous = ambiguous
        self.stops = stops
        self.stem = stem
        self._parts: dict[str, tuple] = {}            # raw token -> its terms (see _token_terms)
        self._terms: dict[str, "str | bool"] = {}     # token part -> term or _STOPPED

    @classmethod
    def for_analyzer(cls, analyzer) -> "TermPositions | None":
        """A fast equivalent of `analyzer`, or None when its chain is not one of ours."""
        items = list(getattr(analyzer, "items", ()))
        kinds = [type(i) for i in items]
        if kinds[:2] != [IndonesianTokenizer, AcronymLowercaseFilter]:
            return None
        rest = kinds[2:]
        if rest not in ([], [IndonesianStopFilter], [IndonesianStopFilter, IndonesianStemFilter]):
            return None
        stops = items[2].stops if len(items) > 2 else None
        stem = items[3].stem if len(items) > 3 else None
        return cls(items[1].ambiguous, stops, stem, items[0].numbers)

    def _term(self, part: str) -> "str | bool":
        lower = part.lower()
        if lower in self.ambiguous and not part.isupper():
            return _STOPPED
        if self.stops is not None and lower in self.stops:
            return _STOPPED
        return self.stem(lower) if self.stem is not None else lower

    def _token_terms(self, raw: str) -> tuple:
        """The terms one TOKEN_RE match becomes; with a stop filter (which renumbers the tokens it
        keeps) only the kept ones, without one `_STOPPED` for a dropped token (it keeps its
        position). A number with variants becomes one `_Stack` of terms sharing a position."""
        parts = _token_parts(raw)
        variants = (number_variants(raw.lower()) if self.numbers and len(parts) == 1 and _DIGIT_RE.search(raw)
                    else ())
        if variants:
            stack = tuple(t for t in map(self._part_term, parts + variants) if t is not _STOPPED)
            return (_Stack(stack),) if stack else (() if self.stops is not None else (_STOPPED,))
        terms = (self._part_term(part) for part in parts)
        return tuple(terms) if self.stops is None else tuple(t for t in terms if t is not _STOPPED)

    def _part_term(self, part: str) -> "str | bool":
        term = self._terms.get(part)
        if term is None:
            term = self._terms[part] = self._term(part)
        return term

    def __call__(self, text: str) -> dict[str, list[int]]:
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        terms_of = self._parts
        if len(terms_of) > _CACHE_LIMIT:
            terms_of.clear()
        if len(self._terms) > _CACHE_LIMIT:
            self._terms.clear()
        tokens = TOKEN_RE.findall(text)
        found = cached_map(terms_of, tokens, self._token_terms)
        positions: dict[str, list[int]] = defaultdict(list)
        if self.stops is not None:
            # The stop filter renumbers: the first kept token keeps its own position (the count
            # of tokens before it), every later kept token takes the next one.
            seen = 0
            for first, terms in enumerate(found):
                if terms:
                    break
                seen += len(_token_parts(tokens[first]))
            else:
                return positions
            for part in _token_parts(tokens[first]):       # stopped parts before its first kept one
                if self._part_term(part) is not _STOPPED:
                    break
                seen += 1
            for position, term in enumerate(chain.from_iterable(found[first:]), seen):
                positions[term].append(position)
        else:
            for position, term in enumerate(chain.from_iterable(found)):
                if term is not _STOPPED:
                    positions[term].append(position)
        stacks = [key for key in positions if type(key) is _Stack]       # per distinct key, not per token
        if stacks:
            touched = set()
            for stack in stacks:
                for position in positions.pop(stack):
                    for term in stack:
                        positions[term].append(position)
                touched.update(stack)
            for term in touched:
                positions[term].sort()
        return positions
