"""The stem table: every word's stem, kept on disk next to the index (a cache).

Stemming an unseen word is the costly step of the chain (Sastrawi, even as
indexer.fastsastrawi) and real news brings ~100k distinct words (names, loan
words), so stems are computed once and reused: a full build seeds the
analyzer with the table before its writer processes fork, the writers learn
the words they had to stem and hand them back (`learning`, `learned`), and the
build saves the grown table. An update, which runs in one process, stems the
unseen words of its changed articles across a process pool first (`warm`).
Search processes `preload` the table.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import pickle
from pathlib import Path
from typing import Iterable

from indexer.analysis import IndonesianStemFilter, chain_of
from indexer.killpoint import kill_point

CHUNK = 4000


def stem_filter(analyzer) -> IndonesianStemFilter | None:
    return next((f for f in getattr(analyzer, "items", []) if isinstance(f, IndonesianStemFilter)), None)


def _cache_file(root: Path, flt: IndonesianStemFilter) -> Path:
    key = repr((flt.stemmer, sorted(flt.protected), sorted(flt.exceptions.items()),
                sorted(flt.spelling.items()))).encode()
    return root / f"stems-{flt.stemmer}-{hashlib.sha1(key).hexdigest()[:10]}.pkl"


_WORKER_FILTER: IndonesianStemFilter | None = None


def _stem_chunk(words: list[str]) -> dict[str, str]:
    return {w: _WORKER_FILTER.stem_uncached(w) for w in words}


def warm(analyzer, texts: Iterable[str], cache_root: Path, procs: int = 2) -> dict:
    """Seed the analyzer with stems for every word in `texts`; returns counts for the report."""
    global _WORKER_FILTER
    flt, chain = stem_filter(analyzer), chain_of(analyzer)
    if flt is None or chain is None:
        return {}
    known = load(analyzer, cache_root)
    distinct: set[str] = set()
    for text in texts:
        distinct.update(chain.stem_inputs(text))      # exactly the words indexing will stem
    todo = sorted(w for w in distinct if w not in known)
    if todo:
        _WORKER_FILTER = flt
        chunks = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
        if procs > 1 and len(chunks) > 1:
            with multiprocessing.get_context("fork").Pool(procs) as pool:
                for part in pool.imap_unordered(_stem_chunk, chunks):
                    known.update(part)
                    kill_point("stem_pool")
        else:
            for chunk in chunks:
                known.update(_stem_chunk(chunk))
        save(analyzer, cache_root, known)
    flt.seed({w: known[w] for w in distinct if w in known})
    return {"distinct_words": len(distinct), "newly_stemmed": len(todo), "stems_on_disk": len(known)}


def seed(analyzer, stems: dict[str, str]) -> None:
    flt = stem_filter(analyzer)
    if flt is not None and stems:
        flt.seed(stems)


def learning(analyzer) -> int | None:
    """Start keeping new stems in this process (see IndonesianStemFilter.learn); a mark for `learned`."""
    flt = stem_filter(analyzer)
    return flt.learn() if flt is not None else None


def learned(analyzer, mark: int | None) -> dict[str, str]:
    flt = stem_filter(analyzer)
    return flt.learned_since(mark) if flt is not None and mark is not None else {}


def load(analyzer, cache_root: Path) -> dict[str, str]:
    """The stem table on disk for this analyzer (empty when there is none or it is unreadable)."""
    flt = stem_filter(analyzer)
    if flt is None:
        return {}
    try:
        return pickle.loads(_cache_file(cache_root, flt).read_bytes())
    except (FileNotFoundError, EOFError, pickle.UnpicklingError, ValueError):
        return {}


def save(analyzer, cache_root: Path, known: dict[str, str]) -> None:
    flt = stem_filter(analyzer)
    if flt is None:
        return
    path = _cache_file(cache_root, flt)
    cache_root.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)


def preload(analyzer, cache_root: Path) -> int:
    """Seed a search process with the stems a build computed (it is a cache: same function, same results)."""
    known = load(analyzer, cache_root)
    seed(analyzer, known)
    return len(known)
