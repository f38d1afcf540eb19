"""Whole columns, posting arrays and document frequencies (indexer.whooshfast) equal Whoosh's own
reads."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from indexer.build import build, update
from indexer import whooshfast
from tests.support import jsonl_source, settings_for, write_jsonl


def records(n: int, changed: int = 0) -> list[dict]:
    out = []
    for i in range(n):
        rec = {"id": f"a{i}", "title": f"Judul {i} " + "kata " * (i % 7), "url": f"https://c.id/{i}",
               "section": ["Ekonomi", "Olahraga", "", "Dunia"][i % 4], "outlet": ["Kabar", "", "Warta"][i % 3],
               "body": ("Isi berita tentang pasar. " * (1 + i % 5)) + ("Diperbarui." if i < changed else "")}
        if i % 5:                                   # every fifth article has no date
            rec["date"] = f"2019-0{1 + i % 9}-1{i % 10}"
        out.append(rec)
    return out


def test_columns_match_whoosh_across_segments_deletions_and_missing_values(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", records(300))
    settings = settings_for(tmp_path, [jsonl_source(src)], index={"procs": 2, "segment_mb": 1})
    build(settings)
    write_jsonl(src, records(320, changed=40))               # 20 new, 40 replaced -> deletions
    generation, _ = update(settings)
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
        n = reader.doc_count_all()
        alive = whooshfast.alive(reader)
        assert alive.tolist() == [not reader.is_deleted(d) for d in range(n)]
        assert alive.sum() == 320
        for field in ("section", "month", "dup", "outlet", "id"):
            assert whooshfast.string_column(reader, field) == list(reader.column_reader(field)), field
        raw = [v for v in reader.column_reader("published", translate=False)]
        assert whooshfast.numeric_column(reader, "published").astype(np.uint64).tolist() == raw
        for field in ("title", "lead", "body", "caption", "exact"):
            expected = []
            for leaf, _ in reader.leaf_readers():
                if not leaf._perdoc.has_column(_lenfield(field)):      # a field no document has
                    expected += [0] * leaf.doc_count_all()
                    continue
                col = leaf._perdoc.column_reader(_lenfield(field), LENGTHS_COLUMN)
                expected += [byte_to_length(col[d]) for d in range(leaf.doc_count_all())]
            assert whooshfast.field_lengths(reader, field).tolist() == expected, field


@pytest.fixture(scope="module")
def two_segments(tmp_path_factory):
    """300 articles in more than one segment: a build of 250, then an update that adds 50 (two
    writer processes alone may not split 300 small articles: one can take every batch)."""
    tmp_path = tmp_path_factory.mktemp("two_segments")
    src = write_jsonl(tmp_path / "a.jsonl", records(250))
    settings = settings_for(tmp_path, [jsonl_source(src)], index={"procs": 2, "segment_mb": 1})
    build(settings)
    write_jsonl(tmp_path / "a.jsonl", records(300))
    generation, _ = update(settings)
    return whoosh_index.open_dir(str(generation))


def test_doc_frequencies_match_whoosh_terms_with_inlined_and_block_postings(two_segments):
    with two_segments.reader() as reader:
        expected = {t.decode("utf-8"): info.doc_frequency() for t, info in reader.iter_field("exact")}
        got = whooshfast.doc_frequencies(reader, "exact")
        assert got == expected
        assert max(got.values()) >= 100 and min(got.values()) == 1      # block and inlined lists
        assert whooshfast.doc_frequencies(reader, "nonexistent") == {}


def test_posting_arrays_match_whoosh_for_inlined_and_block_lists_in_every_segment(two_segments):
    with two_segments.reader() as reader:
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        assert len(leaves) > 1
        sizes = set()
        for leaf in leaves:
            for field in ("title", "body", "section"):
                for btext in list(leaf.lexicon(field))[:40] + [b"tidak-ada"]:
                    text = btext.decode("utf-8")
                    ids, weights = whooshfast.posting_arrays(leaf, field, text)
                    expected = (list(leaf.postings(field, text).items_as("weight"))
                                if (field, text) in leaf else [])
                    assert list(zip(ids.tolist(), weights.tolist())) == expected, (field, text)
                    assert ids.dtype == np.int64 and weights.dtype == np.float32
                    sizes.add(len(expected) >= 16)
        assert sizes == {True, False}          # lists stored inline and in blocks
