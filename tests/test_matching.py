"""The fallbacks of indexer.search.matching on tiny hand-made arrays: one loop over the query's
candidate listings, most exact first."""
from __future__ import annotations

import numpy as np

from indexer.search.matching import PartialPolicy, candidates, combine
from indexer.search.query import CompiledGroup, CompiledQuery


def query(*specs: str) -> CompiledQuery:
    """One group per spec: its label, then flags `?` optional, `!` strict, `~` relaxable."""
    return CompiledQuery([CompiledGroup(None, s.strip("?!~"), "?" in s, "!" in s, "~" in s) for s in specs], None)


def arrays(*rows: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per group, its documents as a row of 0/1 (score 1.0 where matched)."""
    masks = [np.array([c == "1" for c in row]) for row in rows]
    return [(m, m.astype(np.float32)) for m in masks]


def listed(compiled, results, filtered=None, policy=PartialPolicy(below=2, min_share=0.6)):
    n = results[0][0].size
    alive = np.ones(n, dtype=bool)
    m = combine(compiled, results, None, alive, alive if filtered is None else filtered, policy)
    return np.flatnonzero(m.matched).tolist(), np.flatnonzero(m.full).tolist(), m.partial_fill, m.fallback


def test_candidates_in_order():
    assert [c.name for c in candidates(query("banjir", "jakarta"))] == ["all", "most", "any"]
    assert [c.name for c in candidates(query("bin~", "laden"))] == ["all", "relaxed", "most", "any"]
    assert [c.words for c in candidates(query("bin~", "laden", "foto?"))][:2] == [(0, 1), (1,)]


def test_enough_full_hits_stop_at_all_words():
    assert listed(query("a", "b"), arrays("1101", "1110")) == ([0, 1], [0, 1], False, False)


def test_few_full_hits_are_filled_with_most_words():
    assert listed(query("a", "b", "c"), arrays("1110", "1011", "1000")) == ([0, 2], [0], True, False)


def test_nothing_with_most_words_falls_back_to_any_word():
    assert listed(query("a", "b", "c"), arrays("1000", "0100", "0000")) == ([0, 1], [], True, True)


def test_few_most_words_hits_are_followed_by_any_word_hits():
    # one full hit and one 2-of-3 hit fill less than `below` (3): the 1-of-3 hits follow them
    q, results = query("a", "b", "c"), arrays("11100", "10110", "10001")
    assert listed(q, results, policy=PartialPolicy(below=3)) == ([0, 1, 2, 3, 4], [0], True, False)
    assert listed(q, results, policy=PartialPolicy(below=2)) == ([0, 2], [0], True, False)
    # strict AND lists any-word hits only when nothing has every word
    assert listed(q, results, policy=PartialPolicy(below=0)) == ([0], [0], False, False)


def test_a_strict_group_is_never_missing():
    assert listed(query("a!", "b", "c"), arrays("0110", "1011", "1111")) == ([1, 2], [2], True, False)


def test_relaxed_only_when_no_allowed_document_has_every_word():
    q, results = query("bin~", "laden"), arrays("0001", "1101")
    assert listed(q, results, policy=PartialPolicy(below=0)) == ([3], [3], False, False)
    # the one full hit is filtered out: `bin` becomes optional, every `laden` is a full hit
    assert listed(q, results, np.array([1, 1, 1, 0], dtype=bool), PartialPolicy(below=0)) == \
        ([0, 1, 3], [0, 1, 3], False, False)
