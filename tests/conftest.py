"""Shared fixtures.

`demo_settings` builds one real index from demo/corpus (session scope) into a temporary index
folder and returns Settings pointing at it. `web_settings` does the same for the web tests' small
corpus (tests/web_support.py); `engine`, `app` and `client` put the app on it. A broken import or
config.toml fails the tests that use them: nothing here turns an error into a skip.
"""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.browser_support"]   # live_server, browser, page, host_site fixtures

REPO = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO / "demo" / "corpus"


def _demo_source_settings():
    """Settings whose [[sources]] point at demo/corpus: the repo's config.toml with only its source
    there, else a plain text source over the folder. A config.toml that does not load fails here."""
    from indexer.config import Settings, SourceSettings, load_settings

    settings = load_settings(REPO / "config.toml")
    demo_path = DEMO_CORPUS.resolve()
    demo = [s for s in settings.sources
            if Path(s.path).resolve() == demo_path or demo_path in Path(s.path).resolve().parents]
    if demo:
        return settings.replace(sources=tuple(demo))
    return Settings(sources=(SourceSettings(name="demo", path=DEMO_CORPUS, format="text"),))


def jsonl_settings(tmp_path: Path, records: list[dict], name: str = "test"):
    """Settings with one JSONL source (written from `records`) and the index under tmp_path."""
    import json

    from indexer.config import IndexSettings, Settings, SourceSettings

    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    fields = {k: k for k in ("id", "title", "lead", "body", "caption", "date", "section", "subsection",
                             "url", "outlet", "source")}
    source = SourceSettings(name=name, path=path, format="jsonl", fields=fields)
    return Settings(index=IndexSettings(dir=tmp_path / "index", procs=1), sources=(source,))


def build_index(settings):
    """Full build with the project's builder."""
    from indexer.build import build
    return build(settings, quiet=True)


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory):
    """Settings with a freshly built index of demo/corpus in a temporary folder."""
    assert DEMO_CORPUS.is_dir() and any(DEMO_CORPUS.iterdir()), f"{DEMO_CORPUS} is missing or empty"
    index_dir = tmp_path_factory.mktemp("demo-index") / "index"
    settings = _demo_source_settings().replace(index={"dir": index_dir, "procs": 1})
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory):
    """Settings with a freshly built index of tests/web_support.py's ARTICLES."""
    from tests.web_support import build_web_index
    return build_web_index(tmp_path_factory.mktemp("web-index"))


@pytest.fixture(scope="session")
def _web_engine(web_settings):
    from tests.web_support import RecordingEngine
    return RecordingEngine(web_settings)


@pytest.fixture
def engine(_web_engine):
    """The real engine on the web index (shared; opened once), its records cleared."""
    _web_engine.requests.clear()
    _web_engine.suggest_calls.clear()
    _web_engine.fail = None
    yield _web_engine
    _web_engine.fail = None


@pytest.fixture
def app(web_settings, engine):
    from webapp import create_app
    return create_app(web_settings, engine=engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def demo_client(demo_settings):
    """A test client of the app on the demo index."""
    from webapp import create_app
    return create_app(demo_settings).test_client()
