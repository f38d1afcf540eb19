"""Which documents a query lists, and in which tier: all words first, then most of the words.

A query of several words is an AND. When few articles hold every word (fewer than
`search.partial_below` after the filters), the list is filled with articles that hold most of
them (at least `search.partial_min_share` of the required words, like Elasticsearch's
`minimum_should_match` or Meilisearch's matching strategy). Such a partial hit always ranks below
every full hit, scored by its BM25F times a coordination factor (the idf-weighted share of the words
it has), and reports the words it lacks. Phrases, field prefixes (`judul:`), `+word` and exclusions stay strict.

The fallbacks are one loop over the query's `candidates`, most exact first: all the words; all but
an ambiguous lower-case acronym (`bin laden`: `bin` made optional) when no allowed article has them
all; most of the words; any of them when the list still holds fewer than `partial_below` articles
(or nothing at all under strict AND). A reader's 5-word memory of a story often has two or three
words the articles do not use (*bos* for *pendiri*, *diadukan* for *dilaporkan*, *soal*), so the
articles holding the story's rare name hold only half the words: they are listed in the same
partial tier, where the idf-weighted coordination ranks them by how much of the query they hold
(docs/relevance.md, session 10). Every group is evaluated once, so each candidate is a combination
of the same arrays.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from indexer.search.query import CompiledQuery


@dataclass(frozen=True)
class PartialPolicy:
    below: int = 20          # fill when fewer full hits than this pass the filters; 0 = never
    min_share: float = 0.6   # a partial hit has at least this share of the required words


@dataclass
class Matches:
    matched: np.ndarray                  # bool per document: listed (full or partial hit)
    scores: np.ndarray                   # float32 per document (meaningful where matched): BM25F, times
                                         # coordination for partial hits
    full: np.ndarray                     # bool per document: has every required word
    partial_fill: bool = False           # some listed documents lack a word
    fallback: bool = False               # no document has every word
    _masks: list[np.ndarray] = field(default_factory=list)
    _labels: list[str] = field(default_factory=list)

    def missing(self, docnum: int) -> list[str]:
        """The required words (as typed) a listed document lacks; [] for a full hit."""
        if self.full[docnum]:
            return []
        return [label for mask, label in zip(self._masks, self._labels) if not mask[docnum]]


# When a candidate listing is wanted, given the listing so far (its full hits, what it lists) and
# the documents the request's filters allow
def _always(listing: "_Listing", filtered: np.ndarray, policy: PartialPolicy) -> bool:
    return True


def _nothing_allowed(listing: "_Listing", filtered: np.ndarray, policy: PartialPolicy) -> bool:
    return not (listing.full & filtered).any()


def _short(docs: np.ndarray, filtered: np.ndarray, policy: PartialPolicy) -> bool:
    """Nothing in `docs`, or (unless strict AND) fewer than `policy.below` that the filters allow."""
    return not docs.any() or (policy.below > 0 and int((docs & filtered).sum()) < policy.below)


def _few(listing: "_Listing", filtered: np.ndarray, policy: PartialPolicy) -> bool:
    return _short(listing.full, filtered, policy)


def _few_listed(listing: "_Listing", filtered: np.ndarray, policy: PartialPolicy) -> bool:
    return _short(listing.listed, filtered, policy)


@dataclass(frozen=True)
class Candidate:
    """One way to list a query's documents: those holding `need` ("all", "most" or "one") of the
    groups `words` (None: the words of the all-words listing in use), every strict group among them.

    It is tried when `wanted` says the listing so far falls short of what it is for, and taken when
    it lists something: an all-words candidate replaces the listing, the others add partial hits
    below its full hits."""
    name: str
    wanted: Callable[["_Listing", np.ndarray, PartialPolicy], bool]
    need: str
    words: tuple[int, ...] | None = None


def candidates(compiled: CompiledQuery) -> list[Candidate]:
    """A query's candidate listings, most exact first: every required word; every required word but
    the ambiguous lower-case acronyms (`bin laden` -> `laden`) when no document the filters allow has
    them all; most of the words when fewer than `partial_below` do; any of them when fewer than
    `partial_below` are listed then (when nothing is, under strict AND)."""
    groups = compiled.groups
    required = [i for i, g in enumerate(groups) if not g.optional] or list(range(len(groups)))
    relaxed = [i for i in required if not groups[i].relaxable]
    found = [Candidate("all", _always, "all", tuple(required))]
    if 0 < len(relaxed) < len(required):
        found.append(Candidate("relaxed", _nothing_allowed, "all", tuple(relaxed)))
    return found + [Candidate("most", _few, "most"), Candidate("any", _few_listed, "one")]


@dataclass
class _Listing:
    words: list[int]         # the groups of the all-words candidate in use: holding them all = a full hit
    full: np.ndarray
    listed: np.ndarray       # the full hits, and the partial hits a fill added


def combine(compiled: CompiledQuery, results: list[tuple[np.ndarray, np.ndarray]], negative: np.ndarray | None,
            alive: np.ndarray, filtered: np.ndarray, policy: PartialPolicy,
            bonus: np.ndarray | None = None, weights: list[float] | None = None) -> Matches:
    """Matches of a query from its groups' (mask, score) arrays: its `candidates` tried in one loop.

    `filtered` is the documents the request's section/date filters allow: the fill threshold
    counts the full hits a reader would see. `bonus` (proximity) adds to the BM25F scores, before
    a partial hit's coordination. `weights` multiply each group's idf in the coordination (a
    name the archive writes capitalised weighs more: indexer.names); None = all 1.
    """
    groups = compiled.groups
    allowed = alive if negative is None else alive & ~negative
    scores = results[0][1] if len(results) == 1 else np.sum([s for _, s in results], axis=0, dtype=np.float32)
    if bonus is not None:
        scores = scores + bonus

    def holding(words: list[int], need: str) -> np.ndarray:
        """The documents holding `need` of the groups `words`, every strict one among them."""
        if need == "all":
            return _all(results, words, allowed)
        count = np.zeros(alive.size, dtype=np.int16)
        for i in words:
            count += results[i][0]
        at_least = max(1, math.ceil(policy.min_share * len(words) - 1e-9)) if need == "most" and policy.below > 0 else 1
        return (count >= at_least) & _all(results, [i for i in words if groups[i].strict], allowed)

    listing: _Listing | None = None
    for candidate in candidates(compiled):
        if listing is not None and not candidate.wanted(listing, filtered, policy):
            continue
        words = list(candidate.words) if candidate.words is not None else listing.words
        docs = holding(words, candidate.need)
        if candidate.need == "all":
            if listing is None or docs.any():
                listing = _Listing(words, docs, docs)
        elif (docs & ~listing.full).any():
            listing.listed = listing.full | docs

    full = listing.full
    # scores are read only where a document is listed: no masking needed
    if listing.listed is full:
        return Matches(full, scores, full)
    coordination = _coordination(results, listing.words, alive, weights)
    return Matches(listing.listed, np.where(full, scores, scores * coordination).astype(np.float32), full,
                   partial_fill=True, fallback=not full.any(),
                   _masks=[results[i][0] for i in listing.words], _labels=[groups[i].label for i in listing.words])


def _coordination(results, required: list[int], alive: np.ndarray, weights: list[float] | None = None) -> np.ndarray:
    """Per document, the idf-weighted share of the required words it holds: lacking a rare word
    (the story's name, place or number) costs more than lacking a common one, in the spirit of
    Meilisearch's `frequency` matching strategy. Plain counting ranked articles lacking the one
    specific word above articles lacking a generic verb (docs/relevance.md). A group's `weights`
    entry multiplies its idf: a name the reader typed weighs more than a word as rare, since an
    article without the story's name is most likely another story (session 12)."""
    n = float(alive.sum())
    total = 0.0
    share = np.zeros(alive.size, dtype=np.float32)
    for i in required:
        df = float(np.count_nonzero(results[i][0] & alive))
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5)) * (weights[i] if weights else 1.0)
        share += np.float32(idf) * results[i][0]
        total += idf
    return share / np.float32(total or 1.0)


def _all(results, indexes: list[int], allowed: np.ndarray) -> np.ndarray:
    if not indexes:
        return allowed
    mask = allowed & results[indexes[0]][0]
    for i in indexes[1:]:
        mask &= results[i][0]
    return mask
