"""Screenshots of the reader's pages for the README: results and an article page, desktop and phone.

    .venv/bin/python scripts/screenshots.py            # writes docs/img/reader-*.png
    .venv/bin/python scripts/screenshots.py --out /tmp/shots

Builds the bundled demo corpus into a temporary index, serves it in this process (Werkzeug, a
thread, loopback only) and photographs it with Debian's chromium (/usr/bin/chromium) through
Playwright. `take()` is also run by tests/test_browser_reader.py, so the script keeps working.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
RESULTS = "/?q=banjir+bekasi"
STORY = "/?q=gempa+garut"          # demo 009/010: one story, two outlets; its first hit opens the article
SHOTS = {                          # name: (viewport width, height)
    "desktop": (1100, 760),
    "phone": (390, 844),
}


def take(base_url: str, out: Path, browser) -> list[Path]:
    """reader-results-{desktop,phone}.png and reader-article-{desktop,phone}.png of the server at
    base_url into out; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (width, height) in SHOTS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
        try:
            page = context.new_page()
            page.goto(base_url + RESULTS)
            page.locator(".hits .hit").first.wait_for()
            written.append(out / f"reader-results-{name}.png")
            page.screenshot(path=str(written[-1]))
            page.goto(base_url + STORY)
            with page.expect_navigation():
                page.locator(".hits .hit-title a").first.click()
            page.locator("#judul-artikel").wait_for()
            written.append(out / f"reader-article-{name}.png")
            page.screenshot(path=str(written[-1]))
        finally:
            context.close()
    return written


def _serve_demo(tmp: Path):
    """The demo corpus built into tmp and served by the real Flask app on a free loopback port."""
    import logging

    from werkzeug.serving import make_server

    from indexer.build import build
    from indexer.config import load_settings
    from webapp import create_app

    settings = load_settings(REPO / "config.toml").replace(index={"dir": tmp / "index", "procs": 1})
    build(settings, quiet=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)      # no line per request
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    threading.Thread(target=server.serve_forever, name="screenshots", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "img", help="folder for the PNGs")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="warta-shots-") as tmp:
        server = _serve_demo(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                try:
                    for path in take(f"http://127.0.0.1:{server.server_port}", args.out, browser):
                        print(f"{path} ({path.stat().st_size // 1024} KB)")
                finally:
                    browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
