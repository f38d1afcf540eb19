"""News synonyms for query expansion: *tewas* also finds *meninggal*, *pecat* also finds *PHK*.

Narrow news stories are written with different words for the same event (one outlet writes
*tabrakan*, the next *kecelakaan*); a reader's query names only one of them. The thesaurus
(package data `indexer/data/thesaurus.tsv`, same line format as the lexicon: forms separated by
` | `) lists words and short phrases Indonesian news uses interchangeably. At query time a word or
phrase of the query that is a form of a group also matches the group's other forms, at a lower
weight (`search.synonym_weight`), and an article holding only a synonym counts as holding the word
(it is a full hit, not "Tidak memuat: kata").

Query-time only: the index is untouched, so editing the file needs no rebuild.

Colloquial words (`indexer/data/colloquial.tsv`, setting `search.colloquial`) are one-way groups:
the first form is the standard word news prints, the others are what readers type (*duit*, *nyolong*,
*manggung*). A query with an informal form also finds the standard one (and the other informal
forms); a query with the standard word is left as typed, since the informal forms are rare in news
and often other words in other contexts.

How a form matches, given that Sastrawi conflates some inflected words with unrelated base words
(*meninggal* -> *tinggal*, *berhentikan* -> *henti*):

* a one-word form that is its own stem (*pecat*, *tewas*) matches by stem, both ways: the query
  *dipecat* finds the group, and the group searches the stem in every text field;
* a one-word form that stems to something else (*meninggal*, *kecelakaan*) matches the query only
  as written and is searched in the unstemmed `exact` field, so *tinggal* never stands for *tewas*;
* a phrase (*gulung tikar*) matches a query phrase or a run of query words with the same stems and
  is searched as a phrase.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from indexer.lexicon import LexiconError, parse_line
from indexer.wordlists import is_file, read_word_list

MAX_FORM_WORDS = 3

Form = tuple[str, ...]


@dataclass(frozen=True)
class Alternative:
    """One form of a group as the compiler searches it."""
    words: Form                 # lower-case words as written in the file
    stems: tuple[str, ...]      # the stemmed analyzer's terms
    exact_only: bool            # a one-word form whose stem is another word: search the exact field


class Thesaurus:
    """Groups of interchangeable forms, keyed for query matching with the index's analyzer."""

    def __init__(self, groups: Sequence[Sequence[Form]], stems: Callable[[str], list[str]],
                 one_way: Sequence[Sequence[Form]] = ()):
        """`groups`: every form finds the others. `one_way`: the forms after the first (informal
        words) find the others; the first (the standard word) finds nothing more."""
        self._stems = stems
        self.groups: list[list[Alternative]] = []
        self._keys: dict[tuple, set[int]] = {}
        for forms, both_ways in [(g, True) for g in groups] + [(g, False) for g in one_way]:
            alternatives = []
            for words in forms:
                terms = tuple(stems(" ".join(words)))
                if not terms:
                    continue                      # a stopword alone: nothing to search
                exact_only = len(words) == 1 and terms != words
                alternatives.append(Alternative(tuple(words), terms, exact_only))
            if len(alternatives) < 2:
                continue
            index = len(self.groups)
            self.groups.append(alternatives)
            standard = self._key(alternatives[0])
            # one way: the informal forms only, less any the stemmer already merges with the standard word
            keyed = alternatives if both_ways else [a for a in alternatives[1:] if self._key(a) != standard]
            for alt in keyed:
                self._keys.setdefault(self._key(alt), set()).add(index)

    def __len__(self) -> int:
        return len(self.groups)

    @staticmethod
    def _key(alt: Alternative) -> tuple:
        if alt.exact_only:
            return ("exact", alt.words[0])
        return ("stems",) + alt.stems

    def _groups_for(self, words: Sequence[str]) -> set[int]:
        text = " ".join(words)
        found = set(self._keys.get(("stems",) + tuple(self._stems(text)), ()))
        if len(words) == 1:
            found |= self._keys.get(("exact", words[0].lower()), set())
        return found

    def alternatives(self, words: Sequence[str]) -> list[Alternative]:
        """The other forms of every group the words (one word or a phrase, as typed) belong to."""
        groups = self._groups_for(words)
        if not groups:
            return []
        typed_key = ("stems",) + tuple(self._stems(" ".join(words)))
        typed = tuple(w.lower() for w in words)
        out: dict[tuple, Alternative] = {}
        for index in sorted(groups):
            for alt in self.groups[index]:
                if alt.words == typed or (not alt.exact_only and self._key(alt) == typed_key):
                    continue                      # the typed form itself is searched as typed
                out.setdefault(self._key(alt), alt)
        return list(out.values())

    def spans(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """Longest-first, left-to-right spans of `words` that are forms of some group."""
        found, i = [], 0
        while i < len(words):
            for end in range(min(len(words), i + MAX_FORM_WORDS), i, -1):
                if self._groups_for(words[i:end]):
                    found.append((i, end))
                    i = end
                    break
            else:
                i += 1
        return found


def read_groups(text: str, where: str = "thesaurus") -> list[list[Form]]:
    groups = []
    for number, line in enumerate(text.splitlines(), 1):
        group = parse_line(line, f"{where}:{number}")
        if group is None:
            continue
        if group.ambiguous:
            raise LexiconError(f"{where}:{number}: flags are not used in the thesaurus")
        groups.append(list(group.forms))
    return groups


def load_groups(source: str, builtin: str = "thesaurus.tsv") -> list[list[Form]]:
    """`builtin` (package data `builtin`), `none`, or a path to a file in the same format."""
    what = builtin.split(".")[0]
    if not is_file(source):
        return read_groups(read_word_list(source, builtin), what)
    try:
        text = read_word_list(source, builtin)
    except OSError as exc:
        raise LexiconError(f"cannot read {what} {Path(source)}: {exc.strerror or exc}") from None
    return read_groups(text, str(Path(source)))


def configured(search, stems: Callable[[str], list[str]]) -> Thesaurus:
    """The thesaurus of the `[search]` settings: news synonyms both ways, colloquial words one way."""
    return Thesaurus(load_groups(search.thesaurus), stems, one_way=load_groups(search.colloquial, "colloquial.tsv"))
