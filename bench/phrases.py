"""Phrase matching, Whoosh's path against indexer.whooshfast.phrases, per query of bench/queries.txt.

    .venv/bin/python bench/phrases.py [--config C] [--repeat 3] [--json OUT]

Every phrase the query set compiles to (quoted phrases, and lexicon and thesaurus forms of several
words, in each text field) is matched in each segment by both paths, which must agree (documents
and span counts). Reported per query: this thread's CPU time of each path, the best of --repeat
rounds over the whole set (the engine caches phrase results, so each is a first-time cost; the
decoded posting blocks that phrases share, `whooshfast.blocks.VALUES`, are emptied before each
round, so a round is a first pass over the set in its order). The posting arrays the
engine reads anyway (each word's documents) are read before timing and handed to the new path, as
the engine does.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_SCRATCH, REPO, clickid_config, load_queries  # noqa: E402


def phrase_leaves(q):
    if type(q).__name__ == "Phrase":
        yield q
    for child in q.children():
        yield from phrase_leaves(child)


def whoosh_match(sub, q) -> tuple[list[int], list[int]]:
    m = type(q)(q.fieldname, q.words, slop=q.slop).matcher(sub, sub.boolean_context())   # Whoosh's Phrase
    docs, freqs = [], []
    while m.is_active():
        docs.append(m.id())
        freqs.append(len(m.spans()))
        m.next()
    return docs, freqs


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, help="default: the CLICK-ID scratch index of bench/build.py")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "phrases.json")
    args = p.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from indexer.config import load_settings
    from indexer.whooshfast import blocks, phrases
    from indexer.search.engine import SearchEngine

    engine = SearchEngine(load_settings(args.config or clickid_config(DEFAULT_SCRATCH)))
    snap = engine.snapshot()
    snap.vocabulary()                   # its loading thread must not run beside the timings
    postings = snap.postings()
    leaves = {sid: seg for seg, _, sid in postings._leaves}
    subs = [(sub, sub.reader().segment().segment_id()) for sub, _ in snap.searcher().leaf_searchers()]
    compiler = engine._compiler(snap)
    sets = []
    for _, qs in load_queries()[0]:
        text = urllib.parse.parse_qs(qs).get("q", [""])[0]
        compiled = compiler.compile_groups(engine._parse(snap, text), snap.lexicon)
        found = {(q.fieldname, tuple(q.words), q.slop): q for g in compiled.groups for q in phrase_leaves(g.query)}
        if found:
            sets.append((text, found))
    best = [[float("inf"), float("inf")] for _ in sets]
    for _ in range(args.repeat):
        blocks.VALUES.clear()
        for (text, found), times in zip(sets, best):
            t_old = t_new = 0.0
            for q in found.values():
                for sub, sid in subs:
                    word_docs = [postings._segment_postings(leaves[sid], sid, q.fieldname, w)[0] for w in q.words]
                    t = time.thread_time()
                    expected = whoosh_match(sub, q)
                    t_old += time.thread_time() - t
                    t = time.thread_time()
                    docs, freqs = phrases.match(sub.reader(), q.fieldname, q.words, q.slop, word_docs)
                    t_new += time.thread_time() - t
                    if (docs.tolist(), freqs.tolist()) != expected:
                        sys.exit(f"different results for {q!r} in {sid}")
            times[0], times[1] = min(times[0], t_old), min(times[1], t_new)
    rows = [{"query": text, "phrases": len(found), "whoosh_ms": round(old * 1000, 2), "numpy_ms": round(new * 1000, 2)}
            for (text, found), (old, new) in zip(sets, best)]
    old, new = sum(r["whoosh_ms"] for r in rows), sum(r["numpy_ms"] for r in rows)
    lines = ["query | phrase leaves | Whoosh ms | numpy ms | ratio"] + [
        f"{r['query']} | {r['phrases']} | {r['whoosh_ms']} | {r['numpy_ms']} | "
        f"{r['whoosh_ms'] / max(r['numpy_ms'], 0.01):.1f}x" for r in rows]
    lines.append(f"all {len(rows)} queries with phrases: Whoosh {old:.1f} ms, numpy {new:.1f} ms "
                 f"({old / max(new, 0.01):.1f}x)")
    print("\n".join(lines))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"whoosh_ms": round(old, 1), "numpy_ms": round(new, 1), "queries": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
