"""Build benchmark on the real CLICK-ID corpus (22,136 rows, 21,970 indexable articles).

    .venv/bin/python bench/build.py [--runs cold:2,warm:2,cold:1,warm:1,warm:2:640] [--no-fts] [--scratch DIR]

Each run is a full `indexer.build.build` in a fresh subprocess into DIR/clickid/index (default
/tmp/warta-bench). "cold" deletes the stem table (stems-*.pkl) first, "warm" keeps the one the
previous run left; the number after the colon is [index] procs, an optional third number overrides
[index] limitmb (the Whoosh writer's posting pool per process, default 256 MB). Reported per run: docs/s, wall
time per phase (read, stem pre-pass, index, commit, publish), peak memory of the build's process
tree (summed RSS, summed PSS, largest process; sampled every 0.1 s with psutil, plus the exact
ru_maxrss of the largest process), index size on disk.

Peer: SQLite FTS5 (stdlib sqlite3) loading the same analysed text, i.e. the tokens of Warta's own
stemmed analyzer joined by spaces (analysis time reported separately, not charged to FTS5). The
FTS5 database is kept as DIR/clickid/fts5.db for bench/query.py.

The script renices itself (+5, --nice) so other work on the machine keeps its share; the machine
load during the run is part of the result. JSON goes to bench/results/build.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (DEFAULT_SCRATCH, MB, REPO, LoadMonitor, analysed_rows, be_nice, clickid_config,  # noqa: E402
                     fts5_build, machine, run_measured, worker)

TARGET_SECONDS = 60.0
CORPUS_ROWS = 22_136


def run_build(scratch: Path, procs: int, cold: bool, limitmb: int | None = None) -> dict:
    config = clickid_config(scratch, procs=procs, limitmb=limitmb)
    result = run_measured(worker("build", "--config", str(config), *(["--cold"] if cold else [])))
    result["docs_per_s"] = round(result["documents"] / result["seconds"], 1)
    result["rows_per_s"] = round(CORPUS_ROWS / result["seconds"], 1)
    return result


def fts5_peer(scratch: Path) -> dict:
    from indexer.build import read_articles
    from indexer.config import load_settings
    from indexer.report import BuildReport

    settings = load_settings(clickid_config(scratch, procs=1))
    t0 = time.perf_counter()
    articles = list(read_articles(settings, settings.sources, BuildReport(), strict=False))
    t1 = time.perf_counter()
    rows = list(analysed_rows(settings, articles))
    t2 = time.perf_counter()
    out = fts5_build(scratch / "clickid" / "fts5.db", rows)
    out.update(read_seconds=round(t1 - t0, 2), analysis_seconds=round(t2 - t1, 2), sqlite_version=__import__("sqlite3").sqlite_version)
    return out


def table(runs: list[dict], fts: dict | None) -> str:
    head = ("run", "docs", "total s", "docs/s", "feed", "commit", "publish",
            "peak RSS sum MB", "peak PSS MB", "largest proc MB", "index MB")
    lines = [" | ".join(head), " | ".join("---" for _ in head)]
    for r in runs:
        ph = r["phases"]
        lines.append(" | ".join(str(x) for x in (
            r["label"], r["documents"], r["seconds"], r["docs_per_s"], ph.get("feed"), ph.get("commit"), ph.get("publish"), r["memory"]["peak_rss_sum_mb"],
            r["memory"]["peak_pss_sum_mb"], r["rusage"]["largest_child_maxrss_mb"] if r["procs"] > 1
            else r["rusage"]["self_maxrss_mb"], round(r["index_bytes"] / MB, 1))))
    if fts:
        lines.append(f"SQLite FTS5 {fts['sqlite_version']} (pre-analysed text, 1 thread) | {fts['documents']} | "
                     f"{fts['seconds']} | {fts['docs_per_s']} | | | | | | | {fts['size_mb']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", default="cold:2,warm:2,cold:1,warm:1,warm:2:640")
    p.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH)
    p.add_argument("--limitmb", type=int, default=None, help="override [index] limitmb")
    p.add_argument("--no-fts", action="store_true")
    p.add_argument("--nice", type=int, default=5)
    p.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "build.json")
    args = p.parse_args(argv)
    be_nice(args.nice)
    info = machine()
    runs = []
    fts = None
    with LoadMonitor() as load:
        for spec in args.runs.split(","):
            parts = spec.split(":")
            kind, procs, limitmb = parts[0], (parts[1:2] or ["2"])[0], (parts[2:3] or [""])[0]
            limit = int(limitmb) if limitmb else args.limitmb
            r = run_build(args.scratch, int(procs or 2), kind == "cold", limit)
            r["label"] = f"{kind} procs={procs}" + (f" limitmb={limit}" if limit else "")
            r["meets_60s_target"] = r["seconds"] < TARGET_SECONDS
            runs.append(r)
            print(f"{r['label']}: {r['documents']} docs in {r['seconds']} s ({r['docs_per_s']} docs/s) "
                  f"phases {r['phases']} peak RSS sum {r['memory']['peak_rss_sum_mb']} MB, "
                  f"PSS {r['memory']['peak_pss_sum_mb']} MB, index {r['index_bytes'] / MB:.1f} MB", flush=True)
        if not args.no_fts:
            fts = fts5_peer(args.scratch)
            print(f"FTS5: {fts}", flush=True)
    best = min(runs, key=lambda r: r["seconds"])
    ratios = {}
    if fts:
        for r in runs:
            ratios[r["label"]] = round(fts["docs_per_s"] / r["docs_per_s"], 1)
    result = {"machine": info, "load": load.summary(), "runs": runs, "fts5": fts,
              "fts5_faster_than": ratios, "target_seconds": TARGET_SECONDS, "best": best["label"]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, default=str))
    print()
    print(table(runs, fts))
    print(f"\nmachine: {info} load during run: {result['load']}")
    if ratios:
        print("FTS5 docs/s ÷ Warta docs/s:", ratios)
    print(f"target < {TARGET_SECONDS:.0f} s: best {best['label']} {best['seconds']} s -> "
          f"{'MET' if best['seconds'] < TARGET_SECONDS else 'MISSED'}")
    print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
