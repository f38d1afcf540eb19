"""The timeline of the results (issue 16): buckets from real date arrays, then a small real index
through the engine, the JSON API and the HTML page. The central promise: a bar's count is what
its link lists, and the bars plus the undated results add up to `total`."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from whoosh.util.times import datetime_to_long

from indexer.search import timeline
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.search.snapshot import NO_DATE
from tests.conftest import build_index, jsonl_settings


# ============================================================================ bucketing

def days_of(dates: list[date | None]) -> timeline.Days:
    published = np.array([datetime_to_long(datetime(d.year, d.month, d.day, 13, 30)) if d else NO_DATE
                          for d in dates], dtype=np.int64)
    return timeline.Days.of(published, published != NO_DATE)


def build(dates, selected=None, **kw):
    days = days_of(dates)
    mask = np.ones(len(dates), dtype=bool) if selected is None else np.asarray(selected)
    return timeline.build(days, mask, **kw)


def assert_well_formed(t, dates, lo=None, hi=None):
    """Consecutive buckets covering every date, each count equal to the dates inside it."""
    dated = [d for d in dates if d]
    assert t.dated == len(dated) and t.undated == len(dates) - len(dated)
    for prev, nxt in zip(t.buckets, t.buckets[1:]):
        assert nxt.start == prev.end + timedelta(days=1)
    for b in t.buckets:
        assert b.start <= b.end and b.count == sum(b.start <= d <= b.end for d in dated)
        assert (lo is None or b.start >= lo) and (hi is None or b.end <= hi)
    assert t.buckets[0].start <= min(dated) and t.buckets[-1].end >= max(dated)


@pytest.mark.parametrize("span_days,granularity", [
    (1, "day"), (45, "day"), (46, "week"), (7 * 53, "week"), (7 * 53 + 1, "month"),
    (365 * 4, "month"), (365 * 6, "year"),
])
def test_granularity_follows_the_span(span_days, granularity):
    first = date(2024, 1, 1)                                   # a Monday: week counts are exact
    dates = [first, first + timedelta(days=span_days - 1), first + timedelta(days=span_days // 3)]
    t = build(dates)
    assert t.granularity == granularity
    assert len(t.buckets) <= 60
    assert_well_formed(t, dates)


def test_every_granularity_stays_within_sixty_bars_even_over_two_centuries():
    dates = [date(1900, 1, 1), date(1950, 6, 15), date(2100, 12, 31)]
    t = build(dates)
    assert t.granularity == "year" and t.years == 4 and len(t.buckets) <= 60
    assert t.buckets[0].start == date(1900, 1, 1) and t.buckets[0].label == "1900–1903"
    assert_well_formed(t, dates)


def test_weeks_run_monday_to_sunday_and_empty_weeks_stay():
    dates = [date(2019, 9, 4), date(2019, 9, 5), date(2019, 11, 1)]      # a Wednesday ... a Friday
    t = build(dates)
    assert t.granularity == "week"
    assert all(b.start.weekday() == 0 and b.end.weekday() == 6 for b in t.buckets)
    assert t.buckets[0].start == date(2019, 9, 2) and t.buckets[0].count == 2
    assert t.buckets[0].label == "2–8 Sep 2019"
    assert [b.count for b in t.buckets].count(0) == len(t.buckets) - 2     # the gap is kept, as zeros
    assert t.buckets[-1].label == "28 Okt–3 Nov 2019"
    assert_well_formed(t, dates)


def test_undated_and_unselected_documents_are_left_out():
    dates = [date(2024, 3, 1), None, date(2024, 3, 3), None, date(2024, 3, 9)]
    t = build(dates, selected=[True, True, True, False, False])
    assert (t.granularity, t.undated, t.dated) == ("day", 1, 2)
    assert [(b.start.day, b.count) for b in t.buckets] == [(1, 1), (2, 0), (3, 1)]


def test_nothing_dated_gives_an_empty_timeline():
    t = build([None, None])
    assert (t.granularity, t.buckets, t.undated) == (None, (), 2)
    assert build([date(2024, 1, 1)], selected=[False]).buckets == ()


def test_buckets_never_reach_outside_from_and_to():
    dates = [date(2024, 1, 4), date(2024, 5, 20)]          # weeks of 1-7 Jan and 20-26 May
    lo, hi = date(2024, 1, 3), date(2024, 5, 22)
    t = build(dates, date_from=lo, date_to=hi)
    assert t.granularity == "week"
    assert t.buckets[0].start == lo and t.buckets[-1].end == hi
    assert t.buckets[0].label == "3–7 Jan 2024"
    assert_well_formed(t, dates, lo, hi)


@pytest.mark.parametrize("start,end,label", [
    (date(2019, 9, 3), date(2019, 9, 3), "3 Sep 2019"),
    (date(2019, 9, 3), date(2019, 9, 9), "3–9 Sep 2019"),
    (date(2019, 9, 30), date(2019, 10, 6), "30 Sep–6 Okt 2019"),
    (date(2019, 12, 30), date(2020, 1, 5), "30 Des 2019–5 Jan 2020"),
    (date(2019, 8, 1), date(2019, 8, 31), "Agustus 2019"),
    (date(2024, 2, 1), date(2024, 2, 29), "Februari 2024"),
    (date(2024, 2, 1), date(2024, 2, 28), "1–28 Feb 2024"),
    (date(2019, 1, 1), date(2019, 12, 31), "2019"),
    (date(2016, 1, 1), date(2019, 12, 31), "2016–2019"),
])
def test_labels_are_indonesian(start, end, label):
    assert timeline.range_label(start, end) == label


# ============================================================================ a small real index

DATED = [
    ("a1", "2024-01-01", "Daerah", "Banjir merendam rumah warga di Bekasi"),
    ("a2", "2024-01-03", "Daerah", "Banjir surut, warga Bekasi kembali ke rumah"),
    ("a3", "2024-01-03", "Nasional", "Pemerintah siapkan dana banjir"),
    ("a4", "2024-01-10", "Ekonomi", "Harga beras naik setelah banjir"),
    ("a5", "2024-01-31", "Nasional", "Banjir bandang di Sumatra Barat"),
    ("a6", "2024-02-15", "Daerah", "Tanggul jebol, banjir rendam sawah"),
    ("a7", "2024-03-20", "Ekonomi", "Asuransi banjir makin diminati"),
    ("a8", "2024-05-05", "Nasional", "Peringatan dini banjir musim hujan"),
    ("a9", "2024-11-27", "Daerah", "Banjir di hari pemilihan kepala daerah"),
    ("b1", "2024-01-02", "Olahraga", "Timnas menang di kandang"),
    ("b2", "2024-06-30", "Olahraga", "Atlet muda raih emas"),
]
UNDATED = [("u1", "Daerah", "Banjir kiriman tanpa tanggal"), ("u2", "Ekonomi", "Kerugian banjir dihitung")]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    records = [{"id": i, "title": title, "body": f"{title}. Laporan lengkap dari lapangan.", "date": d,
                "section": s, "url": f"https://contoh.id/{i}", "outlet": "Kabar"} for i, d, s, title in DATED]
    records += [{"id": i, "title": title, "body": f"{title}. Laporan lengkap.", "date": "", "section": s,
                 "url": f"https://contoh.id/{i}", "outlet": "Kabar"} for i, s, title in UNDATED]
    settings = jsonl_settings(tmp_path_factory.mktemp("timeline"), records)
    build_index(settings)
    return settings.replace(search={"result_cache": 0})


@pytest.fixture(scope="module")
def engine(settings):
    return SearchEngine(settings)


def narrowed(req: SearchRequest, bucket) -> SearchRequest:
    return SearchRequest(query=req.query, sections=req.sections, months=req.months,
                         date_from=bucket.start, date_to=bucket.end)


REQUESTS = [
    SearchRequest(),
    SearchRequest(query="banjir"),
    SearchRequest(query="banjir bekasi"),
    SearchRequest(query="banjir", sections=("Daerah",)),
    SearchRequest(query="banjir", months=("2024-01", "2024-03")),
    SearchRequest(query="banjir", date_from=date(2024, 1, 2), date_to=date(2024, 2, 20)),
    SearchRequest(query="banjir", date_from=date(2024, 1, 2)),      # the first week starts mid-week
    SearchRequest(query="banjir", sections=("Nasional", "Ekonomi"), date_from=date(2024, 1, 3)),
    SearchRequest(query="banjir", months=("2024-01",), date_to=date(2024, 1, 9)),
    SearchRequest(sections=("Olahraga",)),
]


@pytest.mark.parametrize("req", REQUESTS, ids=lambda r: repr((r.query, r.sections, r.months, r.date_from,
                                                              r.date_to)))
def test_each_bar_lists_exactly_its_count(engine, req):
    result = engine.search(req)
    t = result.timeline
    assert t.dated + t.undated == result.total
    assert sum(b.count for b in t.buckets) == t.dated
    assert [b for b in t.buckets if b.count]                      # every request above finds something
    for bucket in t.buckets:
        narrowed_result = engine.search(narrowed(req, bucket))
        assert narrowed_result.total == bucket.count, bucket
        if bucket.count:      # and the narrowed page's own timeline agrees with the bar
            assert narrowed_result.timeline.dated == bucket.count and narrowed_result.timeline.undated == 0


def test_granularity_switches_as_the_range_narrows(engine):
    wide = engine.search(SearchRequest(query="banjir")).timeline
    assert wide.granularity == "week" and wide.buckets[0].start == date(2024, 1, 1)
    assert wide.undated == 2 and len(wide.buckets) == 48       # 1 Jan .. 1 Dec 2024 (Mon..Sun)
    first = wide.buckets[0]
    assert (first.start, first.end, first.count) == (date(2024, 1, 1), date(2024, 1, 7), 3)
    narrow = engine.search(narrowed(SearchRequest(query="banjir"), first)).timeline
    assert narrow.granularity == "day" and narrow.undated == 0
    assert [(b.start.day, b.count) for b in narrow.buckets] == [(1, 1), (2, 0), (3, 2)]


def test_month_facet_and_timeline_count_the_same_documents(engine):
    """One date dimension: inside a from/to range, a month's facet count is what choosing the
    month lists, and what the timeline then shows; together they are the whole result."""
    req = SearchRequest(query="banjir", date_from=date(2024, 1, 2), date_to=date(2024, 3, 31))
    result = engine.search(req)
    facets = {f.value: f.count for f in result.facets["date"]}
    assert facets == {"2024-01": 4, "2024-02": 1, "2024-03": 1}
    for month, count in facets.items():
        in_month = engine.search(dataclasses.replace(req, months=(month,)))
        assert in_month.total == in_month.timeline.dated == count
        assert all(b.start.strftime("%Y-%m") == month for b in in_month.timeline.buckets)
    assert sum(facets.values()) == result.timeline.dated == result.total


@pytest.fixture(scope="module")
def fill_engine(tmp_path_factory):
    """24 articles with all of "gempa bumi garut" and 4 with two of the words, in January 2024."""
    def record(i, title, day):
        return {"id": f"{title.split()[-1]}-{i}", "title": f"{title} {i}", "body": "Laporan dari lapangan.",
                "date": (date(2024, 1, 1) + timedelta(days=day)).isoformat(), "section": "Daerah"}
    records = [record(i, "Gempa bumi guncang Garut", 2 * i) for i in range(24)]
    records += [record(i, "Gempa bumi di laut selatan", 2 * i) for i in range(4)]
    settings = jsonl_settings(tmp_path_factory.mktemp("timeline-fill"), records)
    build_index(settings)
    return SearchEngine(settings.replace(search={"result_cache": 0, "partial_below": 20}))


def test_a_bar_of_a_many_word_query_may_gain_most_words_results_below_it(fill_engine):
    """The known limit (indexer/search/matching.py): with at least `partial_below` all-words
    results no most-words results are added, but a bar holds fewer, so its page adds them below.
    The bar's count is then the narrowed page's all-words count; the page is never emptier."""
    req = SearchRequest(query="gempa bumi garut")
    result = fill_engine.search(req)
    assert not result.partial and result.total == 24 == result.timeline.dated
    gained = 0
    for bucket in (b for b in result.timeline.buckets if b.count):
        page = fill_engine.search(narrowed(req, bucket))
        assert page.matched_all == bucket.count and page.total >= bucket.count
        gained += page.total - bucket.count
    assert gained == 4


def test_no_facets_no_timeline(engine):
    assert engine.search(SearchRequest(query="banjir", facets=False)).timeline is None
