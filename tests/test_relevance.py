"""Relevance regression on the CLICK-ID dev set (eval/*.tsv, eval/topical.qrels, eval/baseline.json).

Builds the default CLICK-ID index into index_data/eval/default, or reuses it while its fingerprint
(analysis settings + word lists + analysis/schema/duplicates code, `indexer.evaluate.ensure_index`) matches;
a build takes about two minutes. Fails when overall MRR@10 or Success@10 of the known-item set
(or topical nDCG@10) falls more than `tolerance` (0.02) below eval/baseline.json. After an
intended ranking change, refresh it with `.venv/bin/python bench/relevance.py --only default
--write-baseline` and update the numbers in docs/relevance.md.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.evaluate import Evaluator, ensure_index, load_qrels, load_queries

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "click-id"
EVAL = REPO / "eval"
INDEX_DIR = REPO / "index_data" / "eval" / "default"

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def report():
    if not (CORPUS / "raw_articles").is_dir():
        pytest.skip(f"CLICK-ID corpus absent: {CORPUS} (see its PROVENANCE.md); relevance regression not run")
    settings = load_settings(REPO / "config.clickid.toml").replace(
        index={"dir": INDEX_DIR, "keep_generations": 1})
    started = time.monotonic()
    _, built = ensure_index(settings)
    print(f"\nCLICK-ID default index {'built' if built else 'reused'} in {time.monotonic() - started:.0f} s")
    known, _ = load_queries(EVAL / "known_items.tsv")
    _, topics = load_queries(EVAL / "topical.tsv")
    result = Evaluator(settings).run(known, topics, load_qrels(EVAL / "topical.qrels"))
    print(result.table())
    return result


@pytest.fixture(scope="module")
def baseline():
    return json.loads((EVAL / "baseline.json").read_text(encoding="utf-8"))


def test_every_target_is_indexed(report):
    assert report.missing == [], f"known-item targets not in the index: {report.missing}"
    assert report.unjudged == [], f"topical queries without judgments: {report.unjudged}"


@pytest.mark.parametrize("metric", ["mrr@10", "success@10"])
def test_known_items_not_below_baseline(report, baseline, metric):
    tolerance = baseline.get("tolerance", 0.02)
    now = report.known_summary()["overall"][metric]
    before = baseline["known_items"]["overall"][metric]
    assert now >= before - tolerance, (
        f"known-item {metric} fell from {before:.3f} to {now:.3f} (tolerance {tolerance}); "
        f"queries not at rank 1:\n{report.table()}")


def test_topical_ndcg_not_below_baseline(report, baseline):
    tolerance = baseline.get("tolerance", 0.02)
    now = report.topical_summary()["ndcg@10"]
    before = baseline["topical"]["ndcg@10"]
    assert now >= before - tolerance, f"topical nDCG@10 (condensed) fell from {before:.3f} to {now:.3f}"
