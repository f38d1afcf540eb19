"""Reading Whoosh segments below its public API: a term's whole posting list as arrays, every
term's document frequency, and the segments of an index.

Whoosh's matchers hand out one posting at a time and its term iteration decodes each term's whole
TermInfo (for a short list stored inline by `WartaCodec`, that unpickles its postings); here a
posting list is read block by block into numpy arrays (`blocks`: ids and weights only, not the
positions), and document frequencies straight from the term index's records.
"""
from __future__ import annotations

import struct

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.matching import ListMatcher
from whoosh.system import pack_ushort

from indexer.errors import IncompatibleWhoosh
from indexer.whooshfast import blocks

# W3TermInfo's header: flags, weight, document frequency, min/max length, max weight, min/max id.
# The frequency is read at its offset in the raw record; the layout is checked, not assumed.
_TERMINFO_LAYOUT = "!BfIBBfII"
if W3TermInfo._struct.format != _TERMINFO_LAYOUT:
    raise IncompatibleWhoosh(f"Whoosh's term info layout is {W3TermInfo._struct.format!r}, "
                             f"indexer.whooshfast reads {_TERMINFO_LAYOUT!r}")
_DOC_FREQ = struct.Struct("!" + _TERMINFO_LAYOUT[3])
_DOC_FREQ_AT = struct.calcsize(_TERMINFO_LAYOUT[:3])       # after the flags and the weight

_NO_POSTINGS = (np.empty(0, np.int64), np.empty(0, np.float32))


def segment_ids(ix) -> list[str]:
    """The ids of an index's segments, in Whoosh's order."""
    return [segment.segment_id() for segment in ix._segments()]


def posting_arrays(leaf, fieldname: str, text: str, packed=None) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a term in one segment's reader (a leaf reader); empty arrays
    when the segment lacks the term. `packed`: the segment's `packed.Packed` lists, which hold the
    long lists ready to slice. Not thread-safe: the segment's files are shared."""
    rec = blocks.record(leaf, fieldname, text)
    if rec is None:
        return _NO_POSTINGS
    if packed is not None:
        i = packed.find(rec)
        if i >= 0:
            return packed.arrays(i)
    try:
        if blocks.is_inlined(rec):
            ids, weights = blocks.inlined_head(rec)
            return (np.fromiter(ids, np.int64, len(ids)),
                    np.asarray(weights if weights else [1.0] * len(ids), dtype=np.float32))
        found = blocks.arrays([blocks.head(b) for b in blocks.blocks(leaf._terms._postfile, rec)])
        return found if found[0].size else _NO_POSTINGS
    except blocks.Unreadable:
        return _matcher_arrays(leaf, fieldname, text)


def _matcher_arrays(leaf, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """`posting_arrays` through Whoosh's matcher, for what `blocks` does not read."""
    btext = leaf._text_to_bytes(fieldname, text)
    matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    if isinstance(matcher, ListMatcher):     # a short list stored in the term index (WartaCodec)
        return (np.asarray(matcher._ids, dtype=np.int64),
                np.asarray(matcher._weights if matcher._weights else [1.0] * len(matcher._ids),
                           dtype=np.float32))
    ids, weights = [], []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.append(np.asarray(matcher._ids, dtype=np.int64))
        weights.append(np.asarray(matcher._weights, dtype=np.float32))
        matcher._next_block()
    if not ids:
        return _NO_POSTINGS
    return np.concatenate(ids), np.concatenate(weights)


def doc_frequencies(ix_reader, fieldname: str) -> dict[str, int]:
    """term -> document frequency of every term of a field, summed over segments."""
    out: dict[str, int] = {}
    for leaf, _offset in ix_reader.leaf_readers():
        terms = leaf._terms
        if fieldname not in terms._fieldmap:
            continue
        prefix = pack_ushort(terms._fieldmap[fieldname])
        for key, value in terms._tindex.items_from(prefix):
            if not key.startswith(prefix):
                break
            text = key[len(prefix):].decode("utf-8")
            out[text] = out.get(text, 0) + _DOC_FREQ.unpack_from(value, _DOC_FREQ_AT)[0]
    return out
