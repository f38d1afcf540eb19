"""Completions for search-as-you-type, and "Maksud Anda" spelling suggestions.

Both read the unstemmed `exact` field (title, lead and caption words), so
suggestions are real words as written, never stems.
"""
from __future__ import annotations

import bisect
import re

import numpy as np
from whoosh import query as Q

_WORDS = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
MIN_SUGGEST_FREQ = 2


def complete(snap, searcher, prefix: str, limit: int, compiler) -> list[dict]:
    """Term completions of the last word (most frequent first), then matching titles."""
    words = _WORDS.findall(prefix.lower())
    if not words:
        return []
    head, last = words[:-1], words[-1]
    terms, freqs = snap.vocabulary()
    lo = bisect.bisect_left(terms, last)
    hi = bisect.bisect_left(terms, last + "\uffff")
    out: list[dict] = []
    if hi > lo:
        window = freqs[lo:hi]
        k = min(limit, hi - lo)
        best = np.argpartition(-window, k - 1)[:k] if hi - lo > k else np.arange(hi - lo)
        best = best[np.argsort(-window[best], kind="stable")]
        base = " ".join(head)
        for i in best:
            term = str(terms[lo + i])
            out.append({"text": (base + " " + term).strip(), "kind": "term", "id": None})
    completed = [o["text"].split()[-1] for o in out[:3]] or [last]
    title_query = _title_query(compiler, head, completed)
    if title_query is not None:
        for hit in searcher.search(title_query, limit=max(3, limit // 2)):
            out.append({"text": hit["title"], "kind": "title", "id": hit["id"]})
    return out[: limit + max(3, limit // 2)]


def _title_query(compiler, head: list[str], last_options: list[str]):
    parts = []
    for word in head:
        stems = compiler.stems(word)
        if stems:
            parts.append(Q.Or([Q.Term("title", s) for s in stems]))
    options = [Q.Term("exact", w) for w in last_options]
    if not options:
        return None
    parts.append(Q.Or(options))
    return Q.And(parts) if len(parts) > 1 else parts[0]


def did_you_mean(snap, searcher, text: str, total: int, count_for) -> str | None:
    """A corrected query that finds more than the original, or None."""
    words = _WORDS.findall(text.lower())
    if not words or len(words) > 8:
        return None
    corrector = searcher.corrector("exact")
    changed = False
    fixed = []
    for word in words:
        if len(word) < 4 or word.isdigit() or searcher.doc_frequency("exact", word) >= MIN_SUGGEST_FREQ:
            fixed.append(word)
            continue
        options = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
        if options and options[0] != word:
            fixed.append(options[0])
            changed = True
        else:
            fixed.append(word)
    if not changed:
        return None
    candidate = " ".join(fixed)
    return candidate if count_for(snap, searcher, candidate) > total else None
