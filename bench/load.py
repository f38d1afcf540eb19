"""Load test of the production server: many concurrent clients, zero errors, stable memory.

    .venv/bin/python bench/load.py [--config C] [--clients 64] [--duration 60] [--workers 2]
                                   [--queries bench/queries.txt] [--max-growth-mb 50] [--json PATH]

Starts ``python -m webapp.serve --host 127.0.0.1 --port 0 --workers N`` (gunicorn, gthread) on the
index of ``--config`` — by default a fresh index of demo/corpus built into a temporary folder — and
runs ``--clients`` client threads for ``--duration`` seconds, each on its own keep-alive
connection, over a mixed request set: plain words, phrases, section/month/date-range facets, sort
by date, deep pages, 50 results per page, browsing, misspellings ("Maksud Anda"), ``/api/suggest``
prefixes, article JSON, the HTML search page and ``/healthz``. Loopback only.

Every answer must be 200 with a well-formed body (JSON that parses with the expected keys, HTML
with the results list); anything else — other status, a socket error, a timeout, a worker that
restarted — is an error, and the run fails unless there are none. The RSS of each gunicorn worker
is sampled every second (psutil); after the warm-up (the first 20 % of the run, at least 3 s) it
must not grow by more than ``--max-growth-mb``. Latency percentiles are reported per request kind.

``WARTA_LOAD_CI=1`` shortens the defaults to 16 clients × 10 s (what tests/test_load.py runs in CI).
A summary is printed; JSON goes to ``--json`` (default bench/results/load.json). Exit status 0 only
when there were no errors and memory stayed within the bound.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit

import psutil

REPO = Path(__file__).resolve().parents[1]
CI = os.environ.get("WARTA_LOAD_CI") == "1"
MB = 1024 * 1024

# (kind, path) over the demo corpus; --queries adds the searches of bench/queries.txt
DEMO_REQUESTS = [
    ("word", "/api/search?q=banjir"), ("word", "/api/search?q=bekasi"), ("word", "/api/search?q=harga%20cabai"),
    ("word", "/api/search?q=korupsi"), ("word", "/api/search?q=gempa%20garut"), ("word", "/api/search?q=KPK"),
    ("word", "/api/search?q=korut"), ("word", "/api/search?q=timnas%20u20"), ("word", "/api/search?q=warga"),
    ("phrase", "/api/search?q=%22harga%20beras%22"), ("phrase", "/api/search?q=%22korea%20utara%22%20rudal"),
    ("facet", "/api/search?q=banjir&section=Daerah"), ("facet", "/api/search?q=bekasi&section=Daerah&section=Kesehatan"),
    ("facet", "/api/search?q=harga&month=2023-07"), ("facet", "/api/search?q=&section=Ekonomi"),
    ("facet", "/api/search?q=warga&from=2023-01-01&to=2023-06-30"),
    ("facet", "/api/search?q=pemilu&from=2024-01-01&to=2024-12-31&section=Nasional"),
    ("newest", "/api/search?q=banjir&sort=newest"), ("newest", "/api/search?q=harga&sort=oldest&page=2"),
    ("deep", "/api/search?q=&page=3&per_page=10"), ("deep", "/api/search?q=warga&per_page=50"),
    ("browse", "/api/search?q="), ("browse", "/api/search?sort=newest&per_page=50"),
    ("typo", "/api/search?q=banjr%20bekas"), ("typo", "/api/search?q=korupsii"),
    ("suggest", "/api/suggest?q=ban"), ("suggest", "/api/suggest?q=ko"), ("suggest", "/api/suggest?q=harga%20ca"),
    ("suggest", "/api/suggest?q=tim"), ("suggest", "/api/suggest?q=gem&limit=20"),
    ("html", "/?q=banjir"), ("html", "/?q=harga&section=Ekonomi&sort=newest"),
    ("health", "/healthz"),
]
EXPECT_KEYS = {"/api/search": ("total", "results", "facets"), "/api/suggest": ("suggestions",),
               "/healthz": ("status", "documents"), "/api/articles/": ("id", "title", "related")}


# --------------------------------------------------------------------------- server

def build_demo_index(folder: Path) -> Path:
    """Index demo/corpus into folder/index; returns a config naming it."""
    sys.path.insert(0, str(REPO))
    from indexer.build import build
    from indexer.config import load_settings
    settings = load_settings(REPO / "config.toml").replace(index={"dir": folder / "index", "procs": 1})
    build(settings, quiet=True)
    config = folder / "load.toml"
    config.write_text(f'[index]\ndir = "{folder / "index"}"\n', encoding="utf-8")
    return config


class Server:
    def __init__(self, config: Path, workers: int, threads: int | None, log: Path):
        cmd = [sys.executable, "-m", "webapp.serve", "--config", str(config), "--host", "127.0.0.1",
               "--port", "0", "--workers", str(workers)]
        if threads:
            cmd += ["--threads", str(threads)]
        self.log = log
        self._out = open(log, "w+", encoding="utf-8")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self._out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     env={**os.environ, "PYTHONPATH": str(REPO)})
        self.url = self._wait_for_url()

    def _wait_for_url(self, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"warta-serve exited with {self.proc.returncode}:\n{self.output()}")
            match = re.search(r"Warta is running at (http://127\.0\.0\.1:\d+)/", self.output())
            if match:
                return match.group(1)
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"warta-serve did not start:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def workers(self, expected: int = 0, wait: float = 30.0) -> list[int]:
        """The worker pids; waits up to `wait` s for `expected` of them (gunicorn prints its address
        before it forks the workers, and each worker opens the index before it serves)."""
        deadline = time.monotonic() + wait
        while True:
            try:
                pids = sorted(p.pid for p in psutil.Process(self.proc.pid).children())
            except psutil.Error:
                pids = []
            if len(pids) >= expected or time.monotonic() > deadline:
                return pids
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._out.close()


# --------------------------------------------------------------------------- clients

def check_body(path: str, status: int, content_type: str, body: bytes) -> str | None:
    """None when the answer is right, else what is wrong with it."""
    if status != 200:
        return f"status {status}"
    if path.startswith("/?") or path == "/":
        return None if "text/html" in content_type and b'class="results"' in body else "bad HTML page"
    try:
        data = json.loads(body)
    except ValueError:
        return "invalid JSON"
    for prefix, keys in EXPECT_KEYS.items():
        if path.startswith(prefix):
            return None if all(k in data for k in keys) else f"missing keys {keys}"
    return None


class Client(threading.Thread):
    def __init__(self, n: int, host: str, port: int, requests: list[tuple[str, str]], stop: threading.Event,
                 record):
        super().__init__(name=f"client-{n}", daemon=True)
        self.rng = random.Random(n)
        self.host, self.port, self.requests, self.stop_event, self.record = host, port, requests, stop, record
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0
        self.reconnects = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.used = 0
        return self.conn

    def _get(self, path: str):
        """GET on the keep-alive connection. If the server closed a connection that had already
        served requests (keep-alive timeout) before answering anything, the request is sent once
        more on a new connection: that is HTTP keep-alive, not an error. A fresh connection that
        fails is an error."""
        while True:
            conn = self._connection()
            reused = self.used > 0
            try:
                conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = conn.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                self.conn = None
                if not reused:
                    raise
                self.reconnects += 1
                continue
            self.used += 1
            if (response.getheader("Connection") or "").lower() == "close":
                conn.close()
                self.conn = None
            return response.status, response.getheader("Content-Type", ""), body

    def run(self) -> None:
        order = list(self.requests)
        self.rng.shuffle(order)
        i = 0
        while not self.stop_event.is_set():
            kind, path = order[i % len(order)]
            i += 1
            started = time.perf_counter()
            try:
                status, content_type, body = self._get(path)
                problem = check_body(path, status, content_type, body)
            except Exception as exc:  # noqa: BLE001 — every failure counts
                problem = f"{type(exc).__name__}: {exc}"
                if self.conn is not None:
                    self.conn.close()
                    self.conn = None
            self.record(kind, path, time.perf_counter() - started, problem)
        if self.conn is not None:
            self.conn.close()


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)
    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": round(ordered[-1] * 1000, 1),
            "n": len(ordered)}


def request_set(server_url: str, queries: Path | None) -> list[tuple[str, str]]:
    requests = list(DEMO_REQUESTS)
    if queries is not None:
        for line in queries.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            kind, _, rest = line.partition("\t")
            kind, rest = kind.strip(), rest.strip()
            if kind == "suggest":
                requests.append(("suggest", "/api/suggest?" + rest))
            else:
                requests.append((kind, "/api/search?" + rest))
    # a few real article ids for /api/articles/<id>
    host = urlsplit(server_url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    conn.request("GET", "/api/search?q=&per_page=5")
    ids = [hit["id"] for hit in json.loads(conn.getresponse().read())["results"]]
    conn.close()
    requests += [("article", f"/api/articles/{quote(i, safe='')}") for i in ids]
    return requests


def run_load(config: Path, clients: int, duration: float, workers: int = 2, threads: int | None = None,
             queries: Path | None = None, max_growth_mb: float = 50.0, warmup: float | None = None,
             log_dir: Path | None = None) -> dict:
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="warta-load-"))
    server = Server(config, workers, threads, log_dir / "server.log")
    try:
        host = urlsplit(server.url)
        assert host.hostname == "127.0.0.1", server.url
        requests = request_set(server.url, queries)
        pids = server.workers(expected=workers)
        assert len(pids) == workers, (pids, server.output())
        procs = {pid: psutil.Process(pid) for pid in pids}
        warmup = warmup if warmup is not None else max(3.0, duration * 0.2)

        lock = threading.Lock()
        latencies: dict[str, list[float]] = defaultdict(list)
        errors: Counter = Counter()
        error_examples: list[str] = []
        counts: Counter = Counter()

        def record(kind: str, path: str, seconds: float, problem: str | None) -> None:
            with lock:
                counts[kind] += 1
                latencies[kind].append(seconds)
                if problem:
                    errors[problem.split(":")[0]] += 1
                    if len(error_examples) < 20:
                        error_examples.append(f"{path}: {problem}")

        stop = threading.Event()
        pool = [Client(n, host.hostname, host.port, requests, stop, record) for n in range(clients)]
        rss: dict[int, list[tuple[float, int]]] = {pid: [] for pid in pids}
        cpu_start = {pid: sum(p.cpu_times()[:2]) for pid, p in procs.items()}
        started = time.monotonic()
        for client in pool:
            client.start()
        while (elapsed := time.monotonic() - started) < duration:
            for pid, proc in procs.items():
                try:
                    rss[pid].append((round(elapsed, 1), proc.memory_info().rss))
                except psutil.Error:
                    errors["worker gone"] += 1
            time.sleep(min(1.0, max(0.0, duration - elapsed)))
        stop.set()
        for client in pool:
            client.join(timeout=90)
        wall = time.monotonic() - started
        stuck = [c.name for c in pool if c.is_alive()]
        if stuck:
            errors["client stuck"] += len(stuck)
        if server.workers() != pids:
            errors["worker restarted"] += 1
        for pid, proc in procs.items():
            try:
                rss[pid].append((round(time.monotonic() - started, 1), proc.memory_info().rss))
            except psutil.Error:
                errors["worker gone"] += 1
        log = server.output()
        if re.search(r"\[(ERROR|CRITICAL)\]|Traceback|WORKER TIMEOUT", log):
            errors["server log error"] += 1
            error_examples.append(log[-2000:])
        memory = {}
        for pid, samples in rss.items():
            after_warmup = [v for t, v in samples if t >= warmup] or [samples[-1][1]]
            memory[pid] = {"start_mb": round(samples[0][1] / MB, 1), "after_warmup_mb": round(after_warmup[0] / MB, 1),
                           "end_mb": round(samples[-1][1] / MB, 1), "peak_mb": round(max(v for _, v in samples) / MB, 1),
                           "growth_after_warmup_mb": round((max(after_warmup) - after_warmup[0]) / MB, 1),
                           "cpu_s": round(sum(procs[pid].cpu_times()[:2]) - cpu_start[pid], 1)
                           if psutil.pid_exists(pid) else None}
        total = sum(counts.values())
        all_latencies = [x for values in latencies.values() for x in values]
        growth = max(m["growth_after_warmup_mb"] for m in memory.values())
        result = {
            "clients": clients, "duration_s": duration, "wall_s": round(wall, 1), "workers": workers,
            "threads": threads, "url": server.url, "requests": total, "rps": round(total / wall, 1),
            "errors": sum(errors.values()), "error_kinds": dict(errors), "error_examples": error_examples,
            "reconnects": sum(c.reconnects for c in pool),
            "latency": percentiles(all_latencies),
            "latency_by_kind": {k: percentiles(v) for k, v in sorted(latencies.items())},
            "requests_by_kind": dict(sorted(counts.items())),
            "distinct_requests": len(requests), "warmup_s": warmup,
            "memory": {str(k): v for k, v in memory.items()},
            "rss_growth_after_warmup_mb": growth, "max_growth_mb": max_growth_mb,
            "ok": not errors and growth <= max_growth_mb,
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        }
        return result
    finally:
        server.stop()


def summary(result: dict) -> str:
    lat = result["latency"]
    lines = [f"{result['clients']} clients × {result['duration_s']:g} s on {result['workers']} workers "
             f"({result['url']}): {result['requests']} requests, {result['rps']} req/s, "
             f"errors {result['errors']} {result['error_kinds'] or ''}",
             f"latency p50 {lat.get('p50_ms')} ms, p90 {lat.get('p90_ms')} ms, p99 {lat.get('p99_ms')} ms, "
             f"max {lat.get('max_ms')} ms"]
    for kind, p in result["latency_by_kind"].items():
        lines.append(f"  {kind:<8} n={p['n']:<6} p50 {p['p50_ms']:>7} ms  p99 {p['p99_ms']:>7} ms")
    for pid, m in result["memory"].items():
        lines.append(f"worker {pid}: RSS {m['start_mb']} → {m['after_warmup_mb']} (after warm-up) → {m['end_mb']} MB, "
                     f"growth after warm-up {m['growth_after_warmup_mb']} MB, CPU {m['cpu_s']} s")
    lines.append(("OK" if result["ok"] else "FAILED") +
                 f": RSS growth {result['rss_growth_after_warmup_mb']} MB (bound {result['max_growth_mb']} MB)")
    lines += result["error_examples"][:10]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", type=Path, help="server config (default: a fresh demo/corpus index)")
    p.add_argument("--clients", type=int, default=16 if CI else 64)
    p.add_argument("--duration", type=float, default=10 if CI else 60, help="seconds")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, help="threads per worker (default: [web] threads)")
    p.add_argument("--queries", type=Path, help="add the searches of a queries file (bench/queries.txt)")
    p.add_argument("--max-growth-mb", type=float, default=50.0)
    p.add_argument("--warmup", type=float, help="seconds before the RSS baseline (default 20 %%, ≥ 3 s)")
    p.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "load.json")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="warta-load-") as tmp:
        config = args.config or build_demo_index(Path(tmp))
        result = run_load(config, args.clients, args.duration, args.workers, args.threads, args.queries,
                          args.max_growth_mb, args.warmup, Path(tmp))
    print(summary(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
