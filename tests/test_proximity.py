"""Proximity (indexer/search/proximity.py): neighbouring query words close together in an article
rank it higher, in either order, and change nothing but the order."""
from __future__ import annotations

import pytest

from indexer.config import ConfigError, load_settings
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.search.proximity import pair_queries
from indexer.search.query import CompiledGroup
from tests.conftest import build_index, jsonl_settings

FILLER = "Warga diminta tetap waspada dan mengikuti arahan petugas di lapangan."
RECORDS = [
    # the two words side by side in the first paragraph only
    {"id": "dekat", "title": "Warga gotong royong", "url": "https://contoh.id/dekat", "outlet": "Kabar",
     "body": f"Jembatan kayu di desa itu rusak. {FILLER}", "date": "2019-09-10", "section": "News"},
    # both words in the title (weighted 4x), far apart
    {"id": "jauh", "title": "Jembatan di lembah diterjang banjir, warga cari kayu", "url": "https://contoh.id/jauh",
     "outlet": "Kabar", "body": f"Banjir datang malam hari. {FILLER}", "date": "2019-09-10", "section": "News"},
    {"id": "lain", "title": "Harga cabai naik", "url": "https://contoh.id/lain", "outlet": "Kabar",
     "body": f"Harga cabai di pasar naik. {FILLER}", "date": "2019-09-10", "section": "News"},
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    s = jsonl_settings(tmp_path_factory.mktemp("proximity"), RECORDS)
    build_index(s)
    return s.replace(search={"result_cache": 0})


def ranking(settings, query: str, weight: float) -> tuple[list[str], int]:
    engine = SearchEngine(settings.replace(search={"proximity_weight": weight}))
    result = engine.search(SearchRequest(query=query, highlight=False))
    return [h.url.rsplit("/", 1)[1] for h in result.hits], result.total


@pytest.mark.parametrize("query", ["jembatan kayu", "kayu jembatan"])
def test_words_side_by_side_outrank_scattered_ones_in_either_order(settings, query):
    assert ranking(settings, query, 0)[0] == ["jauh", "dekat"]        # the title wins without it
    assert ranking(settings, query, 2.0)[0] == ["dekat", "jauh"]


def test_proximity_changes_the_order_only(settings):
    off, on = ranking(settings, "jembatan kayu warga", 0), ranking(settings, "jembatan kayu warga", 2.0)
    assert sorted(off[0]) == sorted(on[0]) and off[1] == on[1]


def test_the_window_is_a_setting(settings):
    # "Jembatan kayu di desa": jembatan and desa are not next to each other, but within four positions
    def score(window: int) -> float:
        engine = SearchEngine(settings.replace(search={"proximity_window": window, "proximity_weight": 1.0}))
        hits = engine.search(SearchRequest(query="jembatan desa", highlight=False)).hits
        return next(h.score for h in hits if h.id == "dekat")
    assert score(1) < score(4)


def group(stem, optional=False):
    return CompiledGroup(None, stem or "frasa", optional, stem is None, False, stem)


def test_pairs_are_neighbouring_plain_words():
    boosts = {"title": 4.0, "lead": 1.5, "body": 1.0}
    assert len(pair_queries([group("kabut"), group("asap"), group("riau")], boosts, 0.25, 2)) == 2
    # a phrase (no single stem) breaks the chain; optional words and repeated words are left out
    assert len(pair_queries([group("kabut"), group(None), group("riau")], boosts, 0.25, 2)) == 0
    assert len(pair_queries([group("kabut"), group("foto", optional=True), group("asap")], boosts, 0.25, 2)) == 1
    assert pair_queries([group("asap"), group("asap")], boosts, 0.25, 2) == []
    assert pair_queries([group("kabut"), group("asap")], boosts, 0, 2) == []
    (q,) = pair_queries([group("kabut"), group("asap")], boosts, 0.25, 2)
    phrases = {(p.fieldname, tuple(p.words), p.slop, p.boost) for p in q.subqueries}
    assert phrases == {(field, words, 2, boost) for field, boost in (("title", 1.0), ("lead", 0.375), ("body", 0.25))
                       for words in (("kabut", "asap"), ("asap", "kabut"))}


@pytest.mark.parametrize("line,message", [("proximity_window = 0", "proximity_window"),
                                          ("proximity_window = 1.5", "proximity_window"),
                                          ("proximity_weight = -1", "proximity_weight")])
def test_bad_proximity_settings_are_errors(tmp_path, line, message):
    path = tmp_path / "warta.toml"
    path.write_text(f"[search]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path)
