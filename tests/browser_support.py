"""Browser-test support, loaded as a pytest plugin (``pytest_plugins`` in tests/conftest.py).

Fixtures
  live_server   session: builds the demo corpus into a temporary index and runs the real production
                server (``python -m webapp.serve`` → gunicorn) on a free port; yields its base URL
                (``http://127.0.0.1:PORT``, no trailing slash).
  browser       session: Debian's /usr/bin/chromium driven by Playwright (never ``playwright
                install``). Every test using it is skipped when chromium is missing; a missing
                playwright (a test dependency) fails.
  page          a fresh context and page per test (1280×800, Indonesian locale, 10 s timeouts).
                When the test fails, a full-page screenshot goes to test-artifacts/<test>.png.
  host_site     session: a second local origin (http.server in a thread) serving HTML pages that
                tests register with ``host_site.add(path, html)``.

Helpers for tests that need more servers: `repo_config`, `write_config`, `start_server`.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 10_000
SERVER_START_SECONDS = 90


def browser_skip_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    return None     # playwright is a test dependency (setup.cfg [test]): missing, it fails, not skips


#: Module-level mark for browser test files: ``pytestmark = [pytest.mark.browser, requires_browser]``
requires_browser = pytest.mark.skipif(browser_skip_reason() is not None,
                                      reason=browser_skip_reason() or "")


# ============================================================================ report hook

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (item.rep_setup/rep_call/rep_teardown) so fixtures can
    see in their teardown whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _failed(node) -> bool:
    return any(getattr(getattr(node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


def artifact_path(node, suffix: str = ".png") -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name).strip("_") + suffix)


# ============================================================================ config + server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)   # JSON strings are valid TOML basic strings
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_toml(data: dict, prefix: tuple[str, ...] = ()) -> str:
    """Just enough TOML writing for config files: scalars, arrays, tables, arrays of tables."""
    lines, tables, arrays = [], [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    out = "".join(line + "\n" for line in lines)
    for key, value in tables:
        name = prefix + (key,)
        out += f"\n[{'.'.join(map(_toml_key, name))}]\n" + dump_toml(value, name)
    for key, items in arrays:
        name = prefix + (key,)
        for item in items:
            out += f"\n[[{'.'.join(map(_toml_key, name))}]]\n" + dump_toml(item, name)
    return out


def repo_config(index_dir: Path, **sections: dict) -> dict:
    """The repo's config.toml as a mapping, with relative paths made absolute, the index in
    ``index_dir`` (one writer process) and ``sections`` merged in (``sources=[...]`` replaces)."""
    path = REPO / "config.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for source in data.get("sources", []):
        if "path" in source and not Path(source["path"]).is_absolute():
            source["path"] = str(REPO / source["path"])
    for key in ("stopwords", "protected_words", "lexicon"):
        value = data.get("analysis", {}).get(key)
        if isinstance(value, str) and value not in ("builtin", "none") and not Path(value).is_absolute():
            data["analysis"][key] = str(REPO / value)
    data.setdefault("index", {}).update({"dir": str(index_dir), "procs": 1})
    for name, values in sections.items():
        if name == "sources":
            data["sources"] = list(values)
        else:
            data.setdefault(name, {}).update(values)
    return data


def write_config(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_toml(data), encoding="utf-8")
    return path


class ServerProcess:
    """A running ``python -m webapp.serve`` (its own process group) and its log files."""

    def __init__(self, proc: subprocess.Popen, url: str, log: Path):
        self.proc, self.url, self.log = proc, url, log

    def output(self) -> str:
        text = []
        for name in ("stdout", "stderr"):
            path = self.log.with_suffix(f".{name}")
            if path.exists():
                text.append(f"--- {name} ---\n" + path.read_text(encoding="utf-8", errors="replace")[-6000:])
        return "\n".join(text)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()          # gunicorn master: graceful stop of its worker
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def start_server(config: Path, log: Path, workers: int = 1) -> ServerProcess:
    """Start the production server on a free port and wait until /healthz answers 200.
    Raises RuntimeError with the server's output when it exits early or never gets ready."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log.with_suffix(".stdout"), "wb") as out, open(log.with_suffix(".stderr"), "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "webapp.serve", "--config", str(config), "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],
            cwd=REPO, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])})
    server = ServerProcess(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"warta-serve exited early with status {proc.returncode}\n{server.output()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return server
        except urllib.error.HTTPError as exc:   # 503 while the index is unavailable: keep waiting
            exc.close()
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"warta-serve not ready after {SERVER_START_SECONDS} s\n{server.output()}")
        time.sleep(0.2)


@contextmanager
def running_server(config: Path, log: Path) -> Iterator[ServerProcess]:
    server = start_server(config, log)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Base URL of the real server over a fresh index of demo/corpus."""
    from indexer.build import build
    from indexer.config import load_settings

    tmp = tmp_path_factory.mktemp("live-server")
    index_dir = tmp / "index"
    settings = load_settings(REPO / "config.toml").replace(index={"dir": index_dir, "procs": 1})
    build(settings, quiet=True)
    config = write_config(tmp / "config.toml", repo_config(index_dir))
    with running_server(config, tmp / "server") as server:
        yield server.url


# ============================================================================ second origin

class HostSite:
    """Static HTML pages on their own local origin (``http://localhost:PORT``), in a thread."""

    def __init__(self):
        self.pages: dict[str, tuple[str, bytes]] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                content_type, body = site.pages.get(self.path.split("?")[0], ("", b""))
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", content_type or "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # "localhost" instead of 127.0.0.1: a different host name as well as a different port
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="host-site", daemon=True)
        self.thread.start()

    def add(self, path: str, html: str, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve ``html`` at ``path``; returns the page's URL."""
        self.pages[path] = (content_type, html.encode("utf-8"))
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    try:
        yield site
    finally:
        site.close()


# ============================================================================ browser + page

@pytest.fixture(scope="session")
def browser():
    reason = browser_skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def open_page(browser, node, timeout_ms: int = TIMEOUT_MS, **options) -> Iterator[Any]:
    """A page in a fresh desktop context; a screenshot in test-artifacts/ when the test failed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID", **options)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    try:
        yield page
    finally:
        if _failed(node):
            try:
                page.screenshot(path=str(artifact_path(node)), full_page=True)
            except Exception as exc:  # a crashed page must not hide the real failure
                print(f"screenshot failed: {exc}", file=sys.stderr)
        context.close()


@pytest.fixture
def page(browser, request):
    with open_page(browser, request.node) as page:
        yield page
