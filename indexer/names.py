"""Which words the archive writes as names: counted at build time, stored with each generation.

A reader's memory of a story holds its names (a person, a place, an institution: *kupang*,
*kaskus*, *sumut*), and an article that lacks the story's name is most likely another story,
even when it holds the query's other words. Readers type names in lower case, so the engine
asks the archive: a word that articles write capitalised in mid-sentence nearly every time is a
name. The matching tier uses this to make lacking a name cost more than lacking a common word
(indexer.search.matching, `search.name_weight`; docs/relevance.md, session 12).

Counting skips titles (Indonesian headlines capitalise every word) and the first word of each
sentence, line, quotation or `Label: text`. The counts (`word_case.tsv.gz` in the generation:
word, capitalised, lower case) are kept for every word seen at least twice, so an update adds
the changed articles' counts to the published generation's; a replaced article is counted again
and a pruned one is not subtracted. The share is a ratio over hundreds of mentions for the
words that matter, so that drift is harmless; a full build starts afresh.
"""
from __future__ import annotations

import gzip
import os
import re
from collections import Counter
from pathlib import Path

COUNTS_FILE = "word_case.tsv.gz"
MIN_MENTIONS = 3           # fewer mid-sentence mentions than this: not known to be a name
KEEP_MIN = 2               # words seen fewer times are not stored (typos, one-off tokens)

# what ends a sentence or opens one: the word after it may be capitalised for that reason alone
_BREAK = re.compile(r"[.!?:;]+(?=\s)|[\n\"“”‘(\[]")
_WORD = re.compile(r"[^\W\d_][^\W_]*(?:['’-][^\W_]+)*")


class CaseCounter:
    """Counts, per lower-case word, its capitalised mid-sentence and its lower-case mentions."""

    def __init__(self):
        self.capital: Counter = Counter()
        self.lower: Counter = Counter()

    def feed(self, *texts: str) -> None:
        for text in texts:
            if not text:
                continue
            for piece in _BREAK.split(text):
                words = _WORD.findall(piece)[1:]       # the first word of a sentence says nothing
                self.capital.update([w.lower() for w in words if w[0].isupper()])
                self.lower.update([w for w in words if w[0].islower()])

    def __len__(self) -> int:
        return len(self.capital.keys() | self.lower.keys())

    def names(self, min_share: float) -> frozenset[str]:
        """The words written capitalised in at least `min_share` of at least MIN_MENTIONS mid-sentence mentions."""
        return frozenset(w for w, cap in self.capital.items() if _is_name(cap, self.lower.get(w, 0), min_share))

    def evidence(self, word: str, min_share: float) -> dict:
        """How the archive writes `word` (lower case): `warta-index lexicon --explain`."""
        cap, low = self.capital.get(word, 0), self.lower.get(word, 0)
        return {"capitalised": cap, "mentions": cap + low, "is_name": _is_name(cap, low, min_share)}

    def save(self, generation: Path) -> None:
        words = sorted(w for w in self.capital.keys() | self.lower.keys()
                       if self.capital.get(w, 0) + self.lower.get(w, 0) >= KEEP_MIN)
        # a new file, renamed over the old: an update's staging folder hard-links the published one's
        path = Path(generation) / COUNTS_FILE
        tmp = path.with_name(path.name + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as f:
            for w in words:
                f.write(f"{w}\t{self.capital.get(w, 0)}\t{self.lower.get(w, 0)}\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, generation: Path | None) -> "CaseCounter":
        """The counts stored with a generation (empty when it has none: built before session 12)."""
        counter = cls()
        path = Path(generation) / COUNTS_FILE if generation is not None else None
        if path is None or not path.exists():
            return counter
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                word, cap, low = line.rstrip("\n").split("\t")
                if cap != "0":
                    counter.capital[word] = int(cap)
                if low != "0":
                    counter.lower[word] = int(low)
        return counter


def _is_name(capitalised: int, lower: int, min_share: float) -> bool:
    total = capitalised + lower
    return min_share > 0 and total >= MIN_MENTIONS and capitalised >= min_share * total


def generation_names(generation: Path | None, min_share: float) -> frozenset[str]:
    """The name words of a generation (empty when it stores no counts or `min_share` is off)."""
    if min_share <= 0 or generation is None:
        return frozenset()
    return CaseCounter.load(generation).names(min_share)


def is_name(label: str, names: frozenset[str]) -> bool:
    """A query group typed as `label` is a name when each of its words is one."""
    words = _WORD.findall(label.lower())
    return bool(words) and all(w in names for w in words)
