"""Phrase matching on numpy arrays, one segment at a time.

Whoosh matches a phrase (`Phrase` -> `SpanNear2`) by walking the intersection of its words'
postings one document at a time, decoding each word's positions into `Span` objects and joining
them in Python: 5-30 ms of CPU for a phrase of common words in one field of CLICK-ID, paid by the
first search of every phrase after a deploy (the engine caches the result per segment afterwards).

Here the documents that contain every word are intersected first (from the posting arrays the
engine has already read), only their positions are decoded, from only the posting blocks that
hold them, and the positions are joined for all documents at once. The result is the same as
Whoosh's by construction (the rules of `SpanNear2Matcher._get_spans` with `ordered=True,
mindist=1`, as `Phrase.matcher` builds it) and by test (tests/test_phrases.py). What is not the
plain case (another reader or posting format, positions past 2**31) raises `Unsupported`, and
the caller asks Whoosh instead. bench/phrases.py compares the two paths' CPU time (2.4x overall
on the query set's phrases, docs/performance.md).

Posting blocks are read with `blocks` (as `reading` reads them): a block's values are decoded
only when a candidate document is in it, and kept for the next phrase that needs the block; the
blocks' document numbers come from the posting arrays the caller passes.
"""
from __future__ import annotations

from itertools import chain
from pickle import UnpicklingError, dumps, loads

import numpy as np
from whoosh.formats import Positions
from whoosh.reading import SegmentReader

from indexer.whooshfast import blocks

_POSITION_BITS = 32               # a (document, position) pair as one int64 key: doc << 32 | position
_MAX_POSITION = (1 << 31) - 1
_COUNT_BYTES = len(Positions().encode([])) - len(dumps([], 2))    # the position count before the pickle
_EMPTY = np.empty(0, np.int64)
_EMPTY.flags.writeable = False      # shared by every empty answer


class Unsupported(Exception):
    """Not a case this matcher handles: ask Whoosh."""


def match(reader, fieldname: str, words, slop: int = 1,
          word_docs: "list[np.ndarray] | None" = None, packed=None) -> tuple[np.ndarray, np.ndarray]:
    """(documents, phrase frequencies) of `Phrase(fieldname, words, slop)` in one segment: the
    documents Whoosh's `Phrase(...).docs(searcher)` yields for a searcher of this segment, in
    order, and for each the number of spans its matcher reports. Document numbers are local to
    the segment.

    `word_docs`, when given, are the segment's sorted documents of each word (deleted ones too, as
    `scoring.PostingsCache` reads them; empty when the segment lacks the word); else they are
    read here. `packed`, the segment's `packed.Packed` lists when it has them, gives the positions
    of the words it holds. Raises `Unsupported` for what only Whoosh handles.
    """
    empty = _EMPTY, _EMPTY
    if type(reader) is not SegmentReader or not words:
        raise Unsupported("not one segment, or no words")
    if fieldname not in reader.schema:
        return empty
    field = reader.schema[fieldname]
    if getattr(type(field.format), "decode_positions", None) is not Positions.decode_positions:
        raise Unsupported(f"{fieldname}: posting format {type(field.format).__name__}")
    if word_docs is not None and not all(docs.size for docs in word_docs):
        return empty                # a word the segment lacks (Whoosh: a null matcher)
    found = []
    for i, word in enumerate(words):
        try:
            rec = blocks.record(reader, fieldname, word)
        except ValueError:
            return empty
        if rec is None:
            return empty
        found.append(_Word(reader, rec, None if word_docs is None else word_docs[i], packed))
    try:
        return _match(found, reader, slop)
    except blocks.Unreadable as exc:
        raise Unsupported(str(exc)) from exc


def _match(words: "list[_Word]", reader, slop: int) -> tuple[np.ndarray, np.ndarray]:
    empty = _EMPTY, _EMPTY
    word_docs = [w.docs for w in words]
    candidates = _intersect(word_docs)
    if candidates.size and reader.has_deletions():
        deleted = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
        candidates = candidates[~np.isin(candidates, deleted)]
    if not candidates.size:
        return empty
    if len(words) == 1:         # Whoosh: every span of the one word, repeated positions included
        return _counts(_positions(words[0], candidates)[0])
    if slop == 1:
        starts = _next_to(candidates, [(i, words[i]) for i in np.argsort([d.size for d in word_docs],
                                                                         kind="stable").tolist()])
        return _counts(starts >> _POSITION_BITS)
    docs, pos = _positions(words[0], candidates)
    span_docs, starts, ends = _unique_spans(docs, pos, pos)
    for i in range(1, len(words)):
        if not span_docs.size:
            return empty
        docs, pos = _positions(words[i], _distinct(span_docs))
        span_docs, starts, ends = _extend(span_docs, starts, ends, docs, pos, slop)
    return _counts(span_docs)


def _keys(docs: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """(document, position) pairs as sortable int64 keys."""
    return (docs << _POSITION_BITS) | pos


def _next_to(candidates: np.ndarray, words: list) -> np.ndarray:
    """Slop 1: the (document, start) keys of the phrase's spans. A span (s, e) joins the next
    word's position e + 1 only, so word i of a span is at s + i and each start makes at most one
    span: the starts are those where every word i is at s + i, whatever order the words are
    checked in. `words` are (i, _Word) pairs, rarest first: the common words' positions are
    decoded only for the documents still left."""
    starts = None
    for i, word in words:
        docs, pos = _positions(word, candidates if starts is None else _distinct(starts >> _POSITION_BITS))
        keys = _keys(docs, pos)                             # sorted: by document, then position
        if starts is None:
            starts = _distinct(keys[pos >= i] - i)
        else:
            wanted = starts + i
            at = np.searchsorted(keys, wanted)
            at[at == keys.size] = 0
            starts = starts[keys[at] == wanted] if keys.size else starts[:0]
        if not starts.size:
            break
    return starts


def _distinct(values: np.ndarray) -> np.ndarray:
    """A sorted array without its repeats (`np.unique` without the sort, nor its first-call import
    of numpy.ma)."""
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct values, how often each occurs) of a sorted array."""
    if not values.size:
        return _EMPTY, _EMPTY
    firsts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return values[firsts], np.diff(np.append(firsts, values.size))


def _intersect(arrays: list[np.ndarray]) -> np.ndarray:
    """Sorted documents present in every (sorted) array, the shortest array first."""
    arrays = sorted(arrays, key=len)
    found = arrays[0]
    for docs in arrays[1:]:
        if not found.size:
            break
        at = np.searchsorted(docs, found)
        at[at == docs.size] = 0
        found = found[docs[at] == found]
    return found


def _extend(span_docs, starts, ends, docs, pos, slop: int):
    """The spans after one more word: a span (s, e) and a position p of the next word in the same
    document make (s, p) when 1 <= p - e <= slop (`SpanNear2`'s distance test for a word after
    the span; ordered, so a word before its start never joins). Duplicates count once."""
    if slop < 1 or not docs.size:
        return span_docs[:0], starts[:0], ends[:0]
    slop = min(slop, _MAX_POSITION)
    keys = _keys(docs, pos)                                     # sorted: by document, then position
    base = span_docs << _POSITION_BITS
    lo = np.searchsorted(keys, base | (ends + 1), side="left")
    hi = np.searchsorted(keys, base | np.minimum(ends + slop, _MAX_POSITION), side="right")
    counts = np.maximum(hi - lo, 0)
    which = np.repeat(np.arange(counts.size), counts)
    if not which.size:
        return span_docs[:0], starts[:0], ends[:0]
    first = np.repeat(lo - np.cumsum(counts) + counts, counts)  # lo of each span, once per pairing
    taken = first + np.arange(which.size)
    return _unique_spans(span_docs[which], starts[which], pos[taken])


def _unique_spans(docs, starts, ends):
    """(docs, starts, ends) without repeated triples, sorted by document."""
    if docs.size < 2:
        return docs, starts, ends
    order = np.lexsort((ends, starts, docs))
    docs, starts, ends = docs[order], starts[order], ends[order]
    keep = np.ones(docs.size, dtype=bool)
    keep[1:] = (docs[1:] != docs[:-1]) | (starts[1:] != starts[:-1]) | (ends[1:] != ends[:-1])
    return docs[keep], starts[keep], ends[keep]


class _Word:
    """One word's postings in the segment: its documents (sorted, deleted ones too) and where the
    value of each is (an inlined list's values, the blocks and the first posting of each, or the
    segment's packed arrays)."""

    def __init__(self, reader, rec: bytes, docs: "np.ndarray | None", packed=None):
        self.packed = None
        if packed is not None:
            i = packed.find(rec)
            if i >= 0 and packed.has_positions(i):
                self.packed, self.list = packed, i
                size = int(packed.starts[i + 1] - packed.starts[i])
                self.docs = docs if docs is not None and docs.size == size else packed.arrays(i)[0]
                return
        if blocks.is_inlined(rec):
            ids, _, values = blocks.inlined(rec)
            self.blocks, self.values = [], values
            self.docs = np.fromiter(ids, np.int64, len(ids))
            self.starts = _EMPTY
            return
        self.blocks = blocks.blocks(reader._terms._postfile, rec)
        counts = np.fromiter((b.count for b in self.blocks), np.int64, len(self.blocks))
        self.starts = np.cumsum(counts) - counts
        if docs is None or docs.size != int(counts.sum()):
            docs = blocks.arrays([blocks.head(b) for b in self.blocks])[0]
        self.docs = docs

    def index_of(self, docs: np.ndarray) -> np.ndarray:
        """Where the sorted `docs` (each of which has the word) are in the word's documents."""
        at = np.searchsorted(self.docs, docs)
        if at.size and (at[-1] >= self.docs.size or not np.array_equal(self.docs[at], docs)):
            raise Unsupported("a document's posting was not found")
        return at

    def values_of(self, docs: np.ndarray) -> list[bytes]:
        """The stored values of the sorted `docs` (each of which has the word), decoding only the
        blocks that hold them."""
        at = self.index_of(docs)
        if not self.blocks:
            return [self.values[j] for j in at.tolist()]
        if not at.size:
            return []
        which = np.searchsorted(self.starts, at, side="right") - 1
        local = (at - self.starts[which]).tolist()
        bounds = (np.flatnonzero(np.diff(which)) + 1).tolist()
        out = []
        for lo, hi in zip([0] + bounds, bounds + [which.size]):
            values = blocks.values(self.blocks[int(which[lo])])
            out += [values[j] for j in local[lo:hi]]
        return out


def _positions(word: _Word, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(document, position) of every position of the word in the sorted `docs` (each of which has
    it), by document then position as Whoosh decodes them."""
    if word.packed is not None:
        counts, positions = word.packed.positions(word.list, word.index_of(docs))
    else:
        values = word.values_of(docs)
        if len(values) != docs.size:
            raise Unsupported("a document's posting was not found")
        counts, positions = position_lists(values)
    return np.repeat(docs, counts), positions


def position_lists(values: "list[bytes]") -> tuple[np.ndarray, np.ndarray]:
    """(number of positions of each value, all the positions) of stored `Positions` values."""
    try:
        codes = [loads(value[_COUNT_BYTES:] if value.endswith(b".") else value[_COUNT_BYTES:] + b".")
                 for value in values]
        counts = np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))
        deltas = np.fromiter(chain.from_iterable(codes), dtype=np.int64, count=int(counts.sum()))
    except (AttributeError, TypeError, ValueError, OverflowError, UnpicklingError) as exc:   # not a plain position list
        raise Unsupported(f"positions: {exc}") from exc
    total = np.cumsum(deltas)
    starts = np.cumsum(counts) - counts
    nonempty = counts > 0
    before = np.zeros(counts.size, dtype=np.int64)
    before[nonempty] = total[starts[nonempty]] - deltas[starts[nonempty]]
    positions = total - np.repeat(before, counts)
    if deltas.size and (deltas.min() < 0 or positions.max() > _MAX_POSITION):
        raise Unsupported("positions not in order, or past 2**31")
    return counts, positions
