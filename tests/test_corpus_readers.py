"""The CLICK-ID corpus (../shared/corpus/click-id) read end to end: counts, dates, text, sections.

PROVENANCE.md counts 95 rows with an empty `content`; another 71 hold only scraper leftovers
(",,,", "-,", ",,,loading...") and are skipped as empty_body too, so 166 in all.
"""
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from indexer.config import DEFAULT_SECTION_MAP, Settings, SourceSettings
from indexer.readers import read_source
from indexer.readers.dates import url_date
from indexer.records import Article, Skip

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/click-id"
FIELDS = {"title": "title", "body": "content", "date": "date", "time": "time", "section": "category",
          "subsection": "sub-category", "url": "url", "outlet": "source"}
ROWS = 22_136
MOJIBAKE = ("\u201a\u00c4\u00fa", "\u00ac\u2020", "\u00e2\u20ac")      # ‚Äú  ¬†  â€

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"CLICK-ID corpus absent: {CORPUS} (see PROVENANCE.md to fetch it)")
    source = SourceSettings(name="click-id", path=CORPUS, fields=FIELDS)
    start = time.perf_counter()
    records = list(read_source(source, Settings()))
    seconds = time.perf_counter() - start
    articles = [r for r in records if isinstance(r, Article)]
    skips = Counter(r.reason for r in records if isinstance(r, Skip))
    print(f"\nCLICK-ID: {len(articles)} articles, skips {dict(skips)}, read in {seconds:.1f} s")
    return articles, skips, seconds


def test_every_row_is_an_article_or_an_empty_body(corpus):
    articles, skips, seconds = corpus
    assert set(skips) <= {"empty_body"}
    assert 95 <= skips["empty_body"] <= 200
    assert len(articles) + skips["empty_body"] == ROWS
    assert len({a.id for a in articles}) == len(articles)
    assert seconds < 60


def test_dates_within_the_corpus_range(corpus):
    articles, _, _ = corpus
    assert all(a.published is not None for a in articles)
    assert min(a.published for a in articles) >= datetime(2019, 3, 1)
    assert max(a.published for a in articles) < datetime(2019, 11, 1)
    per_month = Counter(a.published.month for a in articles)
    assert per_month.most_common(1)[0][0] == 9                     # concentrated in September


def test_no_mojibake_left(corpus):
    articles, _, _ = corpus
    damaged = [a.origin for a in articles if any(m in a.title or m in a.body for m in MOJIBAKE)]
    assert damaged == []


def test_sections_are_normalised(corpus):
    articles, _, _ = corpus
    known = set(DEFAULT_SECTION_MAP.values())
    leftovers = Counter(a.section for a in articles if a.section not in known)
    print(f"\nsection labels not in DEFAULT_SECTION_MAP: {dict(leftovers.most_common())}")
    assert len(leftovers) <= 20
    assert sum(leftovers.values()) < 0.01 * len(articles)
    assert all(label == label.strip() and label[:1].isupper() for label in leftovers)


def test_url_dates_win(corpus):
    articles, _, _ = corpus
    for outlet in ("Kompas.com", "tribunnews.com"):
        dated = [a for a in articles if a.outlet == outlet]
        assert dated and all(a.published.date() == url_date(a.url) for a in dated)
    swapped = [a for a in articles if a.outlet == "Kompas.com" and "tertukar" in a.date_conflict]
    assert len(swapped) == 659                                      # PROVENANCE quirk 4


def test_bodies_are_cleaned(corpus):
    articles, _, _ = corpus
    assert not any(a.body.startswith(("-", ",", " ")) for a in articles)
    assert not any(a.body.endswith(("loading...", ",")) for a in articles)
    assert not any("_x000D_" in a.body for a in articles)
    assert sum("\n\n" in a.body for a in articles) > 0.9 * len(articles)
    assert all(a.lead and a.body.startswith(a.lead) for a in articles)
