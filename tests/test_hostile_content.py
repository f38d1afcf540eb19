"""Hostile content: articles carrying script, markup, template syntax, dangerous URLs and bidi
overrides in every field are indexed from JSON Lines and shown inert everywhere.

* Flask test client (always runs): `/`, `/artikel/<id>`, `/api/search`, `/api/articles/<id>` and
  error pages escape everything, the JSON keeps the data exactly and never contains raw markup,
  links are only made for http(s) URLs, and every HTML response carries the security headers.
* Headless Chromium against the real server (`python -m webapp.serve`): no dialog opens, no
  `window.__pwned` is set, no element the content tried to inject exists (checked in the page and
  in the widget's shadow root), `{{7*7}}` and `${7*7}` show literally, links point only at
  http(s) URLs or Warta's own pages. Warta's pages are loaded twice: with their CSP, where no
  violation may be reported, and with the CSP bypassed, so escaping alone must hold. The widget
  runs on a page of another origin that has no CSP at all.
"""
from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta
from urllib.parse import quote, urlsplit

import pytest

from tests.browser_support import repo_config, requires_browser, start_server, write_config
from tests.support import write_jsonl

FULL = os.environ.get("WARTA_FULL") == "1"

PAYLOADS = [
    "<script>alert(1)</script>",
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=window.__pwned=1>",
    '"><svg onload=alert(1)>',
    "'><svg/onload=window.__pwned=1>",
    '" onmouseover="window.__pwned=1" x="',
    "</textarea></title><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=javascript:alert(1)>klik</a>",
    "<style>body{display:none}</style>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<!-- ]]> </script> -->",
    "{{7*7}}",
    "${7*7}",
    "#{7*7} <%= 7*7 %> {% raw %}",
    "Banjir \u202egnp.exe kota",
]
URLS = ["javascript:alert(1)", "JaVaScRiPt:window.__pwned=1", " javascript:alert(1)", "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/banjir",
        "/artikel/relative", "https://contoh.id/2024/07/12/banjir-aman", "http://contoh.id/banjir-http"]
SAFE_URLS = {"https://contoh.id/2024/07/12/banjir-aman", "http://contoh.id/banjir-http"}
# the one SVG of Warta's own (the timeline above the results) is checked apart: at most one, inert
INJECTED = "img[src='x'], svg:not(.timeline-chart), iframe, base, meta[http-equiv], style:not([data-own]), a[href^='javascript' i]"
TEMPLATES = ("{{7*7}}", "${7*7}")


def _record(**figures) -> None:
    path = os.environ.get("WARTA_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": "test_hostile_content", "full": FULL, **figures}) + "\n")


def hostile_articles() -> list[dict]:
    """One article per URL; payloads rotate through every field so each lands in each field."""
    out = []
    n = len(PAYLOADS)
    for i, url in enumerate(URLS):
        p = [PAYLOADS[(i + k) % n] for k in range(7)]
        out.append({
            "id": f"hostile-{i}",
            "title": f"Banjir {p[0]} kota {TEMPLATES[i % 2]}",
            "lead": f"Banjir melanda {p[1]} sejak pagi.",
            "body": f"Banjir melanda {p[1]} sejak pagi.\n{p[2]} Warga mengungsi {p[3]}.\n"
                    f"Tinggi air {TEMPLATES[(i + 1) % 2]} meter. {' '.join(PAYLOADS)}",
            "caption": f"Foto {p[4]}",
            "section": p[5][:90],
            "outlet": f"Kabar {p[6]}"[:90],
            "source": p[3][:80],
            "url": url,
            # a week apart: the bodies are templated near-copies (word 3-gram Jaccard ~0.76), which
            # duplicate collapsing may group within its 3-day window; the URL date of article 8 wins
            "date": (date(2024, 7, 12) + timedelta(days=7 * (i - 8))).isoformat(),
        })
    return out


ARTICLES = hostile_articles()
PLACEMENTS = len(ARTICLES) * 7 + len(ARTICLES) * len(PAYLOADS)      # (field, article) slots + bodies


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile corpus indexed from JSON Lines; returns (settings, config path)."""
    from indexer.build import build
    from indexer.config import load_settings
    tmp = tmp_path_factory.mktemp("hostile-content")
    corpus = write_jsonl(tmp / "hostile.jsonl", ARTICLES)
    fields = {k: k for k in ("id", "title", "lead", "body", "caption", "section", "outlet", "source", "url",
                             "date")}
    data = repo_config(tmp / "index", sources=[{"name": "hostile", "path": str(corpus), "format": "jsonl",
                                                "fields": fields}])
    config = write_config(tmp / "config.toml", data)
    settings = load_settings(config)
    _, report = build(settings, quiet=True)
    assert report.indexed == len(ARTICLES) and report.skipped_total == 0
    return settings, config


@pytest.fixture(scope="module")
def client(hostile):
    from webapp import create_app
    return create_app(hostile[0]).test_client()


def page_urls() -> list[str]:
    urls = ["/", "/?q=banjir", "/?q=banjir&sort=newest&per_page=50", "/?q=script", "/?q=alert", "/?q=svg+onload",
            "/?q=7*7", "/?q=%7B%7B7*7%7D%7D", "/?q=" + quote("<script>alert(1)</script>"),
            "/?q=" + quote('"><svg onload=alert(1)>'), "/?q=" + quote("\u202eabc"), "/?q=gnp.exe",
            "/?from=2024-02-30", "/?page=" + quote("<script>"), "/artikel/" + quote("<script>alert(1)</script>"),
            "/embed"]
    urls += [f"/artikel/{a['id']}" for a in ARTICLES]
    urls += ["/?q=banjir&section=" + quote(a["section"]) for a in ARTICLES[:4]]
    return urls


def assert_headers(response_headers, path: str) -> None:
    """CSP allowing only our own scripts, nosniff, referrer policy, frame policy."""
    csp = {d.split()[0]: d.split()[1:] for d in response_headers["Content-Security-Policy"].split(";") if d.strip()}
    assert csp["script-src"] == ["'self'"], (path, csp)
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert not any("unsafe" in v for values in csp.values() for v in values)
    assert response_headers["X-Content-Type-Options"] == "nosniff"
    assert response_headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response_headers["X-Frame-Options"] == "SAMEORIGIN"


# ============================================================================ without a browser

class Tags:
    """Every start tag of an HTML document, with its attributes."""

    def __init__(self, html: str):
        from html.parser import HTMLParser
        self.tags: list[tuple[str, dict]] = []
        tags = self.tags

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                tags.append((tag, dict(attrs)))

        Parser(convert_charrefs=True).feed(html)


FORBIDDEN_TAGS = {"svg", "math", "style", "base", "object", "embed", "frame", "frameset", "iframe", "applet"}


def own_timeline(tag: str, attrs: dict) -> bool:
    """Warta's own SVG: the timeline above the results (templates/_timeline.html)."""
    return tag == "svg" and attrs.get("class") == "timeline-chart" and attrs.get("aria-labelledby") == "linimasa-judul"


def check_html(html: str, path: str) -> None:
    tags = Tags(html).tags
    assert sum(own_timeline(tag, attrs) for tag, attrs in tags) <= 1, path
    for tag, attrs in tags:
        assert tag not in FORBIDDEN_TAGS or own_timeline(tag, attrs), (path, tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
        if tag == "link" and attrs == {"rel": "icon", "href": "data:,"}:     # our own empty favicon
            continue
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower().replace("\t", "")
            assert not value.startswith(("javascript:", "data:", "vbscript:", "//")), (path, tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/") or attrs.get("src") == "/widget.js", (path, attrs)
        if tag == "meta":
            assert "http-equiv" not in attrs, (path, attrs)
        if tag == "img":
            assert attrs.get("src") != "x", (path, attrs)
    text = re.sub(r"<[^>]*>", "", html)
    # the search box shows the query exactly as typed (an input is its own bidi context); the
    # text of the page never carries a bidi override
    assert "\u202e" not in text, path
    assert "49" not in re.findall(r"Tinggi air (\S+) meter", text), path


def test_hostile_articles_indexed_and_kept_exactly(client, hostile):
    settings, _ = hostile
    body = client.get("/api/search?q=banjir&per_page=50").get_json()
    assert body["total"] == len(ARTICLES)
    for article in ARTICLES:
        data = client.get(f"/api/articles/{article['id']}").get_json()
        # JSON keeps the text as it was (plain text, not escaped) — minus the bidi override
        assert data["title"] == " ".join(article["title"].replace("\u202e", "").split())
        assert data["url"] == " ".join(article["url"].split())
        assert "\u202e" not in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("path", ["/api/search?q=banjir&per_page=50", "/api/search?q=script&per_page=50",
                                  "/api/search?q=" + quote("<img src=x onerror=alert(1)>"),
                                  "/api/suggest?q=ban", "/api/suggest?q=" + quote("<script>"),
                                  *[f"/api/articles/{a['id']}" for a in ARTICLES]])
def test_json_never_contains_raw_markup(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    raw = response.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw and "&" not in raw          # \u003c, \u003e, \u0026
    data = json.loads(raw)
    for hit in data.get("results", []):
        for key in ("snippet", "title_html"):
            assert "<" not in re.sub(r"</?mark>", "", hit[key]), hit[key]
        assert "{{7*7}}" in hit["title"] or "${7*7}" in hit["title"]


@pytest.mark.parametrize("path", page_urls())
def test_html_escapes_everything_and_has_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in (200, 400, 404), path
    assert response.mimetype == "text/html"
    assert_headers(response.headers, path)
    check_html(response.get_data(as_text=True), path)


def test_original_links_only_for_http_urls(client):
    for article in ARTICLES:
        html = client.get(f"/artikel/{article['id']}").get_data(as_text=True)
        links = [attrs.get("href") for tag, attrs in Tags(html).tags if tag == "a"]
        if article["url"] in SAFE_URLS:
            assert article["url"] in links
        else:
            assert article["url"].strip() not in links and "Baca artikel asli" not in html
        assert "{{7*7}}" in html or "${7*7}" in html


# ============================================================================ in Chromium

GUARD = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""

INSPECT = """(injected) => {
  const roots = [document];
  const walk = (root) => root.querySelectorAll('*').forEach(el => {
    if (el.shadowRoot) { roots.push(el.shadowRoot); walk(el.shadowRoot); } });
  walk(document);
  const found = [], links = [], texts = [];
  for (const root of roots) {
    root.querySelectorAll(injected).forEach(el => found.push(el.outerHTML.slice(0, 120)));
    root.querySelectorAll('[onerror],[onload],[onmouseover],[onclick]').forEach(el => found.push(el.outerHTML.slice(0, 120)));
    if (root.querySelectorAll('svg.timeline-chart').length > 1) found.push('more than one timeline svg');
    // an SVG <a> has an SVGAnimatedString href: resolve it like an HTML link's
    root.querySelectorAll('a[href]').forEach(a => links.push(
      typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href));
    texts.push(root === document ? document.body.innerText : root.textContent);
  }
  return {found, links, text: texts.join('\\n'), pwned: window.__pwned === undefined ? null : String(window.__pwned),
          violations: window.__violations || []};
}"""


@pytest.fixture(scope="module")
def hostile_server(hostile, tmp_path_factory):
    server = start_server(hostile[1], tmp_path_factory.mktemp("hostile-server") / "server", workers=1)
    try:
        yield server.url
    finally:
        server.stop()


def open_and_inspect(page, url: str) -> dict:
    page.goto(url, wait_until="load")              # after load, onload/onerror handlers have run
    page.wait_for_timeout(30)
    return page.evaluate(INSPECT, INJECTED)


def browser_paths() -> list[str]:
    paths = page_urls() + ["/api/search?q=banjir&per_page=50", "/api/articles/hostile-0"]
    if FULL:
        return paths
    # shortened: every article page, the search pages that list all of them, the hostile queries
    keep = ("/artikel/hostile-", "/?q=banjir", "/?q=" + quote("<script"), "/?q=" + quote('"><svg'), "/?q=%E2",
            "/api/search", "/embed")
    return [p for p in paths if p.startswith(keep)]


def assert_inert(result: dict, url: str, server: str, allow_origins=()) -> None:
    assert result["pwned"] is None, (url, result["pwned"])
    assert not result["found"], (url, result["found"])
    assert "\u202e" not in result["text"], url
    for href in result["links"]:
        scheme = urlsplit(href).scheme
        assert scheme in ("http", "https"), (url, href)
        if not href.startswith(server):
            assert href in SAFE_URLS or href.startswith(allow_origins), (url, href)


@pytest.mark.browser
@requires_browser
@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_pages_inert_in_chromium(browser, hostile_server, bypass_csp):
    context = browser.new_context(bypass_csp=bypass_csp, locale="id-ID")
    context.add_init_script(GUARD)
    dialogs: list[str] = []
    pages = browser_paths()
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.type} {d.message}"), d.dismiss()))
    try:
        for path in pages:
            url = hostile_server + path
            result = open_and_inspect(page, url)
            assert_inert(result, url, hostile_server)
            if not bypass_csp and not path.startswith("/embed"):
                assert not result["violations"], (url, result["violations"])
            if path.startswith("/artikel/hostile-"):
                article = ARTICLES[int(path.rsplit("-", 1)[1])]
                assert any(t in result["text"] for t in TEMPLATES), url
                assert "{{7*7}}" in result["text"] and "${7*7}" in result["text"], url   # from the body
                if article["url"] in SAFE_URLS:
                    assert article["url"] in result["links"]
            if path == "/?q=banjir&sort=newest&per_page=50":
                assert result["text"].count("{{7*7}}") >= len(ARTICLES) // 2
    finally:
        context.close()
    assert not dialogs, dialogs
    _record(kind="pages", bypass_csp=bypass_csp, pages=len(pages), payloads=len(PAYLOADS) + len(URLS),
            placements=PLACEMENTS)


@pytest.mark.browser
@requires_browser
def test_widget_inert_on_a_page_without_csp(browser, hostile_server, host_site):
    context = browser.new_context(locale="id-ID")
    context.add_init_script(GUARD)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(f"{d.type} {d.message}"), d.dismiss()))
    try:
        html = (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Koran</title></head>'
                f'<body><div id="search"></div><script src="{hostile_server}/widget.js" '
                f'data-warta-target="#search" data-warta-limit="20" async></script></body></html>')
        page.goto(host_site.add("/hostile-widget.html", html))
        box = page.locator("#search input[role=combobox]")
        searched = []
        for query in ("banjir", "script", "svg onload", "7*7", "gnp"):
            box.fill(query)
            page.locator("#search [role=option]").first.wait_for()
            page.wait_for_timeout(200)
            result = page.evaluate(INSPECT, INJECTED)
            assert_inert(result, f"widget q={query}", hostile_server)
            searched.append(page.locator("#search [role=option]").count())
        result = page.evaluate(INSPECT, INJECTED)
        box.fill("banjir")
        page.locator("#search [role=option]").first.wait_for()
        texts = page.locator("#search [role=option]").all_inner_texts()
        assert any("{{7*7}}" in t for t in texts) and any("${7*7}" in t for t in texts), texts
        hrefs = page.locator("#search [role=option] a").evaluate_all("els => els.map(a => a.href)")
        assert hrefs and all(h.startswith(hostile_server + "/artikel/hostile-") for h in hrefs), hrefs
    finally:
        context.close()
    assert not dialogs, dialogs
    assert result["pwned"] is None
    assert all(n > 0 for n in searched), searched
    _record(kind="widget", queries=len(searched))


# ============================================================================ the library's *_html fields

MARK = re.compile(r"</?mark>")
AMP_TITLE = 'Banjir & longsor <script>alert("x")</script> di Kota & Desa \'lama\''
AMP_BODY = ("Air & lumpur <b>tebal</b> menutup jalan. " * 30) + 'Banjir "besar" & longsor <img src=x> di desa.'


def _is_escaped(html_text: str) -> bool:
    """Nothing raw left: unescaping and escaping again gives the same text."""
    from html import escape, unescape
    return escape(unescape(html_text)) == html_text


@pytest.mark.parametrize("highlight", [True, False])
def test_hit_html_fields_are_escaped_with_or_without_highlighting(tmp_path_factory, highlight):
    """`title_html` and `snippet_html` are HTML whatever `highlight` says: escaped text, the only
    tags <mark> (none without highlighting). Before, highlight=False handed out the raw body."""
    from html import escape, unescape

    from indexer.search.engine import SearchEngine
    from indexer.search.model import SearchRequest
    from tests.conftest import build_index, jsonl_settings
    tmp = tmp_path_factory.mktemp("amp")
    settings = jsonl_settings(tmp, [
        {"id": "amp", "title": AMP_TITLE, "body": AMP_BODY, "date": "2024-07-12", "section": "Daerah"},
        {"id": "ok", "title": "Banjir surut di Bekasi", "body": "Banjir mulai surut & warga pulang.",
         "date": "2024-07-13", "section": "Daerah"}])
    build_index(settings)
    engine = SearchEngine(settings)
    body_text = " ".join(AMP_BODY.split())
    for query in ("banjir", "", "longsor desa", "script", "tebal"):
        hits = engine.search(SearchRequest(query=query, highlight=highlight)).hits
        assert any(h.id == "amp" for h in hits), query
        for hit in hits:
            assert MARK.sub("", hit.title_html) == escape(hit.title), (query, hit.title_html)
            snippet = MARK.sub("", hit.snippet_html)
            assert snippet and _is_escaped(snippet), (query, hit.snippet_html)
            assert ("<mark>" in hit.title_html + hit.snippet_html) == bool(highlight and query), (query, hit)
            if hit.id == "amp":
                assert unescape(snippet).strip("… ") in body_text
                assert len(unescape(snippet)) <= settings.search.snippet_chars + 30
    related = engine.article("ok").related
    assert [h.id for h in related] == ["amp"]
    assert related[0].title_html == escape(AMP_TITLE) and _is_escaped(related[0].snippet_html)
