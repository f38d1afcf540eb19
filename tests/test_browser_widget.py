"""The embeddable widget in a real browser. Host pages come from a SECOND origin
(``host_site``: http://localhost:PORT) and load ``<script src="{live_server}/widget.js" async>``
from the real Warta server (http://127.0.0.1:PORT), so every search is a cross-origin request.

Set WARTA_UPDATE_SCREENSHOTS=1 to refresh docs/img/widget-phone.png and widget-desktop.png.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time

import pytest

from indexer.datenames import MONTHS
from tests.browser_support import (ARTIFACTS, REPO, repo_config, requires_browser, running_server,
                                   write_config)

pytestmark = [pytest.mark.browser, requires_browser]

HOSTILE_CSS = ("* { all: unset !important; } div { display: none !important; } "
               ".warta, .results, [class*=warta] { display:none !important }")
PWN_TITLE = "Banjir <img src=x onerror=window.__pwned=1> <script>window.__pwned=1</script> kota"
PWN_BODY = ("Banjir melanda kota <script>window.__pwned=1</script> sejak pagi "
            "<img src=x onerror=window.__pwned=1> dan warga mengungsi.")
SEARCH_URL = re.compile(r"/api/search\?")
MONTHS_ID = "|".join(MONTHS)


def expect(*args, **kwargs):
    from playwright.sync_api import expect as _expect
    return _expect(*args, **kwargs)


def host_html(server: str, body: str = '<div id="search"></div>', head: str = "",
              script_attrs: str = 'data-warta-target="#search" async', title: str = "Koran Contoh") -> str:
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>{head}</head>
<body><h1>{title}</h1>
{body}
<script src="{server}/widget.js" {script_attrs}></script>
</body></html>"""


def open_host(page, host_site, name: str, html: str):
    url = host_site.add(f"/{name}.html", html)
    page.goto(url)
    return url


def widget(page, selector: str = "#search"):
    """Locators inside the widget (Playwright CSS pierces open shadow roots)."""
    class W:
        input = page.locator(f"{selector} input[role=combobox]")
        options = page.locator(f"{selector} [role=option]")
        listbox = page.locator(f"{selector} [role=listbox]")
        status = page.locator(f"{selector} [role=status]")
        chips = page.locator(f"{selector} button[aria-pressed]")
        all = page.locator(f"{selector} a.all")
        root = page.locator(f"{selector} .w")
    return W


def shadow_eval(page, script: str, selector: str = "#search"):
    return page.evaluate(f"(sel) => {{ const root = document.querySelector(sel).shadowRoot; {script} }}", selector)


# ============================================================================ basics

def test_search_as_you_type_from_another_origin(page, live_server, host_site):
    blank = host_site.add("/blank.html", "<!doctype html><title>x</title><p>kosong</p>")
    page.goto(blank)
    baseline = set(page.evaluate("Object.keys(window)"))
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    url = open_host(page, host_site, "basic", host_html(live_server))
    assert not url.startswith(live_server)
    w = widget(page)
    w.input.click()
    page.keyboard.type("gempa")
    expect(w.options.first).to_be_visible()
    assert 1 <= w.options.count() <= 5
    expect(w.root).to_have_attribute("data-query", "gempa")
    expect(w.options.first.locator("mark").first).to_have_text(re.compile("^gempa$", re.I))
    expect(w.options.first.locator(".m")).to_have_text(re.compile(rf"\d{{1,2}} ({MONTHS_ID}) \d{{4}}$"))
    expect(w.status).to_have_text(re.compile(r"^\d+ hasil$"))
    expect(w.chips.first).to_have_attribute("aria-pressed", "false")
    expect(w.chips.first).to_have_text(re.compile(r"^\w[\w ]*\d+$"))
    expect(w.all).to_have_attribute("href", f"{live_server}/?q=gempa")
    expect(w.all).to_contain_text("Lihat semua hasil")
    link = w.options.first.locator("a").get_attribute("href")
    assert re.fullmatch(re.escape(live_server) + r"/artikel/[\w-]+", link)
    # ARIA combobox wiring
    expect(w.input).to_have_attribute("aria-expanded", "true")
    assert w.input.get_attribute("aria-controls") == w.listbox.get_attribute("id")
    assert w.input.get_attribute("aria-autocomplete") == "list"
    # one global, and no requests to anyone but the two local origins
    assert set(page.evaluate("Object.keys(window)")) - baseline == {"WartaSearch"}
    assert all(r.startswith((live_server, host_site.origin)) for r in requests), requests
    search_calls = [r for r in requests if "/api/search?" in r]
    assert search_calls == [f"{live_server}/api/search?q=gempa&per_page=5"], search_calls


def test_section_chip_refines_search(page, live_server, host_site):
    open_host(page, host_site, "chips", host_html(live_server))
    w = widget(page)
    w.input.fill("banjir")
    expect(w.chips.first).to_be_visible()
    status_before = w.status.inner_text()
    chip = w.chips.filter(has_text="Daerah")
    count = int(re.search(r"(\d+)$", chip.inner_text()).group(1))
    with page.expect_request(SEARCH_URL) as request:
        chip.click()
    assert "&section=Daerah" in request.value.url
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(w.status).to_have_text(f"{count} hasil")
    assert w.status.inner_text() != status_before
    assert set(w.options.locator(".m").all_inner_texts()) and all(
        "Daerah" in m for m in w.options.locator(".m").all_inner_texts())
    expect(w.all).to_have_attribute("href", f"{live_server}/?q=banjir&section=Daerah")
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "false")
    expect(w.status).to_have_text(status_before)


def test_keyboard_navigation_opens_result(page, live_server, host_site):
    open_host(page, host_site, "keys", host_html(live_server))
    w = widget(page)
    expect(w.input).to_be_visible()
    page.keyboard.press("Tab")
    assert shadow_eval(page, "return root.activeElement === root.querySelector('input')")
    page.keyboard.type("banjir")           # several stories (the two gempa copies are one story)
    expect(w.options.first).to_be_visible()
    first_id = w.options.first.get_attribute("id")
    page.keyboard.press("ArrowDown")
    expect(w.input).to_have_attribute("aria-activedescendant", first_id)
    expect(w.options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(w.options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(w.options.first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(w.input).to_have_attribute("aria-activedescendant", first_id)
    page.keyboard.press("Escape")                       # closes the list
    expect(w.input).to_have_attribute("aria-expanded", "false")
    expect(w.listbox).to_be_hidden()
    assert w.input.get_attribute("aria-activedescendant") is None
    page.keyboard.press("ArrowDown")                    # opens it again on the first option
    expect(w.input).to_have_attribute("aria-expanded", "true")
    expect(w.input).to_have_attribute("aria-activedescendant", first_id)
    title = w.options.first.locator("a").inner_text()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.startswith(live_server + "/artikel/")
    expect(page.locator("h1#judul-artikel")).to_have_text(title)


def test_hostile_host_css_cannot_break_it(page, live_server, host_site):
    open_host(page, host_site, "hostile-css", host_html(live_server, head=f"<style>{HOSTILE_CSS}</style>"))
    w = widget(page)
    expect(w.input).to_be_visible()
    box = w.input.bounding_box()
    assert box["height"] >= 40 and box["width"] >= 200, box
    w.input.click()
    page.keyboard.type("gempa")
    expect(w.options.first).to_be_visible()
    expect(w.options.first.locator("a")).to_be_visible()
    assert w.options.first.bounding_box()["height"] > 20
    style = shadow_eval(page, "const i = root.querySelector('input'), s = getComputedStyle(i);"
                              "return [s.display, s.borderTopStyle, getComputedStyle(root.host).display]")
    assert style == ["block", "solid", "block"], style
    expect(w.input).to_have_value("gempa")


# ============================================================================ safety

@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory):
    """A tiny index whose article has markup and script in its title and body."""
    from indexer.build import build
    from indexer.config import load_settings
    from tests.support import jsonl_source, write_jsonl
    tmp = tmp_path_factory.mktemp("hostile-widget")
    corpus = write_jsonl(tmp / "hostile.jsonl", [
        {"id": "pwn1", "title": PWN_TITLE, "body": PWN_BODY, "lead": "", "date": "2024-07-12",
         "section": "Nasional", "url": "javascript:window.__pwned=1", "outlet": "<b>Outlet</b>"},
        {"id": "ok1", "title": "Banjir surut di Bekasi", "body": "Banjir mulai surut di Bekasi sore hari.",
         "lead": "", "date": "2024-07-13", "section": "Daerah", "url": "https://example.com/ok1",
         "outlet": "Kompas.com"},
    ])
    data = repo_config(tmp / "index", sources=[jsonl_source(corpus)])
    config = write_config(tmp / "config.toml", data)
    build(load_settings(config), quiet=True)
    return tmp, data


@pytest.fixture(scope="module")
def hostile_server(hostile_index):
    tmp, data = hostile_index
    with running_server(write_config(tmp / "open.toml", data), tmp / "open") as server:
        yield server.url


@pytest.fixture(scope="module")
def restricted_server(hostile_index):
    """Same data, but only http://127.0.0.1:1 may read the API (the host page is not it)."""
    tmp, data = hostile_index
    config = write_config(tmp / "restricted.toml", {**data, "web": {**data.get("web", {}),
                                                                   "cors_origins": ["http://127.0.0.1:1"]}})
    with running_server(config, tmp / "restricted") as server:
        yield server.url


def test_disallowed_origin_gets_no_data(page, restricted_server, host_site):
    open_host(page, host_site, "restricted", host_html(restricted_server))
    w = widget(page)
    # the server answers, but without Access-Control-Allow-Origin for this origin: the browser
    # refuses to hand the response to the page
    outcome = page.evaluate("url => fetch(url).then(r => 'read ' + r.status, e => 'blocked ' + e.name)",
                            restricted_server + "/api/search?q=banjir")
    assert outcome == "blocked TypeError"
    w.input.fill("banjir")
    expect(w.status).to_have_text("Tidak dapat menghubungi Warta. Coba lagi nanti.")
    expect(w.status).to_have_class(re.compile(r"\berr\b"))
    expect(page.locator("#search button", has_text="Coba lagi")).to_be_visible()
    assert w.options.count() == 0


def test_hostile_article_executes_nothing(page, hostile_server, host_site):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_host(page, host_site, "hostile-article", host_html(hostile_server))
    w = widget(page)
    w.input.fill("banjir")
    expect(w.options).to_have_count(2)
    pwn = w.options.filter(has_text="window.__pwned")
    expect(pwn).to_have_count(1)
    # markup from the article is shown as text, never parsed
    expect(pwn.locator("a")).to_contain_text("<script>window.__pwned=1</script>")
    expect(pwn.locator(".s")).to_contain_text("<img src=x onerror=window.__pwned=1>")
    page.wait_for_timeout(500)          # give a would-be onerror time to fire
    found = shadow_eval(page, "return [root.querySelectorAll('img,script,iframe,object,svg,style').length,"
                              " [...root.querySelectorAll('*')].filter(e => [...e.attributes]"
                              "   .some(a => a.name.startsWith('on'))).length,"
                              " [...root.querySelectorAll('a')].map(a => a.href)]")
    assert found[0] == 0 and found[1] == 0, found
    assert all(href.startswith(hostile_server + "/") for href in found[2]), found[2]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []


def test_forged_markup_is_sanitised(page, live_server, host_site):
    """Even if the API sent raw markup (it never does), only text and bare <mark> get through."""
    evil = ('Awas <img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>'
            '<mark onclick="window.__pwned=1" style="color:red" class="x">banjir</mark>'
            '<a href="javascript:window.__pwned=1">klik</a><svg onload="window.__pwned=1"></svg>'
            '<iframe src="javascript:window.__pwned=1"></iframe> selesai')
    body = {"query": "banjir", "total": 1, "page": 1, "per_page": 5, "took_ms": 1,
            "results": [{"id": "x/../../y", "url": "javascript:window.__pwned=1", "title": "t",
                         "title_html": evil, "section": "<b>S</b>", "outlet": "<i>O</i>",
                         "published": "2024-07-12T14:05:00", "snippet": evil, "score": 1,
                         "link": "javascript:window.__pwned=1"}],
            "facets": {"section": [{"value": "<b>S</b>", "count": 1, "selected": False,
                                    "label": "<img src=x onerror=window.__pwned=1>"}], "date": []},
            "suggestion": None}
    page.route(SEARCH_URL, lambda route: route.fulfill(
        status=200, body=json.dumps(body), content_type="application/json",
        headers={"Access-Control-Allow-Origin": "*"}))
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_host(page, host_site, "forged", host_html(live_server))
    w = widget(page)
    w.input.fill("banjir")
    expect(w.options).to_have_count(1)
    page.wait_for_timeout(500)
    report = shadow_eval(page, """
        const option = root.querySelector('[role=option]');
        const marks = [...option.querySelectorAll('mark')];
        return {
          tags: [...new Set([...option.querySelectorAll('*')].map(e => e.localName))].sort(),
          markAttrs: marks.map(m => m.attributes.length),
          snippet: option.querySelector('.s').textContent,
          href: option.querySelector('a').href,
          chip: root.querySelector('button[aria-pressed]').textContent,
          meta: option.querySelector('.m').textContent,
        };""")
    assert report["tags"] == ["a", "div", "mark"], report
    assert report["markAttrs"] == [0, 0], report
    assert report["snippet"] == "Awas banjir selesai"
    assert report["href"] == f"{live_server}/artikel/x%2F..%2F..%2Fy"
    assert report["chip"] == "<img src=x onerror=window.__pwned=1>1"
    assert report["meta"] == "<i>O</i> · <b>S</b> · 12 Juli 2024"
    assert page.evaluate("typeof window.__pwned") == "undefined" and dialogs == []


# ============================================================================ stale responses

@pytest.mark.parametrize("abort", [True, False], ids=["with-abort", "without-abortcontroller"])
def test_stale_response_never_overwrites_newer(page, live_server, host_site, abort):
    """The first search is held back and answered 1.5 s late (after the second one finished); the
    widget must keep the second query's results. Without AbortController the late response really
    reaches the page, so only the sequence number protects the newer results."""
    if not abort:
        page.add_init_script("delete window.AbortController;")
    held = []

    def handle(route):
        if not held:
            held.append((route, time.monotonic()))
        else:
            route.continue_()
    page.route(SEARCH_URL, handle)
    delivered = []
    page.on("requestfinished", lambda r: delivered.append(r.url) if "q=gempa" in r.url else None)
    open_host(page, host_site, f"stale-{abort}", host_html(live_server))
    w = widget(page)
    w.input.fill("gempa")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert held, "the first search never started"
    assert "q=gempa" in held[0][0].request.url
    expect(w.status).to_have_text("Mencari…")
    w.input.fill("banjir")
    expect(w.root).to_have_attribute("data-query", "banjir")
    expect(w.options.first).to_be_visible()
    titles = w.options.locator("a").all_inner_texts()
    assert any("banjir" in t.lower() for t in titles)
    route, started = held[0]
    page.wait_for_timeout(max(0, 1500 - (time.monotonic() - started) * 1000))
    stale = {"query": "gempa", "total": 1, "page": 1, "per_page": 5, "took_ms": 1, "suggestion": None,
             "results": [{"id": "basi", "title": "BASI: hasil lama", "snippet": "basi", "outlet": "",
                          "section": "", "published": None, "url": "", "score": 1}],
             "facets": {"section": [], "date": []}}
    try:
        route.fulfill(status=200, body=json.dumps(stale), content_type="application/json",
                      headers={"Access-Control-Allow-Origin": "*"})
    except Exception:       # the browser already aborted that request
        assert abort
    page.wait_for_timeout(700)
    if not abort:       # the late answer really reached the page, and was ignored
        assert [u for u in delivered if "/api/search?" in u], delivered
    expect(w.root).to_have_attribute("data-query", "banjir")
    assert w.options.locator("a").all_inner_texts() == titles
    expect(w.status).to_have_text(re.compile(r"^\d+ hasil$"))


# ============================================================================ other ways to embed

def test_custom_element_english_dark(page, live_server, host_site):
    body = '<warta-search id="el" data-warta-lang="en" data-warta-limit="1" data-warta-theme="dark"></warta-search>'
    open_host(page, host_site, "element", host_html(live_server, body=body, script_attrs="async"))
    w = widget(page, "#el")
    expect(w.input).to_have_attribute("placeholder", "Search news…")
    w.input.fill("gempa")
    expect(w.options).to_have_count(1)
    expect(w.status).to_have_text("2 results")
    expect(w.options.first.locator(".m")).to_have_text(re.compile(r"\d{1,2} May 2023$"))
    expect(w.all).to_contain_text("See all results (2)")
    assert page.locator("#el .w").get_attribute("data-theme") == "dark"
    background = page.locator("#el .w").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(31, 33, 36)"
    # theme "auto" follows the device
    page.evaluate("""() => { const e = document.createElement('warta-search');
                             e.id = 'auto'; e.setAttribute('theme', 'auto'); document.body.append(e); }""")
    auto = page.locator("#auto .w")
    expect(auto).to_have_attribute("data-theme", "auto")
    assert auto.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="dark")
    assert auto.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 33, 36)"


def test_without_current_script_and_loaded_twice(page, live_server, host_site):
    """Where document.currentScript is null the widget finds its own <script> by its src; a second
    copy of the script only mounts its own target."""
    page.add_init_script("Object.defineProperty(Document.prototype, 'currentScript',"
                         " {get() { return null; }, configurable: true});")
    body = ('<div id="search"></div><div id="second"></div>'
            f'<script src="{live_server}/widget.js?v=2" data-warta-target="#second" async></script>')
    open_host(page, host_site, "no-current-script", host_html(live_server, body=body))
    first, second = widget(page, "#search"), widget(page, "#second")
    expect(second.input).to_be_visible()
    expect(first.input).to_be_visible()
    assert page.locator("#search input[role=combobox]").count() == 1
    with page.expect_request(SEARCH_URL) as request:
        second.input.fill("gempa")
    assert request.value.url.startswith(live_server + "/api/search?q=gempa")
    expect(second.options.first).to_be_visible()
    assert page.evaluate("typeof WartaSearch.mount") == "function"


def test_mount_api_with_default_sections_and_new_tab(page, live_server, host_site):
    host_site.add("/mount.js", """
      window.mounted = WartaSearch.mount(document.getElementById("js"),
        {sections: ["Daerah"], limit: 2, targetWindow: "_blank", placeholder: "Cari di sini"});
    """, "text/javascript")
    body = '<section id="js" style="--warta-accent: rgb(200, 0, 0)"></section><script src="/mount.js"></script>'
    html = host_html(live_server, body="", script_attrs="").replace("</body>", body + "</body>")
    open_host(page, host_site, "mount", html)
    w = widget(page, "#js")
    expect(w.input).to_have_attribute("placeholder", "Cari di sini")
    with page.expect_request(SEARCH_URL) as request:
        w.input.fill("banjir")
    assert request.value.url.endswith("q=banjir&section=Daerah&per_page=2")
    expect(w.options).to_have_count(2)
    expect(w.chips.filter(has_text="Daerah")).to_have_attribute("aria-pressed", "true")
    expect(w.options.first.locator("a")).to_have_attribute("target", "_blank")
    expect(w.options.first.locator("a")).to_have_attribute("rel", "noopener")
    color = w.options.first.locator("a").evaluate("a => getComputedStyle(a).color")
    assert color == "rgb(200, 0, 0)"            # --warta-accent from the host page
    page.evaluate("window.mounted.destroy()")
    expect(w.input).to_have_count(0)


def test_embed_page_preview_under_csp(page, live_server):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(live_server + "/embed")
    w = widget(page, "#pratinjau-widget")
    expect(w.input).to_be_visible()
    assert w.input.evaluate("i => getComputedStyle(i).minHeight") == "44px"   # adopted styles work
    w.input.fill("gempa")
    expect(w.options.first).to_be_visible()
    code = page.locator("#kode-widget")
    expect(code).to_contain_text(f'<script src="{live_server}/widget.js" data-warta-target="#warta-search" async>')
    page.fill("#opsi-limit", "3")
    expect(code).to_contain_text('data-warta-limit="3"')
    page.select_option("#opsi-lang", "en")
    expect(code).to_contain_text('data-warta-lang="en"')
    expect(w.input).to_have_attribute("placeholder", "Search news…")
    expect(w.status).to_have_text(re.compile(r"^\d+ results$"))       # the query survives a re-mount
    page.check("input[name=sections][value=Daerah]")
    expect(code).to_contain_text('data-warta-sections="Daerah"')
    page.fill("#opsi-accent", "#c0392b")
    expect(code).to_contain_text('<div id="warta-search" style="--warta-accent: #c0392b"></div>')
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems


# ============================================================================ speed + screenshots

def test_first_results_within_300ms_of_last_keystroke(page, live_server, host_site):
    open_host(page, host_site, "latency", host_html(live_server))
    w = widget(page)
    w.input.fill("korea")                    # warm up the server and the connection
    expect(w.options.first).to_be_visible()
    rounds = [measure_latency(page, w, ("gempa", "banjir bekasi", "vaksin", "korea utara", "pemilu"))]
    if median(rounds[0]) > 300:     # the machine is shared: one more round before judging
        rounds.append(measure_latency(page, w, ("pemilu", "korea utara", "vaksin", "banjir bekasi", "gempa")))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "widget-latency.json").write_text(json.dumps(rounds, indent=2), encoding="utf-8")
    print(f"\nwidget: last keystroke → first results visible (ms, incl. 200 ms debounce): {rounds}")
    for timings in rounds:
        assert -1 not in timings.values(), f"no results within 8 s: {timings}"
    assert min(median(t) for t in rounds) <= 300, rounds
    assert max(max(t.values()) for t in rounds) <= 2000, rounds


def median(timings: dict) -> float:
    ordered = sorted(timings.values())
    return ordered[len(ordered) // 2]


def measure_latency(page, w, queries) -> dict[str, float]:
    """Milliseconds from the last keydown of each query to its first result being laid out
    (measured in the page: performance.now() at keydown, requestAnimationFrame polling)."""
    timings = {}
    for query in queries:
        w.input.fill("")
        expect(w.listbox).to_be_hidden()
        page.evaluate("""q => { window.__lat = new Promise(resolve => {
            const root = document.querySelector('#search').shadowRoot;
            let t0 = 0;
            setTimeout(() => resolve(-1), 8000);
            root.querySelector('input').addEventListener('keydown', () => { t0 = performance.now(); });
            const tick = () => {
              const w = root.querySelector('.w'), o = root.querySelector('[role=option]');
              if (t0 && w.dataset.query === q && o && o.getBoundingClientRect().height > 0) {
                resolve(performance.now() - t0);
              } else { requestAnimationFrame(tick); }
            };
            requestAnimationFrame(tick);
        }); }""", query)
        w.input.focus()
        page.keyboard.type(query)
        timings[query] = round(page.evaluate("window.__lat"), 1)
    return timings


DEMO_HOST = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Kabar Kita</title>
<style>
  body { margin: 0; font: 17px/1.55 Georgia, "DejaVu Serif", serif; color: #222; background: #f7f4ee; }
  header { background: #7a1f1f; color: #fff; padding: 14px 20px; font: 700 24px/1.2 Georgia, serif; }
  main { display: grid; gap: 28px; padding: 20px; max-width: 1180px; margin: 0 auto; }
  article h2 { margin: 0 0 8px; font-size: 26px; line-height: 1.25; }
  article p { margin: 0 0 12px; }
  aside h3 { font: 700 15px/1.2 system-ui, sans-serif; text-transform: uppercase; letter-spacing: .05em;
             color: #7a1f1f; margin: 0 0 8px; }
  #search { --warta-accent: #7a1f1f; }
  @media (min-width: 900px) { main { grid-template-columns: minmax(0, 1fr) 460px; } }
  @media (max-width: 899px) { aside { order: -1; } }
</style></head>
<body><header>Kabar Kita</header>
<main>
  <article><h2>Warga Bantaran Kali Bersiap Hadapi Musim Hujan</h2>
    <p>Menjelang puncak musim hujan, warga di bantaran kali mulai memindahkan barang berharga ke lantai atas
       dan menyiapkan perahu karet bersama relawan kelurahan.</p>
    <p>Petugas kelurahan meminta warga memantau peringatan dini dan segera mengungsi bila air naik.</p></article>
  <aside><h3>Cari berita</h3><div id="search"></div></aside>
</main>
<script src="{server}/widget.js" data-warta-target="#search" async></script>
</body></html>"""


@pytest.mark.parametrize("name,width,height", [("phone", 360, 740), ("desktop", 1280, 800)])
def test_widget_screenshots(page, live_server, host_site, name, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_host(page, host_site, f"demo-{name}", DEMO_HOST.replace("{server}", live_server))
    w = widget(page)
    w.input.click()
    page.keyboard.type("banjir bekasi")
    expect(w.options.nth(2)).to_be_visible()
    expect(w.status).to_have_text(re.compile(r"hasil$"))
    page.wait_for_timeout(300)                   # let the suggestion row settle
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"widget-{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size < 300_000
    if os.environ.get("WARTA_UPDATE_SCREENSHOTS") == "1":
        target = REPO / "docs" / "img" / shot.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
