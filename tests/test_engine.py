"""indexer/search/engine.py: `SearchEngine` as a backend: its contract, generations (no index yet, a
new one picked up without a restart, a vanished pointer), the result cache and stats. Ranking and
the query language on an index: tests/test_search.py; through the web app: tests/test_web_*.py."""
from __future__ import annotations

import pytest

from indexer.build import build
from indexer.errors import IndexUnavailable
from indexer.search.backend import SearchBackend
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.store import POINTER
from tests.web_support import ARTICLES, build_web_index


def test_the_engine_implements_the_backend_protocol(web_settings):
    assert isinstance(SearchEngine(web_settings), SearchBackend)


def test_no_index_yet_then_a_new_generation_without_a_restart(tmp_path):
    settings = build_web_index(tmp_path, build=False)
    engine = SearchEngine(settings)                         # opening needs no index
    with pytest.raises(IndexUnavailable, match="warta-index build"):
        engine.search(SearchRequest(query="banjir"))
    first, _ = build(settings, quiet=True)
    assert engine.stats().generation == first.name
    assert engine.search(SearchRequest(query="banjir")).generation == first.name
    second, _ = build(settings, quiet=True)
    result = engine.search(SearchRequest(query="banjir"))
    assert result.generation == second.name != first.name and not result.cached
    (settings.index.dir / POINTER).unlink()                 # the pointer vanished: keep serving
    assert engine.search(SearchRequest(query="banjir")).generation == second.name


def test_a_repeated_request_comes_from_the_result_cache(web_settings):
    engine = SearchEngine(web_settings)
    request = SearchRequest(query="cabai", sort="newest")
    first = engine.search(request)
    again = engine.search(request)
    assert not first.cached and again.cached
    assert [h.id for h in again.hits] == [h.id for h in first.hits] and again.total == first.total
    assert not engine.search(SearchRequest(query="cabai", sort="oldest")).cached


def test_stats_describe_the_published_index(web_settings):
    stats = SearchEngine(web_settings).stats()
    assert stats.documents == len(ARTICLES)
    sections = {}
    for article in ARTICLES:
        sections[article["section"]] = sections.get(article["section"], 0) + 1
    assert dict(stats.sections) == sections
    assert [count for _name, count in stats.sections] == sorted(sections.values(), reverse=True)
    dates = sorted(a["date"] for a in ARTICLES)
    assert stats.date_from.startswith(dates[0]) and stats.date_to.startswith(dates[-1])


def test_article_is_none_for_an_unknown_id(web_settings):
    engine = SearchEngine(web_settings)
    assert engine.article("tidak-ada") is None
    assert engine.article("a1").title == ARTICLES[0]["title"]

