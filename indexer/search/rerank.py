"""Exact-form re-ranking of the top of a result list.

Stemming makes `tercemar`, `pencemaran` and `dicemari` one term, which is what a reader who
misremembers the form needs, but it also makes another outlet's article on the same story score
exactly like the one whose words the reader remembers. BM25F cannot tell them apart; the surface
forms can. The `window` best results are re-scored by the share of the query's words that occur as
written in the article's title, lead or body: score * (1 + boost * share). Only that window
moves, so later pages are unaffected, and a query whose forms occur nowhere (a different
inflection everywhere) keeps its BM25F order.
"""
from __future__ import annotations

import re
from typing import Callable

import numpy as np

_WORD = re.compile(r"[^\W_]+")


Slot = tuple[tuple[str, ...], ...]     # alternative spellings of one query word, each as its words


def query_slots(units, stopwords: frozenset) -> list[Slot]:
    """One slot per query word (a lexicon unit is one slot: `korut` or `korea utara`).

    Stopwords and one-letter words are left out; duplicate slots count once.
    """
    slots: list[Slot] = []
    for unit in units:
        if unit.kind == "field":
            continue
        if unit.kind == "synonym":
            forms = [unit.text] + [" ".join(alt) for alt in unit.alternatives]
            slot = tuple(dict.fromkeys(tuple(_WORD.findall(f.lower())) for f in forms if _WORD.search(f)))
            candidates = [slot] if slot else []
        else:
            candidates = [((w,),) for w in _WORD.findall(unit.text.lower()) if len(w) > 1 and w not in stopwords]
        for slot in candidates:
            if slot not in slots:
                slots.append(slot)
    return slots


def exact_share(text: str, slots: list[Slot]) -> float:
    """Share of `slots` with at least one spelling whose words all occur in `text`."""
    present = set(_WORD.findall(text.lower()))
    return sum(any(all(w in present for w in alt) for alt in slot) for slot in slots) / len(slots)


def rerank(scores: np.ndarray, selected: np.ndarray, slots: list[Slot], text_of: Callable[[int], str],
           boost: float, window: int) -> np.ndarray:
    """A copy of `scores` with the `window` best selected documents re-scored (the rest unchanged).

    Multipliers are >= 1, so no document outside the window can overtake one inside it.
    """
    docs = np.flatnonzero(selected)
    if docs.size < 2 or not slots or boost <= 0 or window < 2:
        return scores
    if docs.size > window:
        docs = docs[np.argpartition(-scores[docs], window - 1)[:window]]
    share = np.array([exact_share(text_of(int(d)), slots) for d in docs], dtype=np.float32)
    out = scores.copy()
    out[docs] *= 1 + boost * share
    return out
