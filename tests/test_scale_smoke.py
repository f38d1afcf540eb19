"""Small version of bench/scale.py: CLICK-ID sample (1,500 articles) replicated 2×, built, updated.

Asserts correctness only (document counts after build and update, results returned, the running
SearchEngine sees the new generation); the timings are bench/scale.py's job. Runs in well under 90 s.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.support import load_bench

REPO = Path(__file__).resolve().parents[1]
CLICKID = REPO.parent / "shared" / "corpus" / "click-id" / "raw_articles"
SAMPLE = 1500

pytestmark = pytest.mark.corpus


_load = load_bench


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    if not CLICKID.is_dir():
        pytest.skip(f"CLICK-ID corpus absent: {CLICKID}")
    scale = _load("scale")
    common = _load("_common")
    tmp = tmp_path_factory.mktemp("scale-smoke")
    base = scale.read_base(common.clickid_config(tmp, procs=1), limit=SAMPLE,
                           files=["csv/kapanlagi.csv", "csv/pos_metro.csv", "csv/tribunnews.csv"])
    rep = scale.Replicator(base)
    copies = [scale.write_jsonl(tmp / "corpus" / "copy-00.jsonl", scale.original_records(base)),
              scale.write_jsonl(tmp / "corpus" / "copy-01.jsonl", rep.copy(1))]
    updates = scale.write_jsonl(tmp / "updates.jsonl", scale.update_records(base, rep, n_new=100, n_changed=100))
    from indexer.config import load_settings
    settings = load_settings(common.jsonl_config(tmp / "config.toml", tmp / "index", copies, procs=2))
    return scale, base, settings, copies, updates


def _records(path: Path) -> list[dict]:
    import json
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_replicas_are_new_articles_with_spread_dates(scaled):
    scale, base, _settings, copies, _updates = scaled
    assert len(base) == SAMPLE
    original, replica = _records(copies[0]), _records(copies[1])
    assert len(replica) == len(original) == SAMPLE
    assert not {r["id"] for r in original} & {r["id"] for r in replica}
    assert len({r["url"] for r in replica}) == SAMPLE
    years = {datetime.fromisoformat(r["date"]).year for r in replica}
    assert min(years) >= 2015 and max(years) <= 2024 and len(years) >= 8
    assert [r["section"] for r in replica] == [r["section"] for r in original]
    changed_bodies = sum(1 for a, b in zip(original, replica) if a["body"] != b["body"])
    assert changed_bodies > 0.95 * SAMPLE


def test_build_update_and_live_generation(scaled):
    from indexer.build import build, update
    from indexer.search.engine import SearchEngine
    from indexer.search.model import SearchRequest

    scale, base, settings, _copies, updates = scaled
    generation, report = build(settings, quiet=True)
    assert report.indexed == 2 * SAMPLE and report.skipped_total == 0

    engine = SearchEngine(settings)
    snap = engine.snapshot()
    assert snap.doc_count == 2 * SAMPLE
    first_gen = snap.generation
    result = engine.search(SearchRequest(query="jakarta"))
    assert result.total > 0 and result.hits and result.facets["section"]
    assert engine.search(SearchRequest(query=scale.NEW_MARK)).total == 0
    assert engine.suggest("jak")

    generation2, report2 = update(settings, [str(updates)], quiet=True)
    assert (report2.added, report2.replaced) == (100, 100)
    new = engine.search(SearchRequest(query=scale.NEW_MARK))      # same engine, no restart
    assert new.generation == generation2.name != first_gen
    assert new.total == 100
    assert engine.search(SearchRequest(query=scale.CHANGED_MARK)).total == 100
    assert engine.snapshot().doc_count == 2 * SAMPLE + 100
