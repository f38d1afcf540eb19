"""W3 posting blocks decoded in part (indexer.whooshfast.blocks): the ids and weights without the
values, the values only where asked, the same as Whoosh's full decoding."""
from __future__ import annotations

import zlib
from pickle import dumps

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from indexer.config import AnalysisSettings
from indexer.postings import WartaCodec
from indexer.schema import make_schema
from indexer import whooshfast
from indexer.whooshfast import blocks
from indexer.whooshfast.formats import encode_positions

_float32 = st.floats(0.0, 1e6, width=32)
_positions = st.lists(st.integers(0, 70_000), max_size=6).map(sorted)


@st.composite
def block_tuples(draw):
    """(id deltas, weights, values) as a W3 block pickles them: weights None, one float, or one each."""
    n = draw(st.integers(1, 300))           # past 256: the pickle's memo indexes take four bytes
    deltas = tuple(draw(st.lists(st.integers(0, 1 << 20), min_size=n, max_size=n)))
    weights = draw(st.one_of(st.none(), _float32, st.lists(_float32, min_size=n, max_size=n).map(tuple)))
    values = tuple(encode_positions(p) for p in draw(st.lists(_positions, min_size=n, max_size=n)))
    return deltas, weights, values


@settings(max_examples=200, deadline=None)
@given(data=block_tuples(), compressed=st.booleans())
def test_head_is_the_ids_and_weights_of_the_whole_decoding(data, compressed):
    raw = dumps(data, 2)
    block = blocks.Block(len(data[0]), sum(data[0]), compressed, zlib.compress(raw, 3) if compressed else raw)
    assert blocks.head(block) == data[:2]
    assert blocks.decode(block) == data


def test_head_reads_a_float_whose_last_byte_is_a_mark():
    weight = next(w for w in (1.0 + i * 2 ** -52 for i in range(1000)) if dumps(w, 2)[-2] == 0x28)
    for values in ((encode_positions([3]),), tuple(encode_positions([i]) for i in range(5))):
        data = ((7,) * len(values), weight, values)
        block = blocks.Block(len(values), 7, False, dumps(data, 2))
        assert blocks.head(block) == data[:2]


def test_head_of_a_block_without_values_decodes_it_whole():
    data = ((1, 2, 3), None, None)          # an ID field's block: no values to leave out
    block = blocks.Block(3, 6, True, zlib.compress(dumps(data, 2)))
    assert blocks.head(block) == data[:2]


def test_unreadable_data_says_so():
    with pytest.raises(blocks.Unreadable):
        blocks.decode(blocks.Block(1, 1, True, b"not zlib"))
    with pytest.raises(blocks.Unreadable):
        list(blocks._walk(b"XXXX"))


@pytest.fixture(scope="module")
def small_blocks(tmp_path_factory):
    """Warta's schema and codec with blocks of three postings and lists of fewer than three inlined."""
    path = tmp_path_factory.mktemp("small_blocks")
    ix = whoosh_index.create_in(str(path), make_schema(AnalysisSettings()))
    words = ["korut", "rudal", "uji", "pbb", "nuklir"]
    with ix.writer(codec=WartaCodec(blocklimit=3, inlinelimit=3)) as w:
        for n in range(40):
            body = " ".join(words[(n + k) % len(words)] for k in range(n % 9 + 1))
            body += f" kata{n}" + (" tiga" if n in (1, 2, 3) else "")    # inlined lists, one block of 3
            w.add_document(id=str(n), body=body, title=words[n % 5] if n % 3 else "", section="Dunia")
    return ix


def test_posting_arrays_decode_no_values(small_blocks, monkeypatch):
    """Posting arrays of a positional field come from the start of each block alone."""
    def whole(block):
        raise AssertionError("a whole block was decoded")
    monkeypatch.setattr(blocks, "decode", whole)
    with small_blocks.reader() as reader:
        leaf = reader.leaf_readers()[0][0]
        for field in ("body", "title"):
            for btext in leaf.lexicon(field):
                text = btext.decode("utf-8")
                ids, weights = whooshfast.posting_arrays(leaf, field, text)
                assert list(zip(ids.tolist(), weights.tolist())) == list(leaf.postings(field, text).items_as("weight"))


def test_blocks_and_records_match_whoosh(small_blocks):
    with small_blocks.reader() as reader:
        leaf = reader.leaf_readers()[0][0]
        kinds = set()
        for field in ("body", "title", "section"):
            for btext in leaf.lexicon(field):
                text = btext.decode("utf-8")
                rec = blocks.record(leaf, field, text)
                expected = list(leaf.postings(field, text).items_as("weight"))
                if blocks.is_inlined(rec):
                    kinds.add("inlined")
                    ids, weights = blocks.inlined_head(rec)
                    assert blocks.inlined(rec)[:2] == (ids, weights)
                    assert list(zip(ids, weights)) == expected
                    continue
                found = blocks.blocks(leaf._terms._postfile, rec)
                kinds.add("blocks" if len(found) > 1 else "one block")
                ids, weights = blocks.arrays([blocks.head(b) for b in found])
                assert list(zip(ids.tolist(), weights.tolist())) == expected
                assert [b.last for b in found] == [int(ids[i]) for i in np.cumsum([b.count for b in found]) - 1]
        assert blocks.record(leaf, "body", "tidakada") is None
        assert blocks.record(leaf, "nofield", "korut") is None
        assert kinds == {"inlined", "blocks", "one block"}
