"""Which documents a query lists, and in which tier: all words first, then most of the words.

A query of several words is an AND. When few articles hold every word (fewer than
`search.partial_below` after the filters), the list is filled with articles that hold most of
them (at least `search.partial_min_share` of the required words, like Elasticsearch's
`minimum_should_match` or Meilisearch's matching strategy). Such a partial hit always ranks below
every full hit, scored by its BM25F times a coordination factor (the idf-weighted share of the words
it has), and reports the words it lacks. Phrases, field prefixes (`judul:`), `+word` and exclusions stay strict.

Every group is evaluated once, so the all-words set, the relaxed set (an ambiguous lower-case
acronym made optional) and the partial set are combinations of the same arrays.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

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


def combine(compiled: CompiledQuery, results: list[tuple[np.ndarray, np.ndarray]], negative: np.ndarray | None,
            alive: np.ndarray, filtered: np.ndarray, policy: PartialPolicy) -> Matches:
    """Matches of a query from its groups' (mask, score) arrays.

    `filtered` is the documents the request's section/date filters allow: the fill threshold
    counts the full hits a reader would see.
    """
    groups = compiled.groups
    allowed = alive if negative is None else alive & ~negative
    scores = results[0][1] if len(results) == 1 else np.sum([s for _, s in results], axis=0, dtype=np.float32)
    required = [i for i, g in enumerate(groups) if not g.optional] or list(range(len(groups)))
    full = _all(results, required, allowed)
    if not (full & filtered).any():
        relaxed = [i for i in required if not groups[i].relaxable]
        if relaxed and len(relaxed) < len(required):
            candidate = _all(results, relaxed, allowed)
            if candidate.any():
                required, full = relaxed, candidate
    # scores are read only where a document is listed: no masking needed
    matches = Matches(full, scores, full)
    droppable = [i for i in required if not groups[i].strict]
    if len(required) < 2 or not droppable:
        return matches
    few = policy.below > 0 and int((full & filtered).sum()) < policy.below
    if not few and full.any():
        return matches
    count = np.zeros(alive.size, dtype=np.int16)
    for i in required:
        count += results[i][0]
    strict_ok = _all(results, [i for i in required if groups[i].strict], allowed)
    need = max(1, math.ceil(policy.min_share * len(required) - 1e-9)) if policy.below > 0 else 1
    partial = (count >= need) & strict_ok & ~full
    if not partial.any() and not full.any() and need > 1:    # nothing at all: any of the words
        partial = (count >= 1) & strict_ok
    if not partial.any():
        return matches
    coordination = _coordination(results, required, alive)
    matches.matched = full | partial
    matches.scores = np.where(full, scores, scores * coordination).astype(np.float32)
    matches.partial_fill = True
    matches.fallback = not full.any()
    matches._masks = [results[i][0] for i in required]
    matches._labels = [groups[i].label for i in required]
    return matches


def _coordination(results, required: list[int], alive: np.ndarray) -> np.ndarray:
    """Per document, the idf-weighted share of the required words it holds: lacking a rare word
    (the story's name, place or number) costs more than lacking a common one, in the spirit of
    Meilisearch's `frequency` matching strategy. Plain counting ranked articles lacking the one
    specific word above articles lacking a generic verb (docs/relevance.md)."""
    n = float(alive.sum())
    total = 0.0
    share = np.zeros(alive.size, dtype=np.float32)
    for i in required:
        df = float(np.count_nonzero(results[i][0] & alive))
        idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
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
