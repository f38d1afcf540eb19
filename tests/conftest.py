"""Shared fixtures.

`demo_settings` builds one real index from demo/corpus (session scope) into a temporary index
folder and returns Settings pointing at it. Tests that use it are skipped (not failed) while the
indexer pieces it needs cannot be imported yet.
"""
from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.browser_support"]   # live_server, browser, page, host_site fixtures

REPO = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO / "demo" / "corpus"


def _demo_source_settings():
    """Settings whose [[sources]] point at demo/corpus: the repo's config.toml when it loads and
    has a source there, else a plain text source over the folder."""
    from indexer.config import Settings, SourceSettings, load_settings

    config = REPO / "config.toml"
    if config.exists():
        try:
            settings = load_settings(config)
        except Exception:  # a config problem must not hide the web tests; fall back below
            settings = None
        if settings is not None:
            demo = [s for s in settings.sources
                    if Path(s.path).resolve() == DEMO_CORPUS.resolve()
                    or DEMO_CORPUS.resolve() in Path(s.path).resolve().parents]
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
    """Full build with the lead's builder; skips the calling test when it cannot run yet."""
    try:
        from indexer.build import build
        return build(settings, quiet=True)
    except ImportError as exc:  # pieces of the indexer still landing
        pytest.skip(f"indexer not complete yet: {exc}")


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory):
    """Settings with a freshly built index of demo/corpus in a temporary folder."""
    if not DEMO_CORPUS.is_dir() or not any(DEMO_CORPUS.iterdir()):
        pytest.skip("demo/corpus is empty")
    index_dir = tmp_path_factory.mktemp("demo-index") / "index"
    settings = _demo_source_settings().replace(index={"dir": index_dir, "procs": 1})
    build_index(settings)
    return settings
