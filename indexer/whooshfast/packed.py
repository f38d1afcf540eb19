"""A segment's long posting lists as flat arrays in one file, written when a generation is
published and memory-mapped by searches, so a term's first search slices arrays instead of
decoding pickled blocks.

A posting list's first read costs work in proportion to its length: each block is unpickled and
partly decompressed for its ids and weights, and a phrase decompresses and unpickles whole blocks
of each word for the positions of its candidate documents (at CLICK-ID size 1-8 ms per query of
common words, the tail of the first minute after a deploy). Segments never change once written,
so those arrays can be computed once per segment, next to its files: ``MAIN_<segment>.wpk``, a
name Whoosh's clean-up deletes with its segment, and which an update's hard-link copy keeps.

Only lists of at least `min_postings` documents are kept (shorter ones cost about one record
lookup either way); a list whose values are not plain position lists keeps its ids and weights
only, and phrases read its positions from the blocks as before. The arrays are the ones the block
readers produce (tests/test_whooshfast_packed.py compares them for every term of a built index).

Layout, little-endian: the magic, then five uint64 counts (lists, postings, positions, and two
reserved), then the arrays, each starting on 8 bytes: keys (int64, the lists' offsets in the
segment's postings file, ascending: the term index record of a list holds it), list starts
(int64, lists + 1, into the postings), position flags (uint8 per list: 1 = positions kept),
ids (int32), weights (float32), position starts (int64, postings + 1, into the positions),
positions (int32).
"""
from __future__ import annotations

import mmap
import multiprocessing
import os
import struct
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.formats import Positions
from whoosh.system import unpack_ushort

from indexer.whooshfast import blocks
from indexer.whooshfast.phrases import Unsupported, position_lists

MAGIC = b"WARTAPK1"
_HEADER = struct.Struct("<8s5Q")
SUFFIX = ".wpk"
_EXTENT = struct.Struct("!Qi")


def path_of(folder, segment_id: str) -> Path:
    """The packed file of a segment (`segment_id` is "MAIN_<id>", as its other files begin)."""
    return Path(folder) / f"{segment_id}{SUFFIX}"


def list_offset(rec: bytes) -> "int | None":
    """Where a term index record's list starts in the postings file (None for an inlined list)."""
    if blocks.is_inlined(rec):
        return None
    return _EXTENT.unpack_from(rec, blocks._TERMINFO.size)[0]


def _positional(field) -> bool:
    return getattr(type(field.format), "decode_positions", None) is Positions.decode_positions


def write(leaf, path: Path, min_postings: int) -> int:
    """Write the packed lists of one segment's reader (a leaf reader) to `path` (atomically, via a
    temporary name); positions are decoded as phrases decode them. Returns the lists written."""
    terms = leaf._terms
    fieldnames = {num: name for name, num in terms._fieldmap.items()}
    found = []                  # (pst offset, rec) of long lists, with their field
    for key, rec in terms._tindex.items():
        if blocks.is_inlined(rec) or blocks._TERMINFO.unpack_from(rec)[2] < min_postings:
            continue
        name = fieldnames.get(unpack_ushort(key[:2])[0])
        if name is None or name not in leaf.schema:
            continue
        found.append((list_offset(rec), rec, leaf.schema[name]))
    found.sort(key=lambda item: item[0])
    keys, list_sizes, flags, ids, weights, counts, positions = [], [], [], [], [], [], []
    postfile = terms._postfile
    for offset, rec, field in found:
        try:
            bl = blocks.blocks(postfile, rec)
            docs, w = blocks.arrays([blocks.head(b) for b in bl])
        except blocks.Unreadable:
            continue
        pos = None
        if _positional(field):
            try:
                values = [v for b in bl for v in blocks.decode(b)[2]]
                if len(values) == docs.size:
                    pos = position_lists(values)
            except (Unsupported, blocks.Unreadable):     # not plain position lists: phrases read the blocks
                pos = None
        keys.append(offset)
        list_sizes.append(docs.size)
        ids.append(docs.astype(np.int32))
        weights.append(w)
        flags.append(1 if pos is not None else 0)
        counts.append(pos[0] if pos is not None else np.zeros(docs.size, np.int64))
        if pos is not None:
            positions.append(pos[1].astype(np.int32))
    arrays = [
        np.asarray(keys, dtype="<i8"),
        np.concatenate(([0], np.cumsum(list_sizes, dtype=np.int64))).astype("<i8"),
        np.asarray(flags, dtype=np.uint8),
        _cat(ids, "<i4"),
        _cat(weights, "<f4"),
        np.concatenate(([0], np.cumsum(_cat(counts, "<i8")))).astype("<i8"),
        _cat(positions, "<i4"),
    ]
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(_HEADER.pack(MAGIC, len(keys), arrays[3].size, arrays[6].size, 0, 0))
        for a in arrays:
            fh.write(a.tobytes())
            fh.write(b"\0" * (-a.nbytes % 8))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return len(keys)


def _cat(parts: list, dtype: str) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype)


class Packed:
    """The packed lists of one segment, memory-mapped (read-only, shareable across threads)."""

    def __init__(self, buf):
        magic, n_lists, n_postings, n_positions, _, _ = _HEADER.unpack_from(buf)
        if magic != MAGIC:
            raise ValueError("not a packed postings file")
        at = _HEADER.size
        shapes = [("<i8", n_lists), ("<i8", n_lists + 1), ("u1", n_lists), ("<i4", n_postings),
                  ("<f4", n_postings), ("<i8", n_postings + 1), ("<i4", n_positions)]
        out = []
        for dtype, count in shapes:
            a = np.frombuffer(buf, dtype=dtype, count=count, offset=at)
            out.append(a)
            at += a.nbytes + (-a.nbytes % 8)
        if at - (-out[-1].nbytes % 8) > len(buf):
            raise ValueError("packed postings file is cut short")
        self.keys, self.starts, self.flags, self.ids, self.weights, self.pos_starts, self.pos = out

    @classmethod
    def open(cls, path: Path) -> "Packed | None":
        """The file's lists, or None when there is no (readable) file."""
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < _HEADER.size:
                    return None
                buf = mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_READ)
        except OSError:
            return None
        try:
            return cls(buf)
        except ValueError:
            return None

    def find(self, rec: bytes) -> int:
        """The list number of a term index record, -1 when it is not packed."""
        offset = list_offset(rec)
        if offset is None or not self.keys.size:
            return -1
        i = int(np.searchsorted(self.keys, offset))
        return i if i < self.keys.size and int(self.keys[i]) == offset else -1

    def arrays(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers as int64, weights as float32) of list `i`."""
        lo, hi = int(self.starts[i]), int(self.starts[i + 1])
        return self.ids[lo:hi].astype(np.int64), self.weights[lo:hi].copy()

    def has_positions(self, i: int) -> bool:
        return bool(self.flags[i])

    def positions(self, i: int, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(counts, positions as int64) of the postings at indices `at` (ascending) of list `i`."""
        base = int(self.starts[i])
        first = self.pos_starts[base + at]
        counts = self.pos_starts[base + at + 1] - first
        total = int(counts.sum())
        if not total:
            return counts, np.empty(0, np.int64)
        idx = np.arange(total, dtype=np.int64) + np.repeat(first - (np.cumsum(counts) - counts), counts)
        return counts, self.pos[idx].astype(np.int64)


def write_missing(ix, min_postings: int, procs: int = 1) -> int:
    """Write the packed lists of each segment of `ix` that has no file yet (a build's segments, an
    update's new or merged ones), in up to `procs` processes; returns how many files were written.
    `min_postings` 0: none."""
    folder = getattr(ix.storage, "folder", None)
    if folder is None or min_postings <= 0:
        return 0
    missing = [sid for sid in (s.segment_id() for s in ix._segments()) if not path_of(folder, sid).exists()]
    if procs > 1 and len(missing) > 1:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(procs, len(missing)), mp_context=context) as pool:
            list(pool.map(_write_segment, [(str(folder), ix.indexname, sid, min_postings) for sid in missing]))
    else:
        for sid in missing:
            _write_segment((str(folder), ix.indexname, sid, min_postings))
    return len(missing)


def _write_segment(job: tuple) -> None:
    folder, indexname, segment_id, min_postings = job
    with whoosh_index.open_dir(folder, indexname=indexname).reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            if leaf.segment().segment_id() == segment_id:
                write(leaf, path_of(folder, segment_id), min_postings)


def open_segments(ix) -> "dict[str, Packed]":
    """segment id -> its packed lists, for the segments of `ix` that have a file."""
    folder = getattr(ix.storage, "folder", None)
    if folder is None:
        return {}
    out = {}
    for segment in ix._segments():
        packed = Packed.open(path_of(folder, segment.segment_id()))
        if packed is not None:
            out[segment.segment_id()] = packed
    return out
