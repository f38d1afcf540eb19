"""indexer/store.py: generations on disk, the CURRENT pointer, build.json and the writer lock.
Builds through the store (whole builds, crashes mid-publish): tests/test_build.py, tests/test_crash.py."""
from __future__ import annotations

import pytest

from indexer.config import IndexSettings
from indexer.store import LOCK, META, POINTER, IndexStore, LockedError


def store_in(tmp_path, **index) -> IndexStore:
    return IndexStore(IndexSettings(dir=tmp_path / "index", **index))


def publish_one(store: IndexStore, content: str = "segment", **meta):
    staging = store.new_staging()
    (staging / "seg.bin").write_text(content)
    return store.publish(staging, {"documents": 1, **meta})


def test_nothing_published_reads_as_nothing(tmp_path):
    store = store_in(tmp_path)
    assert (store.current_name(), store.current(), store.meta(), store.generations()) == (None, None, {}, [])
    store.root.mkdir()
    (store.root / POINTER).write_text("gen-vanished\n")       # a pointer to a folder that is gone
    assert store.current_name() == "gen-vanished" and store.current() is None and store.meta() == {}


def test_publish_swaps_the_pointer_and_writes_the_meta(tmp_path):
    store = store_in(tmp_path)
    with store.lock():
        first = publish_one(store, built_at="2024-07-12T00:00:00")
    assert first.name.startswith("gen-") and (first / "seg.bin").read_text() == "segment"
    assert store.current() == first and (store.root / POINTER).read_text() == first.name + "\n"
    assert store.meta() == {"documents": 1, "built_at": "2024-07-12T00:00:00", "generation": first.name}
    assert not list(store.root.glob("tmp-*")) and not (store.root / (POINTER + ".tmp")).exists()
    with store.lock():
        second = publish_one(store, "other")
    assert store.current() == second != first
    assert store.meta(first)["generation"] == first.name               # an older one is still readable
    (second / META).write_text("{not json")
    assert store.meta() == {}                                           # a damaged build.json reads as none


def test_old_generations_are_pruned_to_keep_generations(tmp_path):
    store = store_in(tmp_path, keep_generations=2)
    with store.lock():
        published = [publish_one(store, str(n)) for n in range(4)]
    assert store.generations() == published[-2:]
    assert store.current() == published[-1]


def test_copy_current_to_staging_links_the_files_without_the_meta(tmp_path):
    store = store_in(tmp_path)
    with store.lock():
        empty = store.copy_current_to_staging()                  # nothing published: an empty folder
        assert list(empty.iterdir()) == []
        current = publish_one(store)
        staging = store.copy_current_to_staging()
    assert sorted(p.name for p in staging.iterdir()) == ["seg.bin"]
    assert (staging / "seg.bin").stat().st_ino == (current / "seg.bin").stat().st_ino   # a hard link


def test_the_lock_removes_stale_staging_and_says_who_holds_it(tmp_path):
    store = store_in(tmp_path)
    store.root.mkdir(parents=True)
    (store.root / "tmp-killed-build").mkdir()
    with store.lock():
        assert not (store.root / "tmp-killed-build").exists()           # left by a killed build
        holder = (store.root / LOCK).read_text()
        assert holder.startswith("pid ") and " since " in holder
        with pytest.raises(LockedError, match=r"another build or update is running .*\(pid \d+ since"):
            with store_in(tmp_path).lock():                          # a second writer: lock_wait_seconds = 0
                pass
    with store_in(tmp_path).lock():                                  # released with the first
        pass
