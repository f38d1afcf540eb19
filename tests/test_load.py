"""Load: bench/load.py against the production server (gunicorn, 2 workers, 127.0.0.1 only).

CI runs 16 clients × 10 s; ``WARTA_FULL=1`` runs the full 64 clients × 60 s. Zero errors (every
answer 200 and well-formed, no socket error, no worker restart, nothing in the server log), and the
RSS of each gunicorn worker grows by less than 50 MB after the warm-up. Latency percentiles are
printed (``-s``) and appended to ``$WARTA_RELIABILITY_LOG`` when set.
"""
from __future__ import annotations

import importlib.util
import json
import os

import pytest

from tests.support import REPO

pytestmark = pytest.mark.slow

FULL = os.environ.get("WARTA_FULL") == "1"
CLIENTS, SECONDS = (64, 60) if FULL else (16, 10)
MAX_GROWTH_MB = 50


def load_module():
    spec = importlib.util.spec_from_file_location("warta_bench_load", REPO / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_load_zero_errors_and_stable_memory(demo_settings, tmp_path):
    load = load_module()
    config = tmp_path / "load.toml"
    config.write_text(f'[index]\ndir = "{demo_settings.index.dir}"\n', encoding="utf-8")
    result = load.run_load(config, clients=CLIENTS, duration=SECONDS, workers=2,
                           max_growth_mb=MAX_GROWTH_MB, log_dir=tmp_path)
    print("\n" + load.summary(result))
    path = os.environ.get("WARTA_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": "test_load", "full": FULL, **{k: v for k, v in result.items()
                                                                       if k != "error_examples"}}) + "\n")
    assert result["url"].startswith("http://127.0.0.1:")
    assert result["errors"] == 0, (result["error_kinds"], result["error_examples"][:5])
    assert result["rss_growth_after_warmup_mb"] < MAX_GROWTH_MB, result["memory"]
    assert result["requests"] >= CLIENTS * 5, result["requests"]
    kinds = result["requests_by_kind"]
    assert {"word", "facet", "suggest", "html", "article", "health"} <= set(kinds), kinds
    assert all(p["n"] > 0 and p["p99_ms"] >= p["p50_ms"] for p in result["latency_by_kind"].values())
    assert result["ok"]
