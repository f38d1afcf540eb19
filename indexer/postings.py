"""A fast path from field text to Whoosh postings, for indexing only.

Whoosh analyses a field by pushing one `Token` object through a chain of generators and then
groups the tokens by term, most of a build's writer time in Python. For the chains
`make_analyzer` and `make_exact_analyzer` build, `FastPositions` (a drop-in
`whoosh.formats.Positions`) takes the terms and positions from the analyzer's
`indexer.chain.Chain.positions` instead: the same pipeline, two dictionary lookups per token
(tests/test_analysis_chain.py compares it with Whoosh's path); any other analyzer, or a call
that is not plain indexing, goes through Whoosh's own path.
"""
from __future__ import annotations

import zlib
from array import array
from datetime import datetime
from itertools import chain
from operator import sub
from pickle import dumps

from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3PostingsWriter, W3TermInfo
from whoosh.fields import NUMERIC
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.filetables import _lengths as _KV_LENGTHS     # its (key length, value length) header
from whoosh.formats import Existence, Positions
from whoosh.system import pack_byte, pack_uint, pack_ushort
from whoosh.util.numeric import length_to_byte

from indexer.analysis import chain_of

ONE_POSITION: dict[int, bytes] = {}      # encoded position lists of one position, by position


def encode_positions(poslist: list[int]) -> bytes:
    """`Positions.encode`, with the common one-position lists cached (in `ONE_POSITION`)."""
    if len(poslist) == 1:
        pos = poslist[0]
        value = ONE_POSITION.get(pos)
        if value is None:
            value = ONE_POSITION[pos] = pack_uint(1) + dumps([pos], 2)
        return value
    deltas, base = [], 0
    for pos in poslist:
        deltas.append(pos - base)
        base = pos
    return pack_uint(len(deltas)) + dumps(deltas, 2)


def fast_positions(field, value) -> "dict[str, list[int]] | None":
    """term -> positions of `value` as `field` indexes it, when the fast path applies (else None)."""
    if not isinstance(field.format, FastPositions) or not isinstance(value, str):
        return None
    chain = chain_of(field.analyzer)
    return chain.positions(value) if chain is not None else None


def fast_index(field, value) -> "list[tuple] | None":
    """`list(field.index(value))` for an ID field or one number/date, without Whoosh's generator
    chain (one token object and one format pass per ID value; one full conversion per precision
    step of a DATETIME, eight per article); None when the field or value is any other kind."""
    if isinstance(field, NUMERIC):
        if field.shift_step and isinstance(value, (int, float, datetime)):
            first = field.to_bytes(value, 0)           # Whoosh's own conversion and range checks
            sortable = field._struct.unpack(first[1:])[0]
            return [(first, 1, 1.0, b"")] + [
                (pack_byte(shift) + field._struct.pack(sortable >> shift), 1, 1.0, b"")
                for shift in range(field.shift_step, field.bits, field.shift_step)]
    elif type(field.format) is Existence and type(field.analyzer) is IDTokenizer and type(value) is str:
        return [(value.encode("utf-8"), 1, field.format.field_boost, b"")]
    return None


class FastPositions(Positions):
    """`whoosh.formats.Positions` whose indexing path uses `Chain.positions` (same postings)."""

    def word_values(self, value, analyzer, **kwargs):
        chain = chain_of(analyzer) if kwargs.get("mode") == "index" and len(kwargs) == 1 else None
        if chain is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        for term, poslist in chain.positions(value).items():
            yield term, len(poslist), len(poslist) * fb, encode_positions(poslist)


class FieldLengths:
    """`doc_field_length` from per-field lists read once, instead of a column read per posting."""

    def __init__(self, lengths):
        self._lengths = lengths
        self._tables: dict[str, list[int]] = {}

    def column(self, fieldname: str, default: int = 0) -> list:
        """The field's stored length of every document (None or 0 where it has none)."""
        table = self._tables.get(fieldname)
        if table is None:
            read = self._lengths.doc_field_length
            table = self._tables[fieldname] = [read(n, fieldname, default)
                                               for n in range(self._lengths.doc_count_all())]
        return table

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        table = self.column(fieldname, default)
        return table[docnum] if docnum < len(table) else default


class _TermIndexWriter(OrderedHashWriter):
    """Whoosh's term index writer, counting its file position instead of asking the file twice
    per term (`tell()` was ~4 % of a build's CPU); the same bytes."""

    def __init__(self, dbfile):
        super().__init__(dbfile)
        self._pos = dbfile.tell()

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        pos = self._pos
        self.index.append(pos)
        write = self.dbfile.write
        write(_KV_LENGTHS.pack(len(key), len(value)))
        write(key)
        write(value)
        h = self.hashfn(key)
        self.buckets[h & 255].append((h, pos))
        self._pos = pos + _KV_LENGTHS.size + len(key) + len(value)
        self.lastkey = key


class _FieldWriter(W3FieldWriter):
    def __init__(self, codec, storage, segment):
        # W3FieldWriter.__init__ with the term index writer above
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = _TermIndexWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def add_postings(self, schema, lengths, items):
        return super().add_postings(schema, FieldLengths(lengths) if lengths else None, items)

    def add_term_postings(self, btext: bytes, postings: list, lengths: "list | None") -> None:
        """One term's whole posting list at once, flat (`[docnum, weight, vbytes, docnum, ...]` in
        docnum order, see segwriter.TermPool): the same files as `start_term`, one `add` per
        posting and `finish_term`."""
        writer = self._postwriter
        count = len(postings) // 3
        if count < writer._inlinelimit and count <= writer._blocklimit:
            # most terms: the whole list goes into the term index, no block, no term info object
            self._tindex.add(pack_ushort(self._fieldid) + btext, inlined_terminfo(postings, lengths))
            return
        self.start_term(btext)
        writer.add_many(postings, lengths)
        self.finish_term()


def _length_range(ids, lengths: "list | None") -> "tuple[int, int] | None":
    """(shortest, longest) stored field length of these documents; None when none has one
    (Whoosh's block statistics skip a posting whose length is 0 or missing)."""
    if lengths is None:
        return None
    found = [n for n in (lengths[d] for d in ids) if n]
    return (min(found), max(found)) if found else None


_FLOAT32: dict[float, float] = {}      # weight -> the weight as a 32-bit float gives it back


def inlined_terminfo(postings: list, lengths: "list | None") -> bytes:
    """`W3TermInfo.to_bytes()` of a (flat) posting list stored inline, as `_PostingsWriter` makes it."""
    if len(postings) == 3:              # most terms: one document (names, numbers, typos)
        docnum, weight, value = postings
        stored = _FLOAT32.get(weight)
        if stored is None:
            stored = _FLOAT32[weight] = array("f", (weight,))[0]
        length = lengths[docnum] if lengths is not None else 0
        byte = length_to_byte(length) if length else 0
        return W3TermInfo._struct.pack(1, 0 + stored, 1, byte, byte, max(0, weight), docnum, docnum) + dumps(
            ((docnum,), (stored,), (value,) if value else (None,)), 2)
    ids, weights, values = tuple(postings[0::3]), postings[1::3], postings[2::3]
    stored_weights = array("f", weights)
    minlength = maxlength = 0
    found = _length_range(ids, lengths)
    if found is not None:
        minlength, maxlength = length_to_byte(found[0]), length_to_byte(found[1])
    kept = tuple(filter(None, values))
    inlined = (ids, tuple(stored_weights), kept if kept else (None,) * len(ids))
    return W3TermInfo._struct.pack(1, 0 + sum(stored_weights), len(ids), minlength, maxlength,
                          max(0, max(weights)), ids[0], ids[-1]) + dumps(inlined, 2)


class _PostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        """`W3PostingsWriter._write_block` (the same bytes) with its per-posting Python loops done in
        C: the delta-encoded ids by `map`, the "all weights equal" checks by `array.count`."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids, weights = self._ids, self._weights
        if self._byteids:
            mini_ids = tuple(ids)
        else:
            mini_ids = tuple(map(sub, ids, chain((0,), ids)))
        count = len(weights)
        if weights.count(1.0) == count:
            mini_weights = None
        elif weights.count(weights[0]) == count:
            mini_weights = weights[0]
        else:
            mini_weights = tuple(weights)
        fixedsize = self._format.fixed_value_size()
        if fixedsize is None or fixedsize < 0:
            mini_values = tuple(self._values)
        elif fixedsize == 0:
            mini_values = None
        else:
            mini_values = b"".join(self._values)
        databytes = dumps((mini_ids, mini_weights, mini_values), 2)
        comp = self._compression
        if comp:
            databytes = zlib.compress(databytes, comp)
        infobytes = dumps((len(ids), ids[-1], self._maxweight, comp,
                           length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        blocklength = len(infobytes) + len(databytes)
        postfile = self._postfile
        postfile.write_int(-blocklength if last else blocklength)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def add_many(self, postings: list, lengths: "list | None") -> None:
        """`add_posting` for a whole (flat) posting list, a block at a time (same blocks, same
        statistics).

        `lengths` maps a docnum to the field's stored (quantised) length, None for unscored fields.
        """
        step = 3 * self._blocklimit
        for start in range(0, len(postings), step):
            if self._ids:                   # add_posting writes a full block when the next posting comes
                self._write_block()
            chunk = postings[start:start + step]
            ids, weights, values = chunk[0::3], chunk[1::3], chunk[2::3]
            self._ids.extend(ids)
            self._weights.extend(weights)
            self._values = [v for v in values if v]
            self._maxweight = max(0, max(weights))
            found = _length_range(ids, lengths)
            if found is not None:
                self._minlength, self._maxlength = found

    def finish_postings(self):
        # W3PostingsWriter calls a method W3TermInfo does not have (set_inline) when it inlines a
        # short posting list, so Whoosh's inlinelimit > 1 crashes; this is the intended behaviour.
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # value-less formats (ID fields) read back None per posting, as from a block
            values = self._values if self._values else (None,) * len(self._ids)
            terminfo.set_inlined(self._ids, self._weights, values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class WartaCodec(W3Codec):
    """Whoosh's W3 codec (same files, same readers) with a faster posting writer.

    Posting lists of fewer than `inlinelimit` documents are stored inside the term index instead
    of as a pickled, compressed block of their own: most terms of a news archive (names, numbers,
    typos) occur in very few documents, so this skips most block writes.
    """

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        # term vectors (byteids) are located by their extent in the postings file: never inlined
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                               compression=self._compression, inlinelimit=1 if byteids else self._inlinelimit)
