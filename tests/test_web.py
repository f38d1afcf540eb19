"""The web layer: HTML pages, JSON API contract, errors, security headers, CORS, OpenAPI, serve.

Most tests run against a small in-memory `FakeEngine` with the SearchEngine interface, so the
web layer is tested on its own (rendering, parameters, URLs, errors). The tests at the end use
real indexes built by `indexer.build` (the demo corpus and a tiny hostile JSONL corpus).
Ranking is the engine's business (tests/test_search.py), not tested here.
"""
from __future__ import annotations

import json
import logging
import re
import threading
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from markupsafe import escape

from indexer import datenames
from indexer.config import Settings
from indexer.search.model import ArticleView, FacetValue, Hit, IndexStats, SearchResult, Suggestion
from webapp import create_app
from webapp import dates, quantities
from webapp import links as search_links
from webapp.security import CSP

XSS_TITLE = "<script>alert(1)</script> Banjir <img src=x onerror=alert(1)>"
XSS_BODY = "Isi berita <script>alert(1)</script> banjir besar <img src=x onerror=alert(1)> di kota."
RAW_XSS = ("<script>alert", "<img src=x onerror", "<img src=x")


# ============================================================================ fake engine

def _mark(text: str, words: list[str]) -> str:
    html = str(escape(text))
    for word in words:
        html = re.sub(re.escape(str(escape(word))), lambda m: f"<mark>{m.group(0)}</mark>", html,
                      flags=re.I)
    return html


def _articles() -> list[ArticleView]:
    out = [
        ArticleView(id="a1", url="https://example.com/2024/07/12/banjir", title="Banjir rendam ribuan rumah di Bekasi",
                    lead="Ribuan rumah terendam banjir.", body="Ribuan rumah terendam banjir.\nWarga mengungsi ke masjid.\n\nBantuan mulai datang.",
                    caption="Warga mengungsi dengan perahu karet", section="Daerah", subsection="Jabodetabek",
                    outlet="Kompas.com", source="Antara", published=datetime(2024, 7, 12, 14, 5)),
        ArticleView(id="a2", url="javascript:alert(1)", title="Pesilat muda sabet emas", lead="",
                    body="Pesilat muda asal Bekasi meraih emas.", caption="", section="Olahraga",
                    subsection="", outlet="Detik", source="", published=datetime(2019, 9, 3)),
        ArticleView(id="a3", url="https://example.com/xss", title=XSS_TITLE, lead="", body=XSS_BODY,
                    caption="Foto <script>alert(1)</script>", section="Nasional", subsection="",
                    outlet="<b>Outlet</b>", source="<i>Antara</i>", published=datetime(2019, 10, 1, 8, 0)),
    ]
    for n in range(25):
        out.append(ArticleView(id=f"b{n:02d}", url=f"https://example.com/b{n}", title=f"Harga cabai naik {n}",
                               lead="", body="Harga cabai di pasar naik lagi.", caption="", section="Ekonomi",
                               subsection="", outlet="Tempo", source="",
                               published=datetime(2019, 9 + n % 2, 1 + n)))
    return out


class FakeEngine:
    """Same interface as indexer.search.engine.SearchEngine, over a handful of articles."""

    def __init__(self):
        self.articles = {a.id: a for a in _articles()}
        self.requests = []
        self.suggest_calls = []
        self.extra_total = 0
        self.took_ms = 53.2
        self.duplicates = {"a1": 2}
        self.fail: Exception | None = None
        self.articles["a1"].related = [self._hit(self.articles["a2"], [])]

    def _hit(self, a: ArticleView, words: list[str]) -> Hit:
        return Hit(id=a.id, url=a.url, title=a.title, title_html=_mark(a.title, words),
                   snippet_html=_mark(a.body[:200], words), section=a.section, outlet=a.outlet,
                   source=a.source, published=a.published, score=1.5,
                   duplicates=self.duplicates.get(a.id, 0))

    def search(self, req):
        self.requests.append(req)
        if self.fail:
            raise self.fail
        words = req.query.lower().split()
        docs = list(self.articles.values())
        fallback = False

        def text(a):
            return f"{a.title} {a.body}".lower()
        if words:
            found = [a for a in docs if all(w in text(a) for w in words)]
            if not found:
                found = [a for a in docs if any(w in text(a) for w in words)]
                fallback = bool(found) and len(words) > 1
            docs = found

        def month(a):
            return a.published.strftime("%Y-%m")

        def sec_ok(a):
            return not req.sections or a.section in req.sections

        def date_ok(a):
            return ((not req.months or month(a) in req.months)
                    and (not req.date_from or a.published.date() >= req.date_from)
                    and (not req.date_to or a.published.date() <= req.date_to))
        selected = [a for a in docs if sec_ok(a) and date_ok(a)]
        sections, months = {}, {}
        for a in docs:
            if date_ok(a):
                sections[a.section] = sections.get(a.section, 0) + 1
            if sec_ok(a):
                months[month(a)] = months.get(month(a), 0) + 1
        facets = {
            "section": [FacetValue(v, c, v in req.sections) for v, c in sorted(sections.items())],
            "date": [FacetValue(v, c, v in req.months, datenames.month_label(v)) for v, c in sorted(months.items())],
        }
        if req.sort == "oldest":
            selected.sort(key=lambda a: a.published)
        elif req.sort == "newest" or not words:
            selected.sort(key=lambda a: a.published, reverse=True)
        start = (req.page - 1) * req.per_page
        hits = [self._hit(a, words) for a in selected[start:start + req.per_page]]
        suggestion = "banjir" if req.query == "banjr" else None
        return SearchResult(request=req, total=len(selected) + self.extra_total, hits=hits, facets=facets,
                            suggestion=suggestion, took_ms=self.took_ms, generation="g-test",
                            fallback_or=fallback)

    def article(self, doc_id):
        if self.fail:
            raise self.fail
        return self.articles.get(doc_id)

    def suggest(self, prefix, limit=8):
        self.suggest_calls.append((prefix, limit))
        return [Suggestion("banjir", "term"), Suggestion("Banjir rendam ribuan rumah di Bekasi", "title", "a1")][:limit]

    def stats(self):
        return IndexStats(documents=len(self.articles), generation="g-test", built_at="2024-07-12T00:00:00")

    def highlight_texts(self, query, texts):
        return [_mark(t, query.lower().split()) for t in texts]


def make_app(engine=None, **web):
    settings = Settings()
    if web:
        settings = settings.replace(web=web)
    return create_app(settings, engine=engine if engine is not None else FakeEngine())


@pytest.fixture
def engine():
    return FakeEngine()


@pytest.fixture
def app(engine):
    return make_app(engine)


@pytest.fixture
def client(app):
    return app.test_client()


class Links(HTMLParser):
    """Collect <a> elements: (href, attrs, text)."""

    def __init__(self):
        super().__init__()
        self.links, self._stack = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._stack.append([dict(attrs), ""])

    def handle_data(self, data):
        for item in self._stack:
            item[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._stack:
            attrs, text = self._stack.pop()
            self.links.append((attrs.get("href", ""), attrs, " ".join(text.split())))


def links(html: str):
    parser = Links()
    parser.feed(html)
    return parser.links


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query, keep_blank_values=True)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# ============================================================================ format helpers

def test_indonesian_dates_and_numbers():
    assert dates.format_date(datetime(2024, 7, 12, 14, 5)) == "Jumat, 12 Juli 2024"
    assert dates.format_date(date(2019, 9, 1)) == "Minggu, 1 September 2019"
    assert dates.format_date(date(2024, 2, 5), weekday=False) == "5 Februari 2024"
    assert dates.format_date(None) == ""
    assert dates.format_datetime(datetime(2024, 7, 12, 14, 5)) == "Jumat, 12 Juli 2024, 14.05 WIB"
    assert dates.format_datetime(datetime(2024, 7, 12)) == "Jumat, 12 Juli 2024"
    assert datenames.month_label("2019-09") == "September 2019"
    assert datenames.month_label("2024-12") == "Desember 2024"
    assert datenames.month_label("rusak") == "rusak"
    assert quantities.format_number(1234) == "1.234"
    assert quantities.format_number(1234567) == "1.234.567"
    assert quantities.format_number(7) == "7"
    assert quantities.format_seconds(53.2) == "0,05"
    assert quantities.format_seconds(1234) == "1,23"


@pytest.mark.parametrize("url, ok", [
    ("https://example.com/a", True), ("http://example.com", True), ("HTTPS://EXAMPLE.COM", True),
    ("javascript:alert(1)", False), ("data:text/html,x", False), ("//evil.example", False),
    ("/relative", False), ("", False), (None, False), ("ftp://x", False),
])
def test_is_http_url(url, ok):
    assert search_links.is_http_url(url) is ok


def test_url_builders_keep_other_params_and_reset_page():
    args = [("q", "banjir"), ("section", "Daerah"), ("month", "2019-09"), ("from", "2019-01-01"),
            ("sort", "newest"), ("page", "3"), ("utm", "x")]
    add = search_links.toggle_url("/", args, "section", "Olahraga")
    assert parse_qsl(urlsplit(add).query) == [("q", "banjir"), ("section", "Daerah"), ("section", "Olahraga"),
                                              ("month", "2019-09"), ("from", "2019-01-01"), ("sort", "newest")]
    drop = search_links.toggle_url("/", args, "section", "Daerah")
    assert parse_qsl(urlsplit(drop).query) == [("q", "banjir"), ("month", "2019-09"), ("from", "2019-01-01"),
                                               ("sort", "newest")]
    assert "page=" not in search_links.remove_url("/", args, "from")
    assert search_links.page_url("/", args, 1).count("page") == 0
    assert "page=4" in search_links.page_url("/", args, 4)
    assert search_links.url_with("/", args, sort=None) == "/?q=banjir&section=Daerah&month=2019-09&from=2019-01-01"
    assert search_links.clear_filters_url("/", args) == "/?q=banjir&sort=newest"
    assert search_links.hidden_fields(args, ["q"]) == [("section", "Daerah"), ("month", "2019-09"),
                                              ("from", "2019-01-01"), ("sort", "newest")]
    assert search_links.toggle_url("/", {}, "q", "a b&c") == "/?q=a+b%26c"


def test_page_window():
    assert search_links.page_window(1, 1) == [1]
    assert search_links.page_window(1, 5) == [1, 2, 3, 4, 5]
    assert search_links.page_window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert search_links.page_window(1, 20) == [1, 2, 3, None, 20]


# ============================================================================ app factory

def test_create_app_keeps_settings_out_of_app_config():
    settings = Settings().replace(web={"site_name": "Warta Uji"})
    app = create_app(settings, engine=FakeEngine())
    assert app.extensions["warta"].settings is settings
    assert not any("warta" in key.lower() for key in app.config)
    assert "Warta Uji" in app.test_client().get("/").get_data(as_text=True)


def test_engine_created_lazily_once_across_threads(monkeypatch):
    import indexer.search.engine as engine_module
    created = []

    class CountingEngine(FakeEngine):
        def __init__(self, settings):
            created.append(settings)
            super().__init__()

    monkeypatch.setattr(engine_module, "SearchEngine", CountingEngine)
    settings = Settings()
    app = create_app(settings)
    assert created == []                       # nothing opened at import/fork time
    state = app.extensions["warta"]
    barrier = threading.Barrier(8)
    seen = []

    def worker():
        barrier.wait()
        seen.append(state.engine)
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(created) == 1 and created[0] is settings
    assert all(e is seen[0] for e in seen)
    assert app.test_client().get("/api/search?q=banjir").status_code == 200


def test_no_index_gives_503_and_recovers_when_index_appears(monkeypatch):
    import indexer.search.engine as engine_module
    available = {"yes": False}

    class MaybeEngine(FakeEngine):
        def __init__(self, settings):
            if not available["yes"]:
                raise engine_module.IndexUnavailable("no index")
            super().__init__()

    monkeypatch.setattr(engine_module, "SearchEngine", MaybeEngine)
    client = create_app(Settings()).test_client()
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
    r = client.get("/api/search?q=x")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "index_unavailable"
    r = client.get("/")
    assert r.status_code == 503 and r.mimetype == "text/html"
    assert "Indeks pencarian belum tersedia" in r.get_data(as_text=True)
    available["yes"] = True                    # an index gets built: no restart needed
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "documents": 28, "generation": "g-test",
                            "built_at": "2024-07-12T00:00:00"}


# ============================================================================ JSON API contract

def _check_hit(hit):
    for key, kind in [("id", str), ("url", str), ("title", str), ("section", str), ("outlet", str),
                      ("snippet", str), ("score", float)]:
        assert isinstance(hit[key], kind), key
    assert hit["published"] is None or isinstance(hit["published"], str)
    if hit["published"]:
        datetime.fromisoformat(hit["published"])


def test_api_search_shape(client):
    r = client.get("/api/search?q=banjir")
    assert r.status_code == 200 and r.mimetype == "application/json"
    body = r.get_json()
    for key in ("query", "total", "page", "per_page", "took_ms", "results", "facets", "suggestion"):
        assert key in body
    assert body["query"] == "banjir"
    assert isinstance(body["total"], int) and body["total"] >= 1
    assert (body["page"], body["per_page"]) == (1, 10)
    assert isinstance(body["took_ms"], float)
    assert body["suggestion"] is None
    assert set(body["facets"]) >= {"section", "date"}
    for name in ("section", "date"):
        for value in body["facets"][name]:
            assert isinstance(value["value"], str) and isinstance(value["count"], int)
            assert isinstance(value["selected"], bool)
    assert {"value": "2024-07", "count": 1, "selected": False, "label": "Juli 2024"} in body["facets"]["date"]
    assert body["results"]
    for hit in body["results"]:
        _check_hit(hit)
    first = next(h for h in body["results"] if h["id"] == "a1")
    assert first["published"] == "2024-07-12T14:05:00"
    assert first["snippet"].count("<mark>") >= 1
    assert first["duplicates"] == 2
    assert first["link"].endswith("/artikel/a1")


def test_api_search_passes_every_parameter(client, engine):
    r = client.get("/api/search?q=cabai&section=Ekonomi&section=Daerah&month=2019-09&month=2019-10"
                   "&from=2019-09-01&to=2019-10-31&sort=oldest&page=2&per_page=5")
    assert r.status_code == 200
    req = engine.requests[-1]
    assert req.query == "cabai"
    assert req.sections == ("Ekonomi", "Daerah") and req.months == ("2019-09", "2019-10")
    assert (req.date_from, req.date_to) == (date(2019, 9, 1), date(2019, 10, 31))
    assert (req.sort, req.page, req.per_page) == ("oldest", 2, 5)
    body = r.get_json()
    assert (body["page"], body["per_page"], body["sort"]) == (2, 5, "oldest")
    selected = [v["value"] for v in body["facets"]["section"] if v["selected"]]
    assert selected == ["Ekonomi"]          # Daerah has no cabai articles in the fake corpus


def test_api_suggestion_and_fallback(client):
    body = client.get("/api/search?q=banjr").get_json()
    assert body["suggestion"] == "banjir"
    body = client.get("/api/search?q=banjir+zzzz").get_json()
    assert body["fallback_or"] is True and body["total"] >= 1


@pytest.mark.parametrize("query, code, param", [
    ("from=2024-02-30", "invalid_date", "from"),
    ("to=kemarin", "invalid_date", "to"),
    ("from=2024-07-13&to=2024-07-12", "invalid_range", "from"),
    ("sort=terbaru", "invalid_sort", "sort"),
    ("page=0", "invalid_page", "page"),
    ("page=1001", "invalid_page", "page"),
    ("page=abc", "invalid_page", "page"),
    ("per_page=51", "invalid_per_page", "per_page"),
    ("per_page=x", "invalid_per_page", "per_page"),
    ("month=2019-13", "invalid_month", "month"),
])
def test_api_bad_params_400_json(client, engine, query, code, param):
    r = client.get("/api/search?q=banjir&" + query)
    assert r.status_code == 400 and r.mimetype == "application/json"
    error = r.get_json()["error"]
    assert error["code"] == code and error["param"] == param
    assert error["message"] and "Traceback" not in error["message"]
    assert r.headers["Cache-Control"] == "no-store"
    assert engine.requests == []


@pytest.mark.parametrize("query", ["from=2024-02-30", "sort=x", "page=-1", "per_page=0"])
def test_html_bad_params_400_page(client, query):
    r = client.get("/?q=banjir&" + query)
    assert r.status_code == 400 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert '<html lang="id">' in html and "Parameter tidak valid" in html
    assert "tidak" in html                    # the Indonesian message from RequestError
    assert r.headers["Content-Security-Policy"] == CSP


def test_api_query_is_cut_not_rejected(client, engine):
    r = client.get("/api/search?q=" + "a" * 5000)
    assert r.status_code == 200
    assert len(engine.requests[-1].query) == Settings().search.max_query_chars


def test_api_article(client):
    r = client.get("/api/articles/a1")
    assert r.status_code == 200
    body = r.get_json()
    for key in ("id", "url", "title", "lead", "body", "caption", "section", "subsection", "outlet",
                "source", "published", "related"):
        assert key in body, key
    assert body["published"] == "2024-07-12T14:05:00" and body["source"] == "Antara"
    assert body["related"] and set(body["related"][0]) >= {"id", "title", "url", "published", "section", "outlet"}
    assert body["related"][0]["id"] == "a2"


def test_api_unknown_article_404_json(client):
    for path in ("/api/articles/nope", "/api/articles/" + "x" * 500, "/api/articles/a/b"):
        r = client.get(path)
        assert r.status_code == 404 and r.mimetype == "application/json"
        assert r.get_json()["error"]["code"] == "not_found"


def test_api_unknown_route_and_method(client):
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.post("/api/search")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]
    r = client.delete("/api/articles/a1")
    assert r.status_code == 405 and r.mimetype == "application/json"


def test_api_suggest(client, engine):
    r = client.get("/api/suggest?q=banj")
    assert r.status_code == 200
    body = r.get_json()
    assert body["query"] == "banj"
    assert body["suggestions"][0] == {"text": "banjir", "kind": "term", "id": None}
    assert body["suggestions"][1]["kind"] == "title" and body["suggestions"][1]["id"] == "a1"
    assert client.get("/api/suggest?q=").get_json() == {"query": "", "suggestions": []}
    assert client.get("/api/suggest").get_json() == {"query": "", "suggestions": []}
    assert len(engine.suggest_calls) == 1
    body = client.get("/api/suggest?q=" + "b" * 300).get_json()
    assert body["query"] == "b" * 100 and engine.suggest_calls[-1][0] == "b" * 100
    assert len(client.get("/api/suggest?q=banj&limit=1").get_json()["suggestions"]) == 1
    for bad in ("0", "21", "x", "%09", "1.0"):
        r = client.get("/api/suggest?q=banj&limit=" + bad)
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_limit"
    assert client.get("/api/suggest?q=banj&limit=").status_code == 200


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok" and body["documents"] == 28 and body["generation"] == "g-test"
    assert r.headers["Cache-Control"] == "no-store"


def test_unexpected_error_is_json_500_without_traceback(client, engine, caplog):
    engine.fail = RuntimeError("rahasia internal")
    with caplog.at_level(logging.ERROR, logger="webapp"):
        r = client.get("/api/search?q=banjir")
    assert r.status_code == 500 and r.mimetype == "application/json"
    assert r.get_json() == {"error": {"code": "internal_error",
                                      "message": "Terjadi kesalahan pada server. Silakan coba lagi nanti."}}
    assert "rahasia" not in r.get_data(as_text=True)
    assert any("rahasia internal" in (rec.exc_text or str(rec.exc_info)) for rec in caplog.records)
    r = client.get("/api/articles/a1")
    assert r.status_code == 500 and r.get_json()["error"]["code"] == "internal_error"
    r = client.get("/?q=banjir")
    assert r.status_code == 500 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "Kesalahan server" in html and "rahasia" not in html and "Traceback" not in html


def test_warta_errors_are_mapped_once_by_whose_fault_they_are(client, engine, caplog):
    """A RequestError raised by the engine (not only by parameter parsing) is the client's: 400
    with its Indonesian message; a server-side WartaError (configuration, lexicon) is a logged 500
    that never shows the operator's message."""
    from indexer.config import ConfigError
    from indexer.errors import RequestError
    from indexer.lexicon import LexiconError
    engine.fail = RequestError("invalid_sort", "Urutan “x” tidak dikenal.", "sort")
    r = client.get("/api/search?q=banjir")
    assert r.status_code == 400 and r.get_json() == {
        "error": {"code": "invalid_sort", "message": "Urutan “x” tidak dikenal.", "param": "sort"}}
    r = client.get("/?q=banjir")
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "Urutan “x” tidak dikenal." in r.get_data(as_text=True)
    for err in (ConfigError("[search] bad value in /etc/warta.toml"), LexiconError("lexicon.tsv:3: bad line")):
        engine.fail = err
        with caplog.at_level(logging.ERROR, logger="webapp"):
            r = client.get("/api/search?q=banjir")
        assert r.status_code == 500 and r.get_json()["error"]["code"] == "internal_error"
        assert str(err) not in r.get_data(as_text=True)
        assert any(str(err) in (rec.exc_text or "") for rec in caplog.records)


# ============================================================================ headers, CORS, caching

def test_security_headers_everywhere(client):
    for path in ("/", "/?q=banjir", "/artikel/a1", "/artikel/nope", "/api/search", "/api/articles/nope",
                 "/healthz", "/static/app.css", "/static/app.js", "/api/openapi.json"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        if r.mimetype == "text/html":
            assert r.headers["Content-Security-Policy"] == CSP, path
            assert r.headers["X-Frame-Options"] == "SAMEORIGIN", path
        else:
            assert "X-Frame-Options" not in r.headers, path
    assert CSP == ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                   "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")


def test_html_has_no_inline_scripts_or_styles(client):
    for path in ("/", "/?q=banjir&section=Daerah", "/artikel/a1", "/artikel/nope", "/?page=0"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and " style=" not in html and " on" + "click=" not in html, path
        assert "//cdn" not in html and "https://" not in re.sub(r'href="https://example\.com[^"]*"', "", html)


def test_json_cache_control(client):
    r = client.get("/api/search?q=banjir")
    assert r.headers["Cache-Control"] == "public, max-age=60"
    app = make_app(cache_seconds=300)
    assert app.test_client().get("/api/suggest?q=b").headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/api/articles/nope").headers["Cache-Control"] == "no-store"


def test_proxy_hops_make_urls_and_address_follow_forwarded_headers():
    """[web] proxy_hops = 1 (behind deploy/nginx/warta.conf): the last X-Forwarded-Proto/-Host/-For
    value is the scheme, host and client address; 0 (the default): anyone's headers are ignored."""
    # as deploy/nginx/warta.conf sends them ($host:$server_port; https drops the default :443)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "warta.example:443",
                 "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "8443"}

    def embed_and_link(client, headers):
        embed = client.get("/embed", headers=headers).get_data(as_text=True)
        link = client.get("/api/search?q=banjir", headers=headers).get_json()["results"][0]["link"]
        return embed, link

    behind = make_app(proxy_hops=1).test_client()
    embed, link = embed_and_link(behind, forwarded)
    assert "https://warta.example/widget.js" in embed and link.startswith("https://warta.example/artikel/")
    assert "8443" not in embed + link                          # the port is never taken from a header
    assert behind.get("/metrics", headers=forwarded).status_code == 404   # client 203.0.113.7, not allowed
    assert behind.get("/metrics").status_code == 200                       # no proxy: 127.0.0.1 itself
    # a value the client put in front of the proxy's own is not believed with one hop
    chained = {"X-Forwarded-Proto": "http, https", "X-Forwarded-Host": "evil.example, warta.example",
               "X-Forwarded-For": "127.0.0.1, 203.0.113.7"}
    embed, link = embed_and_link(behind, chained)
    assert "https://warta.example/widget.js" in embed and "evil.example" not in embed
    assert behind.get("/metrics", headers=chained).status_code == 404

    direct = make_app().test_client()
    from werkzeug.middleware.proxy_fix import ProxyFix
    assert not isinstance(direct.application.wsgi_app, ProxyFix)
    embed, link = embed_and_link(direct, forwarded)
    assert "http://localhost/widget.js" in embed and "warta.example" not in embed
    assert link.startswith("http://localhost/artikel/")
    assert direct.get("/metrics", headers=forwarded).status_code == 200   # the header is not believed


def test_cors_wildcard(client):
    r = client.get("/api/search?q=banjir", headers={"Origin": "https://koran.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    r = client.get("/?q=banjir", headers={"Origin": "https://koran.example"})
    assert "Access-Control-Allow-Origin" not in r.headers      # HTML pages are not CORS-enabled


def test_cors_listed_origins():
    client = make_app(cors_origins=("https://koran.example", "https://blog.example")).test_client()
    r = client.get("/api/search?q=banjir", headers={"Origin": "https://blog.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://blog.example"
    assert "Origin" in r.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in r.headers
    r = client.get("/api/search?q=banjir", headers={"Origin": "https://jahat.example"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers and "Origin" in r.headers["Vary"]
    r = client.get("/api/search?q=banjir")
    assert "Access-Control-Allow-Origin" not in r.headers
    r = client.options("/api/search", headers={"Origin": "https://jahat.example",
                                               "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204 and "Access-Control-Allow-Origin" not in r.headers
    r = client.get("/api/search?page=0", headers={"Origin": "https://koran.example"})
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == "https://koran.example"


def test_cors_applies_to_widget_js():
    app = make_app(cors_origins=("https://koran.example",))
    if "/widget.js" not in {r.rule for r in app.url_map.iter_rules()}:   # served by the widget module
        app.add_url_rule("/widget.js", "widget_stub",
                         lambda: app.response_class("/* widget */", mimetype="text/javascript"))
    client = app.test_client()
    r = client.get("/widget.js", headers={"Origin": "https://koran.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://koran.example"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get("/widget.js", headers={"Origin": "https://lain.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    r = client.options("/widget.js", headers={"Origin": "https://koran.example",
                                              "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204 and r.headers["Access-Control-Max-Age"] == "86400"
    r = client.get("/static/app.js", headers={"Origin": "https://koran.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    vary = client.get("/api/search", headers={"Origin": "https://koran.example"}).headers["Vary"]
    assert [v.strip() for v in vary.split(",")].count("Origin") == 1


@pytest.mark.parametrize("path", ["/api/search", "/api/suggest", "/api/articles/a1", "/api/openapi.json"])
def test_cors_preflight(client, path):
    r = client.options(path, headers={"Origin": "https://koran.example", "Access-Control-Request-Method": "GET",
                                      "Access-Control-Request-Headers": "Content-Type"})
    assert r.status_code == 204
    assert r.get_data() == b""
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    assert r.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert r.headers["Access-Control-Max-Age"] == "86400"
    assert "Access-Control-Allow-Credentials" not in r.headers


# ============================================================================ OpenAPI

def _route_paths(app):
    out = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", "{id}", rule.rule)
        if path.startswith("/api/") or path == "/healthz":
            out.add(path)
    return out


def test_openapi_lists_every_path_and_parameter(app, client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.get_data(as_text=True))
    assert doc["openapi"].startswith("3.0")
    assert set(doc["paths"]) == _route_paths(app) == {
        "/api/search", "/api/articles/{id}", "/api/suggest", "/api/openapi.json", "/healthz"}
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert set(params) == {"q", "section", "month", "from", "to", "sort", "page", "per_page"}
    assert params["sort"]["schema"]["enum"] == ["relevance", "newest", "oldest"]
    assert (params["page"]["schema"]["minimum"], params["page"]["schema"]["maximum"]) == (1, 1000)
    assert params["per_page"]["schema"]["maximum"] == Settings().search.max_per_page
    assert params["section"]["schema"]["type"] == "array"
    schemas = doc["components"]["schemas"]
    assert set(schemas["SearchResponse"]["required"]) == {
        "query", "total", "page", "per_page", "took_ms", "results", "facets", "suggestion"}
    assert set(schemas["Hit"]["required"]) == {"id", "url", "title", "section", "outlet", "published",
                                               "snippet", "score"}
    assert schemas["Error"]["properties"]["error"]["required"] == ["code", "message"]
    for path, item in doc["paths"].items():
        for op in item.values():
            for status, response in op["responses"].items():
                assert "application/json" in response["content"], (path, status)
    # every $ref resolves
    for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc)):
        assert ref in schemas


def test_openapi_follows_settings():
    settings = Settings().replace(search={"max_per_page": 20}, web={"public_url": "https://warta.example/"})
    doc = create_app(settings, engine=FakeEngine()).test_client().get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in doc["paths"]["/api/search"]["get"]["parameters"]}
    assert params["per_page"]["schema"]["maximum"] == 20
    assert doc["servers"] == [{"url": "https://warta.example"}]


def _validator(doc, name):
    """JSON Schema (2020-12) for one OpenAPI component; `nullable: true` becomes a type list."""
    def convert(node):
        if isinstance(node, dict):
            node = {k: convert(v) for k, v in node.items()}
            if node.pop("nullable", False) and "type" in node:
                node["type"] = [node["type"], "null"]
            return node
        if isinstance(node, list):
            return [convert(v) for v in node]
        return node
    defs = json.loads(json.dumps(doc["components"]["schemas"]).replace("#/components/schemas/", "#/$defs/"))
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": convert(defs),
              "$ref": f"#/$defs/{name}"}
    try:
        import jsonschema_rs
        return jsonschema_rs.validator_for(schema).validate
    except ImportError:
        jsonschema = pytest.importorskip("jsonschema")
        return jsonschema.Draft202012Validator(schema).validate


def test_api_responses_validate_against_openapi(client):
    doc = client.get("/api/openapi.json").get_json()
    for path, name, status in [
        ("/api/search?q=banjir", "SearchResponse", 200), ("/api/search", "SearchResponse", 200),
        ("/api/search?q=banjr", "SearchResponse", 200), ("/api/search?page=0", "Error", 400),
        ("/api/articles/a1", "Article", 200), ("/api/articles/x", "Error", 404),
        ("/api/suggest?q=ba", "SuggestResponse", 200), ("/api/suggest?limit=x", "Error", 400),
        ("/healthz", "Health", 200),
    ]:
        r = client.get(path)
        assert r.status_code == status, path
        _validator(doc, name)(r.get_json())
    with pytest.raises(Exception):
        _validator(doc, "SearchResponse")({"query": "x"})


# ============================================================================ HTML search page

def test_search_page_results(client):
    client.application.extensions["warta"].engine.extra_total = 1234 - 2
    r = client.get("/?q=banjir")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    text = text_of(html)
    assert "1.234 hasil (0,05 detik)" in text
    assert '<html lang="id">' in html and 'role="search"' in html and '<main id="konten"' in html
    assert '<label class="visually-hidden" for="q">' in html
    assert 'value="banjir"' in html
    assert 'href="/artikel/a1?q=' in html                  # the search travels with the link
    assert "<mark>Banjir</mark> rendam" in html                 # title_html rendered as markup
    assert "Jumat, 12 Juli 2024" in text
    assert "Kompas.com" in text and "Daerah" in text
    assert "2 outlet lain memuat berita ini" in text
    assert "Rubrik" in text and "Bulan" in text and "Juli 2024" in text
    assert "Relevansi" in text and "Terbaru" in text and "Terlama" in text


def test_facet_toggle_links_keep_other_params(client):
    r = client.get("/?q=cabai&section=Ekonomi&from=2019-01-01&to=2019-12-31&sort=newest&per_page=5&page=2")
    html = r.get_data(as_text=True)
    facet_links = [(href, attrs) for href, attrs, _t in links(html) if "facet-link" in attrs.get("class", "")]
    assert facet_links
    for href, attrs in facet_links:
        q = query_of(href)
        assert q["q"] == ["cabai"] and q["from"] == ["2019-01-01"] and q["to"] == ["2019-12-31"]
        assert q["sort"] == ["newest"] and q["per_page"] == ["5"]
        assert "page" not in q
    ekonomi = next(href for href, attrs in facet_links if "section=" not in href or
                   ("selected" in attrs.get("class", "") and "section" not in query_of(href)))
    assert "section" not in query_of(ekonomi)          # the selected value toggles off
    month_links = [href for href, _a in facet_links if "month=" in href]
    assert month_links and all(query_of(h)["section"] == ["Ekonomi"] for h in month_links)
    # chips: remove one filter, keep the rest
    chip_hrefs = {t: h for h, a, t in links(html) if "chip" in a.get("class", "")}
    remove_section = next(h for t, h in chip_hrefs.items() if t.startswith("Rubrik: Ekonomi"))
    assert "section" not in query_of(remove_section) and query_of(remove_section)["from"] == ["2019-01-01"]
    remove_from = next(h for t, h in chip_hrefs.items() if t.startswith("Dari:"))
    assert "from" not in query_of(remove_from) and query_of(remove_from)["section"] == ["Ekonomi"]
    clear = chip_hrefs["Hapus semua filter"]
    assert query_of(clear) == {"q": ["cabai"], "sort": ["newest"], "per_page": ["5"]}


def test_sort_switch_and_pagination(client):
    html = client.get("/?q=cabai&section=Ekonomi&page=2&per_page=5").get_data(as_text=True)
    by_text = {t: (h, a) for h, a, t in links(html)}
    newest, _ = by_text["Terbaru"]
    assert query_of(newest) == {"q": ["cabai"], "section": ["Ekonomi"], "per_page": ["5"], "sort": ["newest"]}
    assert by_text["Relevansi"][1].get("aria-current") == "true"
    prev, prev_attrs = by_text["‹ Sebelumnya"]
    assert "page" not in query_of(prev) and prev_attrs.get("rel") == "prev"
    nxt, _ = by_text["Berikutnya ›"]
    assert query_of(nxt)["page"] == ["3"] and query_of(nxt)["section"] == ["Ekonomi"]
    current = [h for h, a, t in links(html) if a.get("aria-current") == "page"]
    assert len(current) == 1 and query_of(current[0])["page"] == ["2"]
    assert 'aria-label="Halaman hasil"' in html
    last = client.get("/?q=cabai&page=3").get_data(as_text=True)
    assert "Berikutnya ›</span>" in last            # disabled on the last page


def test_date_form_keeps_other_params(client):
    html = client.get("/?q=cabai&section=Ekonomi&month=2019-09&sort=oldest&from=2019-09-01").get_data(as_text=True)
    form = html[html.index('class="date-form"'):]
    form = form[:form.index("</form>")]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    assert hidden == [("q", "cabai"), ("section", "Ekonomi"), ("month", "2019-09"), ("sort", "oldest")]
    assert 'name="from" value="2019-09-01"' in form and 'for="tgl-dari"' in form
    header = html[html.index('role="search"'):]
    header = header[:header.index("</form>")]
    assert re.findall(r'type="hidden" name="([^"]+)"', header) == ["section", "month", "from", "sort"]


def test_empty_state_suggestion_and_fallback(client):
    html = client.get("/?q=zzzz").get_data(as_text=True)
    assert "Tidak ada hasil untuk “<strong>zzzz</strong>”" in html
    html = client.get("/?q=banjr&section=Daerah").get_data(as_text=True)
    suggestion = [h for h, a, t in links(html) if t == "banjir"]
    assert "Maksud Anda:" in html and suggestion
    assert query_of(suggestion[0]) == {"q": ["banjir"], "section": ["Daerah"]}
    html = client.get("/?q=banjir+zzzz").get_data(as_text=True)
    assert ("Tidak ada artikel yang memuat semua kata; menampilkan hasil yang memuat sebagian kata."
            in html)


def test_empty_query_browses_newest(client, engine):
    r = client.get("/")
    assert r.status_code == 200
    assert engine.requests[-1].query == ""
    html = r.get_data(as_text=True)
    assert "Berita terbaru" in html and "Tidak ada hasil" not in html
    assert html.index("Banjir rendam") < html.index("Harga cabai naik")    # newest first


def test_search_page_mobile_friendly(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    css = client.get("/static/app.css").get_data(as_text=True)
    assert ":focus-visible" in css and "@media (min-width" in css


# ============================================================================ article page

def test_article_page(client):
    r = client.get("/artikel/a1")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    text = text_of(html)
    assert "<h1 id=\"judul-artikel\">Banjir rendam ribuan rumah di Bekasi</h1>" in html
    assert "Kompas.com" in text and "Daerah › Jabodetabek" in text
    assert "Jumat, 12 Juli 2024, 14.05 WIB" in text
    assert "Sumber: Antara" in text
    assert "Warga mengungsi dengan perahu karet" in text
    assert "<p>Warga mengungsi ke masjid.</p>" in html and "<p>Bantuan mulai datang.</p>" in html
    original = [(h, a) for h, a, t in links(html) if t.startswith("Baca artikel asli")]
    assert original == [("https://example.com/2024/07/12/banjir",
                         {"href": "https://example.com/2024/07/12/banjir", "rel": "noopener nofollow"})]
    assert "Berita terkait" in html and 'href="/artikel/a2"' in html
    assert any(t == "‹ Kembali ke pencarian" and h == "/" for h, a, t in links(html))


def test_article_without_http_url_has_no_original_link(client):
    html = client.get("/artikel/a2").get_data(as_text=True)
    assert "javascript:" not in html and "Baca artikel asli" not in html
    assert "Berita terkait" not in html


def test_unknown_article_404_html(client):
    r = client.get("/artikel/tidak-ada")
    assert r.status_code == 404 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert "Artikel tidak ditemukan" in html and '<html lang="id">' in html
    r = client.get("/halaman/lain")
    assert r.status_code == 404 and "Tidak ditemukan" in r.get_data(as_text=True)


# ============================================================================ escaping (fake engine)

def _assert_no_raw_markup(html: str, where: str):
    for raw in RAW_XSS:
        assert raw not in html, (where, raw)


def test_hostile_article_escaped_everywhere_fake(client):
    html = client.get("/?q=alert").get_data(as_text=True)
    assert 'href="/artikel/a3?' in html
    _assert_no_raw_markup(html, "search")
    assert "&lt;script&gt;" in html and "&lt;b&gt;Outlet&lt;/b&gt;" in html
    html = client.get("/artikel/a3").get_data(as_text=True)
    _assert_no_raw_markup(html, "article")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Banjir &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Sumber: &lt;i&gt;Antara&lt;/i&gt;" in html
    raw = client.get("/api/search?q=alert").get_data(as_text=True)
    assert "<" not in raw and ">" not in raw                   # JSON writes them as \u003c / \u003e
    body = json.loads(raw)
    hit = next(h for h in body["results"] if h["id"] == "a3")
    assert hit["title"] == XSS_TITLE                            # data is data
    assert "<script" not in hit["snippet"] and "&lt;script&gt;" in hit["snippet"]
    raw = client.get("/api/articles/a3").get_data(as_text=True)
    assert "<" not in raw and json.loads(raw)["title"] == XSS_TITLE


def test_hostile_query_escaped(client):
    q = '"><script>alert(1)</script>'
    for path in ("/?q=" + q, "/?q=" + q + "&page=0", "/?q=zz&section=" + q):
        html = client.get(path, query_string=None).get_data(as_text=True)
        _assert_no_raw_markup(html, path)


# ============================================================================ serve

def test_serve_options_and_bind():
    from webapp import serve
    settings = Settings().replace(web={"host": "0.0.0.0", "port": 9000, "workers": 3, "threads": 6})
    opts = serve.gunicorn_options(settings, serve.parser().parse_args([]))
    assert opts["bind"] == ["0.0.0.0:9000"] and opts["workers"] == 3 and opts["threads"] == 6
    assert opts["worker_class"] == "gthread"
    opts = serve.gunicorn_options(Settings(), serve.parser().parse_args(
        ["--host", "::1", "--port", "8123", "--workers", "1", "--threads", "2"]))
    assert opts["bind"] == ["[::1]:8123"] and (opts["workers"], opts["threads"]) == (1, 2)
    assert serve.gunicorn_options(Settings(), serve.parser().parse_args([]))["bind"] == ["127.0.0.1:8000"]
    # a connection per request by default (a free worker takes it), keep-alive when configured
    assert serve.gunicorn_options(Settings(), serve.parser().parse_args([]))["keepalive"] == 0
    assert serve.gunicorn_options(Settings().replace(web={"keepalive": 5}),
                                  serve.parser().parse_args([]))["keepalive"] == 5
    app = serve.WartaServer(make_app(), opts)
    assert app.cfg.worker_class_str == "gthread" and app.cfg.threads == 2


@pytest.mark.parametrize("configured,argv,expected", [
    (False, [], None),                       # default: no access log
    (True, [], "-"),                         # [web] access_log = true: stdout
    (False, ["--access-log"], "-"),          # the option wins over the config...
    (True, ["--no-access-log"], None),       # ...both ways
])
def test_serve_access_log_from_config_and_option(configured, argv, expected):
    from webapp import serve
    settings = Settings().replace(web={"access_log": configured})
    opts = serve.gunicorn_options(settings, serve.parser().parse_args(argv))
    assert opts["accesslog"] == expected
    app = serve.WartaServer(make_app(), opts)       # gunicorn accepts it: "-" is its stdout
    assert app.cfg.accesslog == expected and app.cfg.errorlog == "-"


def test_access_log_setting_loads_from_toml(tmp_path):
    from indexer.config import ConfigError, load_settings
    config = tmp_path / "config.toml"
    config.write_text("[web]\naccess_log = true\n")
    assert load_settings(config).web.access_log is True
    assert Settings().web.access_log is False
    config.write_text('[web]\naccess_log = "yes"\n')
    with pytest.raises(ConfigError, match="access_log"):
        load_settings(config)


def test_serve_bad_config_exits_2(tmp_path, capsys):
    from webapp import serve
    assert serve.main(["--config", str(tmp_path / "nope.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
    assert serve.main(["--config", str(tmp_path / "nope.toml"), "--port", "-1"]) == 2


# ============================================================================ real indexes

@pytest.fixture(scope="module")
def demo_client(demo_settings):
    return create_app(demo_settings).test_client()


def test_demo_index_end_to_end(demo_client):
    health = demo_client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["documents"] > 0
    body = demo_client.get("/api/search?q=banjir").get_json()
    assert body["total"] > 0 and body["results"]
    for hit in body["results"]:
        _check_hit(hit)
    doc_id = body["results"][0]["id"]
    html = demo_client.get("/?q=banjir").get_data(as_text=True)
    assert f'href="/artikel/{doc_id}?q=' in html and re.search(r"\d hasil\s+\(", html)
    r = demo_client.get(f"/artikel/{doc_id}")
    assert r.status_code == 200 and "Kembali ke pencarian" in r.get_data(as_text=True)
    article = demo_client.get(f"/api/articles/{doc_id}").get_json()
    assert article["id"] == doc_id and isinstance(article["related"], list)
    browse = demo_client.get("/api/search?sort=newest").get_json()
    assert browse["total"] == health.get_json()["documents"] or browse["total"] > 0
    assert demo_client.get("/").status_code == 200
    assert isinstance(demo_client.get("/api/suggest?q=ban").get_json()["suggestions"], list)
    assert demo_client.get("/api/articles/tidak-ada").status_code == 404


def test_demo_timeline_follows_the_openapi_document(demo_client):
    doc = demo_client.get("/api/openapi.json").get_json()
    facets = doc["components"]["schemas"]["SearchResponse"]["properties"]["facets"]["properties"]
    assert set(facets["timeline"]["required"]) == {"granularity", "buckets", "undated"}
    assert set(doc["components"]["schemas"]["TimelineBucket"]["required"]) == {"start", "end", "count"}
    for path in ("/api/search?q=banjir", "/api/search", "/api/search?q=zzqqxx", "/api/search?from=2024-01-01"):
        body = demo_client.get(path).get_json()
        _validator(doc, "SearchResponse")(body)
        timeline = body["facets"]["timeline"]
        assert sum(b["count"] for b in timeline["buckets"]) + timeline["undated"] == body["total"], path
    assert demo_client.get("/api/search?q=banjir").get_json()["facets"]["timeline"]["buckets"]


def test_demo_suggest_and_health_keep_their_json_shapes(demo_client):
    """The typed IndexStats/Suggestion serialize to exactly the documented shapes (docs/api.md):
    same keys in the same order, same types."""
    health = demo_client.get("/healthz").get_json()
    assert list(health) == ["status", "documents", "generation", "built_at"]
    assert health["status"] == "ok" and type(health["documents"]) is int and health["documents"] > 0
    assert isinstance(health["generation"], str) and isinstance(health["built_at"], str)
    body = demo_client.get("/api/suggest?q=ban&limit=20").get_json()
    assert list(body) == ["query", "suggestions"] and body["query"] == "ban"
    kinds = set()
    for item in body["suggestions"]:
        assert list(item) == ["text", "kind", "id"] and isinstance(item["text"], str) and item["text"]
        assert (item["kind"], type(item["id"])) in (("term", type(None)), ("title", str))
        kinds.add(item["kind"])
    assert kinds == {"term", "title"}
    assert len(demo_client.get("/api/suggest?q=ban&limit=2").get_json()["suggestions"]) == 2


def test_fake_engines_implement_the_backend_protocol():
    from indexer.search.backend import SearchBackend
    assert isinstance(FakeEngine(), SearchBackend)


def test_demo_facet_links_round_trip(demo_client):
    body = demo_client.get("/api/search?q=bekasi").get_json()
    if not body["facets"]["section"]:
        pytest.skip("no section facets in the demo corpus")
    value = body["facets"]["section"][0]["value"]
    filtered = demo_client.get("/api/search", query_string={"q": "bekasi", "section": value}).get_json()
    assert filtered["total"] == body["facets"]["section"][0]["count"]
    assert all(h["section"] == value for h in filtered["results"])
    assert any(v["selected"] for v in filtered["facets"]["section"])


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from tests.conftest import build_index, jsonl_settings
    tmp = tmp_path_factory.mktemp("hostile")
    settings = jsonl_settings(tmp, [
        {"id": "xss1", "title": XSS_TITLE, "body": XSS_BODY + " Banjir melanda kota sejak pagi hari.",
         "lead": "Banjir <script>alert(1)</script> pagi", "date": "2024-07-12", "section": "Nasional",
         "url": "javascript:alert(1)", "outlet": "<b>Outlet</b>"},
        {"id": "ok1", "title": "Banjir surut di Bekasi", "body": "Banjir mulai surut di Bekasi pada sore hari.",
         "date": "2024-07-13", "section": "Daerah", "url": "https://example.com/ok1", "outlet": "Kompas.com"},
    ])
    build_index(settings)
    return create_app(settings).test_client()


def test_hostile_article_escaped_real_index(hostile_client):
    for path in ("/", "/?q=banjir", "/?q=alert", "/?q=script", "/artikel/xss1", "/?q=%3Cscript%3E"):
        r = hostile_client.get(path)
        assert r.status_code == 200, path
        html = r.get_data(as_text=True)
        _assert_no_raw_markup(html, path)
    html = hostile_client.get("/?q=banjir").get_data(as_text=True)
    assert 'href="/artikel/xss1?' in html and "&lt;script&gt;" in html
    html = hostile_client.get("/artikel/xss1").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "javascript:" not in html
    for path in ("/api/search?q=banjir", "/api/search?q=alert", "/api/articles/xss1"):
        raw = hostile_client.get(path).get_data(as_text=True)
        assert "<script" not in raw and "<img" not in raw, path
    body = hostile_client.get("/api/search?q=banjir").get_json()
    hit = next(h for h in body["results"] if h["id"] == "xss1")
    assert "<script" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "<script" not in hit["title_html"] and "&lt;script&gt;" in hit["title_html"]
    assert hit["title"] == XSS_TITLE


def test_build_if_missing_builds_once(tmp_path):
    from indexer.config import IndexSettings, SourceSettings
    from tests.conftest import DEMO_CORPUS
    from webapp import serve
    settings = Settings(index=IndexSettings(dir=tmp_path / "index", procs=1),
                        sources=(SourceSettings(name="demo", path=DEMO_CORPUS, format="text"),))
    try:
        assert serve.build_if_missing(settings) is True
    except ImportError as exc:
        pytest.skip(f"indexer not complete yet: {exc}")
    assert serve.build_if_missing(settings) is False
    from indexer.store import IndexStore
    assert IndexStore(settings.index).current() is not None
    no_sources = Settings(index=IndexSettings(dir=tmp_path / "other"))
    with pytest.raises(Exception, match="sources"):
        serve.build_if_missing(no_sources)


def test_build_if_missing_failing_is_one_line_and_exit_1(tmp_path, capsys):
    from webapp import serve
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ndir = "{tmp_path / "index"}"\n[[sources]]\nname = "arsip"\n'
                      f'path = "{tmp_path / "hilang"}"\n', encoding="utf-8")
    assert serve.main(["--config", str(config), "--build-if-missing", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("warta-serve: could not build the index: source 'arsip'") and err.count("\n") == 1


def test_warm_up_failures_never_stop_a_worker(caplog):
    """Expected ones (no index) are a line of info; anything else is logged with its traceback."""
    from types import SimpleNamespace

    from indexer.errors import IndexUnavailable
    from webapp import serve

    class Broken:
        def __init__(self, err):
            self.err = err

        def snapshot(self):
            raise self.err
    for err, level in ((IndexUnavailable("no index"), logging.INFO), (KeyError("segment"), logging.ERROR)):
        app = create_app(Settings().replace(web={"warmup_queries": 0}), engine=Broken(err))
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="test"):
            serve._warm_worker(SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
        assert [r.levelno for r in caplog.records if r.name == "test"] == [level]
        assert (caplog.records[-1].exc_info is not None) == (level == logging.ERROR)


def test_warta_serve_runs_gunicorn(demo_settings, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ndir = "{demo_settings.index.dir}"\n[web]\ncors_origins = ["https://koran.example"]\n',
                      encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "webapp.serve", "--config", str(config), "--port", "0",
                             "--workers", "1", "--threads", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        url, lines, deadline = None, [], time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = re.search(r"Warta is running at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                url = match.group(1)
        assert url, "".join(lines)
        health = None
        for _ in range(50):
            try:
                with urllib.request.urlopen(url + "healthz", timeout=5) as r:
                    health = json.load(r)
                break
            except urllib.error.HTTPError:
                raise
            except OSError:
                time.sleep(0.1)
        assert health and health["status"] == "ok" and health["documents"] > 0
        request = urllib.request.Request(url + "api/search?q=banjir", headers={"Origin": "https://koran.example"})
        with urllib.request.urlopen(request, timeout=5) as r:
            assert r.headers["Access-Control-Allow-Origin"] == "https://koran.example"
            assert json.load(r)["total"] > 0
        with urllib.request.urlopen(url + "?q=banjir", timeout=5) as r:
            assert r.headers["Content-Security-Policy"] == CSP
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        proc.stdout.close()


def test_serve_warms_a_worker_before_it_takes_requests(demo_settings, tmp_path):
    from types import SimpleNamespace

    from webapp import serve
    assert serve.gunicorn_options(Settings(), serve.parser().parse_args([]))["post_worker_init"] is serve._warm_worker
    app = create_app(demo_settings)
    serve._warm_worker(SimpleNamespace(wsgi=app, log=logging.getLogger("test")))
    engine = app.extensions["warta"]._engine
    assert engine is not None and engine._snapshot is not None and engine._snapshot._postings is not None
    # no index published yet: the worker starts anyway
    empty = create_app(Settings().replace(index={"dir": tmp_path / "none"}))
    serve._warm_worker(SimpleNamespace(wsgi=empty, log=logging.getLogger("test")))
    assert empty.extensions["warta"]._engine is not None and empty.extensions["warta"]._engine._snapshot is None


def test_serve_says_in_one_line_when_the_port_is_taken(tmp_path):
    """gunicorn used to retry five times and print a traceback-like log; now one line and exit 1."""
    import socket
    import subprocess
    import sys

    from tests.support import REPO

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "webapp.serve", "--port", str(port)], capture_output=True,
                             text=True, timeout=60, cwd=REPO)
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "--port" in lines[0], out.stderr


def test_result_count_is_exact_and_browsing_shows_its_real_order(client):
    html = client.get("/?q=banjir").get_data(as_text=True)
    count = " ".join(re.search(r'<p class="result-count"[^>]*>(.*?)</p>', html, re.S).group(1).split())
    assert re.fullmatch(r"\d+ hasil \((kurang dari )?\d+,\d\d detik\)", count), count
    browse = client.get("/").get_data(as_text=True)
    active = re.search(r'<a href="[^"]*" aria-current="true" class="active">([^<]+)</a>', browse).group(1)
    assert "terbaru lebih dulu" in browse and active == "Terbaru"


def test_a_query_without_words_is_an_empty_query_and_says_so(client):
    html = client.get("/", query_string={"q": '"(('}).get_data(as_text=True)
    assert "tidak berisi kata yang bisa dicari" in html and "terbaru lebih dulu" in html
    assert "Tidak ada hasil" not in html


def test_tiny_search_times_do_not_read_as_zero():
    assert quantities.format_seconds(3.2) == "kurang dari 0,01"


def test_an_article_opened_from_a_search_marks_its_words_and_leads_back(demo_client):
    results = demo_client.get("/?q=leptospirosis&section=Kesehatan").get_data(as_text=True)
    link = re.search(r'<h3 class="hit-title"[^>]*><a href="(/artikel/[^"]+)"', results).group(1)
    assert "q=leptospirosis" in link and "section=Kesehatan" in link
    html = demo_client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    body = html.split('class="article-body"', 1)[1].split("</div>", 1)[0]
    assert "<mark>Leptospirosis</mark>" in body or "<mark>leptospirosis</mark>" in body
    assert 'href="/?q=leptospirosis&amp;section=Kesehatan"' in html          # back to that very search
    plain = demo_client.get(link.split("?")[0]).get_data(as_text=True)
    assert "<mark>" not in plain.split('class="article-body"', 1)[1] and 'class="back-link"' in plain
    hostile = demo_client.get(link.split("?")[0], query_string={"q": '<script>alert(1)</script> banjir'})
    _assert_no_raw_markup(hostile.get_data(as_text=True), "article with a hostile q")


def test_help_page_is_linked_from_the_search_page_and_the_empty_state(demo_client):
    home = demo_client.get("/").get_data(as_text=True)
    assert 'href="/bantuan"' in home
    empty = demo_client.get("/?q=zzqqxx").get_data(as_text=True)
    assert "Tidak ada hasil" in empty and 'href="/bantuan"' in empty.split('class="empty-tips"', 1)[1]
    page = demo_client.get("/bantuan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="id">' in html
    for syntax in ('"harga emas"', "+jakarta", "-medali", "OR", "korup*", "judul:", "rubrik:", "media:"):
        assert syntax in html.replace("&#34;", '"').replace("&quot;", '"'), syntax
