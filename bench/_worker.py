"""Subprocess side of the benchmarks: one build or update, timed by phase, result as JSON on stdout.

    python bench/_worker.py build  --config C [--cold] [--profile out.prof]
    python bench/_worker.py update --config C --source FILE

Phases are timed by wrapping the build's own steps (indexer.build._read_all, _warm_stems and the
Whoosh writer's commit) from the outside; the product code is not changed. With procs > 1 the
Whoosh sub-writers index while the main process is still feeding them, so "index" is the time
the main process spends handing documents over and "commit" includes the sub-writers' tail.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import du_bytes  # noqa: E402

MARKS: dict[str, float] = {}
RSS_AT: dict[str, float] = {}      # the main process's RSS (MB) at each phase boundary


def _mark(name: str) -> None:
    MARKS[name] = time.perf_counter()
    with open("/proc/self/statm") as fh:
        RSS_AT[name] = round(int(fh.read().split()[1]) * resource.getpagesize() / 2**20, 1)


def _instrument():
    import indexer.build as b
    from whoosh import multiproc, writing

    read_all, warm = b._read_all, b._warm_stems

    def timed_read_all(*a, **k):
        _mark("read_start")
        out = read_all(*a, **k)
        _mark("read_end")
        return out

    def timed_warm(*a, **k):
        _mark("stem_start")
        out = warm(*a, **k)
        _mark("stem_end")
        return out

    b._read_all, b._warm_stems = timed_read_all, timed_warm
    signatures = getattr(b, "_story_signatures", None)
    if signatures is not None:
        def timed_signatures(*a, **k):
            _mark("dup_start")
            out = signatures(*a, **k)
            _mark("dup_end")
            return out
        b._story_signatures = timed_signatures
    depth = [0]
    for cls in (writing.SegmentWriter, multiproc.MpWriter):
        original = cls.__dict__["commit"]

        def commit(self, *a, _orig=original, **k):
            if depth[0] == 0 and "commit_start" not in MARKS:
                _mark("commit_start")
            depth[0] += 1
            try:
                return _orig(self, *a, **k)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    _mark("commit_end")
        cls.commit = commit


def _phases(start: float, end: float) -> dict:
    m = MARKS
    out = {"read": m["read_end"] - m["read_start"]}
    if "stem_end" in m:
        out["stem_prepass"] = m["stem_end"] - m["stem_start"]
        out["index_add"] = m["commit_start"] - m["stem_end"]
    if "dup_end" in m:   # part of index_add (it runs between the stem pre-pass and the writer)
        out["dup_signatures"] = m["dup_end"] - m["dup_start"]
    out["commit"] = m["commit_end"] - m["commit_start"]
    out["publish"] = end - m["commit_end"]
    out["setup"] = m["read_start"] - start
    return {k: round(v, 2) for k, v in out.items()}


def _rusage() -> dict:
    self_, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"self_maxrss_mb": round(self_.ru_maxrss / 1024, 1),
            "largest_child_maxrss_mb": round(kids.ru_maxrss / 1024, 1),
            "cpu_seconds_self": round(self_.ru_utime + self_.ru_stime, 1),
            "cpu_seconds_children": round(kids.ru_utime + kids.ru_stime, 1)}


def cmd_build(args) -> dict:
    from indexer.build import build
    from indexer.config import load_settings

    settings = load_settings(args.config)
    root = Path(settings.index.dir)
    removed = []
    if args.cold:
        for p in root.glob("stems-*.pkl"):
            p.unlink()
            removed.append(p.name)
    _instrument()
    start = time.perf_counter()
    if args.profile:
        import cProfile
        prof = cProfile.Profile()
        generation, report = prof.runcall(build, settings, quiet=True)
        prof.dump_stats(args.profile)
    else:
        generation, report = build(settings, quiet=True)
    end = time.perf_counter()
    return {"generation": str(generation), "documents": report.indexed, "read": report.read,
            "skipped": report.skipped_total, "report_seconds": round(report.seconds, 2),
            "stemming": report.stemming, "seconds": round(end - start, 2), "phases": _phases(start, end),
            "index_bytes": du_bytes(Path(generation)), "procs": settings.index.procs,
            "limitmb": settings.index.limitmb, "cold": bool(args.cold), "stem_tables_removed": removed,
            "main_rss_mb_at": RSS_AT,
            "rusage": _rusage()}


def cmd_update(args) -> dict:
    from indexer.build import update
    from indexer.config import load_settings

    settings = load_settings(args.config)
    start = time.perf_counter()
    generation, report = update(settings, [args.source], quiet=True)
    end = time.perf_counter()
    from whoosh import index as whoosh_index
    ix = whoosh_index.open_dir(str(generation))
    return {"generation": str(generation), "seconds": round(end - start, 2),
            "report_seconds": round(report.seconds, 2), "added": report.added, "replaced": report.replaced,
            "unchanged": report.unchanged, "documents": ix.doc_count(), "segments": len(ix._segments()),
            "stemming": report.stemming, "index_bytes": du_bytes(Path(generation)), "rusage": _rusage()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--config", required=True)
    b.add_argument("--cold", action="store_true", help="delete the stem table first")
    b.add_argument("--profile", help="write a cProfile of the build (main process only) here")
    u = sub.add_parser("update")
    u.add_argument("--config", required=True)
    u.add_argument("--source", required=True)
    args = p.parse_args(argv)
    result = {"build": cmd_build, "update": cmd_update}[args.cmd](args)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
