"""Relevance regression on the CLICK-ID dev split (eval/) and blind test split (eval/test/), each
against its own baseline.json.

Builds the default CLICK-ID index into index_data/eval/default, or reuses it while its fingerprint
(analysis settings + word lists + analysis/schema/duplicates code,
`indexer.tools.evaluate.ensure_index`) matches; a build takes about two minutes. Fails when overall
MRR@10 or Success@10 of the known-item set (or topical nDCG@10) falls more than `tolerance` (0.02)
below eval/baseline.json. After an intended ranking change, refresh it with
`.venv/bin/python bench/relevance.py --only default --write-baseline [--split test]` and update the
numbers in docs/relevance.md. The test split is a guard against regressions only: never tune on it
(docs/relevance.md).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from indexer.config import load_settings
from indexer.tools.evaluate import Evaluator, ensure_index, load_qrels, load_queries

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "click-id"
EVAL = REPO / "eval"
INDEX_DIR = REPO / "index_data" / "eval" / "default"

pytestmark = pytest.mark.corpus


SPLITS = {"dev": EVAL, "test": EVAL / "test"}


@pytest.fixture(scope="module")
def settings():
    if not (CORPUS / "raw_articles").is_dir():
        pytest.skip(f"CLICK-ID corpus absent: {CORPUS} (see its PROVENANCE.md); relevance regression not run")
    settings = load_settings(REPO / "config.clickid.toml").replace(
        index={"dir": INDEX_DIR, "keep_generations": 1})
    started = time.monotonic()
    _, built = ensure_index(settings)
    print(f"\nCLICK-ID default index {'built' if built else 'reused'} in {time.monotonic() - started:.0f} s")
    return settings


@pytest.fixture(scope="module", params=sorted(SPLITS))
def split(request):
    return request.param


@pytest.fixture(scope="module")
def report(settings, split):
    folder = SPLITS[split]
    known, _ = load_queries(folder / "known_items.tsv")
    _, topics = load_queries(folder / "topical.tsv")
    result = Evaluator(settings).run(known, topics, load_qrels(folder / "topical.qrels"))
    print(f"[{split}]\n{result.table(misses=split == 'dev')}")
    return result


@pytest.fixture(scope="module")
def baseline(split):
    return json.loads((SPLITS[split] / "baseline.json").read_text(encoding="utf-8"))


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
