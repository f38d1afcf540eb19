"""Whole Whoosh columns as numpy arrays, read segment by segment in a few calls.

Whoosh's column readers return one value per call (a seek, a read and an unpack each), which a
new generation's facet, date and field-length arrays cannot afford (docs/decisions.md, "Column
arrays"). The fixed-width (numeric) and variable-width (bytes) column files are laid out so that
a segment's whole column is one read; anything else falls back to Whoosh's own iteration.
"""
from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import EmptyColumnReader, NumericColumn, VarBytesColumn
from whoosh.util.numeric import byte_to_length

_BYTE_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)


def _leaf_column(leaf, fieldname: str, column):
    if not leaf._perdoc.has_column(fieldname):
        return None
    return leaf._perdoc.column_reader(fieldname, column)


def _numeric(reader, n: int, typecode: str, default) -> np.ndarray:
    """A NumericColumn reader's values: stored big-endian, missing trailing documents = default."""
    dtype = np.dtype(">" + typecode)
    count = min(reader._count, n)
    out = np.empty(n, dtype=dtype.newbyteorder("="))
    out[:count] = np.frombuffer(reader._dbfile.get(reader._basepos, count * dtype.itemsize), dtype=dtype)
    out[count:] = default
    return out


def numeric_column(ix_reader, fieldname: str, column=None) -> np.ndarray:
    """One value per document number of a numeric column (e.g. a DATETIME field's longs)."""
    column = column or ix_reader.schema[fieldname].column_type
    parts = []
    for leaf, _offset in ix_reader.leaf_readers():
        n = leaf.doc_count_all()
        reader = _leaf_column(leaf, fieldname, column)
        if reader is None:
            parts.append(np.full(n, column.default_value(), dtype=np.dtype(column._typecode)))
        elif isinstance(column, NumericColumn) and isinstance(reader, NumericColumn.Reader):
            parts.append(_numeric(reader, n, column._typecode, column.default_value()))
        else:
            parts.append(np.fromiter(iter(reader), dtype=np.dtype(column._typecode), count=n))
    return np.concatenate(parts) if parts else np.empty(0)


def field_lengths(ix_reader, fieldname: str) -> np.ndarray:
    """Indexed length of `fieldname` per document, as BM25 sees it (Whoosh's one-byte encoding)."""
    parts = []
    for leaf, _offset in ix_reader.leaf_readers():
        n = leaf.doc_count_all()
        reader = _leaf_column(leaf, _lenfield(fieldname), LENGTHS_COLUMN)
        if reader is None:
            parts.append(np.zeros(n, dtype=np.uint8))
        else:
            parts.append(_numeric(reader, n, "B", 0))
    codes = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint8)
    return _BYTE_LENGTHS[codes]


def string_column(ix_reader, fieldname: str) -> list[str]:
    """The column values (decoded text) of a sortable ID field, one per document number."""
    field = ix_reader.schema[fieldname]
    column = field.column_type
    out: list[str] = []
    for leaf, _offset in ix_reader.leaf_readers():
        n = leaf.doc_count_all()
        reader = _leaf_column(leaf, fieldname, column)
        if reader is None or isinstance(reader, EmptyColumnReader):
            out.extend([field.from_column_value(column.default_value())] * n)
        elif isinstance(column, VarBytesColumn) and isinstance(reader, VarBytesColumn.Reader):
            lengths = np.asarray(reader._lengths, dtype=np.int64)
            offsets = np.asarray(reader._offsets, dtype=np.int64)
            data = reader._dbfile.get(reader._basepos, int(offsets[-1] + lengths[-1])) if n else b""
            values = [data[o:o + ln] for o, ln in zip(offsets.tolist(), lengths.tolist())]
            out.extend(v.decode("utf-8") for v in values)
        else:
            out.extend(field.from_column_value(v) for v in reader)
    return out


def alive(ix_reader) -> np.ndarray:
    """False for deleted document numbers."""
    mask = np.ones(ix_reader.doc_count_all(), dtype=bool)
    for leaf, offset in ix_reader.leaf_readers():
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.deleted_docs_set, dtype=np.int64)
            mask[offset + deleted] = False
    return mask
