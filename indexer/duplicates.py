"""Story signatures: copies of one story (wire copies, press releases) get the same `dup` value.

`DuplicateFinder` sees every article of a build in reading order and keeps ~0.7 KB per article,
so hundreds of thousands stream through in bounded memory. Its per-article cost matters (it runs
in the build's main process, beside the two writer processes, on every article): words are
hashed with array arithmetic instead of a Python call per word, and the MinHash signature is a
one-permutation MinHash (one hash per shingle, 128 bins) instead of 128 hash functions over every
shingle: half the cost, as accurate (measurements in docs/decisions.md).
"""
from __future__ import annotations

import hashlib
import re

import numpy as np

from indexer.records import Article

_WORD = re.compile(r"\w+", re.UNICODE)
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]")
_ASCII_WORD = bytes(1 if chr(c).isalnum() or c == 0x5F else 0 for c in range(128)) + bytes(128)
_ASCII_WORD_ARRAY = np.frombuffer(_ASCII_WORD, dtype=np.bool_)[:128]


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


class WordHasher:
    """64-bit hashes of the `\\w+` words of a text, computed over the whole text at once.

    A word's hash is the polynomial sum(c_i * P**i) of its code points modulo 2**64, read off the
    prefix sums of the text (H[end] - H[start]) and shifted back by P**-start (P is odd, so it has
    an inverse modulo 2**64): the same word has the same hash wherever it stands, and no Python
    code runs per word. Words are what `re.findall(r"\\w+", text)` finds (tests check both agree).
    """

    P = 0x100000001B3

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        inverse = 1
        for _ in range(7):                        # Newton's iteration doubles the correct bits
            inverse = inverse * (2 - self.P * inverse) % 2**64
        # P**i and P**-i for i = 0 .. max_chars (uint64 arithmetic wraps around: modulo 2**64)
        self._powers = np.cumprod(np.full(max_chars + 1, self.P, dtype=np.uint64)) * np.uint64(inverse)
        self._inverses = np.cumprod(np.full(max_chars + 1, inverse, dtype=np.uint64)) * np.uint64(self.P)

    def __call__(self, text: str, max_words: int) -> np.ndarray:
        """Hashes (uint64) of the first `max_words` words of `text[:max_chars]` (lower-case it first)."""
        text = text[: self.max_chars]
        if text.isascii():
            raw = text.encode("ascii")
            codes = np.frombuffer(raw, dtype=np.uint8)
            is_word = np.frombuffer(raw.translate(_ASCII_WORD), dtype=np.bool_)
        else:
            # outside ASCII, only word characters are left: everything else becomes a space
            text = _NON_ASCII_NON_WORD.sub(" ", text)
            codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
            is_word = codes >= 128
            ascii_chars = ~is_word
            is_word[ascii_chars] = _ASCII_WORD_ARRAY[codes[ascii_chars]]
        n = len(codes)
        edges = np.zeros(n + 2, dtype=np.bool_)
        edges[1:-1] = is_word
        bounds = np.flatnonzero(edges[1:] != edges[:-1])
        starts, ends = bounds[0::2][:max_words], bounds[1::2][:max_words]
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(codes * self._powers[:n], out=prefix[1:])
        return (prefix[ends] - prefix[starts]) * self._inverses[starts]


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every output bit depends on every input bit."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


class DuplicateFinder:
    """Gives copies of one story the same `dup` signature across a build or update.

    An article gets the signature of the first article read that has the same normalised title
    and opening (`duplicate_key`), or a body whose opening word 3-grams overlap with its own by
    Jaccard >= `threshold` and that was published within `max_days` of it (wire copies and press
    releases run by several outlets under their own headlines; a series of templated daily
    reports, such as gold prices, stays apart). Feed every article of the build in reading order.

    MinHash, one permutation: each 3-gram is hashed once; the top 7 bits pick one of 128 bins and
    a bin keeps its smallest hash; an empty bin copies the first filled bin of a fixed pseudo-random
    probe sequence of its own ("optimal densification", Shrivastava 2017), so two bodies agree on a
    bin with probability equal to their Jaccard, as with 128 separate hash functions. 12 bands x 5 rows of the bins propose candidates (a pair at
    Jaccard 0.8 is proposed with probability 0.99) and the share of all equal bins estimates the
    Jaccard. Only the bins are kept, as uint32 in one growing array, and each band bucket is one
    int in a dict. The hashes are fixed functions of the text (no per-process salt), so the same
    corpus always gives the same groups.
    """

    SHINGLE = 3
    MAX_WORDS = 400          # the opening of the body is enough to recognise a copy
    MIN_SHINGLES = 20        # shorter bodies group on title + opening only
    HASHES, BANDS, ROWS = 128, 12, 5
    _BIN_SHIFT = np.uint64(64 - 7)                      # 2**7 = HASHES bins

    def __init__(self, threshold: float = 0.8, max_days: float = 3.0):
        self.threshold = threshold
        self.max_seconds = max_days * 86400
        rng = np.random.default_rng(20190911)
        self._band_mul = rng.integers(1, 2**63, size=self.ROWS, dtype=np.uint64) | np.uint64(1)
        self._words = WordHasher(self.MAX_WORDS * 12)
        self._bins = np.arange(self.HASHES, dtype=np.uint64)
        self._bin_edges = self._bins << self._BIN_SHIFT             # the smallest hash of each bin
        self._probes = rng.integers(0, self.HASHES, size=(self.HASHES, 64))
        self._by_key: dict[str, str] = {}
        self._buckets: list[dict[int, int | list[int]]] = [{} for _ in range(self.BANDS)]
        self._hashes = np.empty((1024, self.HASHES), dtype=np.uint32)
        self._published = np.empty(1024, dtype=np.float64)     # POSIX seconds, NaN = undated
        self._signatures: list[str] = []

    def _shingles(self, body: str) -> np.ndarray:
        """Sorted hashes of the body's opening word 3-grams (repeats included)."""
        h = self._words(body[: self.MAX_WORDS * 12].lower(), self.MAX_WORDS)
        if len(h) < self.SHINGLE + self.MIN_SHINGLES - 1:
            return np.empty(0, np.uint64)
        shingles = _mix((h[:-2] * np.uint64(0x9E3779B97F4A7C15))
                        ^ (h[1:-1] * np.uint64(0xC2B2AE3D27D4EB4F)) ^ h[2:])
        shingles.sort()
        return shingles

    def _minhash(self, shingles: np.ndarray) -> np.ndarray:
        """One-permutation MinHash of sorted shingle hashes: the smallest hash of each bin; an
        empty bin copies the first filled bin of its own fixed pseudo-random probe sequence."""
        first = np.searchsorted(shingles, self._bin_edges)
        values = shingles[np.minimum(first, len(shingles) - 1)]
        filled = (values >> self._BIN_SHIFT) == self._bins         # the bin has a shingle of its own
        if filled.all():
            return values
        probes = self._probes[~filled]
        hit = filled[probes]
        source = probes[np.arange(len(probes)), hit.argmax(axis=1)]
        source[~hit.any(axis=1)] = np.flatnonzero(filled)[0]     # no filled bin in 64 probes: rare
        values[~filled] = values[source]
        return values

    def _bands(self, minhash: np.ndarray) -> list[int]:
        rows = minhash[: self.BANDS * self.ROWS].reshape(self.BANDS, self.ROWS)
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
        if shingles.size and np.count_nonzero(shingles[1:] != shingles[:-1]) + 1 >= self.MIN_SHINGLES:
            minhash = self._minhash(shingles)
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
