"""Accessibility audit: axe-core (vendored by the `axe-playwright-python` test dependency, so no
network is needed) in Debian chromium against the real server over the demo index, on the home
page, results, a story across outlets, an article page, /bantuan, the empty state and the open
suggestion list, at desktop and phone width. No serious or critical violation is allowed; the
others are printed. Fixtures: tests/browser_support.py."""
from __future__ import annotations

import pytest

from tests.browser_support import requires_browser

pytestmark = [pytest.mark.browser, requires_browser]

BLOCKING = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:      # a test dependency (setup.cfg [test]): scripts/test installs it
        pytest.fail("axe-playwright-python is missing: pip install -e '.[test]' (scripts/test does)")
    return Axe()


def audit(axe, page) -> list[dict]:
    """axe's violations on the page as it is now; prints the ones that do not fail the test."""
    violations = axe.run(page).response["violations"]
    for v in violations:
        if v["impact"] not in BLOCKING:
            print(f"axe ({v['impact']}) {page.url}: {v['id']} on {[n['target'] for n in v['nodes']][:3]}")
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']} — {[n['target'] for n in v['nodes']][:4]}"
                     for v in violations)


def open_article_with_copies(page, base: str) -> None:
    page.goto(base + "/?q=gempa+garut")
    with page.expect_navigation():
        page.locator(".hits .hit-title a").first.click()
    assert page.locator("#salinan li").count() >= 1 and page.locator(".caption").count() == 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("where", ["/", "/?q=banjir+bekasi", "/?q=gempa+garut&section=Daerah&from=2023-05-01",
                                   "ARTICLE", "/bantuan", "/?q=zzqqxx", "SUGGESTIONS", "/?q=warga",
                                   "/embed"])
def test_no_serious_or_critical_axe_violations(page, live_server, axe, viewport, where):
    page.set_viewport_size(viewport)
    if where == "ARTICLE":
        open_article_with_copies(page, live_server)
    elif where == "SUGGESTIONS":
        page.goto(live_server + "/?q=banjir")
        page.locator("#q").fill("")
        page.locator("#q").press_sequentially("banjir bek", delay=15)
        page.get_by_role("listbox").wait_for(state="visible")
        page.keyboard.press("ArrowDown")
    else:
        page.goto(live_server + where)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")   # folded filters too
    violations = audit(axe, page)
    assert not violations, describe(violations)


def test_the_audit_finds_a_planted_defect(page, live_server, axe):
    """The harness really runs axe on our pages (CSP and all): a nameless button and an image
    without alt text added to the results page are reported as critical."""
    page.goto(live_server + "/?q=banjir")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.appendChild(document.createElement('button'));
        const img = document.createElement('img'); img.src = 'data:,'; main.appendChild(img);
    }""")
    found = {v["id"] for v in audit(axe, page)}
    assert {"button-name", "image-alt"} <= found, found
