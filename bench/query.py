"""In-process query latency on a built index, cold pass and warm passes, plus the SQLite FTS5 peer.

    .venv/bin/python bench/query.py [--config C] [--passes 3] [--no-fts] [--json OUT]

The query set is bench/queries.txt (124 mixed searches: plain words, phrases, section/month/date
filters, empty-query browsing, newest-first, misspellings; facets and highlights on for all, as in
the API; plus 40 typed prefixes for `engine.suggest`, what /api/suggest calls).

The timeline of the results (`facets.timeline`, issue 16) is part of every search here (facets
on); its own time inside each search is also reported (`timeline` in the JSON, "timeline inside
search" in the summary), timed around `indexer.search.timeline.build`.

Cold = a fresh process, the generation's files dropped from the OS page cache (posix_fadvise
DONTNEED on those files only), a new SearchEngine; the index open and the completion vocabulary
load are timed separately and the first pass over the set is the cold pass. Warm = passes 2..N
(pooled). Each request is timed around `engine.search(request)` (parameters parsed beforehand).

Peer (unless --no-fts): SQLite FTS5 on the same analysed text (bench/build.py leaves
DIR/clickid/fts5.db; built here when missing) doing the same work per request: MATCH with the same
stems (AND of groups, phrases as FTS5 phrases, lexicon synonyms as OR, OR fall-back when AND
finds nothing), count, GROUP BY section and GROUP BY month (each with the other filter only, i.e.
disjunctive like Warta), top 10 by bm25 with Warta's field weights (or newest first) and
highlight()/snippet(). Not done by the peer: duplicate collapsing, "did you mean", recency.

Default config: the CLICK-ID scratch index of bench/build.py (built first when missing).
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (DEFAULT_SCRATCH, FTS5_WEIGHTS, MB, REPO, LoadMonitor, be_nice, clickid_config,  # noqa: E402
                     evict_page_cache, load_queries, machine, run_measured, search_request, stats_ms, worker)

TARGET_P95_MS = 50.0
SUGGEST_TARGET_P95_MS = 20.0


def _rss_mb() -> float:
    import psutil
    return round(psutil.Process().memory_info().rss / MB, 1)


def _timed_passes(requests, run, passes: int, prefixes=(), suggest=None, between=None) -> list[dict]:
    """Wall and CPU (this thread) seconds per request, per pass; suggest prefixes after each search pass."""
    out = []
    for p in range(passes):
        rec = {"search": [], "search_cpu": [], "by_kind": defaultdict(list), "suggest": [], "suggest_cpu": [],
               "totals": {}}
        for kind, qs, req in requests:
            c, t = time.thread_time(), time.perf_counter()
            total = run(req)
            dt, dc = time.perf_counter() - t, time.thread_time() - c
            rec["search"].append(dt)
            rec["search_cpu"].append(dc)
            rec["by_kind"][kind].append(dt)
            rec["totals"][qs] = total
        if between and p == 0:
            between()
        for prefix in prefixes:
            c, t = time.thread_time(), time.perf_counter()
            suggest(prefix)
            rec["suggest"].append(time.perf_counter() - t)
            rec["suggest_cpu"].append(time.thread_time() - c)
        out.append(rec)
    return out


def _summarise(per_pass: list[dict], requests) -> dict:
    warm = per_pass[1:] or per_pass
    kinds = list(per_pass[0]["by_kind"])
    res = {}
    for name, group in (("cold", per_pass[:1]), ("warm", warm)):
        res[name] = {"search": stats_ms(x for p in group for x in p["search"]),
                     "search_cpu": stats_ms(x for p in group for x in p["search_cpu"]),
                     "by_kind": {k: stats_ms(x for p in group for x in p["by_kind"][k]) for k in kinds}}
        if per_pass[0]["suggest"]:
            res[name]["suggest"] = stats_ms(x for p in group for x in p["suggest"])
            res[name]["suggest_cpu"] = stats_ms(x for p in group for x in p["suggest_cpu"])
    totals = per_pass[0]["totals"]
    res["hits_total_sum"] = sum(totals.values())
    res["zero_hit_queries"] = sum(1 for v in totals.values() if v == 0)
    slowest = sorted(((max(p["search"][i] for p in warm), requests[i][1]) for i in range(len(requests))),
                     reverse=True)[:5]
    res["warm_slowest"] = [{"query": qs, "ms": round(t * 1000, 1)} for t, qs in slowest]
    return res


def _settings(config):
    """The settings to measure with: the engine's own work, so the result cache is off (every pass
    would otherwise be answered from it after the first)."""
    from indexer.config import Settings, load_settings
    settings = config if isinstance(config, Settings) else load_settings(config)
    return settings.replace(search={"result_cache": 0})


def measure_warta(config, passes: int = 3, evict: bool = True, suggest_limit: int = 8) -> dict:
    """config: a config.toml path or a Settings object."""
    from indexer.search.engine import SearchEngine
    from indexer.search.snapshot import Snapshot
    from indexer.store import IndexStore

    settings = _settings(config)
    searches, prefixes = load_queries()
    requests = [(kind, qs, search_request(qs, settings)) for kind, qs in searches]
    generation = IndexStore(settings.index).current()
    if generation is None:
        raise SystemExit(f"no published index under {settings.index.dir}")
    evicted = evict_page_cache(generation) if evict else 0
    rss_before = _rss_mb()
    engine = SearchEngine(settings)
    t = time.perf_counter()
    snap = engine.snapshot()          # opens the generation, preloads stems, starts the vocabulary thread
    open_s = time.perf_counter() - t
    t = time.perf_counter()
    snap.postings()                   # field-length arrays for BM25F (else paid by the first query)
    postings_s = time.perf_counter() - t
    waited = {}

    def wait_vocabulary():
        t = time.perf_counter()
        snap.vocabulary()
        waited["s"] = time.perf_counter() - t

    timeline_s = _TimelineTimer()
    try:
        per_pass = _timed_passes(requests, lambda r: engine.search(r).total, passes, prefixes,
                                 lambda p: engine.suggest(p, suggest_limit), between=wait_vocabulary)
    finally:
        timeline_s = timeline_s.stop()
    rss_after = _rss_mb()
    # what the background vocabulary load costs on its own (a second, private snapshot)
    t = time.perf_counter()
    Snapshot.open(generation, {}).vocabulary()
    vocab_s = time.perf_counter() - t
    warm_timeline = timeline_s[len(requests):] or timeline_s
    warm_search = [x for p in (per_pass[1:] or per_pass) for x in p["search"]]
    timeline = {"warm": stats_ms(warm_timeline), "cold": stats_ms(timeline_s[:len(requests)]),
                "share_of_warm_search_time": round(sum(warm_timeline) / max(sum(warm_search), 1e-9), 4)}
    return dict(_summarise(per_pass, requests), timeline=timeline, documents=snap.doc_count,
                generation=snap.generation,
                index_mb=round(sum(f.stat().st_size for f in generation.iterdir()) / MB, 1),
                files_evicted_from_page_cache=evicted, open_ms=round(open_s * 1000, 1),
                postings_init_ms=round(postings_s * 1000, 1),
                vocabulary_wait_after_cold_pass_ms=round(waited["s"] * 1000, 1),
                vocabulary_load_ms=round(vocab_s * 1000, 1), queries=len(requests), prefixes=len(prefixes),
                passes=passes, rss_mb_before_engine=rss_before, rss_mb_after=rss_after)


class _TimelineTimer:
    """Time every `indexer.search.timeline.build` call (the engine looks it up on the module per
    search) until stop(), which puts the real function back and returns the seconds per call."""

    def __init__(self):
        from indexer.search import timeline
        self.module, self.real, self.spent = timeline, timeline.build, []

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return self.real(*args, **kwargs)
            finally:
                self.spent.append(time.perf_counter() - t)
        timeline.build = timed

    def stop(self) -> list[float]:
        self.module.build = self.real
        return self.spent


# --- SQLite FTS5 peer --------------------------------------------------------------------------

def _quote(tokens: list[str]) -> str | None:
    return ('"' + " ".join(t.replace('"', '""') for t in tokens) + '"') if tokens else None


class Fts5Translator:
    """Warta's parsed query -> an FTS5 MATCH expression over the same stems."""

    def __init__(self, settings):
        from indexer.lexicon import Lexicon
        from indexer.schema import make_schema
        self.analyzer = make_schema(settings.analysis)["body"].analyzer
        self.lexicon = Lexicon.load(settings.analysis) if settings.analysis.expand_synonyms else None

    def stems(self, text: str) -> list[str]:
        from indexer.analysis import analyze
        return analyze(self.analyzer, text, mode="query")

    def unit(self, u) -> str | None:
        if u.kind == "word":
            stems = self.stems(u.text)
            return _quote(stems) if len(stems) <= 1 else " AND ".join(_quote([s]) for s in stems)
        if u.kind == "phrase":
            return _quote(self.stems(u.text))
        if u.kind == "synonym":
            forms = [u.text] + [" ".join(a) for a in u.alternatives]
            parts = [q for q in (_quote(self.stems(f)) for f in forms) if q]
            return "(" + " OR ".join(parts) + ")" if parts else None
        if u.kind == "field" and u.field == "title":
            q = _quote(self.stems(u.text))
            return f"title : {q}" if q else None
        return None

    def match(self, text: str, mode: str = "and") -> tuple[str | None, int]:
        from indexer.search.query import expand_synonyms, parse
        parsed = expand_synonyms(parse(text), self.lexicon)
        groups = []
        for g in parsed.groups:
            parts = [p for p in (self.unit(u) for u in g) if p]
            if parts:
                groups.append("(" + " OR ".join(parts) + ")" if len(parts) > 1 else parts[0])
        negs = [p for p in (self.unit(u) for u in parsed.negatives) if p]
        if not groups:
            return None, 0
        expr = f" {'AND' if mode == 'and' else 'OR'} ".join(f"({g})" for g in groups)
        if negs:
            expr = f"({expr}) NOT ({' OR '.join(negs)})"
        return expr, len(groups)


def fts5_search(con, tr: Fts5Translator, req) -> int:
    """One request's work in FTS5: count, two disjunctive facet GROUP BYs, the page with highlights."""
    from datetime import timedelta
    match, n_groups = tr.match(req.query)
    sec_sql, sec_params, date_sql, date_params = [], [], [], []
    if req.sections:
        sec_sql.append(f"m.section IN ({','.join('?' * len(req.sections))})")
        sec_params += list(req.sections)
    if req.months:
        date_sql.append(f"m.month IN ({','.join('?' * len(req.months))})")
        date_params += list(req.months)
    if req.date_from:
        date_sql.append("m.published >= ?")
        date_params.append(req.date_from.isoformat())
    if req.date_to:
        date_sql.append("m.published < ? AND m.published != ''")
        date_params.append((req.date_to + timedelta(days=1)).isoformat())

    def source(match_expr, parts, params):
        """FROM/WHERE and parameters: the text index joined to meta, or meta alone (browsing)."""
        if match_expr:
            clauses = ["fts MATCH ?"] + parts
            return (" FROM fts JOIN meta m ON m.id = fts.rowid WHERE " + " AND ".join(clauses),
                    [match_expr] + params)
        return " FROM meta m" + (" WHERE " + " AND ".join(parts) if parts else ""), list(params)

    frm, params = source(match, sec_sql + date_sql, sec_params + date_params)
    total = con.execute("SELECT count(*)" + frm, params).fetchone()[0]
    if match and total == 0 and n_groups > 1:
        match_or, _ = tr.match(req.query, "or")
        frm_or, params_or = source(match_or, sec_sql + date_sql, sec_params + date_params)
        total_or = con.execute("SELECT count(*)" + frm_or, params_or).fetchone()[0]
        if total_or:
            match, total, frm, params = match_or, total_or, frm_or, params_or
    if req.facets:
        f, p = source(match, date_sql, date_params)
        con.execute(f"SELECT m.section, count(*){f} GROUP BY m.section ORDER BY 2 DESC", p).fetchall()
        f, p = source(match, sec_sql, sec_params)
        con.execute(f"SELECT m.month, count(*){f} GROUP BY m.month ORDER BY 1 DESC", p).fetchall()
    offset = (req.page - 1) * req.per_page
    if req.sort in ("newest", "oldest") or not match:
        order = "m.published DESC" if req.sort != "oldest" else "m.published ASC"
        ids = [r[0] for r in con.execute(f"SELECT m.id{frm} ORDER BY {order} LIMIT ? OFFSET ?",
                                         params + [req.per_page, offset])]
    else:
        ids = [r[0] for r in con.execute(f"SELECT fts.rowid, bm25(fts, {FTS5_WEIGHTS}) AS r{frm} "
                                         "ORDER BY r LIMIT ? OFFSET ?", params + [req.per_page, offset])]
    if ids:
        marks = ",".join("?" * len(ids))
        if match and req.highlight:
            con.execute("SELECT rowid, highlight(fts, 0, '<mark>', '</mark>'), "
                        "snippet(fts, -1, '<mark>', '</mark>', '…', 32) FROM fts "
                        f"WHERE fts MATCH ? AND rowid IN ({marks})", [match] + ids).fetchall()
        else:
            con.execute(f"SELECT rowid, title, substr(body, 1, 220) FROM fts WHERE rowid IN ({marks})", ids).fetchall()
    return total


def measure_fts5(db: Path, config, passes: int = 3, evict: bool = True) -> dict:
    settings = _settings(config)
    searches, _prefixes = load_queries()
    requests = [(kind, qs, search_request(qs, settings)) for kind, qs in searches]
    if evict:
        fd = os.open(db, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    tr = Fts5Translator(settings)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    per_pass = _timed_passes(requests, lambda r: fts5_search(con, tr, r), passes)
    return dict(_summarise(per_pass, requests), sqlite_version=sqlite3.sqlite_version,
                db_mb=round(db.stat().st_size / MB, 1))


def ensure_clickid(scratch: Path) -> Path:
    config = clickid_config(scratch, procs=2)
    from indexer.config import load_settings
    from indexer.store import IndexStore
    if IndexStore(load_settings(config).index).current() is None:
        print("building the CLICK-ID scratch index first …", flush=True)
        run_measured(worker("build", "--config", str(config)))
    return config


def print_summary(res: dict) -> None:
    w = res["warta"]
    print(f"documents {w['documents']}  open {w['open_ms']} ms  postings init {w['postings_init_ms']} ms  "
          f"vocabulary load {w['vocabulary_load_ms']} ms (background)  RSS after {w['rss_mb_after']} MB")
    head = "pass | engine | n | median ms | p95 ms | p99 ms | max ms | CPU median ms | CPU p95 ms"
    print(head + "\n" + " | ".join("---" for _ in head.split("|")))
    rows = [("Warta search", w, "search"), ("Warta suggest", w, "suggest")]
    if res.get("fts5"):
        rows.append(("FTS5 search", res["fts5"], "search"))
    for phase in ("cold", "warm"):
        for label, src, key in rows:
            s, c = src[phase][key], src[phase][key + "_cpu"]
            print(f"{phase} | {label} | {s['n']} | {s['median']} | {s['p95']} | {s['p99']} | {s['max']} | "
                  f"{c['median']} | {c['p95']}")
    t = w["timeline"]
    print(f"timeline inside search (warm): median {t['warm'].get('median')} ms, p95 {t['warm'].get('p95')} ms, "
          f"max {t['warm'].get('max')} ms, {t['share_of_warm_search_time'] * 100:.1f} % of warm search time")
    print("warm by kind (median / p95 ms):",
          {k: f"{v['median']} / {v['p95']}" for k, v in w["warm"]["by_kind"].items()})
    if res.get("fts5"):
        print("FTS5 warm by kind (median / p95 ms):",
              {k: f"{v['median']} / {v['p95']}" for k, v in res["fts5"]["warm"]["by_kind"].items()})
        print("Warta ÷ FTS5 (warm):", res["ratio_warm"], " (cold):", res["ratio_cold"])
    print("slowest warm:", w["warm_slowest"])
    print("targets:", res["targets"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", type=Path, help="default: the CLICK-ID scratch index of bench/build.py")
    p.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH)
    p.add_argument("--passes", type=int, default=3)
    p.add_argument("--no-evict", action="store_true", help="keep the index in the page cache for the cold pass")
    p.add_argument("--no-fts", action="store_true")
    p.add_argument("--fts-db", type=Path, help="default: DIR/clickid/fts5.db")
    p.add_argument("--nice", type=int, default=5)
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "query.json")
    args = p.parse_args(argv)
    be_nice(args.nice)
    config = args.config or ensure_clickid(args.scratch)
    info = machine()
    with LoadMonitor() as load:
        warta = measure_warta(config, args.passes, evict=not args.no_evict)
        fts = None
        if not args.no_fts:
            db = args.fts_db or args.scratch / "clickid" / "fts5.db"
            if not db.exists():
                sys.path.insert(0, str(Path(__file__).resolve().parent))
                from build import fts5_peer
                fts5_peer(args.scratch)
            fts = measure_fts5(db, config, args.passes, evict=not args.no_evict)
    res = {"machine": info, "load": load.summary(), "config": str(config), "warta": warta, "fts5": fts}
    if fts:
        res["ratio_warm"] = {m: round(warta["warm"]["search"][m] / max(fts["warm"]["search"][m], 1e-6), 1)
                             for m in ("median", "p95", "p99")}
        res["ratio_cold"] = {m: round(warta["cold"]["search"][m] / max(fts["cold"]["search"][m], 1e-6), 1)
                             for m in ("median", "p95", "p99")}
    res["targets"] = {
        f"search warm p95 <= {TARGET_P95_MS:.0f} ms": warta["warm"]["search"]["p95"] <= TARGET_P95_MS,
        f"suggest warm p95 <= {SUGGEST_TARGET_P95_MS:.0f} ms": warta["warm"]["suggest"]["p95"] <= SUGGEST_TARGET_P95_MS,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=1, default=str))
    if not args.quiet:
        print_summary(res)
        print(f"load: {res['load']}\nJSON: {args.json}")
    else:
        print(json.dumps({"json": str(args.json)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
