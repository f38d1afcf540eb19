"""Search analytics for the newsroom: every search recorded off the request path, reported by the CLI.

A record holds the normalised query, the filters, total, took_ms, page, whether the list was
filled with most-words results, the generation and the time — never an IP address, a cookie or a
user agent. Records go into a bounded in-memory queue; one writer thread per process (started on
first use, so it survives gunicorn's fork) inserts them in batches into SQLite (WAL). A full queue
drops records and counts the drops; a missing, read-only or corrupt database is counted and
retried later, and never slows or fails a search. Rows older than the retention are deleted by
the writer (hourly) and by `warta-index analytics`.
"""
from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    ts REAL NOT NULL,            -- unix time
    query TEXT NOT NULL,         -- normalised: lower case, single spaces
    filters TEXT NOT NULL,       -- JSON: sections, months, from, to, sort
    total INTEGER NOT NULL,
    took_ms REAL NOT NULL,
    page INTEGER NOT NULL,
    partial INTEGER NOT NULL,    -- 1: most-words results were added (or no result had every word)
    generation TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_ts ON searches (ts);
"""
BATCH = 200
FLUSH_SECONDS = 0.5
RETRY_SECONDS = 30.0
PURGE_SECONDS = 3600.0


def database_path(settings) -> Path:
    """`[web] analytics_db`, or analytics.sqlite in the index folder."""
    web = settings.web
    return Path(web.analytics_db) if web.analytics_db else Path(settings.index.dir) / "analytics.sqlite"


def normalise_query(text: str) -> str:
    return " ".join(text.lower().split())[:500]


def record_of(result, now: float | None = None) -> tuple:
    """The row for one SearchResult (`indexer.search.model`)."""
    req = result.request
    filters = {"sections": list(req.sections), "months": list(req.months),
               "from": req.date_from.isoformat() if req.date_from else None,
               "to": req.date_to.isoformat() if req.date_to else None, "sort": req.sort}
    return (time.time() if now is None else now, normalise_query(req.query), json.dumps(filters, sort_keys=True),
            int(result.total), float(result.took_ms), int(req.page),
            int(bool(result.partial or result.fallback_or)), result.generation or "")


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
    else:
        con = sqlite3.connect(path, timeout=1.0)
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
    return con


@dataclass
class RecorderStats:
    recorded: int = 0
    dropped: int = 0            # queue full
    failed: int = 0             # rows lost to database errors
    errors: list[str] = field(default_factory=list)   # the last few error messages


class Recorder:
    """Bounded queue + one writer thread per process. `record()` never blocks and never raises."""

    def __init__(self, path: Path, queue_size: int = 10_000, retention_days: float = 90.0,
                 on_drop=None, on_fail=None):
        self.path = Path(path)
        self.retention_days = retention_days
        self._on_drop = on_drop or (lambda: None)           # e.g. a Prometheus counter's inc
        self._on_fail = on_fail or (lambda n: None)
        self.stats = RecorderStats()
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, queue_size))
        self._pid = None
        self._lock = threading.Lock()
        self.batch, self.flush_seconds, self.retry_seconds = BATCH, FLUSH_SECONDS, RETRY_SECONDS

    def record(self, result) -> None:
        try:
            row = record_of(result)
        except Exception:               # a result of some other shape: never fail the search
            return
        self._ensure_writer()
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self.stats.dropped += 1
            self._on_drop()

    def pending(self) -> int:
        return self._queue.qsize()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until the queue is written (tests, shutdown). False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _ensure_writer(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            if self._pid is not None:       # forked: the parent's queue and thread did not come along
                self._queue = queue.Queue(maxsize=self._queue.maxsize)
            self._pid = os.getpid()
            threading.Thread(target=self._run, name="warta-analytics", daemon=True).start()

    def _run(self) -> None:
        retry_at, purged_at = 0.0, 0.0
        while True:
            rows = [self._queue.get()]
            deadline = time.monotonic() + self.flush_seconds
            while len(rows) < self.batch:
                try:
                    rows.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            try:
                if time.monotonic() < retry_at:
                    raise sqlite3.OperationalError("database unavailable, retrying later")
                # a connection per batch (a few a second at most): a file that was replaced,
                # removed, corrupted or made read-only is seen at the next batch
                con = connect(self.path)
                try:
                    with con:
                        con.executemany("INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
                    if time.monotonic() - purged_at > PURGE_SECONDS:
                        purge(con, self.retention_days)
                        purged_at = time.monotonic()
                finally:
                    con.close()
                self.stats.recorded += len(rows)
            except (sqlite3.Error, OSError) as exc:
                self.stats.failed += len(rows)
                self._on_fail(len(rows))
                self.stats.errors = (self.stats.errors + [str(exc)])[-5:]
                retry_at = time.monotonic() + self.retry_seconds
            finally:
                for _ in rows:
                    self._queue.task_done()


def purge(con: sqlite3.Connection, retention_days: float, now: float | None = None) -> int:
    """Delete records older than the retention; returns how many."""
    with con:
        return con.execute("DELETE FROM searches WHERE ts < ?",
                           ((time.time() if now is None else now) - retention_days * 86400,)).rowcount


# ---------------------------------------------------------------------------------------------
# The newsroom report (`warta-index analytics`)


def parse_since(text: str) -> float:
    """`7d`, `12h`, `30m`, `2w` -> seconds."""
    units = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise ValueError(f"--since expects a number and a unit (m, h, d, w), e.g. 7d, not {text!r}")
    return float(text[:-1]) * units[text[-1]]


def report(con: sqlite3.Connection, since_seconds: float, limit: int = 20, now: float | None = None) -> dict:
    start = (time.time() if now is None else now) - since_seconds
    q = lambda sql, *args: con.execute(sql, (start, *args)).fetchall()   # noqa: E731
    searches, zero, partial = q("SELECT count(*), sum(total = 0), sum(partial) FROM searches WHERE ts >= ?")[0]
    return {
        "since": start, "searches": searches or 0, "zero_results": zero or 0, "partial": partial or 0,
        "top_queries": [{"query": r[0], "searches": r[1], "avg_total": round(r[2], 1)} for r in q(
            "SELECT query, count(*) AS n, avg(total) FROM searches WHERE ts >= ? AND query != '' "
            "GROUP BY query ORDER BY n DESC, query LIMIT ?", limit)],
        "zero_result_queries": [{"query": r[0], "searches": r[1]} for r in q(
            "SELECT query, count(*) AS n FROM searches WHERE ts >= ? AND total = 0 AND query != '' "
            "GROUP BY query ORDER BY n DESC, query LIMIT ?", limit)],
        "partial_queries": [{"query": r[0], "searches": r[1], "avg_total": round(r[2], 1)} for r in q(
            "SELECT query, count(*) AS n, avg(total) FROM searches WHERE ts >= ? AND partial = 1 AND query != '' "
            "GROUP BY query ORDER BY n DESC, query LIMIT ?", limit)],
        "slowest_queries": [{"query": r[0], "max_ms": round(r[1], 1), "avg_ms": round(r[2], 1), "searches": r[3]}
                            for r in q("SELECT query, max(took_ms) AS m, avg(took_ms), count(*) FROM searches "
                                       "WHERE ts >= ? GROUP BY query ORDER BY m DESC, query LIMIT ?", limit)],
        "per_day": [{"day": r[0], "searches": r[1], "zero_results": r[2]} for r in q(
            "SELECT date(ts, 'unixepoch') AS d, count(*), sum(total = 0) FROM searches WHERE ts >= ? "
            "GROUP BY d ORDER BY d")],
    }


def format_report(data: dict, since_text: str) -> str:
    lines = [f"searches in the last {since_text}: {data['searches']} "
             f"({data['zero_results']} without results, {data['partial']} filled with most-words results)"]

    def table(title: str, rows: list[dict], columns: list[tuple[str, str]]) -> None:
        lines.append("")
        lines.append(title)
        if not rows:
            lines.append("  (none)")
            return
        for row in rows:
            lines.append("  " + "  ".join(f"{row[key]!s:>{width}}" if key != "query" else f"{row[key] or '(browse)'}"
                                          for key, width in columns))

    table("top queries (searches, average results)", data["top_queries"],
          [("searches", "6"), ("avg_total", "8"), ("query", "")])
    table("queries without results — what readers look for and the archive does not answer",
          data["zero_result_queries"], [("searches", "6"), ("query", "")])
    table("queries filled with most-words results (no or few articles had every word)", data["partial_queries"],
          [("searches", "6"), ("avg_total", "8"), ("query", "")])
    table("slowest queries (max ms, average ms, searches)", data["slowest_queries"],
          [("max_ms", "8"), ("avg_ms", "8"), ("searches", "6"), ("query", "")])
    table("searches per day (searches, without results)", data["per_day"],
          [("day", "10"), ("searches", "7"), ("zero_results", "7")])
    return "\n".join(lines)


def frequent_queries(path: Path, since_seconds: float = 7 * 86400, limit: int = 50) -> list[str]:
    """The most frequent recent non-empty queries (for warming a new worker); [] if unreadable."""
    try:
        con = connect(Path(path), readonly=True)
        try:
            rows = con.execute("SELECT query, count(*) AS n FROM searches WHERE ts >= ? AND query != '' "
                               "GROUP BY query ORDER BY n DESC LIMIT ?", (time.time() - since_seconds, limit))
            return [r[0] for r in rows]
        finally:
            con.close()
    except sqlite3.Error:
        return []
