"""Field formats and per-field postings for indexing, computed without Whoosh's token chain.

`FastPositions` is a drop-in `whoosh.formats.Positions` (the schema pickles it: its class path is
on disk, see `__module__` below) whose indexing path takes a text's terms and positions from
the analyzer's `indexer.chain.Chain.positions` (the one token pipeline); `fast_positions` and `fast_index` give `TermPoolWriter`
the same postings directly. Query-time calls and other analyzers take Whoosh's path.
"""
from __future__ import annotations

from datetime import datetime
from pickle import dumps

from whoosh.analysis.tokenizers import IDTokenizer
from whoosh.fields import NUMERIC
from whoosh.formats import Existence, Positions
from whoosh.system import pack_byte, pack_uint

from indexer.analysis import chain_of

# Whoosh pickles the schema (with this format) and each segment's codec into the index's TOC, by
# module path. Indexes written before this package existed name `indexer.postings`, which still
# re-exports both classes; new indexes name it too, so their files are byte-identical to older
# builds' and an older Warta (a rollback) still opens them.
PICKLED_MODULE = "indexer.postings"

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

    __module__ = PICKLED_MODULE      # the schema in an index's TOC names it so (see PICKLED_MODULE)

    def word_values(self, value, analyzer, **kwargs):
        chain = chain_of(analyzer) if kwargs.get("mode") == "index" and len(kwargs) == 1 else None
        if chain is None:
            yield from super().word_values(value, analyzer, **kwargs)
            return
        fb = self.field_boost
        for term, poslist in chain.positions(value).items():
            yield term, len(poslist), len(poslist) * fb, encode_positions(poslist)
