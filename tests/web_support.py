"""A small real index for the web tests, the app on it, and HTML helpers.

`web_index` (a session fixture in tests/conftest.py) builds `ARTICLES` with the project's own
`indexer.build.build`; `make_app` puts `create_app` on it. Where a test must see what the app
passed to the engine, or make it fail, it uses `RecordingEngine`: the real `SearchEngine` with
its calls recorded and an optional error raised instead of answering (fault injection, not a fake).

The corpus: a1 is a flood story that two more outlets carried (a1-detik, a1-xss: one story, so a
search shows a1 with "2 outlet lain memuat berita ini"), a1-warga a related flood article, a2 a
sports article with a javascript: link and nothing related, a3 an article full of markup, b00..b24 chilli prices
(enough for three pages of ten).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from indexer.build import build as full_build
from indexer.search.engine import SearchEngine
from tests.support import settings_for, write_jsonl

XSS_TITLE = "<script>alert(1)</script> Banjir <img src=x onerror=alert(1)>"
XSS_BODY = "Isi berita <script>alert(1)</script> banjir besar <img src=x onerror=alert(1)> di kota."
RAW_XSS = ("<script>alert", "<img src=x onerror", "<img src=x")

FLOOD_BODY = ("Ribuan rumah di Bekasi terendam banjir setelah hujan deras mengguyur kawasan itu sejak Kamis "
              "malam hingga Jumat pagi, kata petugas pemadam kebakaran setempat kepada wartawan.\n"
              "Warga mengungsi ke masjid.\n\n"
              "Bantuan mulai datang dari pemerintah kota dan relawan yang membawa perahu karet, makanan, "
              "selimut dan obat-obatan untuk para pengungsi.")
COPY_TITLES = {"a1-detik": "Ribuan rumah di Bekasi terendam",
               "a1-xss": "<script>alert(1)</script> Rumah terendam <img src=x onerror=alert(1)>"}


def _article(id_, title, body, date, section, outlet, url, **extra):
    return {"id": id_, "title": title, "body": body, "date": date, "section": section, "outlet": outlet,
            "url": url, **extra}


ARTICLES = [
    _article("a1", "Banjir rendam ribuan rumah di Bekasi", FLOOD_BODY, "2024-07-12T14:05:00", "Daerah",
             "Kompas.com", "https://example.com/2024/07/12/banjir", lead="Ribuan rumah terendam banjir.",
             caption="Warga mengungsi dengan perahu karet", subsection="Jabodetabek", source="Antara"),
    _article("a1-detik", COPY_TITLES["a1-detik"], FLOOD_BODY, "2024-07-12T15:30:00", "Daerah", "Detik",
             "https://detik.example/banjir"),
    _article("a1-xss", COPY_TITLES["a1-xss"], FLOOD_BODY, "2024-07-13T09:00:00", "Daerah", "<b>Outlet</b>",
             "javascript:alert(1)"),
    _article("a1-warga", "Warga Bekasi mengungsi karena banjir",
             "Banjir melanda Bekasi sejak Kamis.\n\nRibuan rumah terendam dan warga Bekasi mengungsi ke masjid "
             "serta sekolah terdekat.",
             "2024-07-11", "Daerah", "Tempo", "https://example.com/warga-mengungsi"),
    _article("a2", "Pesilat muda sabet emas", "Pesilat muda asal Bandung meraih emas.", "2019-09-03", "Olahraga",
             "Detik", "javascript:alert(1)"),
    _article("a3", XSS_TITLE, XSS_BODY, "2019-10-01T08:00:00", "Nasional", "<b>Outlet</b>",
             "https://example.com/xss", caption="Foto <script>alert(1)</script>", source="<i>Antara</i>"),
] + [
    _article(f"b{n:02d}", f"Harga cabai naik {n}", "Harga cabai di pasar naik lagi.",
             f"2019-{9 + n % 2:02d}-{1 + n:02d}", "Ekonomi", "Tempo", f"https://example.com/b{n}")
    for n in range(25)
]
CABAI_EKONOMI = 25                        # every b article: cabai, Ekonomi
FIELDS = ("id", "title", "lead", "body", "caption", "date", "section", "subsection", "url", "outlet", "source")


def build_web_index(folder: Path, build: bool = True):
    """Settings for an index of ARTICLES under `folder`, freshly built (or only configured)."""
    src = write_jsonl(folder / "web.jsonl", ARTICLES)
    settings = settings_for(folder, [{"name": "web", "path": str(src), "format": "jsonl",
                                      "fields": {k: k for k in FIELDS}}])
    if build:
        full_build(settings, quiet=True)
    return settings


class RecordingEngine(SearchEngine):
    """The real engine, recording the requests and suggestion prefixes it was given; with `fail`
    set, every call raises it instead (the app's error pages)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.requests, self.suggest_calls = [], []
        self.fail: Exception | None = None

    def _check(self):
        if self.fail is not None:
            raise self.fail

    def search(self, request):
        self.requests.append(request)
        self._check()
        return super().search(request)

    def article(self, doc_id):
        self._check()
        return super().article(doc_id)

    def suggest(self, prefix, limit=8):
        self.suggest_calls.append((prefix, limit))
        self._check()
        return super().suggest(prefix, limit)


def make_app(settings, engine=None, **web):
    """create_app on `settings` (the web index), with [web] values replaced."""
    from webapp import create_app
    if web:
        settings = settings.replace(web=web)
    return create_app(settings, engine=engine)


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


def assert_no_raw_markup(html: str, where: str):
    for raw in RAW_XSS:
        assert raw not in html, (where, raw)


def validator(doc, name):
    """JSON Schema (2020-12) for one OpenAPI component; `nullable: true` becomes a type list."""
    import json

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
    import jsonschema_rs
    return jsonschema_rs.validator_for(schema).validate
