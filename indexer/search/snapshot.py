"""One opened index generation with its per-document arrays.

Facet counts, filters, date sorting and duplicate collapsing all run on numpy
arrays indexed by Whoosh document number, loaded once per generation from the
sortable columns.  A query then only has to produce its matching document
numbers; counting 20k hits per facet is a bincount, not a Python loop.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.util.times import datetime_to_long

from indexer import whooshfast
from indexer.search.scoring import PostingsCache, SegmentCache
from indexer.search.timeline import Days

NO_DATE = np.iinfo(np.int64).min
MAX_LONG = np.iinfo(np.int64).max


def _codes(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    names, codes = np.unique(np.array(values, dtype=object).astype(str), return_inverse=True)
    return names, codes.astype(np.int32)


def day_start(d: date) -> int:
    return datetime_to_long(datetime(d.year, d.month, d.day))


def day_end(d: date) -> int:
    return datetime_to_long(datetime(d.year, d.month, d.day, 23, 59, 59, 999999))


@dataclass
class Snapshot:
    generation: str
    path: Path
    ix: object
    doc_count: int
    alive: np.ndarray            # bool per docnum (False = deleted)
    section_names: np.ndarray
    section: np.ndarray          # int32 code per docnum
    month_names: np.ndarray
    month: np.ndarray
    published: np.ndarray        # int64 whoosh datetime longs; NO_DATE when missing
    date_order: np.ndarray       # docnums sorted oldest first (undated first)
    dup: np.ndarray              # int32 code per docnum (same story = same code)
    dup_sizes: np.ndarray        # live documents per dup code
    outlets: dict                # lowercase -> stored outlet value
    meta: dict
    days: Days                   # publication day numbers, for the timeline
    schema: object = None        # read once: FileIndex.schema unpickles the TOC on every access
    segment_cache: SegmentCache | None = None   # posting arrays per segment, shared across generations
    lexicon: object = None       # query expansion of this generation: curated + learned (indexer.learned)
    thesaurus: object = None     # news synonyms, keyed with this generation's analyzer (indexer.thesaurus)
    names: frozenset = frozenset()  # words the archive writes as names (indexer.names)
    _local: threading.local = field(default_factory=threading.local, repr=False)
    _postings: object = field(default=None, repr=False)
    _postings_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _vocab: object = field(default=None, repr=False)
    _common: list = field(default_factory=list, repr=False)
    _vocab_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, path: Path, meta: dict, segment_cache: SegmentCache | None = None) -> "Snapshot":
        ix = whoosh_index.open_dir(str(path))
        with ix.reader() as reader:
            alive = whooshfast.alive(reader)
            section_names, section = _codes(whooshfast.string_column(reader, "section"))
            month_names, month = _codes(whooshfast.string_column(reader, "month"))
            dup_names, dup = _codes(whooshfast.string_column(reader, "dup"))
            raw = whooshfast.numeric_column(reader, "published").astype(np.uint64)
            # an undated document reads back as the column default 2**64 - 1, which fits no int64
            published = np.where(raw <= np.uint64(MAX_LONG), raw, np.uint64(0)).astype(np.int64)
            published[raw > np.uint64(MAX_LONG)] = NO_DATE
            outlets = {o.lower(): o for o in set(whooshfast.string_column(reader, "outlet")) if o}
        # documents without a date have an empty month code; keep their published at NO_DATE
        empty_month = np.flatnonzero(month_names == "")
        if empty_month.size:
            published[month == empty_month[0]] = NO_DATE
        dup_sizes = np.bincount(dup[alive], minlength=len(dup_names))
        date_order = np.argsort(published, kind="stable")
        return cls(path.name, path, ix, int(alive.sum()), alive, section_names, section, month_names,
                   month, published, date_order, dup, dup_sizes, outlets, meta,
                   Days.of(published, published != NO_DATE), schema=ix.schema,
                   segment_cache=segment_cache)

    def searcher(self):
        """A Whoosh searcher for the calling thread (searchers are not thread-safe)."""
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
        return s

    def postings(self) -> PostingsCache:
        """Posting arrays and field lengths for numpy scoring (created once per generation)."""
        if self._postings is None:
            with self._postings_lock:
                if self._postings is None:
                    self._postings = PostingsCache(self.ix, len(self.alive), self.segment_cache)
        return self._postings

    def section_lookup(self) -> dict:
        return {str(s).lower(): str(s) for s in self.section_names}

    def mask_for(self, names: np.ndarray, codes: np.ndarray, wanted) -> np.ndarray:
        idx = np.flatnonzero(np.isin(names, list(wanted)))
        return np.isin(codes, idx)

    def vocabulary(self):
        """Sorted (term, doc frequency) arrays of the unstemmed `exact` field, for completion."""
        with self._vocab_lock:
            if self._vocab is None:
                terms, freqs = [], []
                with self.ix.reader() as reader:
                    for text, df in sorted(whooshfast.doc_frequencies(reader, "exact").items()):
                        if len(text) > 1 and not text.isdigit():
                            terms.append(text)
                            freqs.append(df)
                self._vocab = (np.array(terms, dtype=object), np.array(freqs, dtype=np.int64))
                # spelling candidates: words seen in at least two articles
                min_freq = 2 if self.doc_count >= 1000 else 1  # tiny indexes: every word counts
                self._common = [t for t, f in zip(terms, freqs) if f >= min_freq and len(t) >= 3]
            return self._vocab

    def common_vocabulary(self) -> list[str]:
        self.vocabulary()
        return self._common
