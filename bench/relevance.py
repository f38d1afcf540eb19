"""Relevance ablations on the CLICK-ID corpus: analyzer variants (one index each) and ranking variants.

    .venv/bin/python bench/relevance.py                      # every variant, builds missing indexes
    .venv/bin/python bench/relevance.py --only default,none  # a subset
    .venv/bin/python bench/relevance.py --pool 20            # also write the judging pool (top 20 per
                                                             # topical query over all variants)
    .venv/bin/python bench/relevance.py --split test         # the blind test split (eval/test/): run rarely,
                                                             # report as it comes, never tune on it

Every run has the untuned baseline as its first row: SQLite FTS5 (unicode61, words ORed, bm25) over
the same documents (bench/fts5.py), so "better than untuned" is visible in every table.

Indexes live in index_data/eval/<index variant> and are reused while their fingerprint (analysis
settings + word lists + analysis/schema/duplicates code, see indexer.tools.evaluate.ensure_index) still
matches; a build takes ~2 minutes and runs at `nice 5`.  Results: a Markdown table on stdout and
bench/results/relevance-<split>.json.  Method and numbers: docs/relevance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.config import Settings, load_settings  # noqa: E402
from bench.fts5 import Fts5Evaluator  # noqa: E402
from indexer.tools.evaluate import (Evaluator, ensure_index, index_is_current, load_qrels,  # noqa: E402
                              load_queries, normalize_url)

CONFIG = REPO / "config.clickid.toml"
EVAL_DIR = REPO / "eval"
INDEX_ROOT = REPO / "index_data" / "eval"
RESULTS = REPO / "bench" / "results"


@dataclass
class Variant:
    name: str
    index: str                                   # which index variant it runs on
    analysis: dict = field(default_factory=dict)  # analysis overrides (index variants)
    search: dict = field(default_factory=dict)    # query-time overrides
    note: str = ""


# Analyzer variants: each needs its own index.
INDEX_VARIANTS = {
    "none": dict(stemmer="none"),
    "snowball": dict(stemmer="snowball"),
    "sastrawi-bare": dict(stemmer="sastrawi", protected_words="none", lexicon="none"),
    "default": dict(),
    "no-numbers": dict(number_variants=False),
    "no-learning": dict(learn_acronyms=False),
    "learned-only": dict(lexicon="none"),
    "no-spelling": dict(spelling="none"),
}

VARIANTS = [
    Variant("none", "none", note="no stemming (lexicon expansion on)"),
    Variant("none-noexp", "none", analysis=dict(expand_synonyms=False), note="no stemming, no expansion"),
    Variant("snowball", "snowball", note="PyStemmer Indonesian + protected words + expansion"),
    Variant("sastrawi-bare", "sastrawi-bare", analysis=dict(expand_synonyms=False),
            note="Sastrawi alone: no protected words, no lexicon"),
    Variant("default", "default", note="Sastrawi + protected words + lexicon expansion"),
    Variant("default-noexp", "default", analysis=dict(expand_synonyms=False), note="default index, no expansion"),
    Variant("boost-flat", "default", search=dict(title_boost=1.0, lead_boost=1.0, caption_boost=1.0),
            note="title/lead/caption boost 1.0"),
    Variant("title-3", "default", search=dict(title_boost=3.0), note="title 3 (the default before the dev set)"),
    Variant("boost-high", "default", search=dict(title_boost=6.0, lead_boost=2.5), note="title 6, lead 2.5"),
    Variant("exact-0", "default", search=dict(exact_boost=0.0), note="no exact-form field"),
    Variant("exact-1.2", "default", search=dict(exact_boost=1.2), note="exact-form weight doubled"),
    Variant("recency-0.5", "default", search=dict(recency_boost=0.5), note="recency boost 0.5, 30-day half-life"),
    Variant("collapse-off", "default", search=dict(collapse_duplicates=False), note="no duplicate collapsing"),
    Variant("curated-only", "no-learning", note="curated lexicon only, nothing learned (before session 7)"),
    Variant("learned-only", "learned-only", note="learned acronyms only, no curated lexicon"),
    Variant("session-6", "no-learning", search=dict(partial_below=0),
            note="curated lexicon, strict AND, numbers as written: what session 6 shipped (index has number variants)"),
    Variant("no-numbers", "no-numbers", note="numbers indexed only as written (before session 7)"),
    Variant("no-spelling", "no-spelling", note="non-standard spellings not mapped to the standard (before session 10)"),
    Variant("strict-and", "default", search=dict(partial_below=0),
            note="all words required; some-words results only when nothing has all (before session 7)"),
    Variant("partial-10", "default", search=dict(partial_below=10), note="most-words fill below 10 full hits (one page)"),
    Variant("partial-20", "default", search=dict(partial_below=20), note="most-words fill below 20 full hits (before session 9)"),
    Variant("partial-100", "default", search=dict(partial_below=100), note="most-words fill below 100 full hits"),
    Variant("prf-rm3", "default", search=dict(prf_docs=10, prf_terms=10, prf_weight=0.5),
            note="RM3 re-ranking: 10 feedback docs, 10 terms, original weight 0.5 (Anserini's defaults)"),
    Variant("prf-rm3-0.7", "default", search=dict(prf_docs=10, prf_terms=10, prf_weight=0.7),
            note="RM3 re-ranking, original weight 0.7"),
    Variant("prf-rm3-5docs", "default", search=dict(prf_docs=5, prf_terms=20, prf_weight=0.6),
            note="RM3 re-ranking: 5 docs, 20 terms, original weight 0.6"),
    Variant("share-0.5", "default", search=dict(partial_min_share=0.5), note="a partial hit has half the words"),
    Variant("no-thesaurus", "default", search=dict(thesaurus="none"), note="no news synonyms (before session 8)"),
    Variant("synonym-0.3", "default", search=dict(synonym_weight=0.3), note="news synonyms weighted 0.3"),
    Variant("synonym-0.8", "default", search=dict(synonym_weight=0.8), note="news synonyms weighted 0.8"),
    Variant("blend", "default", search=dict(partial_tiers=False), note="no tiers: one list by BM25F x coordination"),
    Variant("blend-0.5", "default", search=dict(partial_tiers=False, partial_min_share=0.5), note="no tiers, share 0.5"),
    Variant("no-proximity", "default", search=dict(proximity_weight=0.0),
            note="no proximity: neighbouring words close together do not count (before session 11)"),
    Variant("proximity-1", "default", search=dict(proximity_window=1), note="proximity: side by side only"),
    Variant("proximity-3", "default", search=dict(proximity_window=3), note="proximity: up to two words between"),
    Variant("proximity-0.5", "default", search=dict(proximity_weight=0.5), note="proximity weighted 0.5"),
    Variant("no-names", "default", search=dict(name_weight=1.0),
            note="names count like other words in the partial tier (before session 12)"),
    Variant("no-colloquial", "default", search=dict(colloquial="none"),
            note="informal words (duit, nyolong) only as typed (before session 12)"),
    Variant("names-3", "default", search=dict(name_weight=3.0), note="lacking a name costs 3x its idf share"),
    Variant("share-0.75", "default", search=dict(partial_min_share=0.75), note="a partial hit has 3/4 of the words"),
]
BASELINE = "fts5-untuned"
SPLITS = {"dev": EVAL_DIR, "test": EVAL_DIR / "test"}


def base_settings() -> Settings:
    return load_settings(CONFIG)


def variant_settings(base: Settings, v: Variant) -> Settings:
    analysis = dict(INDEX_VARIANTS[v.index], **v.analysis)
    return base.replace(index={"dir": INDEX_ROOT / v.index, "keep_generations": 1},
                        analysis=analysis, search=v.search)


def prepare_index(base: Settings, settings: Settings, quiet: bool) -> str:
    if index_is_current(settings):
        return "reused"
    root = Path(settings.index.dir)
    root.mkdir(parents=True, exist_ok=True)
    # stem tables are keyed by stemmer + word lists in their file name: copying is always safe
    for pkl in Path(base.index.dir).glob("stems-*.pkl"):
        if not (root / pkl.name).exists():
            shutil.copy2(pkl, root / pkl.name)
    try:
        os.nice(5)   # builds share two cores with everyone else
    except OSError:
        pass
    started = time.monotonic()
    ensure_index(settings, quiet=quiet)
    return f"built in {time.monotonic() - started:.0f} s"


def fmt(x: float) -> str:
    return f"{x:.3f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help="comma-separated variant names")
    p.add_argument("--pool", type=int, default=0, metavar="K",
                   help="write bench/results/pool.tsv: top K per topical query over the variants run")
    p.add_argument("--no-build", action="store_true", help="skip variants whose index is missing or stale")
    p.add_argument("--verbose", action="store_true", help="progress bars while building")
    p.add_argument("--split", choices=sorted(SPLITS) + ["all"], default="dev",
                   help="dev (eval/, tune on it) or test (eval/test/, blind: run rarely, never tune)")
    p.add_argument("--write-baseline", action="store_true",
                   help="store the default variant's numbers in eval/baseline.json (tests/test_relevance.py)")
    args = p.parse_args(argv)

    base = base_settings()
    known, topics, qrels = load_split(args.split)
    chosen = VARIANTS
    if args.only:
        names = args.only.split(",")
        unknown = set(names) - {v.name for v in VARIANTS}
        if unknown:
            p.error(f"unknown variants: {', '.join(sorted(unknown))}")
        chosen = [v for v in VARIANTS if v.name in names]

    rows, pool, out = [], {}, {"split": args.split, "variants": {}}
    kinds = list(dict.fromkeys(k.kind for k in known))
    default_settings = variant_settings(base, next(v for v in VARIANTS if v.name == "default"))
    prepare_index(base, default_settings, quiet=not args.verbose)
    report = Fts5Evaluator(default_settings).run(known, topics, qrels)
    rows.append((Variant(BASELINE, "default", note="SQLite FTS5 unicode61, words ORed, bm25"),
                 report.known_summary(), report.topical_summary()))
    out["variants"][BASELINE] = {"note": "untuned baseline", **report.as_dict()}
    if args.pool:
        add_to_pool(pool, BASELINE, report, args.pool)
    for v in chosen:
        settings = variant_settings(base, v)
        if args.no_build and not index_is_current(settings):
            print(f"# {v.name}: index missing or stale, skipped", file=sys.stderr)
            continue
        status = prepare_index(base, settings, quiet=not args.verbose)
        started = time.monotonic()
        evaluator = Evaluator(settings)
        report = evaluator.run(known, topics, qrels)
        seconds = time.monotonic() - started
        print(f"# {v.name}: index {status}; {len(known) + len(topics)} queries in {seconds:.1f} s", file=sys.stderr)
        ks = report.known_summary()
        ts = report.topical_summary()
        rows.append((v, ks, ts))
        out["variants"][v.name] = {"note": v.note, "index": v.index, "analysis": INDEX_VARIANTS[v.index] | v.analysis,
                                   "search": v.search, **report.as_dict()}
        if args.pool:
            add_to_pool(pool, v.name, report, args.pool)

    # Markdown table
    head = ["variant"] + [f"{k} S@10 / MRR" for k in kinds] + ["all S@1", "all S@10", "all MRR@10",
                                                                 "story MRR@10"]
    if qrels:
        head += ["nDCG@10", "P@10", "R@100", "judged@10"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for v, ks, ts in rows:
        cells = [v.name] + [f"{fmt(ks[k]['success@10'])} / {fmt(ks[k]['mrr@10'])}" for k in kinds]
        o = ks.get("overall", {})
        cells += [fmt(o.get("success@1", 0)), fmt(o.get("success@10", 0)), fmt(o.get("mrr@10", 0)),
                  fmt(o.get("story_mrr@10", 0))]
        if qrels:
            cells += [fmt(ts.get(m, 0)) for m in ("ndcg@10", "p@10", "recall@100", "judged@10")]
        print("| " + " | ".join(cells) + " |")

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"relevance-{args.split}.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.pool:
        write_pool(pool, topics, qrels, base)
    if args.write_baseline:
        if args.split not in SPLITS:
            p.error("--write-baseline stores one split's numbers: --split dev or --split test")
        default = out["variants"].get("default")
        if default is None:
            p.error("--write-baseline needs the default variant in the run")
        baseline = {"note": "default settings on CLICK-ID; written by bench/relevance.py --write-baseline",
                    "tolerance": 0.02, "known_items": default["known_items"], "topical": default["topical"]}
        (SPLITS[args.split] / "baseline.json").write_text(json.dumps(baseline, indent=1) + "\n", encoding="utf-8")
        print(f"# wrote {SPLITS[args.split] / 'baseline.json'}", file=sys.stderr)
    return 0


def load_split(split: str):
    """(known items, topics, qrels) of eval/ (dev), eval/test/ (test) or both."""
    known, topics, qrels = [], [], {}
    for name, folder in SPLITS.items():
        if split not in (name, "all"):
            continue
        if not (folder / "known_items.tsv").exists():
            sys.exit(f"no {folder / 'known_items.tsv'}: the {name} split is missing")
        known += load_queries(folder / "known_items.tsv")[0]
        if (folder / "topical.tsv").exists():
            topics += load_queries(folder / "topical.tsv")[1]
        if (folder / "topical.qrels").exists():
            qrels.update(load_qrels(folder / "topical.qrels"))
    return known, topics, qrels


def add_to_pool(pool: dict, name: str, report, depth: int) -> None:
    for t in report.topical:
        pool.setdefault(t.qid, {})
        for rank, url in enumerate(t.ranking[:depth], 1):
            pool[t.qid].setdefault(url, []).append(f"{name}:{rank}")


def write_pool(pool: dict, topics, qrels: dict, base: Settings) -> None:
    """bench/results/pool.tsv: qid, query, url, current grade (blank = unjudged), who ranked it, title, lead."""
    from indexer.store import IndexStore
    from whoosh import index as whoosh_index

    path = IndexStore(base.replace(index={"dir": INDEX_ROOT / "default"}).index).current()
    ix = whoosh_index.open_dir(str(path))
    info = {}
    with ix.reader() as reader:
        for _, f in reader.iter_docs():
            info[normalize_url(f.get("url", ""))] = (f.get("url", ""), f.get("title", ""), f.get("lead", ""))
    queries = {t.qid: t.query for t in topics}
    lines = ["qid\tquery\turl\tgrade\tranked_by\ttitle\tlead"]
    for qid, docs in pool.items():
        for url, who in sorted(docs.items(), key=lambda kv: -len(kv[1])):
            raw, title, lead = info.get(url, (url, "", ""))
            grade = qrels.get(qid, {}).get(url, "")
            lines.append("\t".join([qid, queries[qid], raw, str(grade), ",".join(who), title,
                                    " ".join(lead.split())[:400]]))
    (RESULTS / "pool.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"# pool: {len(lines) - 1} (query, document) pairs in {RESULTS / 'pool.tsv'}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
