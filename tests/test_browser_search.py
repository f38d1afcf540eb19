"""The search site in a real browser (Debian chromium via Playwright) against the real server
(gunicorn over a fresh demo index): search, facets, article page, back button, keyboard-only use
and the phone layout. Fixtures: tests/browser_support.py."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser_support import requires_browser

pytestmark = [pytest.mark.browser, requires_browser]

QUERY = "banjir Bekasi"


def expect(*args, **kwargs):
    from playwright.sync_api import expect as _expect
    return _expect(*args, **kwargs)


def search(page, base: str, query: str = QUERY) -> None:
    page.goto(base + "/")
    page.fill("#q", query)
    with page.expect_navigation():
        page.press("#q", "Enter")
    expect(page.locator(".hits .hit").first).to_be_visible()


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def facet_counts(page) -> list[str]:
    return page.locator(".facets .facet-link").evaluate_all(
        "links => links.map(a => a.querySelector('.facet-name').textContent.trim() + '=' +"
        " a.querySelector('.facet-count').textContent.trim())")


def test_search_shows_highlighted_results(page, live_server):
    search(page, live_server)
    assert params(page.url)["q"] == [QUERY]
    assert page.input_value("#q") == QUERY
    hits = page.locator(".hits .hit")
    assert hits.count() >= 2
    marks = page.locator(".hits mark").all_text_contents()
    assert marks, "no <mark> highlights in the results"
    assert {m.lower() for m in marks} & {"banjir", "bekasi"}
    expect(page.locator(".result-count")).to_contain_text("hasil")
    expect(page).to_have_title(re.compile(QUERY))


def test_section_facet_refines_results(page, live_server):
    search(page, live_server)
    count_before = page.locator(".result-count").inner_text()
    facets_before = facet_counts(page)
    total = int(re.search(r"([\d.]+) hasil", count_before).group(1).replace(".", ""))
    # a section with fewer articles than the whole result, so choosing it must change the count
    links = page.locator("section[aria-labelledby=facet-rubrik] .facet-link")
    names = links.locator(".facet-name").all_text_contents()
    counts = [int(c.replace(".", "")) for c in links.locator(".facet-count").all_text_contents()]
    choice = next(i for i, c in enumerate(counts) if 0 < c < total)
    section = names[choice].strip()
    with page.expect_navigation():
        links.nth(choice).click()
    assert params(page.url)["section"] == [section]
    assert params(page.url)["q"] == [QUERY]
    chip = page.locator(".chips .chip", has_text=f"Rubrik: {section}")
    expect(chip).to_be_visible()
    count_after = page.locator(".result-count").inner_text()
    assert f"{counts[choice]} hasil" in count_after and count_after != count_before
    assert facet_counts(page) != facets_before
    expect(page.locator(".facet-link.selected", has_text=section)).to_have_attribute("aria-current", "true")
    sections = page.locator(".hits .meta .section").all_text_contents()
    assert sections and set(sections) == {section}
    with page.expect_navigation():      # the chip removes the filter again
        chip.click()
    assert "section" not in params(page.url)
    expect(page.locator(".result-count")).to_contain_text(f"{total} hasil")


def test_article_page_and_back(page, live_server):
    search(page, live_server)
    results_url = page.url
    titles = page.locator(".hits .hit-title").all_inner_texts()
    first = page.locator(".hits .hit-title a").first
    outlet = page.locator(".hits .hit").first.locator(".outlet").inner_text()
    with page.expect_navigation():
        first.click()
    assert "/artikel/" in page.url
    expect(page.locator("h1#judul-artikel")).to_have_text(titles[0])
    meta = page.locator("article .meta")
    expect(meta.locator(".outlet")).to_have_text(outlet)
    expect(meta.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d{2}-\d{2}T"))
    expect(meta.locator("time")).to_have_text(re.compile(r"\d{4}"))
    assert page.locator(".article-body p").count() >= 1
    page.go_back()
    expect(page).to_have_url(results_url)
    expect(page.locator("#q")).to_have_value(QUERY)
    assert page.locator(".hits .hit-title").all_inner_texts() == titles


def test_keyboard_only_search(page, live_server):
    page.goto(live_server + "/")
    for presses in range(1, 8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "q":
            break
    else:
        pytest.fail("Tab never reached the search box")
    assert presses <= 4, f"search box needs {presses} Tab presses"
    page.keyboard.type("gempa")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert params(page.url)["q"] == ["gempa"]
    expect(page.locator(".hits .hit").first).to_be_visible()
    expect(page.locator(".hits mark").first).to_have_text(re.compile("gempa", re.I))
    # keep going with the keyboard: Tab on to a result link and open it with Enter
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.hit-title')"):
            break
    else:
        pytest.fail("Tab never reached a result link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/artikel/" in page.url


@pytest.mark.parametrize("path", ["/?q=banjir+Bekasi", "/?q=banjir+Bekasi&section=Daerah&sort=newest",
                                  "ARTICLE", "/embed"])
def test_phone_width_has_no_horizontal_scroll(page, live_server, path):
    page.set_viewport_size({"width": 360, "height": 740})
    if path == "ARTICLE":
        search(page, live_server)
        with page.expect_navigation():
            page.locator(".hits .hit-title a").first.click()
    else:
        page.goto(live_server + path)
    page.wait_for_load_state("load")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360, f"{path}: page is {width}px wide at a 360px viewport"


def test_timeline_bar_is_reached_by_keyboard_and_narrows_the_results(page, live_server):
    search(page, live_server, "banjir")
    total = page.locator(".result-count").inner_text()
    page.focus("#q")
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.timeline-chart')"):
            break
    else:
        pytest.fail("Tab never reached a timeline bar")
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    count = int(re.match(r"([\d.]+) artikel, ", label).group(1).replace(".", ""))
    # the focused bar shows it (outline colour on the bar), with no script on the page doing it
    assert page.evaluate("getComputedStyle(document.activeElement.querySelector('.tl-bar')).fill") == \
        "rgb(179, 71, 0)"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    query = params(page.url)
    assert query["q"] == ["banjir"] and len(query["from"]) == len(query["to"]) == 1
    expect(page.locator(".result-count")).to_contain_text(f"{count} hasil")
    assert page.locator(".hits .hit").count() == min(count, 10)
    expect(page.locator(".chips .chip", has_text="Dari:")).to_be_visible()
    # on a phone the bars stay tall targets, and the table's links are 44 px rows
    page.set_viewport_size({"width": 390, "height": 844})
    hit = page.locator(".timeline-chart .tl-hit").first.bounding_box()
    assert hit["height"] >= 44
    page.locator(".timeline-table summary").click()
    row_link = page.locator(".timeline-table tbody a").first.bounding_box()
    assert row_link["height"] >= 44
    with page.expect_navigation():
        page.locator(".timeline-reset").click()
    assert "from" not in params(page.url) and "to" not in params(page.url)
    assert page.locator(".result-count").inner_text().split(" (")[0] == total.split(" (")[0]
