"""Shared helpers for the benchmark scripts (bench/build.py, query.py, http.py, scale.py).

Nothing here is imported by the product. Heavy work runs in subprocesses (bench/_worker.py) so that
memory is sampled over exactly one process tree and every measurement starts from a fresh process.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
PY = sys.executable
DEFAULT_SCRATCH = Path(os.environ.get("WARTA_BENCH_SCRATCH", "/tmp/warta-bench"))
CLICKID = (REPO / ".." / "shared" / "corpus" / "click-id" / "raw_articles").resolve()
CLICKID_FIELDS = {"title": "title", "body": "content", "date": "date", "time": "time", "section": "category",
                  "subsection": "sub-category", "url": "url", "outlet": "source"}
JSONL_FIELDS = {k: k for k in ("id", "title", "body", "date", "section", "subsection", "url", "outlet")}
MB = 1024 * 1024


# --- facts about the run ---------------------------------------------------------------------

def git_commit() -> str:
    """HEAD hash, with '+dirty' when indexer/ or webapp/ have uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "indexer", "webapp"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict:
    vm = psutil.virtual_memory()
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "cpus": os.cpu_count(),
        "mem_gb": round(vm.total / 1024 ** 3, 1),
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


class LoadMonitor:
    """Samples the 1-minute load average and CPU use, and notes other busy processes."""

    def __init__(self, interval: float = 2.0, own_root: int | None = None):
        self.interval = interval
        self.own_root = own_root or os.getpid()
        self.load: list[float] = []
        self.cpu: list[float] = []
        self.others: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _own_pids(self) -> set[int]:
        try:
            me = psutil.Process(self.own_root)
            return {me.pid} | {c.pid for c in me.children(recursive=True)}
        except psutil.Error:
            return set()

    def _run(self):
        psutil.cpu_percent(None)
        procs: dict[int, psutil.Process] = {}
        tick = 0
        while not self._stop.wait(self.interval):
            self.load.append(os.getloadavg()[0])
            self.cpu.append(psutil.cpu_percent(None))
            tick += 1
            if tick % 3:
                continue
            own = self._own_pids()
            for p in psutil.process_iter(["pid"]):
                if p.pid in own:
                    continue
                proc = procs.setdefault(p.pid, p)
                try:
                    pct = proc.cpu_percent(None)
                    if pct >= 25:
                        name = " ".join(proc.cmdline()[:4])[:90] or proc.name()
                        self.others[name] = max(self.others.get(name, 0.0), pct)
                except psutil.Error:
                    procs.pop(p.pid, None)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        return {
            "load1_mean": round(float(np.mean(self.load)), 2) if self.load else round(os.getloadavg()[0], 2),
            "load1_max": round(float(np.max(self.load)), 2) if self.load else round(os.getloadavg()[0], 2),
            "cpu_pct_mean": round(float(np.mean(self.cpu)), 1) if self.cpu else None,
            "other_busy_processes": dict(sorted(self.others.items(), key=lambda kv: -kv[1])[:6]),
        }


class TreeMemory:
    """Peak memory of a process tree: summed RSS (upper bound: forked children share pages),
    summed PSS (shared pages split fairly; sampled less often) and the largest single process.

    Sampling is not free: PSS comes from /proc/PID/smaps_rollup, which walks every page table of
    a process while it runs; with RSS every 0.1 s and PSS every 0.5 s the sampler used ~9 % of a
    core during a 10x build (39 CPU s in 7 minutes) on a 2-core machine. So RSS
    (/proc/PID/statm) is read every 0.2 s, PSS every 5 s and the process tree is listed once a
    second."""

    def __init__(self, pid: int, interval: float = 0.2, pss_every: int = 25, tree_every: int = 5):
        self.pid = pid
        self.interval = interval
        self.pss_every = pss_every
        self.tree_every = tree_every
        self.peak_rss_sum = 0
        self.peak_pss_sum = 0
        self.peak_single_rss = 0
        self.max_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.pid)
            return [root] + root.children(recursive=True)
        except psutil.Error:
            return []

    def _run(self):
        n = 0
        procs: list[psutil.Process] = []
        while True:
            if n % self.tree_every == 0:
                procs = self._tree()
            rss_sum = pss_sum = 0
            for p in procs:
                try:
                    if n % self.pss_every == 0:
                        full = p.memory_full_info()
                        rss, pss = full.rss, full.pss
                        pss_sum += pss
                    else:
                        rss = p.memory_info().rss
                except psutil.Error:
                    continue
                rss_sum += rss
                self.peak_single_rss = max(self.peak_single_rss, rss)
            self.peak_rss_sum = max(self.peak_rss_sum, rss_sum)
            if n % self.pss_every == 0:
                self.peak_pss_sum = max(self.peak_pss_sum, pss_sum)
            self.max_procs = max(self.max_procs, len(procs))
            n += 1
            if self._stop.wait(self.interval):
                return

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return {"peak_rss_sum_mb": round(self.peak_rss_sum / MB, 1),
                "peak_pss_sum_mb": round(self.peak_pss_sum / MB, 1),
                "peak_single_process_rss_mb": round(self.peak_single_rss / MB, 1),
                "max_processes": self.max_procs}


def be_nice(increment: int) -> None:
    """Lower this process's priority (children inherit it): other engineers share the machine."""
    if increment:
        os.nice(increment)


def run_measured(cmd: Sequence[str], env: dict | None = None, timeout: float | None = None) -> dict:
    """Run a command with its process tree's memory sampled; its stdout's last line is JSON."""
    started = time.perf_counter()
    full_env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO, env=full_env)
    mem = TreeMemory(proc.pid).start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    wall = time.perf_counter() - started
    memory = mem.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-4000:]}")
    lines = [ln for ln in out.splitlines() if ln.strip()]
    result = json.loads(lines[-1]) if lines else {}
    return dict(result, wall_seconds=round(wall, 2), memory=memory)


def worker(*args: str) -> list[str]:
    return [PY, str(BENCH / "_worker.py"), *args]


# --- numbers ---------------------------------------------------------------------------------

def stats_ms(samples: Iterable[float]) -> dict:
    """median/p95/p99/mean/max of seconds, in milliseconds."""
    a = np.asarray(list(samples), dtype=float) * 1000
    if a.size == 0:
        return {"n": 0}
    return {"n": int(a.size), "median": round(float(np.median(a)), 2), "p95": round(float(np.percentile(a, 95)), 2),
            "p99": round(float(np.percentile(a, 99)), 2), "mean": round(float(a.mean()), 2),
            "max": round(float(a.max()), 2)}


def du_bytes(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass
    return total


def evict_page_cache(path: Path) -> int:
    """Drop this folder's files from the OS page cache (POSIX_FADV_DONTNEED), nothing else."""
    n = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                fd = os.open(os.path.join(root, f), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                n += 1
            finally:
                os.close(fd)
    return n


# --- configurations --------------------------------------------------------------------------

def _toml_str(value) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, index_dir: Path, sources: Sequence[dict], procs: int = 2, limitmb: int | None = None,
                 extra_index: dict | None = None) -> Path:
    """A config.toml for a scratch index. sources: [{name, path, fields, format?, date_order?}]."""
    lines = ["[index]", f"dir = {_toml_str(index_dir)}", f"procs = {int(procs)}"]
    if limitmb is not None:
        lines.append(f"limitmb = {int(limitmb)}")
    for k, v in (extra_index or {}).items():
        lines.append(f"{k} = {json.dumps(v)}")
    for src in sources:
        lines += ["", "[[sources]]", f"name = {_toml_str(src['name'])}", f"path = {_toml_str(src['path'])}"]
        if src.get("format"):
            lines.append(f"format = {_toml_str(src['format'])}")
        if src.get("date_order"):
            lines.append(f"date_order = {_toml_str(src['date_order'])}")
        fields = ", ".join(f"{k} = {_toml_str(v)}" for k, v in src.get("fields", {}).items())
        lines.append(f"fields = {{ {fields} }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def clickid_config(scratch: Path, procs: int = 2, limitmb: int | None = None, name: str = "clickid") -> Path:
    """Scratch config: the real CLICK-ID corpus, index under scratch/<name>/index."""
    base = scratch / name
    return write_config(base / f"config-p{procs}.toml", base / "index",
                        [{"name": "clickid", "path": CLICKID, "fields": CLICKID_FIELDS, "date_order": "dmy"}],
                        procs=procs, limitmb=limitmb)


def jsonl_config(path: Path, index_dir: Path, jsonl: Path | Sequence[Path], procs: int = 2,
                 limitmb: int | None = None, name: str = "corpus") -> Path:
    files = [jsonl] if isinstance(jsonl, Path) else list(jsonl)
    return write_config(path, index_dir,
                        [{"name": f"{name}{i}" if len(files) > 1 else name, "path": f, "format": "jsonl",
                          "fields": JSONL_FIELDS, "date_order": "ymd"} for i, f in enumerate(files)],
                        procs=procs, limitmb=limitmb)


# --- the query set ---------------------------------------------------------------------------

def load_queries(path: Path = BENCH / "queries.txt") -> tuple[list[tuple[str, str]], list[str]]:
    """(kind, URL query string) search requests, and the suggest prefixes, from bench/queries.txt."""
    searches, prefixes = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, _, rest = line.partition("\t")
        kind, rest = kind.strip(), rest.strip()
        if kind == "suggest":
            from urllib.parse import parse_qs
            prefixes.append(parse_qs("q=" + rest.removeprefix("q="), keep_blank_values=True)["q"][0])
        else:
            searches.append((kind, rest))
    return searches, prefixes


def search_request(querystring: str, settings):
    from urllib.parse import parse_qs

    from indexer.search.params import request_from_params
    return request_from_params(parse_qs(querystring, keep_blank_values=True), settings.search)


# --- analysed text for the SQLite FTS5 peer -------------------------------------------------

def analysed_rows(settings, articles) -> Iterable[tuple]:
    """(title, lead, body, caption, section, month, published) with Warta's stemmed analyzer tokens
    joined by spaces: the exact token stream Whoosh indexes, handed to FTS5 as plain words."""
    from indexer.schema import document_fields, make_schema

    analyzer = make_schema(settings.analysis)["body"].analyzer
    for a in articles:
        f = document_fields(a)
        yield (*(" ".join(t.text for t in analyzer(f[k])) if f[k] else "" for k in ("title", "lead", "body", "caption")),
               f["section"], f["month"], a.published.isoformat() if a.published else "")


FTS5_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '-.,'"
FTS5_WEIGHTS = "3.0, 1.5, 1.0, 0.5"   # title, lead, body, caption: Warta's field boosts


def fts5_build(db: Path, rows: Iterable[tuple]) -> dict:
    """FTS5 table of the four analysed text fields + a narrow `meta` table (same rowid) for the
    section/month/published filters, facets and date sort (facets never read the text rows)."""
    import sqlite3

    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    started = time.perf_counter()
    con.execute(f"CREATE VIRTUAL TABLE fts USING fts5(title, lead, body, caption, tokenize = \"{FTS5_TOKENIZE}\")")
    con.execute("CREATE TABLE meta(id INTEGER PRIMARY KEY, section TEXT, month TEXT, published TEXT)")
    with con:
        for i, (title, lead, body, caption, section, month, published) in enumerate(rows, 1):
            con.execute("INSERT INTO fts(rowid, title, lead, body, caption) VALUES (?,?,?,?,?)",
                        (i, title, lead, body, caption))
            con.execute("INSERT INTO meta VALUES (?,?,?,?)", (i, section, month, published))
    inserted = time.perf_counter() - started
    con.execute("CREATE INDEX meta_published ON meta(published)")
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    con.commit()
    n = con.execute("SELECT count(*) FROM meta").fetchone()[0]
    con.close()
    total = time.perf_counter() - started
    return {"documents": n, "seconds": round(total, 2), "insert_seconds": round(inserted, 2),
            "docs_per_s": round(n / total, 1), "size_mb": round(db.stat().st_size / MB, 1)}
