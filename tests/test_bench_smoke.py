"""The benchmark scripts work (on the demo index, in seconds): query set, Warta and FTS5 runners, helpers.

The numbers themselves come from running bench/*.py on CLICK-ID (docs/performance.md).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support import load_bench

REPO = Path(__file__).resolve().parents[1]


_load = load_bench


@pytest.fixture(scope="module")
def common():
    return _load("_common")


@pytest.fixture(scope="module")
def query():
    return _load("query")


def test_query_set_is_fixed_mixed_and_valid(common):
    from indexer.config import Settings
    searches, prefixes = common.load_queries()
    assert len(searches) >= 100 and len(prefixes) >= 20
    kinds = {k for k, _ in searches}
    assert {"word", "phrase", "filter", "browse", "newest", "typo"} <= kinds
    settings = Settings()
    requests = [common.search_request(qs, settings) for _, qs in searches]   # raises on a bad parameter
    assert any(r.sections for r in requests) and any(r.months for r in requests)
    assert any(r.date_from or r.date_to for r in requests)
    assert any(r.sort == "newest" for r in requests) and any(not r.query for r in requests)
    assert any('"' in r.query for r in requests)
    assert len(set(qs for _, qs in searches)) == len(searches)


def test_warta_runner_on_demo_index(demo_settings, query):
    res = query.measure_warta(demo_settings, passes=2, evict=True)
    searches, prefixes = _load("_common").load_queries()
    assert res["cold"]["search"]["n"] == len(searches)
    assert res["warm"]["search"]["n"] == len(searches)
    assert res["warm"]["suggest"]["n"] == len(prefixes)
    assert res["documents"] > 0 and res["hits_total_sum"] > 0
    warm = res["warm"]["search"]
    assert 0 <= warm["median"] <= warm["p95"] <= warm["p99"]
    # the timeline is timed inside every search (facets on), and the engine gets the real one back
    from indexer.search import timeline
    assert res["timeline"]["warm"]["n"] == len(searches) == res["timeline"]["cold"]["n"]
    assert 0 < res["timeline"]["share_of_warm_search_time"] < 1
    assert timeline.build.__module__ == "indexer.search.timeline" and timeline.build.__name__ == "build"


def test_fts5_peer_runs_every_query(demo_settings, query, common, tmp_path):
    from indexer.build import read_articles
    from indexer.report import BuildReport
    articles = list(read_articles(demo_settings, demo_settings.sources, BuildReport(), strict=False))
    built = common.fts5_build(tmp_path / "fts5.db", common.analysed_rows(demo_settings, articles))
    assert built["documents"] == len(articles)
    res = query.measure_fts5(tmp_path / "fts5.db", demo_settings, passes=1)   # an FTS5 syntax error raises
    assert res["cold"]["search"]["n"] >= 100
    assert res["hits_total_sum"] > 0


def test_fts5_translation_uses_warta_stems(demo_settings, query):
    tr = query.Fts5Translator(demo_settings)
    expr, groups = tr.match('"Presiden Joko" -gempa pemberantasan')
    assert groups == 2
    assert '"presiden joko"' in expr and "NOT" in expr
    assert '"berantas"' in expr            # stemmed like the index
    assert tr.match("")[0] is None


def test_measured_subprocess_reports_memory(common):
    r = common.run_measured([sys.executable, "-c", "import json; x = bytearray(50 * 2**20); print(json.dumps({'ok': 1}))"])
    assert r["ok"] == 1 and r["memory"]["peak_rss_sum_mb"] > 0 and r["wall_seconds"] > 0


def test_stats_and_configs(common, tmp_path):
    s = common.stats_ms([0.001] * 98 + [0.1, 0.2])
    assert s["median"] == 1.0 and s["n"] == 100 and s["p99"] > s["p95"]
    from indexer.config import load_settings
    path = common.jsonl_config(tmp_path / "c.toml", tmp_path / "idx", [tmp_path / "a.jsonl", tmp_path / "b.jsonl"],
                               procs=2, limitmb=128)
    settings = load_settings(path)
    assert settings.index.procs == 2 and settings.index.limitmb == 128 and len(settings.sources) == 2
    assert settings.sources[0].format == "jsonl" and settings.sources[0].fields["body"] == "body"


def test_http_paths_and_lua(tmp_path):
    http = _load("http_bench")
    paths = http.paths_file(tmp_path).read_text().split()
    assert len(paths) >= 100 and all(p.startswith("/api/search?") for p in paths)
    assert "WRKJSON" in http.LUA and "non200" in http.LUA


def test_scale_targets_and_table():
    scale = _load("scale")
    results = {"1": {"size": 1, "http": {"requests_per_s": 200.0}},
               "10": {"size": 10, "http": {"requests_per_s": 150.0, "errors": 0, "latency_ms": {"p95": 50}},
                      "update": {"seconds": 12.0, "new_generation_seen": True, "added": 1000, "replaced": 1000}}}
    t = scale.targets(results)
    assert t["update 2,000 <= 15 s"] == (12.0, True)
    assert t["HTTP within 30 % of 1×"] == (0.75, True)
    assert "10×" in scale.table(results)
    json.dumps(t)


def test_build_worker_reports_phases_and_memory(common, tmp_path):
    demo = REPO / "demo" / "corpus"
    config = common.write_config(tmp_path / "config.toml", tmp_path / "index",
                                 [{"name": "demo", "path": demo, "format": "text"}], procs=2)
    r = common.run_measured(common.worker("build", "--config", str(config), "--cold"))
    assert r["documents"] > 0 and r["index_bytes"] > 0
    assert {"feed", "commit", "publish"} <= set(r["phases"])
    assert r["memory"]["peak_pss_sum_mb"] > 0
