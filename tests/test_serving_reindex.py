"""Serving during reindex: the production server (``python -m webapp.serve --workers 2``) answers
a bounded pool of client threads without a single error while ``warta-index build`` and
``update`` run again and again in other processes, and every answer comes from one complete
published generation:

* ``/healthz``: (generation, documents) is exactly a published generation's pair;
* ``/api/search?q=`` (browse all) and ``q=pasar`` (a word every article has): ``total`` is one of
  the published document counts, and the section facet counts add up to it (same snapshot);
* ``section=Ekonomi``: ``total`` is that generation's Ekonomi count;
* ``/api/suggest`` and the HTML page answer 200.

The generations differ in size (builds, growing updates, shrinking `update --prune`), so a torn
read (half old, half new) would show as a count no generation ever had. Shortened by default;
``WARTA_FULL=1`` runs more reindex cycles and more client threads.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psutil
import pytest

from tests.browser_support import start_server
from tests.support import REPO, write_jsonl

pytestmark = pytest.mark.slow

FULL = os.environ.get("WARTA_FULL") == "1"
CYCLES = 24 if FULL else 6
CLIENTS = 8 if FULL else 4
SECTIONS = ("Ekonomi", "Nasional", "Daerah", "Olahraga")


def _record(**figures) -> None:
    path = os.environ.get("WARTA_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": "test_serving_reindex", "full": FULL, **figures}) + "\n")


def article(i: int) -> dict:
    return {"id": f"a{i}", "title": f"Kabar pasar nomor {i}", "body": f"Harga di pasar hari ke-{i} naik turun.",
            "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "section": SECTIONS[i % len(SECTIONS)],
            "url": f"https://contoh.id/{i}"}


def plan(cycles: int) -> list[tuple[str, list[int]]]:
    """(verb, article numbers of the source) per step; every step publishes a new document count.
    Growing steps are `update` (the source keeps the old articles and adds new ones), shrinking
    steps alternate between a fresh `build` and `update --prune` of a subset."""
    import random
    rng = random.Random(7)
    targets = rng.sample(range(25, 25 + 7 * (cycles + 1)), cycles + 1)
    steps, current, next_id = [], [], 0
    for k, target in enumerate(targets):
        if k == 0 or (target < len(current) and k % 2 == 0):
            current = list(range(next_id, next_id + target))
            next_id += target
            steps.append(("build", current))
        elif target < len(current):
            current = current[len(current) - target:]
            steps.append(("update --prune", current))
        else:
            current = current + list(range(next_id, next_id + target - len(current)))
            next_id = current[-1] + 1
            steps.append(("update", current))
    return steps


def expected_sections(numbers) -> dict[str, int]:
    return dict(Counter(SECTIONS[i % len(SECTIONS)] for i in numbers))


def write_config(path: Path, index_dir: Path, source: Path | None) -> Path:
    text = f'[index]\ndir = "{index_dir}"\nprocs = 2\nlock_wait_seconds = 120\nkeep_generations = 2\n'
    if source is not None:
        text += (f'[[sources]]\nname = "pasar"\npath = "{source}"\nformat = "jsonl"\n'
                 'fields = {id = "id", title = "title", body = "body", date = "date", section = "section", '
                 'url = "url"}\n')
    path.write_text(text, encoding="utf-8")
    return path


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()


def worker_pids(server) -> list[int]:
    try:
        return [p.pid for p in psutil.Process(server.proc.pid).children()]
    except psutil.Error:
        return []


def test_serving_during_repeated_builds_and_updates(tmp_path):
    index_dir = tmp_path / "index"
    source = tmp_path / "pasar.jsonl"
    config = write_config(tmp_path / "warta.toml", index_dir, source)
    published: dict[str, int] = {}          # generation -> documents
    by_count: dict[int, dict[str, int]] = {}  # documents -> section counts

    def run(verb: str, numbers: list[int]) -> None:
        write_jsonl(source, [article(i) for i in numbers])
        done = subprocess.run([sys.executable, "-m", "indexer", "--config", str(config), *verb.split(), "-q"],
                              cwd=REPO, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        generation = (index_dir / "CURRENT").read_text().strip()
        documents = json.loads((index_dir / generation / "build.json").read_text())["documents"]
        assert documents == len(numbers), (verb, documents, len(numbers))
        assert documents not in by_count, "every generation must differ in size"
        published[generation] = documents
        by_count[documents] = expected_sections(numbers)

    steps = plan(CYCLES)
    run(*steps[0])
    server = start_server(write_config(tmp_path / "serve.toml", index_dir, None), tmp_path / "server", workers=2)
    stop = threading.Event()
    results: Counter = Counter()
    errors: list[str] = []
    seen_counts: Counter = Counter()
    lock = threading.Lock()
    base = server.url

    def client(n: int) -> None:
        paths = ["/api/search?q=&per_page=1", "/healthz", "/api/search?q=pasar&per_page=3",
                 "/api/search?q=pasar&section=Ekonomi&per_page=1", "/api/suggest?q=pas", "/?q=pasar"]
        i = n
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            try:
                status, body = get(base + path)
                problem = check(path, status, body)
            except Exception as exc:  # noqa: BLE001 — every failure is reported
                problem = f"{type(exc).__name__}: {exc}"
            with lock:
                results[path] += 1
                if problem:
                    errors.append(f"{path}: {problem}")

    def check(path: str, status: int, body: bytes) -> str | None:
        if status != 200:
            return f"status {status}: {body[:200]!r}"
        if path.startswith("/?"):
            return None if b"hasil" in body else "no results text"
        data = json.loads(body)
        if path == "/healthz":
            pair = (data["generation"], data["documents"])
            # the pair is checked after the run (a generation may be published just after reading)
            with lock:
                seen_counts[pair] += 1
            return None
        if path.startswith("/api/suggest"):
            return None if isinstance(data["suggestions"], list) else "bad suggestions"
        total = data["total"]
        with lock:
            seen_counts[("search", total, path)] += 1
        facet_sum = sum(f["count"] for f in data["facets"]["section"])
        if "section=Ekonomi" in path:
            return None if facet_sum >= total else f"facets {facet_sum} < total {total}"
        return None if facet_sum == total else f"facets add up to {facet_sum}, total {total}"

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    fds_before = None
    try:
        for t in threads:
            t.start()
        time.sleep(1.0)
        fds_before = {pid: psutil.Process(pid).num_fds() for pid in worker_pids(server)}
        for verb, numbers in steps[1:]:
            run(verb, numbers)
            time.sleep(0.5)                              # let the clients see this generation
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        fds_after = {pid: psutil.Process(pid).num_fds() for pid in worker_pids(server) if psutil.pid_exists(pid)}
        server.stop()
        log = server.output()

    assert not errors, errors[:20]
    assert "Traceback" not in log and "[ERROR]" not in log, log[-3000:]
    counts = set(published.values())
    for key, n in seen_counts.items():
        if key[0] == "search":
            _, total, path = key
            if "section=Ekonomi" in path:
                assert total in {c["Ekonomi"] for c in by_count.values()}, (path, total)
            else:
                assert total in counts, (path, total, counts)
        else:
            generation, documents = key
            assert published.get(generation) == documents, (generation, documents, published)
    served = sum(results.values())
    assert served >= CYCLES * 20, results
    # the clients saw several generations, not just the first and the last
    assert len({d for g, d in (k for k in seen_counts if k[0] != "search")}) >= min(3, len(published))
    # old generations' files are released: no descriptor leak per generation
    for pid, before in (fds_before or {}).items():
        if pid in fds_after:
            assert fds_after[pid] - before < 40, (pid, before, fds_after[pid])
    _record(cycles=CYCLES, generations=len(published), clients=CLIENTS, requests=served,
            searches=sum(n for p, n in results.items() if p.startswith("/api/search")), errors=len(errors),
            fds_before=fds_before, fds_after=fds_after)
