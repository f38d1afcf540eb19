"""WartaCodec and FastPositions (indexer.whooshfast) give Whoosh's postings and files."""
from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.formats import Positions

from indexer.config import AnalysisSettings
from indexer.schema import make_schema
from indexer.whooshfast import FastPositions, WartaCodec, segment_ids
from indexer.analysis import chain_of, make_analyzer

TRICKY = [
    "Presiden AS bertemu as roda, Bin Laden dan bin",
    "kata-kata anak-anaknya Jakarta-Cikampek Kim Jong-un TNI-Polri e-KTP COVID-19 U-16 18-0",
    "Ma'ruf Jum'at Indonesia's Instagram-nya 6.217 2,5 Rp5,2 1.000.000",
]


def test_fast_format_gives_whoosh_word_values_and_pickles_without_cache():
    analyzer = make_analyzer(AnalysisSettings())
    text = " ".join(TRICKY)
    fast, plain = FastPositions(field_boost=2.0), Positions(field_boost=2.0)
    assert sorted(fast.word_values(text, analyzer, mode="index")) == \
        sorted(plain.word_values(text, analyzer, mode="index"))
    # query-time and other calls take Whoosh's path
    assert sorted(fast.word_values(text, analyzer, mode="query")) == \
        sorted(plain.word_values(text, analyzer, mode="query"))
    restored = pickle.loads(pickle.dumps(fast))
    assert "_fast" not in restored.__dict__ and restored == fast


def test_other_analyzers_are_not_taken_over():
    from whoosh.analysis import StandardAnalyzer
    assert chain_of(StandardAnalyzer()) is None


def test_inlined_short_posting_lists_read_back(tmp_path):
    """WartaCodec stores short lists in the term index (Whoosh's own inlining crashes)."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema(AnalysisSettings()))
    with ix.writer(codec=WartaCodec(inlinelimit=4)) as w:
        for n in range(6):
            w.add_document(id=str(n), title="Korut uji rudal" if n < 2 else f"berita {n}",
                           body="kata " * (n + 1), section="Dunia")
    with ix.searcher() as s:
        terms = s.reader()
        # 2 documents (< 4): inlined; 6 documents: a block in the postings file
        assert terms.term_info("title", "korut")._inlined is not None
        assert terms.term_info("body", "kata")._inlined is None
        assert sorted(s.document_number(id=str(n)) for n in range(2)) == \
            sorted(terms.postings("title", "korut").all_ids())
        assert dict(terms.postings("body", "kata").items_as("frequency")) == {d: d + 1 for d in range(6)}
        assert dict(terms.postings("title", "korut").items_as("positions")) == {0: [0], 1: [0]}
        # value-less (ID) postings read back as from a block, so segments can be merged
        assert list(terms.postings("section", "Dunia").all_items())[0][1] is None
    with ix.writer(codec=WartaCodec(inlinelimit=4)) as w:
        w.add_document(id="6", title="Korut lagi", section="Dunia")
    ix.writer(codec=WartaCodec(inlinelimit=4)).commit(optimize=True)
    with ix.searcher() as s:
        assert len(segment_ids(ix)) == 1 and s.doc_count() == 7
        assert sorted(s.reader().postings("title", "korut").all_ids()) == [0, 1, 6]


def test_term_index_writer_writes_whooshs_bytes(tmp_path):
    """`_TermIndexWriter` counts its file position itself; the file must stay Whoosh's."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashWriter

    from indexer.whooshfast.codec import _TermIndexWriter

    storage = FileStorage(str(tmp_path))
    keys = sorted({bytes([i % 7]) + f"kata{i * 7919 % 5003}".encode() for i in range(3000)})
    for name, cls in (("whoosh", OrderedHashWriter), ("warta", _TermIndexWriter)):
        writer = cls(storage.create_file(name))
        for i, key in enumerate(keys):
            writer.add(key, b"v" * (i % 300))
        writer.close()
    assert (tmp_path / "whoosh").read_bytes() == (tmp_path / "warta").read_bytes()
    writer = _TermIndexWriter(storage.create_file("unordered"))
    writer.add(b"b", b"")
    with pytest.raises(ValueError):
        writer.add(b"a", b"")


@settings(max_examples=200, deadline=None)
@given(st.datetimes(), st.integers(-2**63, 2**63 - 1), st.text(max_size=40))
def test_fast_index_gives_whooshs_postings_for_ids_and_numbers(when, number, text):
    from datetime import datetime

    from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC

    from indexer.whooshfast.formats import fast_index

    for field, value in ((DATETIME(), when), (NUMERIC(bits=64, signed=True), number),
                         (NUMERIC(), number % 2**31), (ID(), text), (ID(field_boost=2.0), text)):
        assert fast_index(field, value) == list(field.index(value))
    assert fast_index(DATETIME(), datetime(2024, 7, 12, 14, 5)) == list(DATETIME().index(datetime(2024, 7, 12, 14, 5)))
    assert fast_index(KEYWORD(lowercase=True), "Abc") is None          # another analyzer: Whoosh's path
    assert fast_index(DATETIME(), "2024-07-12") is None                 # a string date: Whoosh parses it
