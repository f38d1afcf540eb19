"""Acronyms learned from the corpus, stored with each generation and merged with the curated lexicon.

A build (and an update) feeds every article to an `indexer.acronyms.AcronymMiner` and writes the
learned table into the generation folder (`learned_acronyms.tsv`). Searching a generation uses
its curated lexicon plus its learned pairs:

* curated entries win: the miner skips any pair whose short or long form is a curated form;
* the curated "never" list (`lexicon_never.tsv`, `analysis.lexicon_never`) stops bad pairs, both
  when learning and when the table is read (so editing it needs no rebuild);
* a short form that is also an ordinary Indonesian word (Sastrawi's dictionary, the stopwords)
  is never learned: such acronyms (HAM, TIM, Jabar) belong in the curated lexicon.

Learned pairs expand queries exactly like curated ones (both ways, multi-word forms as phrases);
they are not protected from stemming (the index's analyzer is fixed when it is built), which is
harmless because the expansion is analysed by the same analyzer.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from indexer.acronyms import AcronymMiner, LearnedPair, LearnedTable
from indexer.analysis import load_word_lists
from indexer.chain import tokenize
from indexer.config import AnalysisSettings
from indexer.lexicon import Group, Lexicon, LexiconError, parse_line
from indexer.wordlists import read_word_list

LEARNED_FILE = "learned_acronyms.tsv"
OCCURRENCES_FILE = "acronym_occurrences.jsonl.gz"   # per article, for updates


@dataclass(frozen=True)
class NeverList:
    """Pairs (short form, long form) and whole short forms that must never be learned."""
    shorts: frozenset[str]                      # lower case
    pairs: frozenset[tuple[str, tuple[str, ...]]]

    def entries(self) -> list[tuple[str, str | None]]:
        return [(s, None) for s in sorted(self.shorts)] + [(s, " ".join(f)) for s, f in sorted(self.pairs)]

    def blocks(self, short: str, long: str) -> bool:
        key = short.lower()
        return key in self.shorts or (key, tuple(tokenize(long))) in self.pairs


def parse_never(text: str) -> NeverList:
    """`SHORT | Long Form` blocks one pair; `SHORT` alone blocks every long form of it."""
    shorts, pairs = set(), set()
    for line in text.splitlines():
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        short, _, long = (f.strip() for f in body.partition("|"))
        if long:
            pairs.add((short.lower(), tuple(tokenize(long))))
        else:
            shorts.add(short.lower())
    return NeverList(frozenset(shorts), frozenset(pairs))


def load_never(analysis: AnalysisSettings) -> NeverList:
    return parse_never(read_word_list(analysis.lexicon_never, "lexicon_never.tsv"))


@functools.lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w.lower() for w in StemmerFactory().get_words())


def make_miner(analysis: AnalysisSettings) -> AcronymMiner | None:
    """A miner with this configuration's block lists, or None when learning is off."""
    if not analysis.learn_acronyms:
        return None
    curated = Lexicon.load(analysis)
    forms = frozenset(form for group in curated for form in group.forms)
    ordinary = _dictionary() | load_word_lists(analysis).stopwords
    return AcronymMiner(ordinary_words=ordinary, never=load_never(analysis).entries(), curated_forms=forms)


def save(miner: AcronymMiner, table: LearnedTable, generation: Path) -> None:
    """Write by rename: an update's staging folder hard-links the published generation's files."""
    for name, write in ((LEARNED_FILE, table.write), (OCCURRENCES_FILE, miner.dump)):
        path = Path(generation) / name
        tmp = path.with_name(path.name + ".tmp")
        write(tmp)
        os.replace(tmp, path)


def load_occurrences(miner: AcronymMiner, generation: Path | None) -> bool:
    """Start an update's miner from the published generation's occurrences (False: none stored)."""
    path = Path(generation) / OCCURRENCES_FILE if generation is not None else None
    if path is None or not path.exists():
        return False
    miner.load(path)
    return True


def read(generation: Path) -> LearnedTable:
    """The generation's learned table (empty when it has none, e.g. built before session 7)."""
    path = Path(generation) / LEARNED_FILE
    return LearnedTable.read(path) if path.exists() else LearnedTable()


def usable_pairs(table: LearnedTable, never: NeverList) -> list[LearnedPair]:
    return [p for p in table.pairs if not never.blocks(p.short, p.long)]


def generation_lexicon(analysis: AnalysisSettings, generation: Path | None) -> Lexicon | None:
    """The lexicon queries of a generation expand with: curated groups first, then learned ones."""
    if not analysis.expand_synonyms:
        return None
    curated = Lexicon.load(analysis)
    if generation is None or not analysis.learn_acronyms:
        return curated
    groups = list(curated.groups)
    for pair in usable_pairs(read(generation), load_never(analysis)):
        try:
            group = parse_line(f"{pair.short} | {pair.long}", LEARNED_FILE)
        except LexiconError:
            continue
        if group is not None:
            groups.append(Group(group.forms, frozenset(), 0))
    return Lexicon(groups)
