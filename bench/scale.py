"""Performance at archive scale: CLICK-ID grown to 2×, 5×, 10× (~220k articles) by synthetic replication.

    .venv/bin/python bench/scale.py --sizes 1,2,5,10            # everything, end to end
    .venv/bin/python bench/scale.py --sizes 10 --steps build,query   # part of it (results are merged)
    .venv/bin/python bench/scale.py --plot-only                 # redraw docs/img/scale-*.png from the JSON

Corpus (DIR/scale/corpus/copy-NN.jsonl, default DIR=/tmp/warta-bench, made once and reused):
copy 00 is CLICK-ID itself as Warta reads it (21,970 articles, original ids, URLs and dates); copies
01..NN are synthetic: every article again with a new URL and id, a date drawn uniformly from
2015-01-01..2024-12-31 (a /YYYY/MM/DD/ date in the URL is rewritten to match), the outlet's own
section labels kept, paragraphs shuffled, one title word and ~3 % of the body words replaced
(by words drawn from the corpus' own token stream, so the term distribution stays Zipf-like), and
new word forms added per copy so that the vocabulary grows the way real archives do (Heaps' law
with beta 0.5: copy c brings V1*(sqrt(c+1)-sqrt(c)) new types, each made by changing one letter of
a corpus word of 5+ letters, i.e. name-like out-of-dictionary words that Sastrawi handles slowly).
Size N uses copies 00..N-1.

For each size, each step in a fresh subprocess (niced, one at a time), into DIR/scale/xN/:
  build   full `indexer.build.build` (procs=2, cold: no stem table yet), docs/s, phase times,
          peak memory of the build's process tree, index size
  query   bench/query.py on that index: cold and warm latency of the fixed mixed set + suggest
  http    bench/http_bench.py: warta-serve (2 workers) under 16 wrk connections, as configured (the
          repeating mix is answered from the result cache) and with full searches (result cache off);
          RSS/PSS/USS per worker
  update  1,000 new + 1,000 changed articles (DIR/scale/updates.jsonl) through `indexer.build.update`,
          timed; a SearchEngine opened before the update must see the new generation, +1,000
          documents and both marker words afterwards, without a restart
Results: bench/results/scale.json (merged across runs), a table on stdout, plots in
docs/img/scale-latency.png and docs/img/scale-build.png.
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import random
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (BENCH, DEFAULT_SCRATCH, MB, PY, REPO, LoadMonitor, be_nice, clickid_config,  # noqa: E402
                     jsonl_config, machine, run_measured, worker)

RESULTS = REPO / "bench" / "results" / "scale.json"
IMG = REPO / "docs" / "img"
SUBSTITUTE_RATE = 0.03
HEAPS_BETA = 0.5
NEW_MARK, CHANGED_MARK = "zzbaruwarta", "zzubahwarta"
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=[/?#]|$)")
_ALPHA = re.compile(r"^[A-Za-z]{5,}$")
TARGETS = {"build_seconds": 300, "build_peak_mb": 2048, "search_p95_ms": 100, "suggest_p95_ms": 20,
           "update_seconds": 15, "http_within": 0.30}


# --- the synthetic corpus -------------------------------------------------------------------

def read_base(config: Path | None = None, limit: int | None = None, files: list[str] | None = None):
    """CLICK-ID articles as Warta's reader yields them (optionally only some files / the first `limit`)."""
    from indexer.build import read_articles
    from indexer.config import load_settings
    from indexer.report import BuildReport

    settings = load_settings(config or clickid_config(DEFAULT_SCRATCH, procs=2))
    sources = settings.sources
    if files:
        from dataclasses import replace
        sources = tuple(replace(sources[0], name=f"clickid-{Path(f).stem}", path=sources[0].path / f) for f in files)
    out = []
    for a in read_articles(settings, sources, BuildReport(), strict=False):
        out.append(a)
        if limit and len(out) >= limit:
            break
    return out


def _record(a, *, id_: str, url: str, title: str, body: str, date: str) -> dict:
    return {"id": id_, "title": title, "body": body, "date": date, "section": a.section_raw,
            "subsection": a.subsection, "url": url, "outlet": a.outlet}


def original_records(base) -> list[dict]:
    return [_record(a, id_=a.id, url=a.url, title=a.title, body=a.body,
                    date=a.published.isoformat(timespec="seconds") if a.published else "") for a in base]


class Replicator:
    """Makes honest synthetic copies of a base corpus (see the module docstring)."""

    def __init__(self, base, seed: int = 2024):
        self.base = base
        rng = random.Random(seed)
        tokens = [w for a in base for w in a.body.split()]
        self.donors = rng.sample(tokens, min(len(tokens), 500_000))
        self.title_donors = rng.sample([w for a in base for w in a.title.split()],
                                       min(50_000, sum(len(a.title.split()) for a in base)))
        self.known = {w.lower().strip(".,;:!?\"'()") for w in tokens}
        self.stems = sorted({w for w in self.known if _ALPHA.match(w)})
        self.v1 = len(self.known)
        self.tokens_per_copy = len(tokens)

    def novel_words(self, rng: random.Random, n: int) -> list[str]:
        """n word forms not in the base corpus (copies draw independently: rare repeats across copies)."""
        out, made = [], set()
        letters = "abcdefghijklmnoprstuwy"
        for _ in range(20 * n):
            if len(out) >= n or not self.stems:
                break
            w = rng.choice(self.stems)
            i = rng.randrange(1, len(w) - 1)
            new = w[:i] + rng.choice(letters) + w[i + 1:]
            if new in self.known or new in made:
                continue
            made.add(new)
            out.append(new.capitalize() if rng.random() < 0.5 else new)
        return out

    def copy(self, c: int, date_range=(2015, 2024), marker: str | None = None, subset=None) -> list[dict]:
        rng = random.Random(1000 + c)
        n_novel = int(self.v1 * (math.sqrt(c + 1) - math.sqrt(c))) if marker is None else 200
        novel = self.novel_words(rng, n_novel)
        uses = [w for w in novel for _ in range(rng.choice((1, 1, 2, 3)))]
        rng.shuffle(uses)
        expected = SUBSTITUTE_RATE * self.tokens_per_copy * (len(subset) / len(self.base) if subset else 1)
        novel_share = min(0.9, len(uses) / max(expected, 1))
        start = datetime_ordinal(date_range[0], 1, 1)
        span = datetime_ordinal(date_range[1], 12, 31) - start + 1
        out = []
        for a in (subset or self.base):
            day = start + rng.randrange(span)
            published = _from_ordinal(day, rng.randrange(24 * 60))
            url = _rewrite_url(a.url, published, c)
            title_words = a.title.split()
            if len(title_words) > 2:
                title_words[rng.randrange(len(title_words))] = rng.choice(self.title_donors)
            paragraphs = [p for p in a.body.split("\n\n") if p.strip()]
            rng.shuffle(paragraphs)
            new_paras = []
            for para in paragraphs:
                words = para.split(" ")
                k = sum(1 for _ in range(len(words)) if rng.random() < SUBSTITUTE_RATE)
                for pos in rng.sample(range(len(words)), min(k, len(words))):
                    if uses and rng.random() < novel_share:
                        words[pos] = uses.pop()
                    else:
                        words[pos] = rng.choice(self.donors)
                new_paras.append(" ".join(words))
            if marker:
                new_paras.append(f"{marker} pembaruan arsip {c}.")
            from indexer.records import stable_id
            out.append(_record(a, id_=stable_id(url), url=url, title=" ".join(title_words),
                               body="\n\n".join(new_paras), date=published.isoformat(timespec="seconds")))
        return out


def datetime_ordinal(y: int, m: int, d: int) -> int:
    from datetime import date
    return date(y, m, d).toordinal()


def _from_ordinal(day: int, minute: int):
    from datetime import date, datetime, time as dtime
    return datetime.combine(date.fromordinal(day), dtime(minute // 60, minute % 60))


def _rewrite_url(url: str, published, c: int) -> str:
    url = _URL_DATE.sub(f"/{published.year}/{published.month:02d}/{published.day:02d}", url or "")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}salinan={c}" if url else f"https://arsip.example/{c}/{published.isoformat()}"


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def ensure_corpus(corpus_dir: Path, copies: int, base=None, log=print) -> list[Path]:
    """copy-00..copy-(copies-1).jsonl, generated once; returns the paths."""
    paths = [corpus_dir / f"copy-{c:02d}.jsonl" for c in range(copies)]
    missing = [c for c, p in enumerate(paths) if not p.exists()]
    if missing:
        base = base if base is not None else read_base()
        rep = Replicator(base) if any(missing) else None
        for c in missing:
            records = original_records(base) if c == 0 else rep.copy(c)
            write_jsonl(paths[c], records)
            log(f"  wrote {paths[c].name}: {len(records)} articles")
    return paths


def update_records(base, rep: "Replicator | None" = None, n_new: int = 1000, n_changed: int = 1000) -> list[dict]:
    """n_new unseen articles (marker NEW_MARK) + n_changed copy-00 articles with a changed body (CHANGED_MARK)."""
    rep = rep or Replicator(base)
    step = max(1, len(base) // n_new)
    new = rep.copy(900, marker=NEW_MARK, subset=base[::step][:n_new])
    changed = []
    for r in original_records(base[1::step][:n_changed]):
        r["body"] += f"\n\n{CHANGED_MARK}: artikel ini diperbarui."
        changed.append(r)
    return new + changed


# --- one size --------------------------------------------------------------------------------

def step_build(cfg: Path, index_dir: Path) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    r = run_measured(worker("build", "--config", str(cfg), "--cold"))
    r["docs_per_s"] = round(r["documents"] / r["seconds"], 1)
    return r


def step_query(cfg: Path, out: Path) -> dict:
    run_measured([PY, str(BENCH / "query.py"), "--config", str(cfg), "--no-fts", "--quiet", "--nice", "0",
                  "--json", str(out)])
    res = json.loads(out.read_text())
    return {"warta": res["warta"], "load": res["load"]}


def step_http(cfg: Path, scratch: Path, duration: int, result_cache: bool = True) -> dict:
    import psutil
    from http_bench import run_http
    from indexer.config import load_settings
    from indexer.store import IndexStore

    settings = load_settings(cfg)
    gen = IndexStore(settings.index).current()
    # whoosh-reloaded copies every member of a *compound* segment file (.seg) into memory for each
    # reader (one per serving thread + the scoring reader); separate segment files are read lazily
    compound = sum(f.stat().st_size for f in gen.glob("*.seg"))
    avail = psutil.virtual_memory().available
    threads = settings.web.threads
    note = ""
    if compound and settings.web.workers * (threads + 2) * compound > 0.6 * avail:
        threads = 1
        note = f"threads per worker lowered to 1 ({threads + 2} compound-segment copies per worker fit in memory)"
        if settings.web.workers * 3 * compound > 0.6 * avail:
            return {"skipped": "not enough free memory for 2 workers", "available_mb": round(avail / MB)}
    res = run_http(cfg, scratch, duration=duration, threads=threads if note else None, result_cache=result_cache)
    res["note"] = note
    return res


def step_update(cfg: Path, updates: Path) -> dict:
    from indexer.config import load_settings
    from indexer.search.engine import SearchEngine
    from indexer.search.model import SearchRequest

    settings = load_settings(cfg)
    engine = SearchEngine(settings)
    before = engine.search(SearchRequest(query=NEW_MARK, facets=False, highlight=False))
    snap0 = engine.snapshot()
    gen0, docs0 = snap0.generation, snap0.doc_count
    del snap0
    r = run_measured(worker("update", "--config", str(cfg), "--source", str(updates)))
    t = time.perf_counter()
    new = engine.search(SearchRequest(query=NEW_MARK))
    first_query_s = time.perf_counter() - t
    changed = engine.search(SearchRequest(query=CHANGED_MARK))
    snap = engine.snapshot()
    r.update(generation_before=gen0, generation_after=snap.generation, documents_before=docs0,
             documents_after=snap.doc_count, marker_hits_before=before.total, new_marker_hits=new.total,
             changed_marker_hits=changed.total, first_query_after_update_ms=round(first_query_s * 1000, 1))
    r["new_generation_seen"] = (snap.generation != gen0 and snap.doc_count == docs0 + r["added"]
                                and new.total == r["added"] and changed.total == r["replaced"])
    del engine, snap
    gc.collect()
    return r


def run_size(n: int, args, corpus: list[Path], updates: Path, results: dict, log=print) -> dict:
    base_dir = args.scratch / "scale" / f"x{n}"
    index_dir = base_dir / "index"
    cfg = jsonl_config(base_dir / "config.toml", index_dir, corpus[:n], procs=args.procs, limitmb=args.limitmb)
    entry = results.setdefault(str(n), {})
    entry["size"] = n
    steps = args.steps.split(",")
    loads = entry.setdefault("load", {})
    if "build" in steps:
        log(f"[{n}×] build …")
        with LoadMonitor() as load:
            entry["build"] = step_build(cfg, index_dir)
        loads["build"] = load.summary()
        b = entry["build"]
        log(f"[{n}×] build: {b['documents']} docs in {b['seconds']} s ({b['docs_per_s']} docs/s), "
            f"phases {b['phases']}, peak RSS sum {b['memory']['peak_rss_sum_mb']} MB "
            f"(PSS {b['memory']['peak_pss_sum_mb']} MB), index {b['index_bytes'] / MB:.0f} MB, load {loads['build']}")
    if "query" in steps:
        log(f"[{n}×] query …")
        with LoadMonitor() as load:
            entry["query"] = step_query(cfg, base_dir / "query.json")
        loads["query"] = load.summary()
        w = entry["query"]["warta"]
        log(f"[{n}×] query warm median/p95/p99 {w['warm']['search']['median']}/{w['warm']['search']['p95']}/"
            f"{w['warm']['search']['p99']} ms, suggest p95 {w['warm']['suggest']['p95']} ms, "
            f"cold p95 {w['cold']['search']['p95']} ms, open {w['open_ms']} ms, load {loads['query']}")
    if "http" in steps:     # as configured (repeated requests hit the result cache), then full searches
        for key, cached in (("http", True), ("http_full", False)):
            log(f"[{n}×] {key} …")
            with LoadMonitor() as load:
                entry[key] = step_http(cfg, base_dir, args.http_duration, result_cache=cached)
            loads[key] = load.summary()
            h = entry[key]
            if "skipped" not in h:
                log(f"[{n}×] {key} {h['requests_per_s']} req/s, errors {h['errors']}, p95 {h['latency_ms']['p95']} ms, "
                    f"workers {h['worker_memory']} {h.get('note', '')}, load {loads[key]}")
    if "update" in steps:
        log(f"[{n}×] update …")
        with LoadMonitor() as load:
            entry["update"] = step_update(cfg, updates)
        loads["update"] = load.summary()
        u = entry["update"]
        log(f"[{n}×] update +{u['added']} ~{u['replaced']} in {u['seconds']} s, new generation seen: "
            f"{u['new_generation_seen']}, load {loads['update']}")
    entry["machine"] = machine()
    return entry


# --- output ------------------------------------------------------------------------------------

def _g(d, *keys, default=None):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def table(results: dict) -> str:
    head = ("size", "docs", "build s", "docs/s", "build CPU s", "load1 (build)", "build peak RSS sum / PSS MB", "index MB",
            "search warm med / p95 / p99 ms", "cold p95 ms", "suggest p95 ms", "update 2,000 s", "new gen seen",
            "HTTP req/s (errors)", "HTTP p95 ms", "HTTP full searches req/s (errors)", "worker RSS / USS MB")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for key in sorted(results, key=int):
        e = results[key]
        b, q, h, u = e.get("build", {}), _g(e, "query", "warta", default={}), e.get("http", {}), e.get("update", {})
        wm = h.get("worker_memory") or []
        lines.append(" | ".join(str(x) for x in (
            f"{key}×", b.get("documents", _g(q, "documents", default="")), b.get("seconds", ""), b.get("docs_per_s", ""),
            round(b["rusage"]["cpu_seconds_self"] + b["rusage"]["cpu_seconds_children"]) if b else "",
            _g(e, "load", "build", "load1_mean", default=""),
            f"{_g(b, 'memory', 'peak_rss_sum_mb', default='')} / {_g(b, 'memory', 'peak_pss_sum_mb', default='')}",
            round(b["index_bytes"] / MB) if b else _g(q, "index_mb", default=""),
            f"{_g(q, 'warm', 'search', 'median', default='')} / {_g(q, 'warm', 'search', 'p95', default='')} / "
            f"{_g(q, 'warm', 'search', 'p99', default='')}",
            _g(q, "cold", "search", "p95", default=""), _g(q, "warm", "suggest", "p95", default=""),
            u.get("seconds", ""), u.get("new_generation_seen", ""),
            f"{h.get('requests_per_s', h.get('skipped', ''))} ({h.get('errors', '')})", _g(h, "latency_ms", "p95", default=""),
            f"{_g(e, 'http_full', 'requests_per_s', default='')} ({_g(e, 'http_full', 'errors', default='')})",
            " ; ".join(f"{w['rss_mb']:.0f} / {w['uss_mb']:.0f}" for w in wm))))
    return "\n".join(lines)


def targets(results: dict) -> dict:
    """Targets at the largest size measured (the issue states them for ~220k)."""
    if not results:
        return {}
    big = results[max(results, key=int)]
    one = results.get("1", {})
    b, q, u, h = big.get("build", {}), _g(big, "query", "warta", default={}), big.get("update", {}), big.get("http", {})
    out = {"size": f"{big['size']}×"}
    if b:
        out["build <= 300 s"] = (b["seconds"], b["seconds"] <= TARGETS["build_seconds"])
        out["build peak <= 2 GB (PSS sum)"] = (b["memory"]["peak_pss_sum_mb"], b["memory"]["peak_pss_sum_mb"] <= TARGETS["build_peak_mb"])
        out["build peak <= 2 GB (RSS sum)"] = (b["memory"]["peak_rss_sum_mb"], b["memory"]["peak_rss_sum_mb"] <= TARGETS["build_peak_mb"])
    if q:
        out["search warm p95 <= 100 ms"] = (q["warm"]["search"]["p95"], q["warm"]["search"]["p95"] <= TARGETS["search_p95_ms"])
        out["suggest warm p95 <= 20 ms"] = (q["warm"]["suggest"]["p95"], q["warm"]["suggest"]["p95"] <= TARGETS["suggest_p95_ms"])
    if u:
        out["update 2,000 <= 15 s"] = (u["seconds"], u["seconds"] <= TARGETS["update_seconds"])
        out["new generation seen without restart"] = u["new_generation_seen"]
    for key, label in (("http", "HTTP within 30 % of 1×"), ("http_full", "HTTP within 30 % of 1× (full searches)")):
        h, h1 = big.get(key, {}), one.get(key, {})
        if "requests_per_s" in h and "requests_per_s" in h1:
            ratio = h["requests_per_s"] / h1["requests_per_s"]
            out[label] = (round(ratio, 2), ratio >= 1 - TARGETS["http_within"])
    return out


def plot(results: dict) -> list[Path]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted(results, key=int)
    IMG.mkdir(parents=True, exist_ok=True)
    written = []
    q = [(int(_g(results[k], "build", "documents", default=0) or _g(results[k], "query", "warta", "documents", default=0)),
          _g(results[k], "query", "warta")) for k in keys if _g(results[k], "query", "warta")]
    if q:
        fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
        docs = [d / 1000 for d, _ in q]
        for label, key, style in (("median", "median", "o-"), ("p95", "p95", "s-"), ("p99", "p99", "^-")):
            ax.plot(docs, [w["warm"]["search"][key] for _, w in q], style, label=f"search warm {label}")
        ax.plot(docs, [w["cold"]["search"]["p95"] for _, w in q], "s--", color="grey", label="search cold p95")
        ax.plot(docs, [w["warm"]["suggest"]["p95"] for _, w in q], "d-", label="suggest warm p95")
        ax.axhline(TARGETS["search_p95_ms"], color="red", lw=0.8, ls=":", label="search p95 target (100 ms)")
        ax.axhline(TARGETS["suggest_p95_ms"], color="purple", lw=0.8, ls=":", label="suggest p95 target (20 ms)")
        ax.set_xlabel("articles in the index (thousands)")
        ax.set_ylabel("latency per request (ms)")
        ax.set_yscale("log")
        ax.set_title("Warta in-process query latency vs corpus size\n(124 mixed queries, facets + highlights on)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        path = IMG / "scale-latency.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    b = [(results[k]["build"]["documents"], results[k]["build"]) for k in keys if "build" in results[k]]
    if b:
        fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
        docs = [d / 1000 for d, _ in b]
        ax.plot(docs, [r["seconds"] for _, r in b], "o-", label="full build (wall s)")
        ax.plot(docs, [r["phases"].get("feed", 0) for _, r in b], "^--",
                label="feed: read + hand over while writers index (s)")
        ax.axhline(TARGETS["build_seconds"], color="red", lw=0.8, ls=":", label="target at ~220k (300 s)")
        ax.set_xlabel("articles (thousands)")
        ax.set_ylabel("seconds")
        ax2 = ax.twinx()
        ax2.plot(docs, [r["memory"]["peak_pss_sum_mb"] / 1024 for _, r in b], "s-", color="tab:green",
                 label="peak memory, PSS sum (GB)")
        ax2.axhline(TARGETS["build_peak_mb"] / 1024, color="tab:green", lw=0.8, ls=":", label="memory target (2 GB)")
        ax2.set_ylabel("GB")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="upper left")
        ax.set_title("Warta full build (procs=2, cold stem table) vs corpus size")
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        path = IMG / "scale-build.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="1,2,5,10")
    p.add_argument("--steps", default="build,query,http,update")
    p.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH)
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--limitmb", type=int, default=None)
    p.add_argument("--http-duration", type=int, default=30)
    p.add_argument("--nice", type=int, default=5)
    p.add_argument("--json", type=Path, default=RESULTS)
    p.add_argument("--fresh", action="store_true", help="forget earlier results in the JSON")
    p.add_argument("--plot-only", action="store_true")
    args = p.parse_args(argv)
    results = {} if args.fresh or not args.json.exists() else json.loads(args.json.read_text()).get("sizes", {})
    if not args.plot_only:
        be_nice(args.nice)
        sizes = [int(s) for s in args.sizes.split(",")]
        corpus_dir = args.scratch / "scale" / "corpus"
        print(f"corpus: {max(sizes)} copies in {corpus_dir}", flush=True)
        base = read_base()
        corpus = ensure_corpus(corpus_dir, max(sizes), base)
        updates = args.scratch / "scale" / "updates.jsonl"
        if not updates.exists():
            write_jsonl(updates, update_records(base))
        del base
        gc.collect()
        for n in sizes:
            run_size(n, args, corpus, updates, results, log=lambda m: print(m, flush=True))
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"sizes": results, "targets": targets(results)}, indent=1, default=str))
    else:
        results = json.loads(args.json.read_text())["sizes"]
    print()
    print(table(results))
    print("\ntargets at the largest size:", json.dumps(targets(results), ensure_ascii=False))
    for path in plot(results):
        print("plot:", path.relative_to(REPO))
    print("JSON:", args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
