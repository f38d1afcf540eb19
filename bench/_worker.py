"""Subprocess side of the benchmarks: one build or update, timed by phase, result as JSON on stdout.

    python bench/_worker.py build  --config C [--cold] [--profile out.prof]
    python bench/_worker.py update --config C --source FILE

Build phases come from the build report: "feed" is the main process reading articles, giving
them story signatures and handing them to the writer processes (which index meanwhile),
"commit" the writers' tail and the table of contents, "publish" the swap.
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
            "stemming": report.stemming, "seconds": round(end - start, 2), "phases": report.phases,
            "index_bytes": du_bytes(Path(generation)), "procs": settings.index.procs,
            "limitmb": settings.index.limitmb, "cold": bool(args.cold), "stem_tables_removed": removed,
            "rusage": _rusage()}


def cmd_update(args) -> dict:
    from indexer.build import update
    from indexer.config import load_settings

    settings = load_settings(args.config)
    start = time.perf_counter()
    generation, report = update(settings, [args.source], quiet=True)
    end = time.perf_counter()
    from whoosh import index as whoosh_index

    from indexer.whooshfast import segment_ids
    ix = whoosh_index.open_dir(str(generation))
    return {"generation": str(generation), "seconds": round(end - start, 2),
            "report_seconds": round(report.seconds, 2), "added": report.added, "replaced": report.replaced,
            "unchanged": report.unchanged, "documents": ix.doc_count(), "segments": len(segment_ids(ix)),
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
