"""BM25F matching and scoring on numpy arrays.

Whoosh's collectors score one document at a time in Python, which made a
five-field OR query over 20k articles cost hundreds of milliseconds.  Here each
term's postings are read once into arrays (document numbers and term
frequencies, cached per generation), and a query tree is evaluated as
vectorised unions and intersections over dense per-document arrays.  Phrases
are matched on position arrays too (indexer/whooshfast/phrases.py) and scored as
the sum of their terms.  The formula is Whoosh's BM25F: per field,
``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_length))``,
times the query clause's boost.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
from whoosh import query as Q

from indexer import whooshfast

K1, B = 1.2, 0.75
SCORED_FIELDS = ("title", "lead", "body", "caption", "exact")
CACHE_TERMS = 20_000


def _bounded_put(cache: OrderedDict, key, value):
    """Store `value` in a per-generation cache of at most CACHE_TERMS entries (oldest out); returns it."""
    cache[key] = value
    if len(cache) > CACHE_TERMS:
        cache.pop(next(iter(cache)), None)      # threads may race to evict the same key
    return value


class SegmentCache:
    """Posting arrays and phrase matches per (segment, field, term), bounded by bytes.

    Segments never change once written and an update hard-links them into the next generation,
    so what was read for one generation is still right for the next: after an update only the
    new segments are read, instead of every term again (at 220k articles a cold query costs
    ~0.6 s, and each update used to make every serving process cold). Document numbers are local
    to the segment; deletions are applied by the generation's `alive` mask.
    """

    def __init__(self, max_mb: int = 256):
        self.max_bytes = max_mb * 1024 * 1024
        self.bytes = 0
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, key, value) -> None:
        size = sum(a.nbytes for a in value) if isinstance(value, tuple) else value.nbytes
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes and len(self._entries) > 1:
                _, old = self._entries.popitem(last=False)
                self.bytes -= sum(a.nbytes for a in old) if isinstance(old, tuple) else old.nbytes


class PostingsCache:
    """Posting arrays of one generation, assembled from its segments' cached arrays.

    Whoosh files are not thread-safe: reads of a segment are serialised.
    """

    def __init__(self, ix, n_docs: int, segments: SegmentCache | None = None):
        self.ix = ix
        self.n_docs = n_docs
        self.segments = segments if segments is not None else SegmentCache()
        self._reader = ix.reader()
        self._leaves = [(seg, offset, seg.segment().segment_id()) for seg, offset in self._reader.leaf_readers()]
        self._packed = whooshfast.packed_segments(ix)     # long lists, written at publish time
        self._lock = threading.Lock()
        self._cache: OrderedDict = OrderedDict()
        self._scored: OrderedDict = OrderedDict()
        self.lengths = {f: self._field_lengths(f) for f in SCORED_FIELDS if f in ix.schema}
        self.avg = {f: max(float(a.mean()), 1.0) if a.size else 1.0 for f, a in self.lengths.items()}

    def _field_lengths(self, field: str) -> np.ndarray:
        return whooshfast.field_lengths(self._reader, field)

    def _segment_postings(self, seg, segment_id: str, field: str, text: str):
        key = (segment_id, field, text)
        value = self.segments.get(key)
        if value is None:
            with self._lock:      # a segment's files are shared: one read at a time
                value = whooshfast.posting_arrays(seg, field, text, self._packed.get(segment_id))
            self.segments.put(key, value)
        return value

    def get(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, text)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        parts = [(ids + offset, weights) for seg, offset, sid in self._leaves
                 for ids, weights in [self._segment_postings(seg, sid, field, text)] if ids.size]
        value = ((np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])) if parts
                 else (np.empty(0, np.int64), np.empty(0, np.float32)))
        return _bounded_put(self._cache, key, value)

    def scored(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(documents, BM25F contribution at boost 1) of a term in a scored field, cached like `get`:
        idf, length normalisation and saturation are the same for every query of the generation."""
        key = (field, text)
        hit = self._scored.get(key)
        if hit is not None:
            return hit
        docs, tf = self.get(field, text)
        if docs.size:
            norm = K1 * ((1 - B) + B * self.lengths[field][docs] / self.avg[field])
            value = docs, (self.idf(docs) * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        else:
            value = docs, tf
        return _bounded_put(self._scored, key, value)

    def phrase_docs(self, searcher, q) -> np.ndarray:
        """Documents containing a phrase, segment by segment (positions checked by indexer.whooshfast.phrases,
        or by Whoosh where that does not apply), cached."""
        phrase = Q.Phrase(q.fieldname, q.words, slop=q.slop)
        leaves = {sid: seg for seg, _, sid in self._leaves}
        parts = []
        for sub, offset in searcher.leaf_searchers():     # the calling thread's own searcher
            sid = sub.reader().segment().segment_id()
            key = (sid, "\x00phrase", q.fieldname, tuple(q.words), q.slop)
            docs = self.segments.get(key)
            if docs is None:
                seg = leaves.get(sid)
                word_docs = ([self._segment_postings(seg, sid, q.fieldname, w)[0] for w in q.words]
                             if seg is not None else None)       # read by whooshfast.phrase_docs instead
                try:
                    docs = whooshfast.phrase_docs(sub.reader(), q.fieldname, q.words, q.slop, word_docs,
                                                  self._packed.get(sid))[0]
                except whooshfast.PhraseUnsupported:
                    docs = np.fromiter(phrase.docs(sub), dtype=np.int64)
                self.segments.put(key, docs)
            parts.append(docs + offset)
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def idf(self, docs: np.ndarray) -> float:
        df = docs.size
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))


class Evaluator:
    """Evaluates a Whoosh query tree to (match mask, score array) over all document numbers."""

    def __init__(self, postings: PostingsCache, searcher, alive: np.ndarray, score: bool = True):
        self.p = postings
        self.searcher = searcher
        self.alive = alive
        self.n = alive.size
        self.score = score

    def run(self, q) -> tuple[np.ndarray, np.ndarray]:
        mask, scores = self._eval(q)
        return mask & self.alive, scores

    def mask(self, q) -> np.ndarray:
        """The documents a query matches, unscored (for exclusions)."""
        return Evaluator(self.p, self.searcher, self.alive, score=False)._eval(q)[0]

    def _empty(self):
        return np.zeros(self.n, dtype=bool), np.zeros(self.n, dtype=np.float32)

    def _term(self, field: str, text: str, boost: float):
        mask, scores = self._empty()
        self._add_term(field, text, boost, mask, scores)
        return mask, scores

    def _add_term(self, field: str, text: str, boost: float, mask: np.ndarray, scores: np.ndarray) -> None:
        """Mark a term's documents in `mask` and add its BM25F score to `scores` (work per posting,
        not per document of the archive: a document occurs once in a term's postings)."""
        if self.score and field in self.p.lengths:
            docs, base = self.p.scored(field, text)
            if docs.size:
                mask[docs] = True
                scores[docs] += boost * base
        else:
            docs, _ = self.p.get(field, text)
            mask[docs] = True

    def _eval(self, q):
        if isinstance(q, Q.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, Q.Or):
            mask, scores = self._empty()
            for sub in q.subqueries:
                if isinstance(sub, Q.Term):
                    self._add_term(sub.fieldname, sub.text, sub.boost, mask, scores)
                    continue
                m, s = self._eval(sub)
                mask |= m
                scores += s
            return mask, scores
        if isinstance(q, Q.And):
            mask = np.ones(self.n, dtype=bool)
            scores = np.zeros(self.n, dtype=np.float32)
            for sub in q.subqueries:
                m, s = self._eval(sub)
                mask &= m
                scores += s
            scores[~mask] = 0
            return mask, scores
        if isinstance(q, Q.AndNot):
            mask, scores = self._eval(q.a)
            neg, _ = Evaluator(self.p, self.searcher, self.alive, score=False)._eval(q.b)
            mask &= ~neg
            scores[~mask] = 0
            return mask, scores
        if isinstance(q, Q.Phrase):
            return self._phrase(q)
        if isinstance(q, Q.Every):
            return np.ones(self.n, dtype=bool), np.zeros(self.n, dtype=np.float32)
        if q is Q.NullQuery:
            return self._empty()
        # anything else: let Whoosh find the documents, no score contribution
        mask, scores = self._empty()
        docs = np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        mask[docs] = True
        return mask, scores

    def _phrase(self, q: Q.Phrase):
        # cheap pre-check: every word must occur in the field
        terms = [self._term(q.fieldname, w, q.boost) for w in q.words]
        candidates = np.logical_and.reduce([m for m, _ in terms]) if terms else np.zeros(self.n, bool)
        if not candidates.any():
            return self._empty()
        mask = np.zeros(self.n, dtype=bool)
        mask[self.p.phrase_docs(self.searcher, q)] = True
        mask &= candidates
        scores = np.zeros(self.n, dtype=np.float32)
        if self.score:
            for _, s in terms:
                scores += s
            scores[~mask] = 0
        return mask, scores
