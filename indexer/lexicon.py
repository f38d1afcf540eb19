"""Acronym / synonym groups for query expansion (package data `indexer/data/lexicon.tsv`).

File format (see the header of lexicon.tsv): one group a line, forms separated by ` | ` or TAB,
an optional `@ambiguous` field, `#` comments and blank lines ignored::

    KPK | Komisi Pemberantasan Korupsi
    AS | Amerika Serikat | @ambiguous

Every form is tokenised with `indexer.chain.tokenize`, so it compares equal to the raw,
lower-cased words of a query: `Perserikatan Bangsa-Bangsa` -> ("perserikatan", "bangsa-bangsa"),
and a form with a reduplication also registers its unhyphenated spelling ("perserikatan", "bangsa",
"bangsa").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from indexer.chain import tokenize
from indexer.config import AnalysisSettings
from indexer.errors import LexiconError  # raised here, and importable from here as before
from indexer.wordlists import is_file, read_word_list

Form = tuple[str, ...]
FLAGS = ("@ambiguous",)


@dataclass(frozen=True)
class Group:
    forms: tuple[Form, ...]           # lower-case word tuples, in file order
    ambiguous: frozenset[str]         # ALL-CAPS single-word forms of a flagged group, lower-cased
    line: int = 0


def unhyphenated(form: Form) -> Form:
    """The form as people type it without the hyphen of a reduplication: reduplications stay one
    token (`bangsa-bangsa`), so `Perserikatan Bangsa Bangsa` would otherwise match nothing."""
    return tuple(w for token in form for w in (token.split("-") if _is_doubled_word(token) else (token,)))


def _is_doubled_word(token: str) -> bool:
    """`bangsa-bangsa`: one word twice around a hyphen (only the exact doubling, no affixes)."""
    first, dash, second = token.partition("-")
    return bool(dash) and first == second and bool(first)


def parse_line(line: str, where: str = "") -> Group | None:
    """One group from one line, or None for a blank/comment line."""
    body = line.split("#", 1)[0].strip()
    if not body:
        return None
    fields = [f.strip() for f in (body.split("\t") if "\t" in body else body.split("|"))]
    fields = [f for f in fields if f]
    flags = [f for f in fields if f.startswith("@")]
    unknown = [f for f in flags if f not in FLAGS]
    if unknown:
        raise LexiconError(f"{where}: unknown flag {unknown[0]!r} (known: {', '.join(FLAGS)})")
    forms: list[Form] = []
    ambiguous = set()
    for text in (f for f in fields if not f.startswith("@")):
        form = tuple(tokenize(text))
        if not form:
            raise LexiconError(f"{where}: form {text!r} has no words")
        for variant in (form, unhyphenated(form)):
            if variant not in forms:
                forms.append(variant)
        if "@ambiguous" in flags and len(form) == 1 and text.isupper():
            ambiguous.add(form[0])
    if len(forms) < 2:
        raise LexiconError(f"{where}: a group needs at least two different forms: {body!r}")
    if flags and not ambiguous:
        raise LexiconError(f"{where}: @ambiguous needs an ALL-CAPS single-word form")
    return Group(tuple(forms), frozenset(ambiguous))


class Lexicon:
    """Synonym groups with longest-match lookup over query words."""

    def __init__(self, groups: Sequence[Group] = ()):
        self.groups: tuple[Group, ...] = tuple(groups)
        self._index: dict[Form, list[int]] = {}
        for gid, group in enumerate(self.groups):
            for form in group.forms:
                self._index.setdefault(form, []).append(gid)
        self._max_len = max((len(f) for f in self._index), default=0)
        self._ambiguous = frozenset(w for g in self.groups for w in g.ambiguous)

    # --- loading ---

    @classmethod
    def parse(cls, text: str, origin: str = "<text>") -> "Lexicon":
        groups = []
        for number, line in enumerate(text.splitlines(), 1):
            group = parse_line(line, f"{origin}:{number}")
            if group is not None:
                groups.append(Group(group.forms, group.ambiguous, number))
        return cls(groups)

    @classmethod
    def load(cls, analysis: AnalysisSettings) -> "Lexicon":
        """analysis.lexicon: "builtin" (package data), "none"/"" (empty) or a file path."""
        source = analysis.lexicon
        if source in ("none", ""):
            return cls()
        return cls.parse(read_word_list(source, "lexicon.tsv"), source if is_file(source) else "lexicon.tsv")

    # --- queries ---

    def __len__(self) -> int:
        return len(self.groups)

    def __iter__(self) -> Iterator[Group]:
        return iter(self.groups)

    def __contains__(self, form) -> bool:
        return tuple(form) in self._index

    def is_ambiguous(self, word: str) -> bool:
        """True for a lower-case acronym that is also an ordinary word (`as`, `bin`)."""
        return word.lower() in self._ambiguous

    def ambiguous_words(self) -> frozenset[str]:
        return self._ambiguous

    def acronyms(self) -> frozenset[str]:
        """Every single-word form (acronyms, short names, spellings), lower-case.

        The analyzer protects these from stemming, so an expansion to `korut` or `pemilu`
        finds the same term in the index.
        """
        return frozenset(form[0] for form in self._index if len(form) == 1)

    def alternatives(self, form: Sequence[str]) -> list[Form]:
        """The other forms of every group that contains `form` (in file order, no repeats)."""
        form = tuple(form)
        result: list[Form] = []
        for gid in self._index.get(form, ()):
            for other in self.groups[gid].forms:
                if other != form and other not in result:
                    result.append(other)
        return result

    def expansions(self, tokens: Sequence[str]) -> list[tuple[int, int, list[Form]]]:
        """(start, end, alternatives) for each known form in the raw lower-case query words.

        tokens[start:end] is a form of some group; alternatives are that group's other forms.
        Longer matches win over shorter overlapping ones (`dk pbb` before `pbb`); among equal
        lengths the leftmost wins. Spans do not overlap and are returned in query order.
        """
        tokens = [t.lower() for t in tokens]
        candidates = []
        for start in range(len(tokens)):
            for length in range(min(self._max_len, len(tokens) - start), 0, -1):
                if tuple(tokens[start:start + length]) in self._index:
                    candidates.append((start, start + length))
        candidates.sort(key=lambda span: (span[0] - span[1], span[0]))
        taken = [False] * len(tokens)
        chosen = []
        for start, end in candidates:
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                chosen.append((start, end, self.alternatives(tokens[start:end])))
        return sorted(chosen)
