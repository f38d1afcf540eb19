"""A term's W3 posting list read straight from the segment's files: the term index record, the
blocks of the postings file, and each block's pickled (ids, weights, values) decoded only as far
as the caller needs.

Whoosh decodes a whole block (zlib, then one pickle of document deltas, weights and values) to
hand out any part of it. Most of that is the values: a text field's position lists, pickled with
protocol 2 as one `_codecs.encode(str, "latin1")` call each, several times the cost of the ids and
weights together. Posting arrays need no values, so `head` decompresses the beginning of a block
and unpickles the ids and weights alone; phrases decode `values` only for the blocks that hold
their documents. What is not the plain layout raises `Unreadable`, and callers take Whoosh's path.
"""
from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from itertools import chain
from pickle import UnpicklingError, dumps, loads
from typing import Iterator, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo

_TERMINFO = W3TermInfo._struct                  # its layout is checked by reading.py at import
_EXTENT = struct.Struct("!Qi")                  # a block list's offset and length in the postings file
_BLOCK_LENGTH = struct.Struct("!i")             # negative for the last block
# The first value of a block: protocol 2 pickles bytes as _codecs.encode(str, "latin1"), starting
# with this GLOBAL opcode. None of its bytes is an opcode that ids or weights use, and it is longer
# than any argument of theirs, so its first occurrence is where the values begin.
_VALUES_START = b"c_codecs\nencode\n"
_MARK = 0x28                                    # "(": a tuple of more than three items follows
_TUPLE2_STOP = b"\x86."
_DECODE_ERRORS = (UnpicklingError, ValueError, TypeError, EOFError, IndexError, KeyError, zlib.error)


class Unreadable(Exception):
    """Not the layout this module reads: use Whoosh's matcher instead."""


class Block(NamedTuple):
    count: int          # postings in the block
    last: int           # its last document number
    compressed: bool
    data: bytes         # the pickled (ids, weights, values), zlib-compressed when `compressed`


def record(leaf, fieldname: str, text: str) -> "bytes | None":
    """The term index's record of a term in one segment's reader, None when the segment lacks it."""
    field = leaf.schema[fieldname] if fieldname in leaf.schema else None
    if field is None:
        return None
    terms = leaf._terms
    try:
        return terms._tindex[terms._keycoder(fieldname, field.to_bytes(text))]
    except KeyError:
        return None


def is_inlined(rec: bytes) -> bool:
    """A short list stored in the term index itself (the record's flags) rather than in blocks."""
    return bool(rec[0])


def inlined(rec: bytes) -> tuple:
    """(ids, weights, values) of an inlined list, as Whoosh pickles them."""
    return loads(rec[_TERMINFO.size:])


def inlined_head(rec: bytes) -> tuple:
    """(ids, weights) of an inlined list, without decoding its values."""
    data = rec[_TERMINFO.size:]
    count = _TERMINFO.unpack_from(rec)[2]
    found = _cut(data, count)
    return found if found is not None else loads(data)[:2]


def blocks(postfile, rec: bytes) -> list[Block]:
    """The blocks of a list stored in the postings file (one read of the whole list)."""
    offset, length = _EXTENT.unpack_from(rec, _TERMINFO.size)
    return list(_walk(postfile.get(offset, length)))


def _walk(buf: bytes) -> Iterator[Block]:
    if buf[:len(WHOOSH3_HEADER_MAGIC)] != WHOOSH3_HEADER_MAGIC:
        raise Unreadable("no block header")
    view = memoryview(buf)
    pos, end = len(WHOOSH3_HEADER_MAGIC), len(buf)
    while pos < end:
        length = _BLOCK_LENGTH.unpack_from(buf, pos)[0]
        pos += _BLOCK_LENGTH.size
        stop = pos + abs(length)
        try:
            info = loads(view[pos:stop])          # the block's info tuple; its data follows it
        except _DECODE_ERRORS as exc:
            raise Unreadable(f"block info: {exc}") from exc
        head = dumps(info, 2)                     # how many bytes it took: the same pickle again
        if not isinstance(info, tuple) or len(info) < 4 or buf[pos:pos + len(head)] != head:
            raise Unreadable("block info")
        yield Block(info[0], info[1], bool(info[3]), buf[pos + len(head):stop])
        pos = stop
        if length < 0:
            return
    raise Unreadable("no last block")


def head(block: Block) -> tuple:
    """(id deltas, weights) of a block: weights as Whoosh stores them (None: all 1.0, a float:
    all that value, else one per posting). Only the start of the block is decompressed."""
    if block.compressed:
        try:
            start = zlib.decompressobj().decompress(block.data, 14 * block.count + 64)
        except zlib.error as exc:
            raise Unreadable(f"block data: {exc}") from exc
    else:
        start = block.data
    found = _cut(start, block.count)
    return found if found is not None else decode(block)[:2]


def arrays(heads: list[tuple]) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights as float32) from the `head`s of a list's blocks, in order (ids
    are delta-coded within each block)."""
    counts = np.fromiter((len(d) for d, _ in heads), np.int64, len(heads))
    total = int(counts.sum())
    deltas = np.fromiter(chain.from_iterable(d for d, _ in heads), np.int64, total)
    running = np.cumsum(deltas)
    starts = np.cumsum(counts) - counts
    ids = running - np.repeat(running[starts] - deltas[starts], counts)
    weights = np.fromiter(chain.from_iterable(
        w if type(w) is tuple else (1.0 if w is None else w,) * len(d) for d, w in heads), np.float32, total)
    return ids, weights


def decode(block: Block) -> tuple:
    """The whole (id deltas, weights, values) of a block."""
    try:
        data = loads(zlib.decompress(block.data) if block.compressed else block.data)
    except _DECODE_ERRORS as exc:
        raise Unreadable(f"block data: {exc}") from exc
    if not isinstance(data, tuple) or len(data) != 3:
        raise Unreadable("block data")
    return data


class ValueCache:
    """Decoded values of blocks, keyed by the block's stored bytes (so an entry is right for any
    index and generation that holds the block), the least recently used dropped past
    `max_bytes`. A common word's blocks serve many phrases ("indonesia" is in a dozen of the
    benchmark's), and a phrase's words are often those the warm-up's phrases decoded."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> "tuple | None":
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            self._entries.move_to_end(key)
            return hit[0]

    def put(self, key, values: tuple) -> None:
        size = len(key[1]) + sum(map(len, values)) + _VALUE_OVERHEAD * len(values)
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (values, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                self.bytes -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.bytes = 0


_VALUE_OVERHEAD = 48                # a bytes object's header and its slot in the tuple
VALUES = ValueCache(32 * 1024 * 1024)


def values(block: Block) -> tuple:
    """The values of a block, one per posting (decoded once, then from `VALUES`)."""
    key = (block.compressed, block.data)
    found = VALUES.get(key)
    if found is None:
        found = decode(block)[2]
        if type(found) is not tuple or len(found) != block.count:
            raise Unreadable("block values")
        VALUES.put(key, found)
    return found


def _cut(data: bytes, count: int) -> "tuple | None":
    """(ids, weights) from the part of a pickled (ids, weights, values) before its values, or None
    when that part cannot be told apart (no bytes values, another layout)."""
    at = data.find(_VALUES_START)
    if at < 2:
        return None
    # A tuple of more than three values starts with a MARK; a shorter one does not, and then the
    # byte before may be "(" by chance (inside a float): both readings are tried and checked.
    for end in ((at - 1, at) if data[at - 1] == _MARK else (at,)):
        try:
            found = loads(data[:end] + _TUPLE2_STOP)
        except _DECODE_ERRORS:
            continue
        if type(found) is not tuple or len(found) != 2:
            continue
        ids, weights = found
        if (type(ids) is tuple and len(ids) == count
                and (weights is None or type(weights) is float
                     or (type(weights) is tuple and len(weights) == count))):
            return found
    return None
