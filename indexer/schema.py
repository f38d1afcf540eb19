"""The Whoosh schema, and the mapping from an Article to index fields.

Text fields use the stemmed Indonesian analyzer; `exact` keeps an unstemmed
copy of title, lead and caption for exact-form boosting and "did you mean".
Facet and sort fields are sortable ID/DATETIME columns, read as arrays at
search time (no DateRangeFacet: it evaluates a range query per bucket).
"""
from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from indexer.analysis import make_analyzer, make_exact_analyzer
from indexer.config import AnalysisSettings
from indexer.memo import cached_map
from indexer.postings import FastPositions
from indexer.records import Article

TEXT_FIELDS = ("title", "lead", "body", "caption")
_WORD = re.compile(r"\w+", re.UNICODE)


def _text(**kwargs) -> TEXT:
    """A positional TEXT field whose postings are computed by the fast path (indexer.postings)."""
    field = TEXT(**kwargs)
    field.format = FastPositions(field_boost=field.format.field_boost)
    return field


def make_schema(analysis: AnalysisSettings) -> Schema:
    stemmed = make_analyzer(analysis)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        url=ID(stored=True),
        title=_text(stored=True, analyzer=stemmed),
        lead=_text(stored=True, analyzer=stemmed),
        body=_text(analyzer=stemmed),             # the body after the lead (the lead has its own field)
        text=STORED,                               # the whole body as written, for display and snippets
        caption=_text(stored=True, analyzer=stemmed),
        exact=_text(analyzer=make_exact_analyzer(analysis), spelling=True),
        section=ID(stored=True, sortable=True),
        subsection=ID(stored=True),
        outlet=ID(stored=True, sortable=True),
        source=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
        month=ID(stored=True, sortable=True),
        dup=ID(stored=True, sortable=True),
        content_hash=ID(stored=True, sortable=True),
        date_conflict=STORED,
    )


def _word_hash(word: str) -> int:
    """CRC-32 of a word with bit 32 set (never 0, so never falsy)."""
    return zlib.crc32(word.encode("utf-8", "surrogatepass")) | 1 << 32


def duplicate_key(article: Article) -> str:
    """Signature shared by copies of the same story (wire copies, press releases).

    Normalised title words plus the first body words: outlets re-run Antara or a
    press release with the same headline and opening, but change punctuation,
    datelines and trailers.
    """
    title = _WORD.findall(article.title.lower())
    body = _WORD.findall(article.lead.lower() or article.body[:600].lower())
    key = " ".join(title) + "|" + " ".join(body[:12])
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class DuplicateFinder:
    """Gives copies of one story the same `dup` signature across a build or update.

    An article gets the signature of the first article read that has the same normalised title
    and opening (`duplicate_key`), or a body whose opening word 3-grams overlap with its own by
    Jaccard >= `threshold` and that was published within `max_days` of it (wire copies and press
    releases run by several outlets under their own headlines; a series of templated daily
    reports, such as gold prices, stays apart). Feed every article of the build in reading order.

    MinHash: 128 hashes per article, of which 12 bands x 5 rows propose candidates (a pair at
    Jaccard 0.8 is proposed with probability 0.99) and the share of all equal hashes estimates the
    Jaccard (standard error ~0.035 at 0.8). Only the hashes are kept, as uint32 in one growing
    array, and each band bucket is one int in a dict: ~0.7 KB per article, so a build of
    hundreds of thousands of articles streams through in bounded memory. Words are hashed with
    CRC-32, not Python's per-process salted `hash`, so the same corpus always gives the same groups.
    """

    SHINGLE = 3
    MAX_WORDS = 400          # the opening of the body is enough to recognise a copy
    MIN_SHINGLES = 20        # shorter bodies group on title + opening only
    HASHES, BANDS, ROWS = 128, 12, 5
    WORD_CACHE = 500_000

    def __init__(self, threshold: float = 0.8, max_days: float = 3.0):
        self.threshold = threshold
        self.max_seconds = max_days * 86400
        rng = np.random.default_rng(20190911)
        self._xor = rng.integers(1, 2**63, size=self.HASHES, dtype=np.uint64)
        self._mul = rng.integers(1, 2**63, size=self.HASHES, dtype=np.uint64) | np.uint64(1)
        self._band_mul = rng.integers(1, 2**63, size=self.ROWS, dtype=np.uint64) | np.uint64(1)
        self._by_key: dict[str, str] = {}
        self._buckets: list[dict[int, int | list[int]]] = [{} for _ in range(self.BANDS)]
        self._hashes = np.empty((1024, self.HASHES), dtype=np.uint32)
        self._published = np.empty(1024, dtype=np.float64)     # POSIX seconds, NaN = undated
        self._signatures: list[str] = []
        self._word_hashes: dict[str, int] = {}

    def _shingles(self, body: str) -> np.ndarray:
        words = _WORD.findall(body[: self.MAX_WORDS * 12].lower())[: self.MAX_WORDS]
        if len(words) < self.SHINGLE + self.MIN_SHINGLES - 1:
            return np.empty(0, np.uint64)
        cache = self._word_hashes
        if len(cache) > self.WORD_CACHE:
            cache.clear()
        h = np.array(cached_map(cache, words, _word_hash), dtype=np.uint64)
        with np.errstate(over="ignore"):
            return np.unique((h[:-2] * np.uint64(0x9E3779B97F4A7C15))
                             ^ (h[1:-1] * np.uint64(0xC2B2AE3D27D4EB4F)) ^ h[2:])

    def _bands(self, minhash: np.ndarray) -> list[int]:
        rows = minhash[: self.BANDS * self.ROWS].reshape(self.BANDS, self.ROWS)
        with np.errstate(over="ignore"):
            return (rows * self._band_mul).sum(axis=1, dtype=np.uint64).tolist()

    def _candidates(self, bands: list[int]) -> list[int]:
        found: set[int] = set()
        for bucket, band in zip(self._buckets, bands):
            hit = bucket.get(band)
            if hit is not None:
                found.update(hit) if isinstance(hit, list) else found.add(hit)
        return sorted(found)

    def _remember(self, bands: list[int], hashes: np.ndarray, published, signature: str) -> None:
        n = len(self._signatures)
        if n == len(self._hashes):
            self._hashes = np.resize(self._hashes, (2 * n, self.HASHES))
            self._published = np.resize(self._published, 2 * n)
        self._hashes[n] = hashes
        self._published[n] = published.timestamp() if published is not None else np.nan
        self._signatures.append(signature)
        for bucket, band in zip(self._buckets, bands):
            hit = bucket.get(band)
            if hit is None:
                bucket[band] = n
            elif isinstance(hit, list):
                hit.append(n)
            else:
                bucket[band] = [hit, n]

    def key(self, article: Article) -> str:
        own = duplicate_key(article)
        signature = self._by_key.get(own)
        shingles = self._shingles(article.body)
        if shingles.size >= self.MIN_SHINGLES:
            with np.errstate(over="ignore"):
                mixed = np.bitwise_xor(shingles[None, :], self._xor[:, None])
                minhash = np.multiply(mixed, self._mul[:, None], out=mixed).min(axis=1)
            hashes = minhash.astype(np.uint32)
            bands = self._bands(minhash)
            if signature is None:
                when = article.published.timestamp() if article.published is not None else None
                for c in self._candidates(bands):
                    other = self._published[c]
                    if when is not None and not np.isnan(other) and abs(when - other) > self.max_seconds:
                        continue
                    if np.count_nonzero(self._hashes[c] == hashes) / self.HASHES >= self.threshold:
                        signature = self._signatures[c]
                        break
            signature = signature or own
            self._remember(bands, hashes, article.published, signature)
        signature = signature or own
        self._by_key.setdefault(own, signature)
        return signature


def body_after_lead(article: Article) -> str:
    """Index the lead once: in `lead`, not again in `body` (a third fewer tokens to write)."""
    lead = article.lead.strip()
    body = article.body.lstrip()
    return body[len(lead):] if lead and body.startswith(lead) else article.body


def document_fields(article: Article, dup: str | None = None) -> dict:
    """Keyword arguments for writer.add_document / update_document.

    `dup` is the story signature from a `DuplicateFinder` run over the whole build; without it
    the article's own `duplicate_key` is used.
    """
    fields = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "lead": article.lead,
        "body": body_after_lead(article),
        "text": article.body,
        "caption": article.caption,
        "exact": "\n".join(p for p in (article.title, article.lead, article.caption) if p),
        "section": article.section or "Lainnya",
        "subsection": article.subsection,
        "outlet": article.outlet,
        "source": article.source,
        "month": article.published.strftime("%Y-%m") if article.published else "",
        "dup": dup or duplicate_key(article),
        "content_hash": article.content_hash,
        "date_conflict": article.date_conflict,
    }
    if article.published is not None:
        fields["published"] = article.published
    return fields
