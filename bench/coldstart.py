"""The first minute after a deploy: HTTP latency of a fresh worker, with and without the warm-up.

    .venv/bin/python bench/coldstart.py [--config C] [--json OUT]

For each setting (`[web] warmup_queries` 0 and 50; the result cache on as shipped, and off to see
the posting caches alone): the index files are dropped from the OS page cache, a one-worker
`warta-serve` starts, and as soon as /healthz answers the query set of bench/queries.txt is sent
once over HTTP (cold pass), then once more (warm pass). The analytics database the warm-up reads
is a synthetic week of searches in which the first half of the query set is popular, so the
warm-up knows only part of what the measured readers ask.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (DEFAULT_SCRATCH, REPO, clickid_config, evict_page_cache, load_queries,  # noqa: E402
                     stats_ms)


def analytics_log(path: Path, queries: list[str]) -> None:
    sys.path.insert(0, str(REPO))
    from indexer import analytics

    con = analytics.connect(path)
    now = time.time()
    popular = queries[: len(queries) // 2]
    with con:
        con.executemany("INSERT INTO searches VALUES (?, ?, '{}', 1, 1.0, 1, 0, 'g')",
                        [(now - i * 60, analytics.normalise_query(q), ) for i, q in enumerate(popular * 5)])
    con.close()


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(config: Path, index_dir: Path, db: Path, warmup: int, cache: int, requests: list[str]) -> dict:
    cfg = Path(tempfile.mkdtemp()) / "warta.toml"
    cfg.write_text(config.read_text() + f'\n[web]\nanalytics = false\nanalytics_db = "{db}"\n'
                   f"warmup_queries = {warmup}\nworkers = 1\n[search]\nresult_cache = {cache}\n")
    evict_page_cache(index_dir)
    port = free_port()
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "webapp.serve", "--config", str(cfg), "--port", str(port)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=30) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        ready = time.monotonic() - started
        passes = []
        for _ in range(2):
            times = []
            for qs in requests:
                t = time.perf_counter()
                with urllib.request.urlopen(f"{base}/api/search?{qs}", timeout=30) as r:
                    r.read()
                times.append(time.perf_counter() - t)
            passes.append(stats_ms(times))
        return {"warmup_queries": warmup, "result_cache": cache, "ready_s": round(ready, 2),
                "cold": passes[0], "warm": passes[1]}
    finally:
        proc.terminate()
        proc.wait(30)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, help="default: the CLICK-ID scratch index of bench/build.py")
    p.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "coldstart.json")
    args = p.parse_args(argv)
    config = args.config or clickid_config(DEFAULT_SCRATCH)
    sys.path.insert(0, str(REPO))
    from indexer.config import load_settings
    from indexer.store import IndexStore
    settings = load_settings(config)
    generation = IndexStore(settings.index).current()
    if generation is None:
        sys.exit(f"no index for {config}: run bench/build.py first")
    searches, _ = load_queries()
    requests = [qs for _, qs in searches]
    queries = [urllib.parse.parse_qs(qs).get("q", [""])[0] for qs in requests]
    db = Path(tempfile.mkdtemp()) / "analytics.sqlite"
    analytics_log(db, [q for q in queries if q])
    results = [run(config, generation, db, warmup, cache, requests)
               for cache in (1000, 0) for warmup in (0, 50, 0, 50)]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    print("result cache | warm-up queries | ready s | cold median / p95 ms | warm median / p95 ms")
    for r in results:
        print(f"{r['result_cache']} | {r['warmup_queries']} | {r['ready_s']} | {r['cold']['median']} / "
              f"{r['cold']['p95']} | {r['warm']['median']} / {r['warm']['p95']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
