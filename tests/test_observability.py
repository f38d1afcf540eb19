"""Search analytics (real SQLite, real threads and processes) and /metrics (real gunicorn workers)."""
from __future__ import annotations

import json
import multiprocessing
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from indexer import analytics
from indexer.search.model import SearchRequest, SearchResult
from tests.browser_support import repo_config, start_server, write_config
from tests.support import REPO


def result(query="banjir bekasi", total=3, took=4.0, partial=False, page=1):
    return SearchResult(request=SearchRequest(query=query, page=page, sections=("Daerah",)), total=total, hits=[],
                        took_ms=took, generation="gen-1", partial=partial)


def rows(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT * FROM searches ORDER BY ts").fetchall()
    finally:
        con.close()


def written(path) -> int:
    """Rows recorded so far; 0 while a writer has created the file but not yet its table."""
    try:
        return len(rows(path)) if path.exists() else 0
    except sqlite3.OperationalError:
        return 0


def test_a_search_record_has_no_reader_identity_and_normalised_fields(tmp_path):
    recorder = analytics.Recorder(tmp_path / "a.sqlite")
    recorder.record(result(query="  Banjir   BEKASI "))
    assert recorder.flush()
    (ts, query, filters, total, took, page, partial, generation), = rows(tmp_path / "a.sqlite")
    assert query == "banjir bekasi" and json.loads(filters)["sections"] == ["Daerah"]
    assert (total, took, page, partial, generation) == (3, 4.0, 1, 0, "gen-1")
    con = sqlite3.connect(tmp_path / "a.sqlite")
    columns = [r[1] for r in con.execute("PRAGMA table_info(searches)")]
    assert not {"ip", "address", "user_agent", "cookie"} & set(columns)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _write_from_a_process(path, n, tag):
    recorder = analytics.Recorder(path)
    for i in range(n):
        recorder.record(result(query=f"{tag} {i}"))
    assert recorder.flush(30)


def test_concurrent_processes_write_to_one_database(tmp_path):
    path = tmp_path / "a.sqlite"
    procs = [multiprocessing.get_context("fork").Process(target=_write_from_a_process, args=(path, 300, t))
             for t in ("satu", "dua", "tiga")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(rows(path)) == 900


def test_a_full_queue_drops_and_counts_without_blocking(tmp_path):
    path = tmp_path / "a.sqlite"
    analytics.connect(path).close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")                       # the writer now waits on the lock
    drops = []
    recorder = analytics.Recorder(path, queue_size=5, on_drop=lambda: drops.append(1))
    recorder.batch = 1
    started = time.monotonic()
    for i in range(100):
        recorder.record(result(query=f"q{i}"))
    assert time.monotonic() - started < 1.0                  # 100 records, none waited for the database
    assert recorder.stats.dropped >= 90 and len(drops) == recorder.stats.dropped
    blocker.execute("ROLLBACK")
    blocker.close()


def recorder_with_one_row(path):
    """A recorder that retries a failed database quickly, after one good write."""
    recorder = analytics.Recorder(path)
    recorder.retry_seconds = 0.2
    recorder.record(result(query="sebelum"))
    assert recorder.flush()
    return recorder


def record_after_recovery(recorder, path) -> list[str]:
    time.sleep(0.3)                                          # past the retry delay
    recorder.record(result(query="sesudah"))
    assert recorder.flush(10)
    return [r[1] for r in rows(path)]


def test_a_broken_database_never_fails_a_search_and_recovers(tmp_path):
    path = tmp_path / "a.sqlite"
    recorder = recorder_with_one_row(path)
    path.write_bytes(b"this is not a database" * 100)         # corrupt mid-run
    for name in ("a.sqlite-wal", "a.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    for i in range(20):
        recorder.record(result(query=f"rusak {i}"))
    assert recorder.flush(10)
    assert recorder.stats.failed >= 1 and recorder.stats.errors
    path.unlink()                                            # the operator removes the broken file
    assert record_after_recovery(recorder, path) == ["sesudah"]


def test_a_database_made_read_only_mid_run_is_counted(tmp_path):
    """Root ignores file modes, so the file is made immutable (chattr +i), as a read-only mount would."""
    path = tmp_path / "a.sqlite"
    recorder = recorder_with_one_row(path)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported here: cannot make the database read-only for root")
    try:
        for i in range(10):
            recorder.record(result(query=f"baca saja {i}"))
        assert recorder.flush(10)
        assert recorder.stats.failed >= 1 and "readonly" in " ".join(recorder.stats.errors)
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    assert record_after_recovery(recorder, path)[-1] == "sesudah"


def test_a_missing_folder_is_counted_not_raised(tmp_path):
    recorder = analytics.Recorder(tmp_path / "no" / "such" / "folder" / "a.sqlite")
    recorder.record(result())
    assert recorder.flush() and recorder.stats.failed == 1


def test_the_report_on_a_small_recorded_log(tmp_path, capsys):
    path = tmp_path / "a.sqlite"
    con = analytics.connect(path)
    day = 86400
    now = float(int(time.time()))
    log = [("banjir bekasi", 12, 5.0, 0), ("banjir bekasi", 12, 3.0, 0), ("banjir bekasi", 12, 4.0, 0),
           ("korupsi proyek irigasi", 0, 9.0, 0), ("korupsi proyek irigasi", 0, 8.0, 0),
           ("pabrik tekstil bangkrut", 7, 30.0, 1), ("gempa garut", 4, 2.0, 0)]
    with con:
        con.executemany("INSERT INTO searches VALUES (?, ?, '{}', ?, ?, 1, ?, 'g')",
                        [(now - i * 3600, q, t, ms, p) for i, (q, t, ms, p) in enumerate(log)]
                        + [(now - 40 * day, "lama sekali", 1, 1.0, 0)])
    data = analytics.report(con, 7 * day, now=now)
    assert data["searches"] == 7 and data["zero_results"] == 2 and data["partial"] == 1
    assert [(r["query"], r["searches"]) for r in data["top_queries"]] == [
        ("banjir bekasi", 3), ("korupsi proyek irigasi", 2), ("gempa garut", 1), ("pabrik tekstil bangkrut", 1)]
    assert data["zero_result_queries"] == [{"query": "korupsi proyek irigasi", "searches": 2}]
    assert data["partial_queries"][0]["query"] == "pabrik tekstil bangkrut"
    assert data["slowest_queries"][0] == {"query": "pabrik tekstil bangkrut", "max_ms": 30.0, "avg_ms": 30.0,
                                          "searches": 1}
    assert sum(d["searches"] for d in data["per_day"]) == 7
    text = analytics.format_report(data, "7d")
    assert text.startswith("searches in the last 7d: 7 (2 without results, 1 filled with most-words results)")
    assert "queries without results" in text
    assert analytics.purge(con, 30, now=now) == 1             # retention: the 40-day-old row goes
    con.close()
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path}"\n[web]\nanalytics_db = "{path}"\n')
    out = subprocess.run([sys.executable, "-m", "indexer", "--config", str(cfg), "analytics", "--since", "10000d",
                          "--json"], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["searches"] == 7
    bad = subprocess.run([sys.executable, "-m", "indexer", "--config", str(cfg), "analytics", "--since", "week"],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_metrics_only_for_allowed_addresses(demo_settings):
    from webapp.app import create_app

    settings = demo_settings.replace(web={"analytics": False})
    client = create_app(settings).test_client()
    client.get("/api/search?q=banjir")
    client.get("/api/search?q=banjir")                         # the result cache answers this one
    body = client.get("/metrics").get_data(as_text=True)
    assert 'warta_search_seconds_count{kind="cache_hit"}' in body
    assert re.search(r'warta_http_requests_total\{method="GET",route="/api/search",status="200"\} [1-9]', body)
    assert re.search(r"warta_index_documents \d+", body) and "warta_index_generation_info{generation=" in body
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    wide = create_app(settings.replace(web={"analytics": False, "metrics_allow": ("203.0.113.0/24",)}))
    assert wide.test_client().get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 200


def test_gunicorn_workers_share_metrics_and_record_searches(demo_settings, tmp_path):
    """Two real workers: /metrics sums both (multiprocess mode) and both write the analytics database."""
    db = tmp_path / "analytics.sqlite"
    config = write_config(tmp_path / "warta.toml", repo_config(demo_settings.index.dir,
                                                                web={"analytics_db": str(db), "workers": 2}))
    server = start_server(config, tmp_path / "server.log", workers=2)
    try:
        for i in range(40):
            with urllib.request.urlopen(f"{server.url}/api/search?q=banjir&page={1 + i % 4}", timeout=10) as r:
                assert r.status == 200
        with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as r:
            body = r.read().decode()
        counts = [float(v) for v in re.findall(
            r'warta_http_requests_total\{method="GET",route="/api/search",status="200"\} (\S+)', body)]
        assert sum(counts) == 40
        deadline = time.monotonic() + 30      # the writers run off the request path; a busy machine is slow
        while time.monotonic() < deadline and written(db) < 40:
            time.sleep(0.2)
        assert len(rows(db)) == 40
    finally:
        server.stop()
    out = subprocess.run([sys.executable, "-m", "indexer", "--config", str(config), "analytics"],
                         capture_output=True, text=True, cwd=REPO, timeout=60)
    assert out.returncode == 0 and "banjir" in out.stdout and "searches in the last 7d: 40" in out.stdout
