"""The app as a whole (webapp/app.py, errors.py, security.py): the factory, the lazily opened
engine, the error pages and JSON errors, security headers, caching, proxies and CORS. On the real
index of tests/web_support.py; `RecordingEngine.fail` injects the engine failures."""
from __future__ import annotations

import logging
import re
import threading

import pytest

from indexer.build import build
from tests.web_support import ARTICLES, build_web_index, make_app
from webapp import create_app
from webapp.security import CSP


def test_create_app_keeps_settings_out_of_app_config(web_settings):
    settings = web_settings.replace(web={"site_name": "Warta Uji"})
    app = create_app(settings)
    assert app.extensions["warta"].settings is settings
    assert not any("warta" in key.lower() for key in app.config)
    assert "Warta Uji" in app.test_client().get("/").get_data(as_text=True)


def test_engine_created_lazily_once_across_threads(monkeypatch, web_settings):
    import indexer.search.engine as engine_module
    created = []

    class CountingEngine(engine_module.SearchEngine):
        def __init__(self, settings):
            created.append(settings)
            super().__init__(settings)

    monkeypatch.setattr(engine_module, "SearchEngine", CountingEngine)
    app = create_app(web_settings)
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
    assert len(created) == 1 and created[0] is web_settings
    assert all(e is seen[0] for e in seen)
    assert app.test_client().get("/api/search?q=banjir").status_code == 200


def test_no_index_gives_503_and_recovers_when_index_appears(tmp_path):
    settings = build_web_index(tmp_path / "later", build=False)
    client = create_app(settings).test_client()
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
    r = client.get("/api/search?q=x")
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "index_unavailable"
    r = client.get("/")
    assert r.status_code == 503 and r.mimetype == "text/html"
    assert "Indeks pencarian belum tersedia" in r.get_data(as_text=True)
    generation, _report = build(settings, quiet=True)   # an index gets built: no restart needed
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "ok" and body["documents"] == len(ARTICLES)
    assert body["generation"] == generation.name and body["built_at"]


def test_healthz(client, engine):
    r = client.get("/healthz")
    assert r.status_code == 200
    stats = engine.stats()
    assert r.get_json() == {"status": "ok", "documents": len(ARTICLES), "generation": stats.generation,
                            "built_at": stats.built_at}
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
        article_links = r'href="https://(example\.com|detik\.example)/[^"]*"'     # the fixture's originals
        assert "//cdn" not in html and "https://" not in re.sub(article_links, "", html)


def test_json_cache_control(client, web_settings):
    r = client.get("/api/search?q=banjir")
    assert r.headers["Cache-Control"] == "public, max-age=60"
    app = make_app(web_settings, cache_seconds=300)
    assert app.test_client().get("/api/suggest?q=b").headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/api/articles/nope").headers["Cache-Control"] == "no-store"


def test_proxy_hops_make_urls_and_address_follow_forwarded_headers(web_settings):
    """[web] proxy_hops = 1 (behind deploy/nginx/warta.conf): the last X-Forwarded-Proto/-Host/-For
    value is the scheme, host and client address; 0 (the default): anyone's headers are ignored."""
    # as deploy/nginx/warta.conf sends them ($host:$server_port; https drops the default :443)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "warta.example:443",
                 "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Port": "8443"}

    def embed_and_link(client, headers):
        embed = client.get("/embed", headers=headers).get_data(as_text=True)
        link = client.get("/api/search?q=banjir", headers=headers).get_json()["results"][0]["link"]
        return embed, link

    behind = make_app(web_settings, proxy_hops=1).test_client()
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

    direct = make_app(web_settings).test_client()
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


def test_cors_listed_origins(web_settings):
    client = make_app(web_settings, cors_origins=("https://koran.example", "https://blog.example")).test_client()
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


def test_cors_applies_to_widget_js(web_settings):
    client = make_app(web_settings, cors_origins=("https://koran.example",)).test_client()
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
