"""The embeddable widget on the server side: /widget.js (type, caching, CORS, size budget, no unsafe
constructs in the source) and the /embed page (snippet generator, CSP-clean markup).
Behaviour in a real browser: tests/test_browser_widget.py."""
from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import pytest

from indexer.config import Settings
from indexer.search.engine import SearchEngine
from tests.web_support import make_app
from webapp import widget as widget_module
from webapp.security import CSP

BUDGET_GZIP_BYTES = 15 * 1024
JS_SOURCE = widget_module.JS_FILE.read_text(encoding="utf-8")


class Tags(HTMLParser):
    """Start tags with their attributes, in order."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


# ============================================================================ /widget.js

def test_widget_js_headers(client):
    r = client.get("/widget.js")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Security-Policy" not in r.headers      # not an HTML page
    etag = r.headers["ETag"]
    again = client.get("/widget.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Cache-Control"] == "public, max-age=300"
    head = client.head("/widget.js")
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/javascript")


def test_widget_js_cors_follows_settings(web_settings):
    client = make_app(web_settings, cors_origins=("https://koran.example",)).test_client()
    r = client.get("/widget.js", headers={"Origin": "https://koran.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://koran.example"
    assert "Origin" in r.headers["Vary"]
    r = client.get("/widget.js", headers={"Origin": "https://lain.example"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    r = client.options("/widget.js", headers={"Origin": "https://koran.example",
                                              "Access-Control-Request-Method": "GET"})
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"


def test_widget_js_inlines_the_stylesheet(client):
    js = client.get("/widget.js").get_data(as_text=True)
    assert widget_module.CSS_PLACEHOLDER not in js
    assert ":host{all:initial!important;display:block!important" in js
    for variable in ("--warta-accent", "--warta-bg", "--warta-fg", "--warta-font"):
        assert variable in js
    assert "/*" not in re.search(r'var CSS = (".*?");', js).group(1)   # CSS comments stripped


def test_widget_size_budget(client):
    body = client.get("/widget.js").get_data()
    gzipped = len(gzip.compress(body, compresslevel=9))
    print(f"\nwidget.js: {len(body)} bytes, {gzipped} bytes gzipped (budget {BUDGET_GZIP_BYTES})")
    assert gzipped <= BUDGET_GZIP_BYTES


def test_widget_source_has_no_unsafe_constructs():
    code = re.sub(r"^\s*//.*$", "", JS_SOURCE, flags=re.M)
    for pattern in (r"\beval\s*\(", r"new\s+Function", r"\bFunction\s*\(", r"document\.write",
                    r"insertAdjacentHTML", r"outerHTML", r"setTimeout\(\s*[\"']", r"\bimport\s*\("):
        assert not re.search(pattern, code), pattern
    # the only innerHTML is the inert <template> used by the sanitiser
    assert re.findall(r"(\w+)\.innerHTML\s*=", code) == ["tpl"]
    assert "<template" not in code and 'createElement("template")' in code
    # no third-party requests: no absolute URLs in the code at all
    assert not re.search(r"https?://", code)
    # one global
    assert set(re.findall(r"window\.(\w+)\s*=", code)) == {"WartaSearch"}
    assert "localStorage" not in code and "document.cookie" not in code


def test_minify_css():
    assert widget_module.minify_css("/* x */\n.a  ,  .b {\n  color : red ;\n}\n") == ".a,.b{color:red}"


# ============================================================================ /embed

def test_embed_page(client, engine):
    r = client.get("/embed")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert r.headers["Content-Security-Policy"] == CSP
    html = r.get_data(as_text=True)
    assert "<html lang=\"id\">" in html and "Widget pencarian" in html and "Pratinjau langsung" in html
    tags = Tags(html)
    scripts = tags.find("script")
    assert all(s.get("src", "").startswith("/") for s in scripts), scripts      # external, same origin
    preview = next(s for s in scripts if s["src"] == "/widget.js")
    assert preview["data-warta-target"] == "#pratinjau-widget"
    assert any(re.fullmatch(r"/static/widget/embed\.js\?v=[0-9a-f]{12}", s["src"]) for s in scripts)
    assert not tags.find("style")
    assert not [t for t, attrs in tags.tags if "style" in attrs or any(a.startswith("on") for a in attrs)]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    # the snippet is shown as text, with this server's absolute address
    assert ('&lt;div id=&#34;warta-search&#34;&gt;&lt;/div&gt;\n&lt;script src=&#34;http://localhost/widget.js'
            '&#34; data-warta-target=&#34;#warta-search&#34; async&gt;&lt;/script&gt;') in html
    # sections of the index as checkboxes; the options form is a plain GET form to /embed
    boxes = [i["value"] for i in tags.find("input") if i.get("name") == "sections"]
    assert boxes == [name for name, _count in engine.stats().sections]
    assert boxes == ["Ekonomi", "Daerah", "Nasional", "Olahraga"]      # most articles first (web_support.py)
    form = next(f for f in tags.find("form") if f.get("id") == "opsi-widget")
    assert form["action"] == "/embed" and form["method"] == "get"
    # every form control has a label
    ids = {attrs["id"] for tag, attrs in tags.tags if tag in ("input", "select") and "id" in attrs}
    labelled = {attrs.get("for") for tag, attrs in tags.tags if tag == "label"}
    assert ids <= labelled


def test_embed_snippet_from_options(client):
    html = client.get("/embed", query_string={
        "placeholder": 'Cari "berita" <script>', "limit": "8", "sections": ["Daerah", "Nasional"],
        "lang": "en", "theme": "dark", "target_window": "_blank", "accent": "#c0392b"}).get_data(as_text=True)
    code = re.search(r'<code id="kode-widget"[^>]*>(.*?)</code>', html, re.S).group(1)
    assert "<script" not in code and "<" not in code
    from html import unescape
    snippet = unescape(code)
    assert snippet == (
        '<div id="warta-search" style="--warta-accent: #c0392b"></div>\n'
        '<script src="http://localhost/widget.js" data-warta-target="#warta-search" '
        'data-warta-placeholder="Cari &quot;berita&quot; &lt;script&gt;" data-warta-limit="8" '
        'data-warta-sections="Daerah,Nasional" data-warta-lang="en" data-warta-theme="dark" '
        'data-warta-target-window="_blank" async></script>')
    preview = next(s for s in Tags(html).find("script") if s["src"] == "/widget.js")
    assert preview["data-warta-limit"] == "8" and preview["data-warta-lang"] == "en"
    assert preview["data-warta-placeholder"] == 'Cari "berita" <script>'


@pytest.mark.parametrize("args", [{"limit": "abc"}, {"limit": "0"}, {"limit": "999"}, {"lang": "fr"},
                                  {"theme": "<x>"}, {"target_window": "_top"}, {"accent": "red;x:y"}])
def test_embed_bad_options_fall_back(client, args):
    r = client.get("/embed", query_string=args)
    assert r.status_code == 200
    options = widget_module.embed_options(type("Args", (), {
        "get": lambda self, k, d=None: args.get(k, d), "getlist": lambda self, k: []})())
    assert 1 <= options["limit"] <= widget_module.MAX_LIMIT
    assert options["lang"] in ("id", "en") and options["theme"] in ("light", "dark", "auto")
    assert options["target_window"] in ("_self", "_blank") and options["accent"] in ("", args.get("accent"))


def test_embed_uses_public_url(web_settings):
    client = make_app(web_settings, public_url="https://warta.example/").test_client()
    html = client.get("/embed").get_data(as_text=True)
    assert "https://warta.example/widget.js" in html and 'data-base="https://warta.example"' in html


def test_embed_without_index(tmp_path):
    r = make_app(Settings().replace(index={"dir": tmp_path / "none"})).test_client().get("/embed")
    assert r.status_code == 200
    assert 'id="opsi-sections"' in r.get_data(as_text=True)    # free-text sections instead of boxes


def test_embed_does_not_hide_an_engine_bug(web_settings):
    """Only "no index yet" is expected; anything else is the usual logged 500, not an empty list."""
    class Buggy(SearchEngine):
        def stats(self):
            raise KeyError("sections")             # injected
    r = make_app(web_settings, engine=Buggy(web_settings)).test_client().get("/embed")
    assert r.status_code == 500 and "sections" not in r.get_data(as_text=True)


def test_embed_linked_from_site(tmp_path):
    client = make_app(Settings().replace(index={"dir": tmp_path / "none"})).test_client()
    html = client.get("/embed").get_data(as_text=True)
    assert '<a href="/embed">Widget</a>' in html
