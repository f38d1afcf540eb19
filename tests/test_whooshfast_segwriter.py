"""TermPoolWriter (indexer.whooshfast) writes the same segment files as Whoosh's own writer."""
from __future__ import annotations

import hashlib
import random

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from indexer.config import AnalysisSettings, SourceSettings, load_settings
from indexer.readers import read_source
from indexer.records import Article
from indexer.duplicates import DuplicateFinder
from indexer.schema import document_fields, make_schema
from indexer.whooshfast import TermPool, TermPoolWriter, WartaCodec
from tests.support import REPO


def demo_documents() -> list[dict]:
    settings = load_settings(REPO / "config.toml")
    finder = DuplicateFinder()
    return [document_fields(a, finder.key(a))
            for a in read_source(SourceSettings(name="demo", path=REPO / "demo" / "corpus"), settings)
            if isinstance(a, Article)]


def generated_documents(n: int, seed: int = 7) -> list[dict]:
    """Many documents over a small vocabulary: posting lists of hundreds of documents, so lists
    span several blocks (128 postings each) and end both inside and exactly at a block boundary."""
    rng = random.Random(seed)
    words = ["korut", "rudal", "menandatangani", "penandatanganan", "jakarta", "banjir", "presiden",
             "DPR", "harga", "beras", "kereta", "cepat", "pemilu", "relawan", "bekasi"]
    docs = []
    for i in range(n):
        body = " ".join(rng.choice(words) for _ in range(rng.randrange(1, 60)))
        docs.append({"id": f"g{i}", "title": " ".join(rng.sample(words, 3)), "body": body,
                     "section": rng.choice(["Nasional", "Dunia", "Ekonomi"]), "month": f"2024-{i % 12 + 1:02d}"})
    docs.append({"id": "only-title", "title": "kata tunggal", "caption": ""})   # missing and empty fields
    return docs


def segment_files(directory, ix) -> dict[str, str]:
    """Digest of every file of the index's (single) segment, keyed by name without the segment id."""
    (segment,) = ix._segments()
    return {p.name.replace(segment.segid, "SEG"): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir()) if segment.segid in p.name}


def write_index(directory, writer_class, batches: list[list[dict]], inlinelimit: int, codec_class=WartaCodec):
    """Each batch is committed as a segment; with several batches the last commit merges them all."""
    directory.mkdir()
    ix = whoosh_index.create_in(str(directory), make_schema(AnalysisSettings()))
    for number, batch in enumerate(batches):
        writer = writer_class(ix, codec=codec_class(inlinelimit=inlinelimit), compound=False)
        for doc in batch:
            writer.add_document(**doc)
        last = number == len(batches) - 1
        writer.commit(optimize=last and len(batches) > 1)
    return segment_files(directory, ix)


def test_same_files_as_whoosh_on_demo_corpus_and_long_posting_lists(tmp_path):
    docs = demo_documents() + generated_documents(700)
    for inlinelimit in (1, 16):
        ours = write_index(tmp_path / f"ours{inlinelimit}", TermPoolWriter, [docs], inlinelimit)
        whoosh = write_index(tmp_path / f"whoosh{inlinelimit}", SegmentWriter, [docs], inlinelimit)
        assert {name.rsplit(".", 1)[1] for name in ours} >= {"trm", "pst", "col"}
        assert ours == whoosh
        if inlinelimit == 1:        # and the same as Whoosh's own codec (its block writer, not ours)
            assert ours == write_index(tmp_path / "stock", SegmentWriter, [docs], 1, codec_class=W3Codec)


def test_same_files_as_whoosh_when_merging_segments(tmp_path):
    """A merge (optimize) reads the older segments back through `add_reader`, after new documents."""
    docs = generated_documents(400, seed=11)
    batches = [docs[:150], docs[150:300], docs[300:]]
    assert write_index(tmp_path / "ours", TermPoolWriter, batches, 16) == \
        write_index(tmp_path / "whoosh", SegmentWriter, batches, 16)


class RecordingFieldWriter:
    """Records what TermPool.write hands a field writer."""

    def __init__(self):
        self.calls = []

    def start_field(self, fieldname, fieldobj):
        self.calls.append(("field", fieldname))

    def add_term_postings(self, btext, postings, lengths):
        self.calls.append((btext, postings[0::3], lengths))

    def finish_field(self):
        self.calls.append(("end",))


def test_pool_orders_postings_added_out_of_docnum_order():
    pool = TermPool()
    for docnum in (5, 2, 9, 2):
        pool.add(("body", b"kata", docnum, 1.0, b""))
    pool.add(("body", b"abjad", 1, 2.0, b"x"))
    pool.add(("body", b"kata", -1, 1, None))           # Whoosh's spelling marker is not a posting
    recorder = RecordingFieldWriter()
    pool.write(recorder, make_schema(AnalysisSettings()), None)
    assert recorder.calls == [("field", "body"), (b"abjad", [1], None), (b"kata", [2, 2, 5, 9], None), ("end",)]
    assert pool.currentsize > 0
    pool.cleanup()
    assert pool.currentsize == 0 and pool.fields == {}


def test_other_schemas_take_whooshs_document_path_with_the_same_files(tmp_path):
    """Separate spelling words and term vectors (neither in Warta's schema) are indexed by Whoosh's
    own add_document; WartaCodec never inlines a vector (vectors are found by their file extent)."""
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    schema = Schema(id=ID(stored=True), body=TEXT(analyzer=StemmingAnalyzer(), spelling=True),
                    lead=TEXT(vector=True))
    docs = [{"id": f"d{n}", "body": " ".join(["rendering", "shapes", "rudal"][: n % 3 + 1] * (n % 4 + 1)),
             "lead": f"kata lain {n}"} for n in range(300)]
    digests = []
    for name, writer_class in (("ours", TermPoolWriter), ("whoosh", SegmentWriter)):
        directory = tmp_path / name
        directory.mkdir()
        ix = whoosh_index.create_in(str(directory), schema)
        writer = writer_class(ix, codec=WartaCodec(inlinelimit=16), compound=False)
        assert getattr(writer, "_whoosh_path", True)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
        digests.append(segment_files(directory, ix))
    assert any(name.endswith(".vps") for name in digests[0]) and digests[0] == digests[1]
    with whoosh_index.open_dir(str(tmp_path / "ours")).searcher() as searcher:
        assert dict(searcher.vector_as("weight", 17, "lead")) == {"17": 1.0, "kata": 1.0, "lain": 1.0}
