"""Packed posting lists (indexer.whooshfast.packed): what searches slice from the memory-mapped
file equals what they decode from the blocks, for every term and for phrases, after a build and
after an update (new, merged and deleted segments), and search results are the same with or
without the files."""
from __future__ import annotations

import random

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer import whooshfast
from indexer.build import build, update
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from indexer.whooshfast import packed as packed_mod
from tests.support import jsonl_source, settings_for, write_jsonl

WORDS = ("pasar saham harga minyak naik turun bank indonesia rupiah dolar presiden jokowi "
         "banjir jakarta hujan deras warga mengungsi polisi menangkap pelaku").split()


def records(n: int, seed: int, changed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(20 + i % 60)) + (" diperbarui" if i < changed else "")
        out.append({"id": f"a{i}", "title": " ".join(rng.choice(WORDS) for _ in range(4)),
                    "url": f"https://c.id/{i}", "section": ["Ekonomi", "Olahraga"][i % 2],
                    "date": f"2019-0{1 + i % 9}-1{i % 10}", "body": body})
    return out


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """A build in more than one segment, then an update that replaces and adds articles."""
    tmp_path = tmp_path_factory.mktemp("packed")
    src = write_jsonl(tmp_path / "a.jsonl", records(400, 1))
    settings = settings_for(tmp_path, [jsonl_source(src)],
                            index={"procs": 2, "segment_mb": 1, "packed_min_postings": 20})
    build(settings)
    write_jsonl(src, records(430, 1, changed=50))
    generation, _ = update(settings)
    return settings, generation


def _terms(leaf, field: str) -> list[str]:
    return [t.decode("utf-8") for t in leaf.lexicon(field)] if field in leaf.schema else []


def test_every_segment_has_its_file_and_slices_what_the_blocks_decode(updated):
    _, generation = updated
    ix = whoosh_index.open_dir(str(generation))
    packed = whooshfast.packed_segments(ix)
    assert set(packed) == set(whooshfast.segment_ids(ix)) and len(packed) > 1
    assert not [p for p in generation.glob("*" + packed_mod.SUFFIX)
                if p.name.removesuffix(packed_mod.SUFFIX) not in packed]       # none of a merged-away segment
    used = 0
    with ix.reader() as reader:
        assert reader.has_deletions()
        for leaf, _ in reader.leaf_readers():
            mine = packed[leaf.segment().segment_id()]
            for field in ("title", "lead", "body", "exact"):
                for term in _terms(leaf, field):
                    plain = whooshfast.posting_arrays(leaf, field, term)
                    fast = whooshfast.posting_arrays(leaf, field, term, mine)
                    assert fast[0].dtype == plain[0].dtype and fast[1].dtype == plain[1].dtype
                    assert np.array_equal(fast[0], plain[0]) and np.array_equal(fast[1], plain[1]), (field, term)
                    rec = packed_mod.blocks.record(leaf, field, term)
                    used += mine.find(rec) >= 0
    assert used > 20            # the long lists came from the file


def test_phrases_match_the_same_documents(updated):
    _, generation = updated
    ix = whoosh_index.open_dir(str(generation))
    packed = whooshfast.packed_segments(ix)
    rng = random.Random(7)
    phrases = [[rng.choice(WORDS) for _ in range(rng.choice((2, 2, 3)))] for _ in range(60)]
    checked = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            mine = packed[leaf.segment().segment_id()]
            for field in ("title", "body"):
                stems = set(_terms(leaf, field))
                for words in phrases:
                    words = [w for w in (leaf.schema[field].process_text(w) for w in words)]
                    words = [next(iter(w), "") for w in words]
                    if not all(w in stems for w in words):
                        continue
                    for slop in (1, 2):
                        plain = whooshfast.phrase_docs(leaf, field, words, slop)
                        fast = whooshfast.phrase_docs(leaf, field, words, slop, None, mine)
                        assert [a.tolist() for a in fast] == [a.tolist() for a in plain], (field, words, slop)
                        checked += bool(plain[0].size)
    assert checked > 20


def test_search_results_are_the_same_without_the_files(updated, tmp_path):
    settings, generation = updated
    requests = [SearchRequest(query=q) for q in
                ("bank indonesia", '"harga minyak"', "banjir jakarta", "polisi", '"warga mengungsi" hujan',
                 "rupiah -dolar", "presiden jokowi")]

    def results():
        engine = SearchEngine(settings.replace(search={"result_cache": 0}))
        out = []
        for r in requests:
            res = engine.search(r)
            out.append((res.total, [(h.id, h.score, h.title_html, h.snippet_html) for h in res.hits]))
        return out

    with_files = results()
    moved = []
    for path in generation.glob("*" + packed_mod.SUFFIX):
        target = tmp_path / path.name
        path.rename(target)
        moved.append((target, path))
    try:
        assert not whooshfast.packed_segments(whoosh_index.open_dir(str(generation)))
        assert results() == with_files
    finally:
        for target, path in moved:
            target.rename(path)
    assert any(total for total, _ in with_files)


def test_a_damaged_file_is_ignored(tmp_path):
    path = tmp_path / "MAIN_x.wpk"
    path.write_bytes(b"not a packed file at all, but long enough to hold a header")
    assert packed_mod.Packed.open(path) is None
    assert packed_mod.Packed.open(tmp_path / "missing.wpk") is None
