"""The token pipeline, defined once: what a text's words become in the index.

    words       TOKEN_RE matches of the NFC text
    parts       hyphenated compounds split (`Jakarta-Cikampek`), apostrophes and possessives cleaned
    numbers     a number's `number_variants` stacked at its position (indexing only)
    fold        lower case; an ambiguous acronym not written in capitals (`as`, `bin`) is dropped
    stopwords   dropped, and the positions after them closed up
    stem        the stemmer's term

`Chain.tokens` yields every kept token with its position, word, term and character span; every
user of the pipeline goes through a `Chain`: Whoosh's analyzer (`indexer.analysis`, whose
tokenizer and filters call `word_pieces` and `fold`), the fast indexing path (`Chain.positions`),
highlighting (`indexer.search.snippets`) and the stem-table warm-up (`Chain.stem_inputs`).
tests/test_analysis_chain.py checks that they all see the tokens the index holds.

This module knows no Whoosh, settings or word files (`indexer.analysis` builds a chain for an
analyzer), so the lexicon can use `tokenize` without importing the analyzer.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from itertools import chain as concat
from typing import Callable, Hashable, Iterable, Iterator, NamedTuple, TypeVar

_WORD = r"[^\W_]+"        # letters and digits of any script, no underscore
TOKEN_RE = re.compile(
    rf"""{_WORD}
    (?: (?<=\d)[.,]\d+        # 6.217   2,5   Rp5,2   1.000.000
      | [-\u2010\u2011]{_WORD}  # kata-kata  e-KTP  COVID-19  18-0  anak-anaknya
      | ['\u2019`]{_WORD}       # Ma'ruf  Jum'at  Indonesia's
    )*""",
    re.VERBOSE,
)
_POSSESSIVE_RE = re.compile(r"['\u2019`][sS]$")   # English possessive: Indonesia's -> Indonesia
_APOSTROPHES = str.maketrans("", "", "'\u2019`")
_HYPHENS = str.maketrans("\u2010\u2011", "--")
DIGIT_RE = re.compile(r"\d")
_GROUPED_RE = re.compile(r"(\d{1,3}(?:\.\d{3})+)(?:,(\d+))?")   # 6.276   6.276,63   1.000.000
_DECIMAL_RE = re.compile(r"(\d+),(\d+)")                         # 2,5   92,6
_GLUED_RE = re.compile(r"([a-z]{1,3})(\d[\d.,]*)")                # km36   rp5,2   rp1.500
_HYPHEN_PART_RE = re.compile(r"[^-\u2010\u2011]+")
_CLITICS = frozenset({"nya", "ku", "mu", "lah", "kah", "pun"})


def nfc(text: str) -> str:
    """The text every step works on (offsets are into this form)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------------------------------------
# Parts of a word


def _longest_common_substring(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(len(b)):
            k = 0
            while i + k < len(a) and j + k < len(b) and a[i + k] == b[j + k]:
                k += 1
            best = max(best, k)
    return best


def _looks_reduplicated(a: str, b: str) -> bool:
    """kata-kata, anak-anaknya, berhati-hati, bahu-membahu, warna-warni, perundang-undangan."""
    if a == b or b.startswith(a) or a.endswith(b) or b.endswith(a) or a.startswith(b):
        return True
    return _longest_common_substring(a, b) >= max(4, min(len(a), len(b)) - 2)


def _compound_spans(text: str) -> list[tuple[int, int]] | None:
    """Spans of the parts of a hyphenated compound that are separate words, else None.

    `Jakarta-Cikampek`, `Kim Jong-un`, `TNI-Polri`, `ganjil-genap`, `Jokowi-Ma'ruf` are indexed
    as their parts, so "jong un" or "tol jakarta cikampek" find them. Reduplications (`kata-kata`,
    `anak-anaknya`), anything with a digit or a one-letter part (`COVID-19`, `U-16`, `e-KTP`) and a
    clitic tail (`Instagram-nya`) stay one token.
    """
    spans = [m.span() for m in _HYPHEN_PART_RE.finditer(text)]
    if len(spans) < 2:
        return None
    parts = [text[a:b].translate(_APOSTROPHES).lower() for a, b in spans]
    if any(len(p) < 2 or not p.isalpha() for p in parts) or parts[-1] in _CLITICS:
        return None
    if any(_looks_reduplicated(a, b) for a, b in zip(parts, parts[1:])):
        return None
    return spans


def _clean_token(text: str) -> tuple[str, int]:
    """Normalise apostrophes and hyphens; returns the text and how many chars were cut at the end."""
    cut = 0
    if _POSSESSIVE_RE.search(text) and len(text) > 3:
        text, cut = text[:-2], 2
    return text.translate(_APOSTROPHES).translate(_HYPHENS), cut


@functools.lru_cache(maxsize=50_000)
def number_variants(word: str) -> tuple[str, ...]:
    """The other forms an Indonesian number in the text is indexed under, at its own position.

    Indonesian writes thousands with `.` and decimals with `,`; readers type the integer part, the
    digits without separators, or the number without the unit glued to it. So `6.276,63` is also
    `6.276` and `6276`, `2.500.000` also `2500000`, `2,5` also `2`, and `km36` / `rp5,2` (a unit of
    one to three letters glued to a number) also `km`, `36` / `rp`, `5,2`, `5`. Only indexing adds
    these (the query keeps what the reader typed), so `6.276` finds `6.276,63` while phrases and
    highlights stay on the written word. `word` is lower case; () for anything else.
    """
    if not word[:1].isdigit():
        glued = _GLUED_RE.fullmatch(word) if word[:1].isalpha() and DIGIT_RE.search(word) else None
        if glued is None:
            return ()
        unit, number = glued.groups()
        return (unit, number) + tuple(v for v in number_variants(number) if v not in (unit, number))
    grouped = _GROUPED_RE.fullmatch(word)
    if grouped is not None:
        integer = grouped.group(1)
        digits = integer.replace(".", "")
        return (integer, digits) if grouped.group(2) is not None else (digits,)
    decimal = _DECIMAL_RE.fullmatch(word)
    if decimal is not None:
        return (decimal.group(1),)
    return ()


Piece = tuple[str, int, int, bool]     # (word, start, end, stacked on the previous piece's position)


def word_pieces(raw: str, numbers: bool) -> tuple[Piece, ...]:
    """The tokens one TOKEN_RE match becomes, case kept, spans relative to the match: the parts of
    a compound at consecutive positions, or the cleaned word followed (when `numbers`) by its
    number variants at the same position, each spanning the written part it stands for."""
    if raw.isalnum():
        text, end = raw, len(raw)
    else:
        spans = _compound_spans(raw)
        if spans:
            parts = []
            for a, b in spans:
                part, cut = _clean_token(raw[a:b])
                parts.append((part, a, b - cut, False))
            return tuple(parts)
        text, cut = _clean_token(raw)
        end = len(raw) - cut
    if not numbers or DIGIT_RE.search(text) is None:
        return ((text, 0, end, False),)
    lower = text.lower()
    pieces = [(text, 0, end, False)]
    for variant in number_variants(lower):
        at = lower.find(variant)
        pieces.append((variant, max(at, 0), at + len(variant) if at >= 0 else end, True))
    return tuple(pieces)


def fold(word: str, ambiguous: frozenset, query: bool) -> str | None:
    """The lower-case word, or None for an ambiguous acronym (`as`, `bin`: also ordinary words)
    not written in capitals; a query keeps it (readers type lower case)."""
    lower = word.lower()
    if lower in ambiguous and not query and not word.isupper():
        return None
    return lower


# ---------------------------------------------------------------------------------------------
# The chain


class Token(NamedTuple):
    pos: int        # position (stopwords closed up; a number's variants share its position)
    text: str       # the folded word, before stemming
    term: str       # what the index holds
    start: int      # character span in the NFC text
    end: int


class _Stack(tuple):
    """Terms indexed at one position (a number and its variants)."""


_STOPPED = False            # the "term" of a token the chain drops
_CACHE_LIMIT = 200_000      # entries per table; a table is simply cleared when it fills up
_PIECES_LIMIT = 50_000      # the same for `tokens`, which serving processes run (highlighting)

V = TypeVar("V")


def _cached_map(cache: dict, keys: list, compute: Callable[[Hashable], V]) -> list[V]:
    """`[cache[k] for k in keys]`, computing and caching the missing ones with `compute(k)`.

    One `map(cache.get, ...)` for the list (C speed: indexing looks up every token of a
    document), then a Python loop only when something was missing. `compute` must not return None."""
    values = list(map(cache.get, keys))
    if None in values:
        for i, value in enumerate(values):
            if value is None:
                key = keys[i]
                value = cache.get(key)          # an earlier key of this list may have added it
                if value is None:
                    value = cache[key] = compute(key)
                values[i] = value
    return values


class Chain:
    """The pipeline with one analyzer's settings: `ambiguous` acronyms, `stops` (None: no stop
    step, dropped tokens keep their positions), `stem` (None: terms are the folded words) and
    whether indexing adds number variants."""

    def __init__(self, ambiguous: Iterable[str] = frozenset(), stops: frozenset | None = None,
                 stem: Callable[[str], str] | None = None, numbers: bool = True):
        self.ambiguous = frozenset(ambiguous)
        self.stops = stops
        self.stem = stem
        self.numbers = numbers
        self._raw: dict[str, tuple] = {}              # TOKEN_RE match -> its terms (see _raw_terms)
        self._pieces: tuple[dict, dict] = ({}, {})    # TOKEN_RE match -> its pieces, index and query mode
        self._terms: dict[str, "str | bool"] = {}     # word -> term or _STOPPED
        self._marks: dict[str, tuple] = {}            # TOKEN_RE match -> its kept positions (see _marks_of)
        self._unstemmed: Chain | None = None

    def term(self, word: str, query: bool = False) -> "str | bool":
        """One word's term (fold, stopwords, stem), or _STOPPED."""
        lower = fold(word, self.ambiguous, query)
        if lower is None or (self.stops is not None and lower in self.stops):
            return _STOPPED
        return self.stem(lower) if self.stem is not None else lower

    def _term(self, word: str) -> "str | bool":
        term = self._terms.get(word)
        if term is None:
            term = self._terms[word] = self.term(word)
        return term

    def tokens(self, text: str, mode: str = "index", end: int | None = None) -> Iterator[Token]:
        """Every token the chain keeps, in order (mode "index", or "query": no number variants,
        ambiguous acronyms kept); only the words before `end` (a character offset)."""
        text = nfc(text)
        query = mode == "query"
        pieces_of = self._pieces[query]
        if len(pieces_of) > _PIECES_LIMIT:
            pieces_of.clear()
        if len(self._terms) > _CACHE_LIMIT:      # index-mode pieces fill it too (highlighting in a server)
            self._terms.clear()
        renumber = self.stops is not None
        new = tuple.__new__
        pos, kept, last = -1, None, None
        for match in TOKEN_RE.finditer(text, 0, len(text) if end is None else end):
            raw = match.group()
            pieces = pieces_of.get(raw)
            if pieces is None:
                pieces = pieces_of[raw] = self._analysed(raw, query)
            base = match.start()
            for a, b, stacked, word, term in pieces:
                if not stacked:
                    pos += 1
                if term is _STOPPED:
                    continue
                at = pos
                if renumber:            # Whoosh's StopFilter: the first kept token keeps its position
                    if kept is None:
                        kept = last = pos
                    elif pos != last:
                        last = pos
                        kept += 1
                    at = kept
                yield new(Token, (at, word, term, base + a, base + b))

    def spans(self, text: str, terms, phrases=(), end: int | None = None) -> list[tuple[int, int]]:
        """Highlighting: character spans of the written words of `text` (NFC) where indexing puts a
        term of `terms`, then of every run of consecutive kept positions holding a phrase's terms
        (a tuple), the `tokens` of the text before `end` seen as positions. Unsorted when phrases
        match.

        Each distinct word is analysed (or found in the cache) once; the walk over the text then
        counts positions and keeps only those of words holding a wanted term, and a phrase is
        looked for only when the text holds all its terms."""
        marks_of = self._marks
        if len(marks_of) > _PIECES_LIMIT:
            marks_of.clear()
        if len(self._terms) > _CACHE_LIMIT:
            self._terms.clear()
        stop = len(text) if end is None else end
        wanted = set(terms).union(*phrases)
        holding, present = set(), set()
        for raw in set(TOKEN_RE.findall(text, 0, stop)):
            marks = marks_of.get(raw)
            if marks is None:
                marks = marks_of[raw] = self._marks_of(raw)
            for _, _, held in marks:
                if not held.isdisjoint(wanted):
                    holding.add(raw)
                    present.update(held & wanted)
        found: list[tuple[int, int]] = []
        if not holding:
            return found
        live = [p for p in phrases if present.issuperset(p)]
        slots: dict[int, tuple[int, int, frozenset]] = {}
        at = 0                                    # kept positions so far (stopwords closed up)
        for match in TOKEN_RE.finditer(text, 0, stop):
            raw = match.group()
            marks = marks_of[raw]
            if raw in holding:
                base = match.start()
                for a, b, held in marks:
                    if live:
                        slots[at] = (base + a, base + b, held)
                    if not held.isdisjoint(terms):
                        found.append((base + a, base + b))
                    at += 1
            else:
                at += len(marks)
        for phrase in live:
            head, rest = phrase[0], tuple(enumerate(phrase[1:], 1))
            for first, (a, _, held) in slots.items():
                if head in held and all(first + k in slots and word in slots[first + k][2] for k, word in rest):
                    found.append((a, slots[first + len(phrase) - 1][1]))
        return found

    def _marks_of(self, raw: str) -> tuple:
        """(start, end, terms) of each position of one TOKEN_RE match that keeps a term (index
        mode): the span of its first kept piece (the written word; a number's variants follow it)
        and every term kept there."""
        if raw.isalpha():                         # one plain word: one piece, no variants
            term = self._term(raw)
            return () if term is _STOPPED else ((0, len(raw), frozenset((term,))),)
        out: list = []
        current = None
        for a, b, stacked, _, term in self._analysed(raw, False):
            if not stacked:
                current = None
            if term is _STOPPED:
                continue
            if current is None:
                current = (a, b, set())
                out.append(current)
            current[2].add(term)
        return tuple((a, b, frozenset(held)) for a, b, held in out)

    def _analysed(self, raw: str, query: bool) -> tuple:
        """(start, end, stacked, folded word, term or _STOPPED) of each piece of one TOKEN_RE match."""
        term_of = (lambda w: self.term(w, query=True)) if query else self._term
        return tuple((a, b, stacked, word.lower(), term_of(word))
                     for word, a, b, stacked in word_pieces(raw, self.numbers and not query))

    def _groups(self, raw: str) -> list[list]:
        """The terms (or _STOPPED) of one TOKEN_RE match, one list per position."""
        groups: list[list] = []
        for word, _, _, stacked in word_pieces(raw, self.numbers):
            if stacked:
                groups[-1].append(self._term(word))
            else:
                groups.append([self._term(word)])
        return groups

    def _raw_terms(self, raw: str) -> tuple:
        """The terms one TOKEN_RE match becomes, one entry per position: a term, a `_Stack` (a
        number and its variants), or `_STOPPED` (only without a stop step, which closes up)."""
        out = []
        for terms in self._groups(raw):
            kept = [t for t in terms if t is not _STOPPED]
            if kept:
                out.append(_Stack(kept) if len(terms) > 1 else kept[0])
            elif self.stops is None:
                out.append(_STOPPED)
        return tuple(out)

    def positions(self, text: str) -> dict[str, list[int]]:
        """term -> positions of `text` when indexing: the same as grouping `tokens(text)` by term,
        with two dictionary lookups per token (the fast indexing path)."""
        text = nfc(text)
        terms_of = self._raw
        if len(terms_of) > _CACHE_LIMIT:
            terms_of.clear()
        if len(self._terms) > _CACHE_LIMIT:
            self._terms.clear()
        tokens = TOKEN_RE.findall(text)
        found = _cached_map(terms_of, tokens, self._raw_terms)
        positions: dict[str, list[int]] = defaultdict(list)
        if self.stops is not None:
            # The stop step closes up: the first kept token keeps its own position (the count
            # of tokens before it), every later kept token takes the next one.
            seen = 0
            for first, terms in enumerate(found):
                if terms:
                    break
                seen += len(self._groups(tokens[first]))
            else:
                return positions
            for terms in self._groups(tokens[first]):    # stopped positions before its first kept one
                if any(t is not _STOPPED for t in terms):
                    break
                seen += 1
            for position, term in enumerate(concat.from_iterable(found[first:]), seen):
                positions[term].append(position)
        else:
            for position, term in enumerate(concat.from_iterable(found)):
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

    def stem_inputs(self, text: str) -> Iterable[str]:
        """The distinct words the stem step gets when `text` is indexed (to stem them ahead)."""
        if self._unstemmed is None:
            self._unstemmed = Chain(self.ambiguous, self.stops, None, self.numbers)
        return self._unstemmed.positions(text).keys()


_WORDS = Chain()


def tokenize(text: str) -> list[str]:
    """Raw lower-case words (no stopwords removed, nothing dropped, no stemming).

    This is what `Lexicon.expansions()` expects for a query.
    """
    return [t.text for t in _WORDS.tokens(text, mode="query")]
