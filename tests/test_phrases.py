"""The numpy phrase matcher (indexer.whooshfast.phrases) finds exactly what Whoosh's phrase query finds."""
from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import TEXT, Schema

from indexer.config import AnalysisSettings
from indexer.postings import FastPositions, WartaCodec
from indexer.schema import TEXT_FIELDS, make_schema
from indexer.whooshfast import blocks, phrases
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest

POSITIONAL = TEXT_FIELDS + ("exact",)


def whoosh_phrase(searcher, field: str, words: list[str], slop: int) -> tuple[list[int], list[int]]:
    """Whoosh's documents of the phrase in one segment, and the number of spans it reports for each."""
    q = Q.Phrase(field, words, slop=slop)
    docs, freqs = [], []
    m = q.matcher(searcher, searcher.boolean_context())
    while m.is_active():
        docs.append(m.id())
        freqs.append(len(m.spans()))
        m.next()
    assert docs == list(q.docs(searcher))
    return docs, freqs


def assert_same(searcher, field: str, words: list[str], slop: int, word_docs=None) -> int:
    expected = whoosh_phrase(searcher, field, words, slop)
    docs, freqs = phrases.match(searcher.reader(), field, words, slop, word_docs)
    assert docs.dtype == np.int64
    assert (docs.tolist(), freqs.tolist()) == expected, (field, words, slop)
    return len(expected[0])


def index_terms(searcher, field: str) -> list[str]:
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in searcher.reader().lexicon(field)]


def document_phrases(searcher, field: str, rng: random.Random, per_doc: int = 3) -> list[list[str]]:
    """Word runs as the index holds them (from each document's term vector of positions): 2-4
    consecutive terms, some with a word swapped for another of the same document."""
    out = []
    reader = searcher.reader()
    terms = index_terms(searcher, field)
    by_doc: dict[int, dict[int, str]] = {}
    for term in terms:
        for doc, positions in reader.postings(field, term).items_as("positions"):
            for p in positions:
                by_doc.setdefault(doc, {})[p] = term
    for doc, at in by_doc.items():
        ordered = [at[p] for p in sorted(at)]
        for _ in range(per_doc):
            n = rng.randint(2, 4)
            if len(ordered) < n:
                continue
            start = rng.randrange(len(ordered) - n + 1)
            words = ordered[start:start + n]
            if rng.random() < 0.3:
                words[rng.randrange(n)] = rng.choice(ordered)
            out.append(words)
    return out


@pytest.fixture(scope="module")
def demo_engine(demo_settings):
    return SearchEngine(demo_settings)


def test_same_documents_and_frequencies_as_whoosh_on_the_demo_index(demo_engine):
    snap = demo_engine.snapshot()
    searcher = snap.searcher()
    rng = random.Random(17)
    found = checked = 0
    for sub, _ in searcher.leaf_searchers():
        for field in POSITIONAL:
            terms = index_terms(sub, field)
            cases = document_phrases(sub, field, rng)
            cases += [rng.sample(terms, min(len(terms), rng.randint(1, 3))) for _ in range(20)]
            cases += [[t, t] for t in terms[:10]] + [[terms[0], "tidakadadiindeks"], ["tidakadadiindeks"]]
            for words in cases:
                for slop in (1, 0, 2, 3):
                    found += assert_same(sub, field, words, slop) > 0
                    checked += 1
    assert checked > 1000 and found > 300


def test_with_the_engines_posting_arrays_as_candidates(demo_engine):
    """As the engine calls it: each word's documents in the segment from its posting cache."""
    snap = demo_engine.snapshot()
    postings = snap.postings()
    leaves = {sid: seg for seg, _, sid in postings._leaves}
    rng = random.Random(3)
    for sub, _ in snap.searcher().leaf_searchers():
        sid = sub.reader().segment().segment_id()
        for field in POSITIONAL:
            for words in document_phrases(sub, field, rng, per_doc=1):
                word_docs = [postings._segment_postings(leaves[sid], sid, field, w)[0] for w in words]
                assert_same(sub, field, words, 1, word_docs)


PHRASE_QUERIES = ['"harga beras"', '"warga bekasi"', '"kasus covid-19"', '"e-ktp digital"', "amerika serikat",
                  '"rudal balistik" korut', '"tidak ada frasa ini"', '"tim nasional u20"', 'kpk -"dua tersangka"',
                  '"suku bunga acuan"', '"gempa magnitudo 5,1"', '"yang di"', "perserikatan bangsa-bangsa",
                  "dewan perwakilan rakyat", '"pemilihan kepala daerah" bawaslu', "as"]


def test_search_results_and_scores_unchanged(demo_settings, monkeypatch):
    """The same hits, scores and totals as with Whoosh's phrase matching (phrases.match unsupported)."""
    settings = demo_settings.replace(search={"result_cache": 0})

    def search_all():
        engine = SearchEngine(settings)         # phrase results are cached per engine: start empty
        return [(q, r.total, [(h.id, h.score) for h in r.hits])
                for q in PHRASE_QUERIES for r in [engine.search(SearchRequest(query=q, per_page=50))]]

    fast = search_all()

    def unsupported(*args, **kwargs):
        raise phrases.Unsupported("test: Whoosh's path")
    monkeypatch.setattr(phrases, "match", unsupported)
    assert search_all() == fast
    assert sum(1 for _, total, _ in fast if total) >= 10


VOCAB = ["korut", "rudal", "uji", "pbb", "2,5", "yang", "tidakada"]    # "yang": a stopword; "2,5": a number


def _small_index(path, docs: list[list[str]], deleted: list[int], blocklimit: int, inlinelimit: int):
    """Two segments (and some deleted documents) in Warta's schema and codec, with small posting blocks."""
    ix = whoosh_index.create_in(str(path), make_schema(AnalysisSettings()))
    codec = WartaCodec(blocklimit=blocklimit, inlinelimit=inlinelimit)
    half = len(docs) // 2
    for start, part in ((0, docs[:half]), (half, docs[half:])):
        w = ix.writer(codec=codec)
        for n, words in enumerate(part, start):
            w.add_document(id=str(n), body=" ".join(words), title=" ".join(words[:3]))
        w.commit(merge=False)
    if deleted:
        w = ix.writer(codec=codec)
        for n in deleted:
            if n < len(docs):
                w.delete_document(n)
        w.commit(merge=False)
    return ix


@settings(max_examples=150, deadline=None)
@given(docs=st.lists(st.lists(st.sampled_from(VOCAB[:-1]), max_size=14), min_size=1, max_size=24),
       queries=st.lists(st.tuples(st.lists(st.sampled_from(VOCAB), min_size=1, max_size=4),
                                  st.integers(0, 3)), min_size=1, max_size=12),
       deleted=st.lists(st.integers(0, 23), max_size=4),
       blocklimit=st.sampled_from([2, 3, 128]), inlinelimit=st.sampled_from([1, 3]))
def test_same_as_whoosh_on_generated_indexes(tmp_path_factory, docs, queries, deleted, blocklimit, inlinelimit):
    ix = _small_index(tmp_path_factory.mktemp("ix"), docs, deleted, blocklimit, inlinelimit)
    analyzer = ix.schema["body"].analyzer
    with ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            for words, slop in queries:
                terms = [t.text for w in words for t in analyzer(w)] or words
                for field in ("body", "title"):
                    assert_same(sub, field, terms, slop)


def test_what_it_does_not_handle_is_left_to_whoosh(tmp_path):
    ix = _small_index(tmp_path, [["korut", "rudal"]], [], 128, 1)
    with ix.searcher() as searcher:
        with pytest.raises(phrases.Unsupported):
            phrases.match(searcher.reader(), "body", [], 1)
        with pytest.raises(phrases.Unsupported):         # no positions in an ID field
            phrases.match(searcher.leaf_searchers()[0][0].reader(), "section", ["a", "b"], 1)
        sub = searcher.leaf_searchers()[0][0]
        assert [a.tolist() for a in phrases.match(sub.reader(), "nofield", ["korut", "rudal"], 1)] == [[], []]


def test_slop_and_repeated_words_follow_whoosh(tmp_path):
    docs = [["korut", "uji", "rudal", "korut", "korut", "rudal"], ["rudal", "korut"], ["korut", "pbb", "pbb", "rudal"]]
    ix = _small_index(tmp_path, docs, [], 128, 1)
    with ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            for words in itertools.product(["korut", "rudal", "uji"], repeat=2):
                for slop in range(5):
                    assert_same(sub, "body", list(words), slop)


class _Twice(Filter):
    """Every token "dua" twice at the same position (as a number and its variant can be)."""

    def __call__(self, tokens):
        for t in tokens:
            yield t
            if t.text == "dua":
                yield t


def test_a_word_indexed_twice_at_one_position(tmp_path):
    schema = Schema(body=TEXT(analyzer=RegexTokenizer() | _Twice(), phrase=True))
    schema["body"].format = FastPositions(field_boost=1.0)
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer(codec=WartaCodec(blocklimit=2, inlinelimit=2)) as w:
        for text in ["dua x dua", "x dua dua x", "dua", "x x dua x dua dua"]:
            w.add_document(body=text)
    with ix.searcher() as searcher:
        sub = searcher.leaf_searchers()[0][0]
        assert dict(sub.reader().postings("body", "dua").items_as("positions"))[2] == [0, 0]
        for words in (["dua"], ["dua", "x"], ["x", "dua"], ["dua", "dua"], ["x", "dua", "dua"]):
            for slop in range(4):
                assert_same(sub, "body", words, slop)


def test_decoded_blocks_serve_later_phrases(tmp_path, monkeypatch):
    """A block's values are decoded once and kept (keyed by its stored bytes): the same phrase,
    and another phrase with a word in the same blocks, decode nothing again and find the same."""
    docs = [["korut", "uji", "rudal", "pbb"][i % 4:] + ["korut", "rudal"] for i in range(30)]
    ix = _small_index(tmp_path, docs, [3], blocklimit=3, inlinelimit=1)
    blocks.VALUES.clear()
    with ix.searcher() as searcher:
        subs = [sub for sub, _ in searcher.leaf_searchers()]
        first = [assert_same(sub, "body", ["korut", "rudal"], 1) for sub in subs]
        assert sum(first) and blocks.VALUES.bytes > 0
        kept = blocks.VALUES.bytes

        def decode(block):
            raise AssertionError("a block was decoded again")
        monkeypatch.setattr(blocks, "decode", decode)
        assert [assert_same(sub, "body", ["korut", "rudal"], 1) for sub in subs] == first
        for sub in subs:
            assert_same(sub, "body", ["rudal", "korut"], 3)
        assert blocks.VALUES.bytes == kept


def test_the_value_cache_keeps_to_its_size():
    cache = blocks.ValueCache(max_bytes=1000)
    values = (b"x" * 100,) * 2                      # 2 * (100 + 48) + the key's 100 bytes = 396
    for n in range(5):
        cache.put((True, bytes([n]) * 100), values)
    assert cache.bytes <= 1000 and cache.get((True, bytes([4]) * 100)) == values
    assert cache.get((True, bytes([0]) * 100)) is None          # the oldest went first
    assert cache.get((False, bytes([4]) * 100)) is None
