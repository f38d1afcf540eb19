"""The reader's search page in Debian chromium against the real server over the demo index: the
search box's suggestions as an ARIA combobox (keys, mouse, touch, phone, without JavaScript), a
keyboard-only walk through a search with visible focus everywhere, stories across outlets and the
date fields. Fixtures: tests/browser_support.py."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import open_page, requires_browser

pytestmark = [pytest.mark.browser, requires_browser]

PHONE = {"width": 390, "height": 844}


def expect(*args, **kwargs):
    from playwright.sync_api import expect as _expect
    return _expect(*args, **kwargs)


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def type_into_box(page, base: str, text: str):
    """Open / and type `text` into the search box key by key; returns the visible listbox."""
    page.goto(base + "/")
    page.locator("#q").press_sequentially(text, delay=15)
    listbox = page.get_by_role("listbox", name="Saran pencarian")
    expect(listbox).to_be_visible()
    return listbox


def active_id(page) -> str | None:
    return page.locator("#q").get_attribute("aria-activedescendant")


FOCUS = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, cls: String(el.className), text: (el.textContent || '').trim().slice(0, 60),
          href: el.getAttribute('href') || '',
          outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0,
          // a timeline bar (an SVG link) draws its focus ring as the stroke of its hit area
          ring: el.closest('.timeline-chart') && el.querySelector('.tl-hit')
                ? parseFloat(getComputedStyle(el.querySelector('.tl-hit')).strokeWidth) || 0 : 0,
          inFacets: !!el.closest('.facets'), inHit: !!el.closest('.hit-title'), inPages: !!el.closest('.pagination')};
}"""


# ============================================================================ suggestions

def test_suggestions_are_an_aria_combobox_driven_by_arrow_keys(page, live_server):
    listbox = type_into_box(page, live_server, "banjir bek")
    box = page.locator("#q")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-expanded", "true")
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    options = listbox.get_by_role("option")
    n = options.count()
    assert n >= 3
    expect(options.first).to_have_text("banjir bekasi")             # the word completion comes first
    expect(listbox.locator(".suggestion-title").first).to_contain_text("Artikel")
    expect(page.locator(".combo [role=status]")).to_have_text(re.compile(rf"^{n} saran tersedia\b"))
    assert active_id(page) is None

    ids = [options.nth(i).get_attribute("id") for i in range(n)]
    page.keyboard.press("ArrowDown")
    assert active_id(page) == ids[0]
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    assert active_id(page) == ids[1]
    expect(options.first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")                                    # wraps round to the last
    assert active_id(page) == ids[-1]
    assert page.evaluate("document.activeElement.id") == "q"          # focus never leaves the box

    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert active_id(page) is None and box.input_value() == "banjir bek"

    page.keyboard.press("ArrowDown")                                  # reopens on the first
    expect(listbox).to_be_visible()
    assert active_id(page) == ids[0]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url)["q"] == ["banjir bekasi"]
    expect(page.locator(".hits .hit").first).to_be_visible()


def test_enter_without_a_chosen_suggestion_searches_what_was_typed(page, live_server):
    type_into_box(page, live_server, "banjir bek")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url)["q"] == ["banjir bek"]


def test_typing_on_after_choosing_forgets_the_choice(page, live_server):
    type_into_box(page, live_server, "banjir bek")
    page.keyboard.press("ArrowDown")
    assert active_id(page)
    page.keyboard.type("a")
    assert active_id(page) is None
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url)["q"] == ["banjir beka"]


def test_a_click_chooses_a_word_and_an_article_title_opens_the_article(page, live_server):
    listbox = type_into_box(page, live_server, "banjir bek")
    with page.expect_navigation():
        listbox.get_by_role("option", name="banjir bekasi").click()
    assert params(page.url)["q"] == ["banjir bekasi"]

    listbox = type_into_box(page, live_server, "korut")
    title = listbox.locator(".suggestion-title").first
    text = title.text_content().replace("Artikel", "", 1).strip()
    with page.expect_navigation():
        title.click()
    assert "/artikel/" in page.url
    expect(page.locator("h1#judul-artikel")).to_have_text(text)


def test_leaving_the_box_closes_the_suggestions(page, live_server):
    listbox = type_into_box(page, live_server, "banjir bek")
    page.keyboard.press("Tab")
    expect(listbox).to_be_hidden()
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "false")
    listbox = type_into_box(page, live_server, "banjir bek")
    page.locator("h1, .result-count").first.click(force=True)
    expect(listbox).to_be_hidden()


def test_suggestions_on_a_phone_by_touch(browser, request, live_server):
    with open_page(browser, request.node, has_touch=True, is_mobile=True) as page:
        page.set_viewport_size(PHONE)
        page.goto(live_server + "/?q=banjir")
        page.locator("#q").tap()
        page.locator("#q").fill("")
        page.locator("#q").press_sequentially("banjir bek", delay=15)
        listbox = page.get_by_role("listbox", name="Saran pencarian")
        expect(listbox).to_be_visible()
        box = listbox.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["y"] + min(box["height"], 200) <= PHONE["height"]
        options = listbox.get_by_role("option")
        expect(options.first).to_be_visible()
        # measured in one pass: the list re-renders while suggestions for the last letters arrive
        heights = listbox.evaluate("el => [...el.querySelectorAll('[role=option]')]"
                                   ".map(o => o.getBoundingClientRect().height)")
        assert heights and min(heights) >= 44, f"touch targets are at least 44 px high: {heights}"
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        with page.expect_navigation():
            options.first.tap()
        assert params(page.url)["q"] == ["banjir bekasi"]


def test_the_search_box_works_without_javascript(browser, request, live_server):
    with open_page(browser, request.node, java_script_enabled=False) as page:
        page.goto(live_server + "/")
        assert page.locator("#q").get_attribute("role") is None      # a plain search field
        page.fill("#q", "gempa")
        with page.expect_navigation():
            page.press("#q", "Enter")
        assert params(page.url)["q"] == ["gempa"]
        expect(page.locator(".hits .hit").first).to_be_visible()


# ============================================================================ keyboard walk-through

def test_keyboard_walk_through_with_visible_focus(page, live_server):
    """From the top of the page with Tab, arrows and Enter only: the search box, a suggestion, the
    facets, a result, the pagination; every stop shows a focus ring."""
    page.goto(live_server + "/")
    stops = []

    def tab():
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS)
        assert (stop["outline"] != "none" and stop["width"] >= 2) or stop["ring"] >= 2, f"no visible focus on {stop}"
        stops.append(stop)
        return stop

    for _ in range(4):
        if tab()["id"] == "q":
            break
    else:
        pytest.fail(f"Tab never reached the search box: {stops}")
    page.keyboard.type("warg")
    options = page.get_by_role("listbox", name="Saran pencarian").get_by_role("option")
    expect(options.first).to_be_visible()
    page.keyboard.press("ArrowDown")
    chosen = options.first.inner_text()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url)["q"] == [chosen]
    expect(page.locator(".pagination")).to_be_visible()               # more than one page of results

    stops.clear()
    seen = {"facet": None, "hit": None, "pages": None}
    for n in range(120):
        stop = tab()
        for key, flag in (("facet", "inFacets"), ("hit", "inHit"), ("pages", "inPages")):
            if stop[flag] and seen[key] is None:
                seen[key] = n
        if seen["pages"] is not None:
            break
    assert None not in seen.values(), f"Tab did not reach every part: {seen}"
    assert seen["facet"] < seen["hit"] < seen["pages"]                # in reading order
    for _ in range(6):                                                # on past "1" to the next page
        if "page=2" in stops[-1]["href"]:
            break
        tab()
    assert "page=2" in stops[-1]["href"], stops[-1]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url)["page"] == ["2"] and params(page.url)["q"] == [chosen]


def test_keyboard_timeline_article_and_back(page, live_server):
    """Keyboard only: a timeline bar narrows the search, a result opens, and "Kembali ke pencarian"
    returns to exactly the narrowed search."""
    page.goto(live_server + "/?q=warga")

    def tab_until(selector: str, limit: int = 150) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"!!document.activeElement.closest({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

    tab_until(".timeline-chart a")
    bar = page.evaluate("document.activeElement.getAttribute('href')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    narrowed = params(page.url)
    assert narrowed["q"] == ["warga"] and narrowed["from"] and narrowed["to"] and "from=" in bar
    search_url = page.url
    tab_until(".hit-title a")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/artikel/" in page.url
    tab_until(".back-link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url) == params(search_url)


def test_focus_ring_is_never_removed_in_the_stylesheet(page, live_server):
    page.goto(live_server + "/?q=banjir")
    rules = page.evaluate("""() => [...document.styleSheets].flatMap(s => [...s.cssRules])
        .filter(r => r.selectorText && /:focus/.test(r.selectorText))
        .map(r => r.selectorText + ' {' + r.style.cssText + '}')""")
    assert any(":focus-visible" in r and "outline: " in r for r in rules)
    removed = [r for r in rules if re.search(r"outline(-style)?: (none|0)", r)]
    assert all(r.startswith("main:focus") for r in removed), removed   # only <main>, the skip link's target


# ============================================================================ copies, dates, lists

def test_a_story_across_outlets_opens_at_its_list_of_copies(page, live_server):
    page.goto(live_server + "/?q=gempa+garut")
    hits = page.locator(".hits .hit")
    expect(hits).to_have_count(1)
    line = hits.first.locator(".duplicates a")
    expect(line).to_have_text("1 outlet lain memuat berita ini")
    with page.expect_navigation():
        line.click()
    assert urlsplit(page.url).fragment == "salinan"
    copies = page.locator("#salinan")
    expect(copies).to_be_in_viewport()
    expect(copies.get_by_role("heading")).to_have_text("Berita ini juga dimuat")
    items = copies.locator("li")
    expect(items).to_have_count(1)
    expect(items.first.locator(".outlet")).to_have_text(re.compile(r"^(KABARNUSA\.COM|SUARAPESISIR\.ID)$"))
    expect(items.first.locator("time")).to_contain_text("22 Mei 2023")
    assert items.first.locator(".outlet").inner_text() != page.locator("article .meta .outlet").inner_text()
    # on a desktop the photo caption keeps to the text column, as on a phone
    widths = page.evaluate("""() => [document.querySelector('.caption').getBoundingClientRect().width,
                                     document.querySelector('.article-body').getBoundingClientRect().width]""")
    assert 0 < widths[0] <= widths[1] + 0.5, widths


def test_date_fields_echo_the_chosen_date_in_words(page, live_server):
    page.goto(live_server + "/?q=banjir")
    page.locator("#tgl-dari").fill("2024-03-08")
    expect(page.locator("#tgl-dari-teks")).to_have_text("Jumat, 8 Maret 2024")
    expect(page.locator("#tgl-format")).to_contain_text("hh/bb/tttt")
    with page.expect_navigation():
        page.get_by_role("button", name="Terapkan").click()
    assert params(page.url)["from"] == ["2024-03-08"]
    expect(page.locator("#tgl-dari-teks")).to_have_text("Jumat, 8 Maret 2024")


@pytest.mark.parametrize("path", ["/?q=banjir+Bekasi", "ARTICLE"])
def test_separators_never_start_a_line_on_a_phone(page, live_server, path):
    page.set_viewport_size(PHONE)
    if path == "ARTICLE":
        page.goto(live_server + "/?q=gempa+garut")
        with page.expect_navigation():
            page.locator(".hits .hit-title a").first.click()
    else:
        page.goto(live_server + path)
    # every meta row item that wrapped to a new line starts with text, never with "·"
    starts = page.evaluate("""() => [...document.querySelectorAll('.meta, .footer-links')].flatMap(row => {
        const items = [...row.children]; let lastTop = null; const out = [];
        for (const item of items) {
          const top = item.getBoundingClientRect().top;
          const before = getComputedStyle(item, '::before').content;
          out.push({wrapped: lastTop !== null && top > lastTop + 2, before});
          lastTop = top;
        }
        return out; })""")
    assert starts, "no meta rows"
    assert all(s["before"] in ("none", "normal") for s in starts), starts
    assert any(s["wrapped"] for s in starts) or path == "/?q=banjir+Bekasi"
    # the photo caption keeps to the article's text column
    if path == "ARTICLE":
        widths = page.evaluate("""() => [document.querySelector('.caption').getBoundingClientRect().width,
                                         document.querySelector('.article-body').getBoundingClientRect().width]""")
        assert widths[0] <= widths[1] + 0.5


# ============================================================================ README screenshots

def test_screenshot_script_photographs_results_and_an_article(browser, live_server, tmp_path):
    """scripts/screenshots.py makes docs/img/reader-*.png; its take() runs here on the live server."""
    import importlib.util

    from tests.browser_support import REPO
    spec = importlib.util.spec_from_file_location("warta_screenshots", REPO / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.take(live_server, tmp_path, browser)
    assert sorted(p.name for p in written) == sorted(f"reader-{page}-{size}.png" for page in ("results", "article")
                                                     for size in ("desktop", "phone"))
    for path in written:
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(data) < 300_000, (path.name, len(data))
        width = int.from_bytes(data[16:20], "big")
        assert width == module.SHOTS[path.stem.rsplit("-", 1)[1]][0]
