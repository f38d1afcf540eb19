"""HTTP throughput and latency of `warta-serve` (gunicorn, gthread) under concurrent loopback clients.

    .venv/bin/python bench/http_bench.py [--config C] [--connections 16] [--duration 30] [--workers 2]
                                         [--no-result-cache] [--via-nginx [--nginx-keepalive N]]

Starts `warta-serve --port 0 --workers 2` on the given index (default: the CLICK-ID scratch index of
bench/build.py), requests every /api/search URL of bench/queries.txt once (each must answer 200),
warms up with wrk for a few seconds, then runs `wrk -t2 -c16 -d30s` with a Lua script that cycles
through the same URLs (each thread starting at a different offset) and reports requests/s, latency
percentiles and every error: socket errors and non-200 answers (0 required). Finally the RSS / PSS /
USS of each gunicorn worker. The mix repeats, so after its first pass a server with the result cache
(the default) answers from memory; `--no-result-cache` measures full searches. The wrk client runs on the same 2 cores as the server.
`--via-nginx` also starts Debian's nginx with the shipped deploy/nginx/warta.conf in front of the
same server (TLS on a loopback port, as tests/test_nginx.py does; 127.0.0.1 is exempted from the
/api/ rate limit, the only change besides ports and certificate) and measures both in one run,
alternating direct and through nginx `--rounds` times; `--nginx-keepalive N` gives nginx a pool of
N kept-alive upstream connections and gunicorn `[web] keepalive = 75` (the alternative to the
shipped setup, where gunicorn closes each connection).
(Not named bench/http.py: a script's folder comes first on sys.path, and a file called http.py
there would shadow the standard library's `http` package for every bench script.)
JSON goes to bench/results/http.json.
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_SCRATCH, MB, REPO, LoadMonitor, be_nice, load_queries, machine  # noqa: E402

TARGET_RPS = 150.0

LUA = r"""
local paths = {}
local counter = 0
local non200 = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, line) end
  end
  counter = (tid or 1) * 37
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "non200": %d, "err_connect": %d, ' ..
    '"err_read": %d, "err_write": %d, "err_status": %d, "err_timeout": %d, "lat_mean_us": %.1f, ' ..
    '"lat_p50_us": %d, "lat_p90_us": %d, "lat_p95_us": %d, "lat_p99_us": %d, "lat_max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, bad, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


class Server:
    """warta-serve in a subprocess; stopped with SIGTERM to its own pid (the gunicorn master)."""

    def __init__(self, config: Path, workers: int = 2, threads: int | None = None):
        cmd = [str(Path(sys.executable).with_name("warta-serve")), "--config", str(config), "--host", "127.0.0.1",
               "--port", "0", "--workers", str(workers), "--log-level", "warning"]
        if threads:
            cmd += ["--threads", str(threads)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO)
        self.url = None
        deadline = time.monotonic() + 120
        for line in self.proc.stdout:
            m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
            if m:
                self.url = m.group(1)
                break
            if time.monotonic() > deadline:
                break
        if self.url is None:
            self.stop()
            raise RuntimeError("warta-serve did not start")
        # keep draining its output so the pipe never blocks the server
        import threading
        self.log: list[str] = []
        threading.Thread(target=lambda: [self.log.append(x) for x in self.proc.stdout], daemon=True).start()
        self.wait_ready()

    def wait_ready(self, timeout: float = 120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=30) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("warta-serve not healthy")

    def workers(self):
        import psutil
        return psutil.Process(self.proc.pid).children(recursive=True)

    def worker_memory(self) -> list[dict]:
        out = []
        for w in self.workers():
            try:
                m = w.memory_full_info()
                out.append({"pid": w.pid, "rss_mb": round(m.rss / MB, 1), "pss_mb": round(m.pss / MB, 1),
                            "uss_mb": round(m.uss / MB, 1)})
            except Exception:
                pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def paths_file(scratch: Path) -> Path:
    searches, _ = load_queries()
    path = scratch / "http-paths.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"/api/search?{qs}\n" for _kind, qs in searches))
    return path


def wrk(url: str, paths: Path, scratch: Path, connections: int, duration: int, threads: int = 2) -> dict:
    script = scratch / "warta-mix.lua"
    script.write_text(LUA)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
           url, "--", str(paths)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("WRKJSON "))
    raw = json.loads(line[len("WRKJSON "):])
    seconds = raw["duration_us"] / 1e6
    errors = raw["err_connect"] + raw["err_read"] + raw["err_write"] + raw["err_timeout"] + raw["non200"]
    return {"requests": raw["requests"], "seconds": round(seconds, 2),
            "requests_per_s": round(raw["requests"] / seconds, 1), "errors": errors,
            "errors_detail": {k: raw[k] for k in ("non200", "err_connect", "err_read", "err_write", "err_status",
                                                   "err_timeout")},
            "latency_ms": {"mean": round(raw["lat_mean_us"] / 1000, 1), "median": round(raw["lat_p50_us"] / 1000, 1),
                           "p90": round(raw["lat_p90_us"] / 1000, 1), "p95": round(raw["lat_p95_us"] / 1000, 1),
                           "p99": round(raw["lat_p99_us"] / 1000, 1), "max": round(raw["lat_max_us"] / 1000, 1)},
            "mb_per_s": round(raw["bytes"] / seconds / MB, 2), "connections": connections, "wrk_threads": threads}


def config_with(config: Path, name: str, changes: dict[str, dict[str, int]]) -> Path:
    """A copy of `config` (same folder, so relative paths hold) with `changes` ({table: {key: number}})
    set: a key the table already has is replaced, otherwise added under the table's header."""
    lines = config.read_text(encoding="utf-8").splitlines()
    for table, values in changes.items():
        for key, value in values.items():
            stripped = [line.strip() for line in lines]
            if f"[{table}]" not in stripped:
                lines += ["", f"[{table}]"]
                stripped = [line.strip() for line in lines]
            start = stripped.index(f"[{table}]") + 1
            end = next((i for i in range(start, len(lines)) if stripped[i].startswith("[")), len(lines))
            at = next((i for i in range(start, end) if re.match(rf"{key}\s*=", stripped[i])), None)
            if at is None:
                lines[start:start] = [f"{key} = {value}"]
            else:
                lines[at] = f"{key} = {value}"
    copy = config.with_name(f"{config.stem}.{name}.toml")
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return copy


def without_result_cache(config: Path) -> Path:
    """A copy of `config` with `[search] result_cache = 0`."""
    return config_with(config, "no-result-cache", {"search": {"result_cache": 0}})


def run_http(config: Path, scratch: Path, connections: int = 16, duration: int = 30, workers: int = 2,
             warmup: int = 5, threads: int | None = None, result_cache: bool = True, via_nginx: bool = False,
             nginx_keepalive: int = 0, rounds: int = 1) -> dict:
    """With result_cache=False the server answers every request with a full search (the engine's
    throughput); by default it runs as configured, where the mix repeats and hits the cache.
    With via_nginx the same server is also measured through the shipped nginx site: `rounds` times
    direct then through nginx; the direct figures stay at the top level, nginx's under "via_nginx"."""
    paths = paths_file(scratch)
    started = time.perf_counter()
    changes: dict[str, dict[str, int]] = {}
    if not result_cache:
        changes["search"] = {"result_cache": 0}
    if via_nginx:
        # as deployed behind nginx; with an upstream pool gunicorn must outlast nginx's 60 s idle time
        changes["web"] = {"proxy_hops": 1, **({"keepalive": 75} if nginx_keepalive else {})}
    served = config_with(config, "http-bench", changes) if changes else config
    try:
        server = Server(served, workers, threads)
    finally:
        if served != config:
            served.unlink(missing_ok=True)      # the server has read it by the time it listens
    startup_s = time.perf_counter() - started
    try:
        bad = []
        first_pass = []
        for path in paths.read_text().split():
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(server.url + path, timeout=60) as r:
                    r.read()
                    if r.status != 200:
                        bad.append((path, r.status))
            except urllib.error.HTTPError as exc:
                bad.append((path, exc.code))
            first_pass.append(time.perf_counter() - t)
        nginx = None
        if via_nginx:
            sys.path.insert(1, str(REPO))
            from tests.nginx_support import start_nginx
            nginx = start_nginx(server.url, workers="auto", unlimited=("127.0.0.1",),
                                upstream_keepalive=nginx_keepalive)
        try:
            targets = [("direct", server.url)] + ([("nginx", nginx.url)] if nginx else [])
            runs: dict[str, list[dict]] = {name: [] for name, _ in targets}
            for _ in range(max(1, rounds) if nginx else 1):
                for name, url in targets:
                    if warmup:
                        wrk(url, paths, scratch, connections, warmup)
                    runs[name].append(wrk(url, paths, scratch, connections, duration))
        finally:
            if nginx:
                nginx.stop()
        result = dict(runs["direct"][-1])
        if nginx:
            result["rounds"] = {name: [r["requests_per_s"] for r in rs] for name, rs in runs.items()}
            result["via_nginx"] = dict(runs["nginx"][-1], nginx_upstream_keepalive=nginx_keepalive)
            mid = {name: statistics.median(r["requests_per_s"] for r in rs) for name, rs in runs.items()}
            result["nginx_vs_direct"] = round(mid["nginx"] / mid["direct"], 2) if mid["direct"] else None
        result["worker_memory"] = server.worker_memory()
        result["server_startup_s"] = round(startup_s, 2)
        result["sequential_first_pass_ms_median"] = round(sorted(first_pass)[len(first_pass) // 2] * 1000, 1)
        result["first_pass_non200"] = bad
        result["threads_per_worker"] = threads
        result["result_cache"] = result_cache
        result["workers"] = workers
    finally:
        server.stop()
    return result


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", type=Path, help="default: the CLICK-ID scratch index of bench/build.py")
    p.add_argument("--scratch", type=Path, default=DEFAULT_SCRATCH)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--duration", type=int, default=30)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=None, help="threads per worker (default: [web] threads)")
    p.add_argument("--nice", type=int, default=5)
    p.add_argument("--no-result-cache", action="store_true",
                   help="serve with [search] result_cache = 0: every request is a full search")
    p.add_argument("--via-nginx", action="store_true",
                   help="also measure through Debian's nginx running deploy/nginx/warta.conf (needs /usr/sbin/nginx)")
    p.add_argument("--nginx-keepalive", type=int, default=0,
                   help="with --via-nginx: N kept-alive upstream connections (gunicorn keepalive 75 s)")
    p.add_argument("--rounds", type=int, default=2, help="with --via-nginx: direct/nginx pairs (default 2)")
    p.add_argument("--json", type=Path, default=REPO / "bench" / "results" / "http.json")
    args = p.parse_args(argv)
    be_nice(args.nice)
    if args.config is None:
        from query import ensure_clickid
        args.config = ensure_clickid(args.scratch)
    info = machine()
    with LoadMonitor() as load:
        res = run_http(args.config, args.scratch, args.connections, args.duration, args.workers,
                       threads=args.threads, result_cache=not args.no_result_cache, via_nginx=args.via_nginx,
                       nginx_keepalive=args.nginx_keepalive, rounds=args.rounds)
    res.update(machine=info, load=load.summary(), config=str(args.config),
               target=f">= {TARGET_RPS:.0f} req/s, 0 errors",
               target_met=res["requests_per_s"] >= TARGET_RPS and res["errors"] == 0 and not res["first_pass_non200"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(res, indent=1, default=str))
    lat = res["latency_ms"]
    print(f"{res['requests']} requests in {res['seconds']} s: {res['requests_per_s']} req/s, errors {res['errors']} "
          f"{res['errors_detail']}, first-pass non-200 {res['first_pass_non200']}")
    print(f"latency ms: median {lat['median']} p90 {lat['p90']} p95 {lat['p95']} p99 {lat['p99']} max {lat['max']}")
    if "via_nginx" in res:
        via = res["via_nginx"]
        print(f"through nginx: {via['requests_per_s']} req/s, errors {via['errors']} {via['errors_detail']}, "
              f"latency ms median {via['latency_ms']['median']} p95 {via['latency_ms']['p95']} "
              f"p99 {via['latency_ms']['p99']}")
        print(f"req/s per round {res['rounds']}; nginx / direct (medians): {res['nginx_vs_direct']}")
    print(f"workers: {res['worker_memory']}")
    print(f"load: {res['load']}")
    print(f"target {res['target']}: {'MET' if res['target_met'] else 'MISSED'}\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
