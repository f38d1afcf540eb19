"""The shipped nginx site (deploy/nginx/warta.conf) in front of the real server, end to end.

Debian's nginx runs the shipped file (only ports, names and the certificate replaced:
tests/nginx_support.py) with TLS on a free loopback port, in front of `warta-serve` (gunicorn,
``[web] proxy_hops = 1``) over the demo index. Checked through it: the app's security headers
arrive once and unchanged, HSTS is added, caching (versioned static files for a year, widget.js
an hour, HTML and JSON a minute), gzip, client keep-alive, request-size limits, https URLs built
from X-Forwarded-*, the /api/ rate limit (429, never 5xx), a short load with no errors, and the
search site in headless chromium. Skipped when nginx is not installed (scripts/test installs it).
"""
from __future__ import annotations

import gzip
import http.client
import json
import re
import shutil
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest

from tests.browser_support import open_page, repo_config, requires_browser, start_server, write_config
from tests.nginx_support import HOST, NginxProcess, nginx_skip_reason, start_nginx
from webapp.security import CSP

pytestmark = pytest.mark.skipif(nginx_skip_reason() is not None, reason=nginx_skip_reason() or "")

YEAR = "public, max-age=31536000, immutable"
WIDGET_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
HSTS = "max-age=31536000"


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    def one(self, name: str) -> str:
        """The header's only value (fails when it is missing or sent twice)."""
        values = self.headers.get_all(name) or []
        assert len(values) == 1, f"{name}: {values}"
        return values[0]

    def text(self) -> str:
        data = gzip.decompress(self.body) if self.headers.get("Content-Encoding") == "gzip" else self.body
        return data.decode("utf-8")


@dataclass
class Front:
    nginx: NginxProcess
    upstream: str

    @property
    def url(self) -> str:
        return self.nginx.url

    def connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(HOST, self.nginx.https_port, context=self.nginx.ssl_context(),
                                           timeout=15)

    def get(self, path: str, headers: dict | None = None, method: str = "GET", body: bytes | None = None,
            conn: http.client.HTTPSConnection | None = None) -> Reply:
        own = conn is None
        conn = conn or self.connect()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            if own:
                conn.close()


@pytest.fixture(scope="module")
def front(demo_settings):
    """warta-serve (1 worker, proxy_hops = 1) on the demo index, and the shipped nginx site before it."""
    folder = Path(tempfile.mkdtemp(prefix="warta-nginx-test-"))
    config = write_config(folder / "config.toml", repo_config(
        demo_settings.index.dir, web={"proxy_hops": 1, "analytics": False, "warmup_queries": 0}))
    server = start_server(config, folder / "server")
    nginx = None
    try:
        nginx = start_nginx(server.url, folder=folder / "nginx")
        yield Front(nginx, server.url)
    finally:
        if nginx:
            nginx.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


# ============================================================================ headers and caching

def test_app_security_headers_pass_through_once(front):
    for path in ("/", "/?q=banjir", "/embed"):
        r = front.get(path)
        assert r.status == 200, path
        assert r.one("Content-Security-Policy") == CSP, path
        assert r.one("X-Frame-Options") == "SAMEORIGIN"
        assert r.one("X-Content-Type-Options") == "nosniff"
        assert r.one("Referrer-Policy") == "strict-origin-when-cross-origin"
        assert r.one("Strict-Transport-Security") == HSTS
        assert r.one("Server") == "nginx"                 # no version, no gunicorn
        assert r.one("Cache-Control") == "public, max-age=60"
    for path in ("/api/search?q=banjir", "/healthz", "/widget.js", "/static/app.css"):
        r = front.get(path)
        assert r.status == 200, path
        assert r.one("X-Content-Type-Options") == "nosniff", path
        assert r.one("Strict-Transport-Security") == HSTS, path
        assert "Content-Security-Policy" not in r.headers, path
    missing = front.get("/artikel/tidak-ada")
    assert missing.status == 404 and missing.one("Content-Security-Policy") == CSP
    assert "Cache-Control" not in missing.headers          # error pages are not made cacheable


def test_caching_per_kind_of_response(front):
    html = front.get("/?q=banjir").text()
    versioned = static_urls(html)
    assert versioned and all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in versioned), versioned
    for url in versioned:
        assert front.get(url).one("Cache-Control") == YEAR, url
    assert front.get("/static/app.css").one("Cache-Control") == "no-cache"      # unversioned: revalidate
    widget = front.get("/widget.js")
    assert widget.one("Cache-Control") == WIDGET_CACHE
    assert front.get("/widget.js", {"If-None-Match": widget.one("ETag")}).status == 304
    api = front.get("/api/search?q=banjir")
    assert api.one("Cache-Control") == "public, max-age=60" and api.one("Access-Control-Allow-Origin") == "*"
    assert front.get("/healthz").one("Cache-Control") == "no-store"
    assert front.get("/api/articles/tidak-ada").one("Cache-Control") == "no-store"


def test_gzip_for_html_css_js_and_json(front):
    gz = {"Accept-Encoding": "gzip"}
    html = front.get("/?q=banjir", gz)
    css_url = next(u for u in static_urls(html.text()) if ".css" in u)
    for path in ("/?q=banjir", css_url, "/widget.js", "/api/search?q=banjir"):
        r = front.get(path, gz)
        assert r.status == 200 and r.one("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in ", ".join(r.headers.get_all("Vary") or []), path
        assert len(r.text()) > len(r.body), path
    plain = front.get("/?q=banjir")
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.body


def test_absolute_urls_use_forwarded_https_host(front):
    port = front.nginx.https_port
    embed = front.get("/embed", {"X-Forwarded-Host": "evil.example"}).text()   # nginx replaces it
    assert f"https://{HOST}:{port}/widget.js" in embed and "evil.example" not in embed
    embed = front.get("/embed", {"Host": f"{HOST}:1"}).text()      # the port is nginx's, not the client's
    assert f"https://{HOST}:{port}/widget.js" in embed and f"{HOST}:1/" not in embed
    hits = json.loads(front.get("/api/search?q=banjir").text())["results"]
    assert hits and hits[0]["link"].startswith(f"https://{HOST}:{port}/artikel/")


def test_metrics_are_never_served_through_the_public_site(front):
    """Behind nginx every request reaches the app from 127.0.0.1, an address /metrics allows."""
    assert front.get("/metrics").status == 404
    assert front.get("/healthz").status == 200


def test_limits_redirect_and_unknown_names(front):
    assert front.get("/api/search", method="POST", body=b"x" * 4096).status == 413
    assert front.get("/api/search", method="POST", body=b"q=x").status == 405          # the app's answer
    assert front.get("/?q=" + "a" * 9000).status == 414
    conn = http.client.HTTPConnection("127.0.0.1", front.nginx.http_port, timeout=5)
    conn.request("GET", "/?q=banjir", headers={"Host": HOST})
    redirect = conn.getresponse()
    assert redirect.status == 301 and redirect.getheader("Location") == f"https://{HOST}/?q=banjir"
    conn.close()
    # a bare address (no server name in the TLS handshake) reaches nothing: refused in the handshake
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", front.nginx.https_port), timeout=5) as sock:
        with pytest.raises(ssl.SSLError):
            context.wrap_socket(sock).close()


# ============================================================================ load and rate limit

def test_short_load_has_no_errors_and_keeps_connections(front):
    html = front.get("/?q=banjir").text()
    article = re.search(r'href="(/artikel/[^"]+)"', html).group(1)
    paths = ["/?q=banjir+Bekasi", "/?q=gempa&sort=newest", article, static_urls(html)[0], "/widget.js",
             "/healthz", "/embed", "/?q=harga&section=Ekonomi", "/?q=piala+dunia&page=2"]
    per_thread, threads = 75, 4
    results: list[tuple[str, int]] = []
    reconnects = []

    def client(offset: int) -> None:
        conn = front.connect()
        made = 0
        try:
            for i in range(per_thread):
                if conn.sock is None and i > 0:
                    made += 1                   # the previous response closed the connection
                path = paths[(offset + i) % len(paths)]
                try:
                    r = front.get(path, {"Accept-Encoding": "gzip"}, conn=conn)
                    results.append((path, r.status))
                except (OSError, http.client.HTTPException) as exc:
                    results.append((path, f"{type(exc).__name__}: {exc}"))
                    conn.close()
        finally:
            conn.close()
            reconnects.append(made)

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n * 2,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=60)
    seconds = time.monotonic() - started
    errors = [(p, s) for p, s in results if s != 200]
    assert len(results) == per_thread * threads
    assert errors == [], errors[:10]
    assert reconnects == [0] * threads, "nginx closed client keep-alive connections"
    print(f"{len(results)} requests through nginx in {seconds:.1f} s ({len(results) / seconds:.0f}/s)")


def test_api_rate_limit_answers_429_not_5xx(front):
    statuses: list[int] = []
    limited: list[Reply] = []

    def client(n: int) -> None:
        conn = front.connect()
        try:
            for i in range(15):
                r = front.get(f"/api/search?q=banjir&page={1 + (n + i) % 3}", conn=conn)
                statuses.append(r.status)
                if r.status == 429:
                    limited.append(r)
        finally:
            conn.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(10)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=60)
    assert len(statuses) == 150 and set(statuses) <= {200, 429}, sorted(set(statuses))
    assert statuses.count(200) >= 40, "the burst of 40 was not served"
    assert limited, "150 requests at once never hit the limit of 10/s, burst 40"
    r = limited[0]
    assert json.loads(r.body)["error"]["code"] == "rate_limited"
    assert r.one("Content-Type") == "application/json" and r.one("Retry-After") == "1"
    assert r.one("Cache-Control") == "no-store" and r.one("X-Content-Type-Options") == "nosniff"
    assert r.one("Access-Control-Allow-Origin") == "*" and r.one("Strict-Transport-Security") == HSTS
    time.sleep(1.0)                             # 10 requests' worth of allowance come back
    assert front.get("/api/search?q=banjir").status == 200
    assert front.get("/?q=banjir").status == 200    # pages are not limited


# ============================================================================ browser

@pytest.fixture
def nginx_page(browser, request):
    with open_page(browser, request.node, 10_000, ignore_https_errors=True) as page:   # self-signed certificate
        yield page


@pytest.mark.browser
@requires_browser
def test_search_in_browser_through_nginx(front, nginx_page):
    from playwright.sync_api import expect
    page = nginx_page
    responses = []
    page.on("response", lambda response: responses.append(response))
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    first = page.goto(front.url + "/")
    assert first.status == 200
    csp = [v for k, v in ((h["name"].lower(), h["value"]) for h in first.headers_array())
           if k == "content-security-policy"]
    assert csp == [CSP]
    assert first.headers.get("content-encoding") == "gzip"
    assert page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol") == "h2"
    page.fill("#q", "banjir Bekasi")
    with page.expect_navigation():
        page.press("#q", "Enter")
    expect(page.locator(".hits .hit").first).to_be_visible()
    assert page.locator(".hits .hit").count() >= 2 and page.locator(".hits mark").count() >= 1
    assert page.url.startswith(front.url + "/?")

    static = [r for r in responses if "/static/" in r.url and r.status == 200]
    assert {r.url.rsplit("/", 1)[1].split("?")[0] for r in static} >= {"app.css", "app.js"}
    for r in static:
        assert r.headers.get("cache-control") == YEAR, r.url
        assert r.headers.get("content-encoding") == "gzip", r.url
    assert csp_errors == []
