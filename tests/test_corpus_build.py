"""Integration: the whole CLICK-ID corpus (../shared/corpus/click-id) built into a real index.

Shares the index with tests/test_relevance.py (index_data/eval/default, rebuilt only when the
analysis fingerprint changes), so CI pays for one build.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from whoosh import index as whoosh_index

from indexer.config import DEFAULT_SECTION_MAP, load_settings
from indexer.tools.evaluate import ensure_index
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.store import IndexStore
from tests.support import CLICKID, REPO

pytestmark = pytest.mark.corpus
MOJIBAKE = ("‚Äú", "‚Äù", "¬†", "‚Äì", "‚Äô", "â€", "Ã©")
ARTICLES, EMPTY_BODIES = 22_136, 166


@pytest.fixture(scope="module")
def settings():
    if not (CLICKID / "raw_articles").is_dir():
        pytest.skip(f"CLICK-ID corpus absent: {CLICKID}; whole-corpus build not run")
    settings = load_settings(REPO / "config.clickid.toml").replace(
        index={"dir": REPO / "index_data" / "eval" / "default", "keep_generations": 1})
    ensure_index(settings)
    return settings


def test_document_count_and_report(settings):
    store = IndexStore(settings.index)
    meta = store.meta()
    assert meta["documents"] == ARTICLES - EMPTY_BODIES
    assert meta["report"]["skipped"] == {"empty_body": EMPTY_BODIES}
    # Kompas' swapped day/month dates are corrected from the URL and listed for an editor
    assert meta["report"]["date_conflict_count"] >= 659


def test_dates_sections_and_no_mojibake(settings):
    stats = SearchEngine(settings).stats()
    assert datetime.fromisoformat(stats.date_from) >= datetime(2019, 3, 1)
    assert datetime.fromisoformat(stats.date_to) < datetime(2019, 11, 1)
    known = set(DEFAULT_SECTION_MAP.values()) | {"Lainnya"}
    leftovers = {s: n for s, n in stats.sections if s not in known}
    assert sum(leftovers.values()) < 0.005 * stats.documents, leftovers
    assert dict(stats.sections)["Olahraga"] > 2000 and dict(stats.sections)["Ekonomi"] > 1500
    ix = whoosh_index.open_dir(str(IndexStore(settings.index).current()))
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            text = fields["title"] + fields.get("text", "")
            assert not any(m in text for m in MOJIBAKE), (fields["url"], [m for m in MOJIBAKE if m in text])


def test_kompas_dates_follow_their_urls(settings):
    engine = SearchEngine(settings)
    result = engine.search(SearchRequest(query="media:kompas.com", per_page=50, sort="newest"))
    assert result.total > 3000
    for hit in result.hits:
        parts = hit.url.split("/read/")[1].split("/")[:3]
        assert hit.published.strftime("%Y/%m/%d") == "/".join(parts), hit.url
