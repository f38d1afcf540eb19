"""Completions for search-as-you-type, and "Maksud Anda" spelling suggestions.

Both read the unstemmed `exact` field (title, lead and caption words), so
suggestions are real words as written, never stems.
"""
from __future__ import annotations

import bisect
import re

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import query as Q

from indexer.search.model import Suggestion
from indexer.search.scoring import Evaluator

_WORDS = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)
MIN_SUGGEST_FREQ = 2
MAX_WORDS = 8
MAX_WORD_CHARS = 30


def words_with_prefix(snap, prefix: str, limit: int) -> list[str]:
    """The `limit` most frequent indexed words (exact forms) that start with `prefix`."""
    terms, freqs = snap.vocabulary()
    lo = bisect.bisect_left(terms, prefix)
    hi = bisect.bisect_left(terms, prefix + "\uffff")
    if hi <= lo:
        return []
    window = freqs[lo:hi]
    k = min(limit, hi - lo)
    best = np.argpartition(-window, k - 1)[:k] if hi - lo > k else np.arange(hi - lo)
    return [str(terms[lo + i]) for i in best[np.argsort(-window[best], kind="stable")]]


def complete(snap, searcher, prefix: str, limit: int, compiler) -> list[Suggestion]:
    """Term completions of the last word (most frequent first), then matching titles."""
    words = _WORDS.findall(prefix.lower())
    if not words:
        return []
    head, last = words[:-1], words[-1]
    base = " ".join(head)
    out = [Suggestion((base + " " + term).strip(), "term") for term in words_with_prefix(snap, last, limit)]
    completed = [o.text.split()[-1] for o in out[:3]] or [last]
    title_query = _title_query(compiler, head, completed)
    if title_query is not None:
        mask, scores = Evaluator(snap.postings(), searcher, snap.alive).run(title_query)
        docs = np.flatnonzero(mask)
        for docnum in docs[np.argsort(-scores[docs], kind="stable")[: max(3, limit // 2)]]:
            fields = searcher.stored_fields(int(docnum))
            if fields.get("title"):
                out.append(Suggestion(fields["title"], "title", str(fields["id"])))
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
    """A corrected query that finds more than the original, or None.

    Each rare word is matched against the vocabulary of the unstemmed `exact`
    field with rapidfuzz's C Levenshtein (edit distance ≤ 2), preferring the
    closest, then same first letter, then the most frequent term.
    """
    words = _WORDS.findall(text.lower())
    if not words or len(words) > MAX_WORDS:
        return None
    terms, freqs = snap.vocabulary()
    common = snap.common_vocabulary()
    changed = False
    fixed = []
    for word in words:
        if (len(word) < 4 or len(word) > MAX_WORD_CHARS or word.isdigit()
                or searcher.doc_frequency("exact", word) >= MIN_SUGGEST_FREQ):
            fixed.append(word)
            continue
        best = _closest(word, common, terms, freqs)
        if best and best != word:
            fixed.append(best)
            changed = True
        else:
            fixed.append(word)
    if not changed:
        return None
    candidate = " ".join(fixed)
    return candidate if count_for(snap, searcher, candidate) > total else None


def _closest(word: str, common: list[str], terms, freqs) -> str | None:
    matches = process.extract(word, common, scorer=Levenshtein.distance, score_cutoff=2, limit=20)
    if not matches:
        return None

    def rank(match):
        term, distance, _ = match
        pos = bisect.bisect_left(terms, term)
        freq = int(freqs[pos]) if pos < len(terms) and terms[pos] == term else 0
        return (distance, term[0] != word[0], -freq)

    return min(matches, key=rank)[0]
