"""Build, update, prune, the atomic swap, the writer lock and crash safety."""
from __future__ import annotations

import dataclasses
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.build import BuildError, build, update
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.store import IndexStore, LockedError
from tests.support import REPO, jsonl_source, settings_for, write_jsonl


def article(i: int, body: str = "", **extra) -> dict:
    rec = {"id": f"a{i}", "title": f"Berita nomor {i} tentang pasar", "date": f"2024-0{1 + i % 9}-1{i % 10}",
           "section": ["Ekonomi", "Olahraga", "Nasional"][i % 3], "url": f"https://contoh.id/{i}",
           "outlet": "Kabar", "body": body or f"Isi berita ke-{i} tentang harga cabai dan bawang di pasar."}
    rec.update(extra)
    return rec


@pytest.fixture
def corpus(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(30)])
    return tmp_path, src, settings_for(tmp_path, [jsonl_source(src)])


def doc_count(settings) -> int:
    return SearchEngine(settings).stats().documents


def test_build_publishes_generation_with_report(corpus):
    tmp, src, settings = corpus
    generation, report = build(settings)
    assert report.indexed == 30 and report.skipped_total == 0
    store = IndexStore(settings.index)
    assert store.current() == generation
    assert store.meta()["documents"] == 30
    assert not list(store.root.glob("tmp-*"))


def test_bad_records_are_skipped_and_counted(tmp_path):
    src = write_jsonl(tmp_path / "b.jsonl", [article(1), "[1, 2]", "{not json", article(2, body=" "),
                                             article(1), article(3)])
    settings = settings_for(tmp_path, [jsonl_source(src)])
    _, report = build(settings)
    assert report.indexed == 2  # a1 and a3
    assert report.skipped["duplicate_id"] == 1
    assert report.skipped_total == 4
    with pytest.raises(BuildError):
        build(settings, strict=True)


def test_update_adds_replaces_and_prunes(corpus):
    tmp, src, settings = corpus
    build(settings)
    records = [article(i) for i in range(1, 30)]               # a0 disappears
    records[0] = article(1, body="Isi yang diperbarui tentang kedelai.")  # a1 changes
    records.append(article(99))                               # a99 is new
    write_jsonl(src, records)
    _, report = update(settings)
    assert (report.added, report.replaced, report.unchanged, report.removed) == (1, 1, 28, 0)
    assert doc_count(settings) == 31
    engine = SearchEngine(settings)
    assert [h.id for h in engine.search(SearchRequest(query="kedelai")).hits] == ["a1"]
    _, report = update(settings, prune=True)
    assert (report.added, report.replaced, report.removed) == (0, 0, 1)
    assert doc_count(settings) == 30


def test_reader_keeps_working_during_rebuild_and_sees_new_generation(corpus):
    tmp, src, settings = corpus
    first, _ = build(settings)
    engine = SearchEngine(settings)
    assert engine.search(SearchRequest(query="pasar")).total == 30
    write_jsonl(src, [article(i) for i in range(45)])
    errors = []

    def keep_searching():
        for _ in range(40):
            try:
                total = engine.search(SearchRequest(query="pasar")).total
                assert total in (30, 45), total
            except Exception as exc:  # noqa: BLE001 — the test reports any failure
                errors.append(exc)

    t = threading.Thread(target=keep_searching)
    t.start()
    second, _ = build(settings)
    t.join()
    assert not errors
    assert second != first
    assert engine.search(SearchRequest(query="pasar")).total == 45


def test_second_concurrent_build_fails_fast(corpus):
    tmp, src, settings = corpus
    store = IndexStore(settings.index)
    missing = settings.replace(sources=tuple(dataclasses.replace(s, path=tmp / "absent.jsonl")
                                             for s in settings.sources))
    with store.lock():
        # the lock is tried before anything is read or written: no wait, no source error, no staging
        with pytest.raises(LockedError, match="another build"):
            build(missing)
        assert not list(Path(settings.index.dir).glob("tmp-*"))


def test_killed_build_leaves_old_index_searchable(tmp_path):
    records = [article(i, body=("kata pasar harga " * 400) + str(i)) for i in range(3000)]
    src = write_jsonl(tmp_path / "big.jsonl", records[:50])
    settings = settings_for(tmp_path, [jsonl_source(src)])
    build(settings)
    write_jsonl(src, records)
    cfg = tmp_path / "warta.toml"
    cfg.write_text(f'[index]\ndir = "{tmp_path / "index"}"\nprocs = 1\n'
                   f'[[sources]]\nname = "test"\npath = "{src}"\nformat = "jsonl"\n'
                   'fields = {id = "id", title = "title", body = "body", date = "date", section = "section"}\n')
    proc = subprocess.Popen([sys.executable, "-m", "indexer", "--config", str(cfg), "build", "-q"], cwd=REPO)
    deadline = time.monotonic() + 30
    while not list((tmp_path / "index").glob("tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list((tmp_path / "index").glob("tmp-*")), "the build should have been killed mid-way"
    assert doc_count(settings) == 50
    assert SearchEngine(settings).search(SearchRequest(query="pasar")).total == 50
    build(settings)  # no manual clean-up needed: stale lock and staging are recovered
    assert doc_count(settings) == 3000
    assert not list((tmp_path / "index").glob("tmp-*"))


def test_old_generations_are_pruned(corpus):
    tmp, src, settings = corpus
    for _ in range(5):
        build(settings)
    store = IndexStore(settings.index)
    assert len(store.generations()) == settings.index.keep_generations
    assert whoosh_index.open_dir(str(store.current())).doc_count() == 30


def test_updates_merge_their_small_segments_but_not_the_build_segment(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(200)])
    settings = settings_for(tmp_path, [jsonl_source(src)], index={"merge_segments_above": 3})
    generation, _ = build(settings)
    built = {s.segment_id() for s in whoosh_index.open_dir(str(generation))._segments()}
    assert len(built) == 1
    for n in range(6):                                     # six updates of three new articles each
        records = [article(i) for i in range(200)] + [article(1000 + 10 * n + k) for k in range(3)]
        write_jsonl(src, records)
        generation, report = update(settings)
        assert report.added == 3
        segments = whoosh_index.open_dir(str(generation))._segments()
        assert len(segments) <= 3 + 1
        assert built <= {s.segment_id() for s in segments}    # the large segment is never rewritten
    assert doc_count(settings) == 218
    engine = SearchEngine(settings)
    assert engine.search(SearchRequest(query="nomor 1052")).hits[0].id == "a1052"


def test_updates_never_merge_a_build_segment_however_small(tmp_path):
    """Each build writer's last segment is only partly filled; an update must not rewrite it."""
    records = [article(i, body=f"Isi berita ke-{i} tentang harga cabai di pasar kota{i}. " * 10)
               for i in range(1030)]       # one writer, 1 MB segments: 5 x 200 articles + a tail of 30
    src = write_jsonl(tmp_path / "a.jsonl", records)
    settings = settings_for(tmp_path, [jsonl_source(src)],
                            index={"procs": 1, "segment_mb": 1, "merge_segments_above": 1})
    generation, _ = build(settings)
    sizes = {s.segment_id(): s.doc_count_all() for s in whoosh_index.open_dir(str(generation))._segments()}
    assert len(sizes) >= 4 and min(sizes.values()) * 4 < max(sizes.values())   # small tails exist
    assert sorted(IndexStore(settings.index).meta()["build_segments"]) == sorted(sizes)
    for n in range(3):
        write_jsonl(src, records + [article(2000 + 10 * n + k) for k in range(3)])
        generation, report = update(settings)
        assert report.added == 3
        segments = {s.segment_id() for s in whoosh_index.open_dir(str(generation))._segments()}
        assert set(sizes) <= segments                         # every build segment is still there
        assert len(segments) <= len(sizes) + 1                # the updates' own segments were merged
        assert sorted(IndexStore(settings.index).meta()["build_segments"]) == sorted(sizes)
    assert doc_count(settings) == 1039


def test_parallel_build_rolls_over_segments_and_keeps_new_stems(tmp_path):
    """Two writer processes, a tiny segment budget: several segments, every article once, and the
    stems the writers computed end up in the table on disk for the next build."""
    import pickle

    words = ["menandatangani", "pembangunan", "kekhawatiran", "perdagangan", "pemberantasan"]
    # one made-up word per article: new to any stem table this test process may already hold
    records = [article(i, body=f"Isi berita ke-{i} tentang {words[i % 5]} dan harga cabai di pasar "
                              f"kotaparallel{i}. " * 20)
               for i in range(800)]           # 8 job files of 100; ~0.9 MB of postings each
    src = write_jsonl(tmp_path / "a.jsonl", records)
    settings = settings_for(tmp_path, [jsonl_source(src)], index={"procs": 2, "segment_mb": 1})
    generation, report = build(settings)
    segments = whoosh_index.open_dir(str(generation))._segments()
    assert len(segments) >= 4
    assert sum(s.doc_count() for s in segments) == report.indexed == 800
    engine = SearchEngine(settings)
    assert engine.search(SearchRequest(query="membangun")).total == 160          # pembangunan, stemmed
    table = pickle.loads(next(settings.index.dir.glob("stems-*.pkl")).read_bytes())
    assert all(f"kotaparallel{i}" in table for i in range(800))
    assert report.stemming["newly_stemmed"] >= 800
    _, again = build(settings)
    assert again.stemming["newly_stemmed"] == 0
    assert doc_count(settings) == 800


def test_progress_total_counts_the_sheet_the_reader_reads(tmp_path):
    """CLICK-ID's workbooks keep their articles on the first sheet and a label sheet active: the
    estimate used the active one (a build showed 21970/14266, 154 %, ETA -9s)."""
    import io

    import openpyxl

    from indexer.build import estimate_total
    from indexer.config import SourceSettings
    from indexer.progress import Progress

    wb = openpyxl.Workbook()
    first = wb.active
    first.append(["title", "body"])
    for i in range(7):
        first.append([f"Judul {i}", "Isi berita."])
    labels = wb.create_sheet("labels")
    labels.append(["title", "label"])
    labels.append(["Judul 0", "clickbait"])
    wb.active = 1
    wb.save(tmp_path / "a.xlsx")
    assert estimate_total([SourceSettings(name="a", path=tmp_path / "a.xlsx")]) == 7
    out = io.StringIO()
    progress = Progress("indexing", total=5, stream=out)
    progress.step(7)
    progress.done()
    assert "7/5" not in out.getvalue() and "%" not in out.getvalue() and "indexing: 7" in out.getvalue()


def test_an_update_that_finds_nothing_publishes_nothing(corpus):
    tmp, src, settings = corpus
    first, _ = build(settings)
    generation, report = update(settings, prune=True)
    store = IndexStore(settings.index)
    assert generation == first == store.current() and not report.published
    assert report.unchanged == 30 and "nothing new, changed or removed" in "\n".join(report.summary_lines())
    assert [p.name for p in store.generations()] == [first.name] and not list(store.root.glob("tmp-*"))
    write_jsonl(src, [article(i) for i in range(31)])                # one more: now it publishes
    generation, report = update(settings)
    assert generation != first and report.published and report.added == 1


def test_update_without_sources_reads_what_the_last_build_read(corpus):
    tmp, src, settings = corpus
    build(settings)                                                  # sources from the config
    bare = settings.replace(sources=())                              # e.g. `warta-index build FILE` before
    write_jsonl(src, [article(i) for i in range(31)])
    _, report = update(bare)
    assert report.added == 1 and doc_count(settings) == 31
    with pytest.raises(BuildError, match="no sources"):
        update(settings_for(tmp / "empty", []))                       # nothing built, nothing configured
