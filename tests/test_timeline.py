"""The timeline of the results (issue 16): buckets from real date arrays, then a small real index
through the engine, the JSON API and the HTML page. The central promise: a bar's count is what
its link lists, and the bars plus the undated results add up to `total`."""
from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
from whoosh.util.times import datetime_to_long

from indexer.search import timeline
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.search.snapshot import NO_DATE
from tests.conftest import build_index, jsonl_settings
from webapp import create_app


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


@pytest.fixture(scope="module")
def client(settings):
    return create_app(settings.replace(web={"analytics": False})).test_client()


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
    # no news synonyms: "gempa bumi" would be one thesaurus unit, and two units need both words
    return SearchEngine(settings.replace(search={"result_cache": 0, "partial_below": 20, "thesaurus": "none"}))


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


# ============================================================================ JSON and HTML

def test_api_returns_the_buckets(client):
    body = client.get("/api/search?q=banjir").get_json()
    t = body["facets"]["timeline"]
    assert set(t) >= {"granularity", "buckets", "undated"} and t["granularity"] == "week"
    assert t["undated"] == 2
    assert sum(b["count"] for b in t["buckets"]) + t["undated"] == body["total"]
    for b in t["buckets"]:
        assert set(b) >= {"start", "end", "count", "label"}
        assert date.fromisoformat(b["start"]) <= date.fromisoformat(b["end"])
    bar = next(b for b in t["buckets"] if b["count"])
    narrowed_body = client.get("/api/search", query_string={"q": "banjir", "from": bar["start"],
                                                             "to": bar["end"]}).get_json()
    assert narrowed_body["total"] == bar["count"]
    nothing = client.get("/api/search?q=zzzyyyxxx").get_json()["facets"]["timeline"]
    assert nothing == {"granularity": None, "undated": 0, "buckets": []}


class Timeline(HTMLParser):
    """The timeline section of a page: SVG links (href, aria-label, title) and table rows."""

    def __init__(self, html: str):
        super().__init__()
        self.svg: dict = {}
        self.bars: list[dict] = []
        self.rows: list[list[str]] = []
        self.row_links: list[str] = []
        self.reset: str | None = None
        self._in_svg = self._in_row = False
        self._text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and "timeline-chart" in a.get("class", ""):
            self.svg, self._in_svg = a, True
        elif tag == "a" and self._in_svg:
            self.bars.append(dict(a, title=""))
        elif tag == "title" and self._in_svg:
            self._text = []
        elif tag == "tr":
            self._in_row, self._cells = True, []
        elif tag in ("th", "td") and self._in_row:
            self._text = []
        elif tag == "a" and self._in_row:
            self.row_links.append(a["href"])
        elif tag == "a" and a.get("class") == "timeline-reset":
            self.reset = a["href"]

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg = False
        elif tag == "title" and self._in_svg and self._text is not None:
            self.bars[-1]["title"] = "".join(self._text)
            self._text = None
        elif tag in ("th", "td") and self._in_row and self._text is not None:
            self._cells.append("".join(self._text).strip())
            self._text = None
        elif tag == "tr":
            self.rows.append(self._cells)
            self._in_row = False

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def api_total(client, href: str) -> int:
    return client.get("/api/search", query_string=parse_qsl(urlsplit(href).query)).get_json()["total"]


def test_page_shows_an_accessible_svg_whose_bars_narrow_to_their_count(client):
    html = client.get("/?q=banjir&section=Daerah&section=Nasional&section=Ekonomi").get_data(as_text=True)
    assert "<h2 id=\"linimasa-judul\">Linimasa</h2>" in html
    assert " style=" not in html and "<style" not in html and "<script>" not in html   # CSP: no inline
    page = Timeline(html)
    assert page.svg["role"] == "group" and page.svg["aria-labelledby"] == "linimasa-judul"
    assert page.svg["aria-describedby"] == "linimasa-ket" and "per minggu (Senin–Minggu)" in html
    assert page.bars, "no bar links"
    for bar in page.bars:
        m = re.fullmatch(r"(\d+) artikel, (.+)", bar["aria-label"])
        assert m and bar["title"] == bar["aria-label"]
        query = dict(parse_qsl(urlsplit(bar["href"]).query))
        assert query["q"] == "banjir" and {"from", "to"} <= set(query)
        assert api_total(client, bar["href"]) == int(m.group(1))
        assert client.get(bar["href"]).status_code == 200
    # the text alternative: the same counts, every bucket (empty ones too), plus the undated
    header, *body, undated = page.rows
    assert header == ["Periode", "Artikel"]
    assert undated == ["Tanpa tanggal (tidak ada di linimasa)", "2"]
    counts = {label: int(count) for label, count in body}
    assert {b["aria-label"].split(", ", 1)[1]: int(b["aria-label"].split()[0]) for b in page.bars} == \
        {label: c for label, c in counts.items() if c}
    assert sorted(page.row_links) == sorted(b["href"] for b in page.bars)
    total = client.get("/api/search?q=banjir&section=Daerah&section=Nasional&section=Ekonomi").get_json()["total"]
    assert sum(counts.values()) + 2 == total
    assert "2 artikel tanpa tanggal tidak ditampilkan" in html
    assert page.reset is None                     # no from/to: nothing to reset


def test_bar_links_are_the_search_with_only_from_and_to_changed():
    from werkzeug.datastructures import MultiDict
    from webapp import links
    args = MultiDict([("page", "3"), ("sort", "oldest"), ("to", "2024-02-01"), ("q", "banjir & co"),
                      ("month", "2024-01"), ("section", "Daerah"), ("per_page", "20"), ("from", "2023-12-31"),
                      ("section", "Luar Negeri"), ("utm", "x")])
    ranges = [("2024-01-01", "2024-01-07"), ("2024-01-08", "2024-01-14")]
    assert links.range_urls("/", args, ranges) == [links.url_with("/", args, from_=a, to=b) for a, b in ranges]
    assert links.range_urls("/", MultiDict(), ranges[:1]) == ["/?from=2024-01-01&to=2024-01-07"]


def test_reset_clears_the_range_and_keeps_the_rest(client):
    html = client.get("/?q=banjir&section=Daerah&from=2024-01-01&to=2024-01-07&sort=newest").get_data(as_text=True)
    page = Timeline(html)
    assert page.reset is not None and "Atur ulang" in html
    assert parse_qsl(urlsplit(page.reset).query) == [("q", "banjir"), ("section", "Daerah"), ("sort", "newest")]
    assert [b["aria-label"] for b in page.bars] == ["1 artikel, 1 Jan 2024", "1 artikel, 3 Jan 2024"]
    assert "Dari: 1 Januari 2024" in html and "Sampai: 7 Januari 2024" in html     # the chips say so


def test_a_single_day_bar_is_marked_current(client):
    page = Timeline(client.get("/?q=banjir&from=2024-01-03&to=2024-01-03").get_data(as_text=True))
    assert len(page.bars) == 1 and page.bars[0].get("aria-current") == "true"


@pytest.mark.parametrize("query,status", [
    ("from=2024-02-01&to=2024-01-01", 400),
    ("from=2024-02-30", 400),
    ("to=tomorrow", 400),
    ("from=0001-01-01&to=9999-12-31", 200),
    ("from=9999-12-31", 200),
    ("to=0001-01-01", 200),
    ("month=2024-01&from=2024-03-01", 200),
    ("from=2024-01-03&to=2024-01-03&month=2024-01&month=2099-12", 200),
    ("q=%22%22&from=2024-01-01", 200),
])
def test_odd_ranges_never_fail(client, query, status):
    for path in ("/", "/api/search"):
        r = client.get(f"{path}?q=banjir&{query}")
        assert r.status_code == status, (path, query, r.status_code)
    if status == 200:
        body = client.get(f"/api/search?q=banjir&{query}").get_json()
        t = body["facets"]["timeline"]
        assert sum(b["count"] for b in t["buckets"]) + t["undated"] == body["total"]


def test_widest_range_keeps_the_buckets_inside_the_calendar(client):
    t = client.get("/api/search?from=0001-01-01&to=9999-12-31").get_json()["facets"]["timeline"]
    assert t["undated"] == 0 and t["buckets"][0]["start"] >= "2024-01-01" and t["buckets"][-1]["end"] <= "2024-12-31"
