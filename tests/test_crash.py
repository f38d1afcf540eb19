"""Crash safety: builds and updates killed at deterministic points, and concurrent writers.

Every kill uses the kill points of ``indexer/killpoint.py``: ``WARTA_TEST_KILL_AT=<point>:<n>``
makes the real ``warta-index`` process SIGKILL itself the n-th time it reaches ``<point>``
(reading, stem warming, the stem process pool, writing with Whoosh sub-writer processes,
committing, each step of publishing and pruning). After each kill:

* no process of the killed build is left (Whoosh sub-writers, stem pool workers),
* the published index is the old one (or, after the pointer swap, the new one), complete:
  every document readable, searchable with the exact count, from a reader opened before the
  kill and from a fresh one,
* the next build succeeds at once (``lock_wait_seconds = 0``) without manual clean-up and
  leaves no staging folder behind.

Shortened by default; ``WARTA_FULL=1`` uses a bigger corpus and kills the write phase at every
tenth of the documents. ``test_build.py`` has the original time-based SIGKILL test.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from whoosh import index as whoosh_index

from indexer.build import build, update
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.store import IndexStore
from tests.support import REPO, jsonl_source, settings_for, write_jsonl

pytestmark = pytest.mark.slow

FULL = os.environ.get("WARTA_FULL") == "1"
N_OLD = 150 if FULL else 120
N_NEW = 2000 if FULL else 330          # > 3 × Whoosh's batch of 100: sub-writers are running
RARE_WORDS = 14                         # per article: > 4000 unseen words, so the stem pool runs
PROCS = 2
SYLLABLES = ("ka", "ba", "ra", "ma", "na", "ta", "si", "lu", "po", "de", "gi", "ju", "we", "yo",
             "ha", "pe", "tri", "kan", "mu", "so")
CLI_TIMEOUT = 300


def _record(**figures) -> None:
    """Append figures for docs/reliability.md to $WARTA_RELIABILITY_LOG (when set)."""
    path = os.environ.get("WARTA_RELIABILITY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"file": "test_crash", "full": FULL, **figures}) + "\n")


def record(i: int, rng: random.Random) -> dict:
    rare = " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5))) for _ in range(RARE_WORDS))
    return {"id": f"a{i}", "title": f"Berita pasar nomor {i}",
            "body": f"Harga cabai di pasar naik lagi. Pedagang {rare}. Warga mengeluh soal harga.",
            "date": f"2024-0{1 + i % 9}-1{i % 10}", "section": ["Ekonomi", "Nasional", "Daerah"][i % 3],
            "url": f"https://contoh.id/{i}"}


def corpus(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [record(i, rng) for i in range(n)]


def write_config(folder: Path, source: Path, **index) -> Path:
    extra = "".join(f"{k} = {v}\n" for k, v in index.items())
    cfg = folder / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{folder / "index"}"\nprocs = {PROCS}\nlock_wait_seconds = 0\n{extra}'
                   f'[[sources]]\nname = "test"\npath = "{source}"\nformat = "jsonl"\n'
                   'fields = {id = "id", title = "title", body = "body", date = "date", section = "section", '
                   'url = "url"}\n', encoding="utf-8")
    return cfg


def session_processes(sid: int) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getsid(proc.pid) == sid:
                found.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return found


def _default_sigint() -> None:
    """Give the build Ctrl-C back when the test run itself ignores it: a shell starts background
    jobs (`.ci/run &`, nohup) with SIGINT ignored, and an ignored signal stays ignored across exec,
    so the SIGINT tests would test the launcher, not the build."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(cfg: Path, *args: str, kill_at: str | None = None, timeout: float = CLI_TIMEOUT):
    """Run warta-index in its own session; returns (returncode, stderr, leftover processes).

    Leftovers are processes of that session still alive 5 s after the main process ended
    (they are killed before returning, so a failing test leaves nothing behind)."""
    env = {k: v for k, v in os.environ.items() if k != "WARTA_TEST_KILL_AT"}
    if kill_at:
        env["WARTA_TEST_KILL_AT"] = kill_at
    # stderr goes to a file, not a pipe: orphans of a killed build would keep a pipe open
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        proc = subprocess.Popen([sys.executable, "-m", "indexer", "--config", str(cfg), *args], cwd=REPO,
                                env=env, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True,
                                preexec_fn=_default_sigint)
        try:
            proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        errors.seek(0)
        err = errors.read()
    leftovers = session_processes(proc.pid)
    deadline = time.monotonic() + 5
    while leftovers and time.monotonic() < deadline:
        time.sleep(0.1)
        leftovers = [p for p in leftovers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    described = []
    for p in leftovers:
        try:
            described.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
            p.kill()
        except psutil.Error:
            pass
    return proc.returncode, err, described


def assert_index(settings, expected_ids: set[str], engine: SearchEngine | None = None) -> str:
    """The published generation holds exactly `expected_ids`, all readable and searchable."""
    store = IndexStore(settings.index)
    current = store.current()
    assert current is not None, "nothing published"
    ix = whoosh_index.open_dir(str(current))
    with ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
        assert len(ids) == len(set(ids)) == len(expected_ids)
        assert set(ids) == expected_ids
    assert store.meta(current)["documents"] == len(expected_ids)
    for eng in filter(None, (engine, SearchEngine(settings))):
        assert eng.stats().documents == len(expected_ids)
        result = eng.search(SearchRequest(query="pasar cabai", per_page=5))
        assert result.total == len(expected_ids)
        assert sum(f.count for f in result.facets["section"]) == len(expected_ids)
        sample = sorted(expected_ids)[len(expected_ids) // 2]
        view = eng.article(sample)
        assert view is not None and view.id == sample
    return current.name


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """An index of the old corpus, plus the new corpus and a stem table that already knows it."""
    root = tmp_path_factory.mktemp("crash-base")
    old_records, new_records = corpus(N_OLD, 1), corpus(N_NEW, 2)
    # stems for the new corpus, computed once, so most kill runs do not stem again
    scratch = root / "scratch"
    src_new = write_jsonl(scratch / "new.jsonl", new_records)
    build(settings_for(scratch, [jsonl_source(src_new)], index={"procs": PROCS}))
    old = root / "old"
    src_old = write_jsonl(old / "src.jsonl", old_records)
    settings = settings_for(old, [jsonl_source(src_old)], index={"procs": PROCS})
    build(settings)
    stems = list((scratch / "index").glob("stems-*.pkl"))
    assert len(stems) == 1
    return {"index": old / "index", "stems": stems[0], "new": new_records,
            "old_ids": {r["id"] for r in old_records}, "new_ids": {r["id"] for r in new_records}}


def prepare(base, tmp_path, warm_stems: bool = True, records: list[dict] | None = None, **index):
    """A copy of the old index with the new corpus as the source."""
    shutil.copytree(base["index"], tmp_path / "index")
    stems = next((tmp_path / "index").glob("stems-*.pkl"))
    if warm_stems:
        shutil.copy(base["stems"], stems)
    src = write_jsonl(tmp_path / "src.jsonl", records if records is not None else base["new"])
    cfg = write_config(tmp_path, src, **index)
    settings = settings_for(tmp_path, [jsonl_source(src)], index={"procs": PROCS, **index})
    return cfg, settings


# (kill point, whether the stem table must be cold so the point is reached, published afterwards)
BUILD_POINTS = [                 # shortened run: 10 points across reading, stemming, writing, publishing
    (f"read:{N_NEW // 2}", False, "old"),
    ("stem_save:1", True, "old"),
    ("write:1", False, "old"),
    (f"write:{N_NEW // 2}", False, "old"),
    ("commit:1", False, "old"),
    ("committed:1", False, "old"),
    ("publish_renamed:1", False, "old"),
    ("publish_pointer:1", False, "old"),
    ("publish_swapped:1", False, "new"),
]
if FULL:
    BUILD_POINTS += [("read:1", False, "old"), (f"write:{N_NEW}", False, "old"),
                     ("publish_meta:1", False, "old"), ("prune:1", False, "new")]
    BUILD_POINTS += [(f"write:{N_NEW * k // 10}", False, "old") for k in (1, 2, 3, 4, 6, 7, 8, 9)]
    BUILD_POINTS += [(f"read:{N_NEW * k // 10}", False, "old") for k in (1, 9)]


@pytest.mark.parametrize("point, cold, published", BUILD_POINTS, ids=[p[0] for p in BUILD_POINTS])
def test_killed_build(base, tmp_path, point, cold, published):
    # keep_generations = 1 so that publishing also prunes (the prune point is reached)
    cfg, settings = prepare(base, tmp_path, warm_stems=not cold, keep_generations=1)
    old_generation = IndexStore(settings.index).current_name()
    engine = SearchEngine(settings)
    assert engine.search(SearchRequest(query="pasar")).total == N_OLD      # a reader opened before

    rc, err, leftovers = run_cli(cfg, "build", "-q", kill_at=point)
    assert rc == -signal.SIGKILL, f"{point} was not reached (rc {rc}): {err[-2000:]}"
    assert not leftovers, f"processes outlived the killed build: {leftovers}"

    expected = base["old_ids"] if published == "old" else base["new_ids"]
    name = assert_index(settings, expected, engine)
    if published == "old":
        assert name == old_generation

    # the next build needs no manual clean-up (stale lock, staging folder, half-pruned generations)
    started = time.monotonic()
    generation, report = build(settings)
    assert report.indexed == N_NEW
    assert assert_index(settings, base["new_ids"], engine) == generation.name
    assert not list(settings.index.dir.glob("tmp-*"))
    _record(kind="build", point=point, next_build_seconds=round(time.monotonic() - started, 1))


UPDATE_POINTS = [
    ("update_linked:1", "old"),
    (f"write:{N_NEW // 2}", "old"),
    ("optimize:1", "old"),
    ("publish_renamed:1", "old"),
]
if FULL:
    UPDATE_POINTS += [(f"read:{N_NEW // 2}", "old"), ("write:1", "old"), ("commit:1", "old"), ("committed:1", "old"),
                      ("publish_pointer:1", "old"), ("publish_swapped:1", "new")]


@pytest.mark.parametrize("point, published", UPDATE_POINTS, ids=[p[0] for p in UPDATE_POINTS])
def test_killed_update(base, tmp_path, point, published):
    # the new corpus changes a third of the old articles and adds the rest; merge_segments_above
    # = 0 makes the update merge its segments, so the optimize point is reached
    records = [dict(r, body=r["body"] + " Diperbarui.") if i % 3 == 0 else r for i, r in enumerate(base["new"])]
    cfg, settings = prepare(base, tmp_path, records=records, merge_segments_above=0)
    old_generation = IndexStore(settings.index).current_name()
    old_files = {p.name: p.stat().st_ino for p in (settings.index.dir / old_generation).iterdir()}
    engine = SearchEngine(settings)

    rc, err, leftovers = run_cli(cfg, "update", "-q", kill_at=point)
    assert rc == -signal.SIGKILL, f"{point} was not reached (rc {rc}): {err[-2000:]}"
    assert not leftovers, f"processes outlived the killed update: {leftovers}"
    # the update hard-links the published files: they must be untouched
    assert {p.name: p.stat().st_ino for p in (settings.index.dir / old_generation).iterdir()} == old_files

    expected = base["old_ids"] if published == "old" else base["new_ids"]
    name = assert_index(settings, expected, engine)
    if published == "old":
        assert name == old_generation
        assert engine.search(SearchRequest(query="diperbarui")).total == 0
    else:
        assert engine.search(SearchRequest(query="diperbarui")).total == len(range(0, N_NEW, 3))

    update(settings)
    assert_index(settings, base["new_ids"], engine)
    assert engine.search(SearchRequest(query="diperbarui")).total == len(range(0, N_NEW, 3))
    assert not list(settings.index.dir.glob("tmp-*"))
    _record(kind="update", point=point)


@pytest.mark.parametrize("sig", ["TERM", "INT", "INT:group"])
def test_terminated_build_stops_cleanly(base, tmp_path, sig):
    """SIGTERM (service stop), SIGINT to the build (kill -INT) and to its whole process group
    (Ctrl-C in a terminal) while Whoosh's sub-writers are busy."""
    cfg, settings = prepare(base, tmp_path)
    rc, err, leftovers = run_cli(cfg, "build", "-q", kill_at=f"write:{N_NEW // 2}:{sig}", timeout=120)
    if sig == "TERM":
        assert rc == -signal.SIGTERM
    else:
        assert rc == 130 and "interrupted" in err
        assert "Traceback" not in err and "Process SubWriterTask" not in err, err[-3000:]
    assert not leftovers, leftovers
    assert_index(settings, base["old_ids"])
    rc, err, leftovers = run_cli(cfg, "build", "-q")
    assert rc == 0 and not leftovers, err
    assert_index(settings, base["new_ids"])
    _record(kind="build", point=f"write:{N_NEW // 2}:{sig}")


# ---------------------------------------------------------------- concurrent writers

def _wait_stopped(pid: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if psutil.Process(pid).status() == psutil.STATUS_STOPPED:
            return
        time.sleep(0.05)
    raise AssertionError("the first build never reached its pause point")


def test_second_writer_fails_fast_with_exit_3(base, tmp_path):
    """A build paused (SIGSTOP) while holding the lock: other builds and updates exit 3 at once
    with a message naming it; `check` and searches still work; the paused build then finishes."""
    cfg, settings = prepare(base, tmp_path)
    env = {**os.environ, "WARTA_TEST_KILL_AT": "write:50:STOP"}
    first = subprocess.Popen([sys.executable, "-m", "indexer", "--config", str(cfg), "build", "-q"], cwd=REPO,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
    try:
        _wait_stopped(first.pid)
        for verb in ("build", "update"):
            started = time.monotonic()
            rc, err, leftovers = run_cli(cfg, verb, "-q", timeout=60)
            assert rc == 3, (verb, rc, err)
            assert time.monotonic() - started < 15
            assert "another build or update is running" in err and f"pid {first.pid}" in err
            assert not leftovers
        rc, err, _ = run_cli(cfg, "check", "-q", timeout=120)
        assert rc == 0, err
        assert_index(settings, base["old_ids"])
        os.kill(first.pid, signal.SIGCONT)
        _, err = first.communicate(timeout=CLI_TIMEOUT)
        assert first.returncode == 0, err
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.communicate()
    assert_index(settings, base["new_ids"])
    rc, err, _ = run_cli(cfg, "build", "-q")
    assert rc == 0, err


def test_simultaneous_builds_never_corrupt(base, tmp_path):
    """Builds and updates started together: each one either publishes (0) or refuses (3)."""
    cfg, settings = prepare(base, tmp_path)
    rounds = 4 if FULL else 2
    outcomes = []
    for _ in range(rounds):
        procs = [subprocess.Popen([sys.executable, "-m", "indexer", "--config", str(cfg), verb, "-q"], cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                  start_new_session=True) for verb in ("build", "build", "update")]
        for proc in procs:
            try:
                _, err = proc.communicate(timeout=CLI_TIMEOUT)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.communicate()
            assert proc.returncode in (0, 3), err
            if proc.returncode == 3:
                assert "another build or update is running" in err
            outcomes.append(proc.returncode)
        assert_index(settings, base["new_ids"])
        assert not list(settings.index.dir.glob("tmp-*"))
    assert 0 in outcomes
    _record(kind="concurrent", runs=len(outcomes), refused=outcomes.count(3))
