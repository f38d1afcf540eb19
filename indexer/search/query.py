"""Forgiving query language for the public, compiled to Whoosh query objects.

Syntax: words are ANDed; ``"exact phrase"``; ``-word`` / ``-"phrase"`` /
``NOT word`` exclude; ``+word`` requires a word even when the engine fills a short
result list with articles that lack some words (see `CompiledQuery`); ``a OR b``
joins its neighbours; ``judul:``, ``rubrik:``, ``media:`` and ``sumber:`` restrict
a word to a field; ``korup*`` stands for the indexed words that start with ``korup``.  Anything else (stray
quotes, ``*``, ``:``, operator soup, unknown prefixes) is read as plain words,
so parsing never fails: the worst case is a query of plain words.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from whoosh import query as Q

from indexer.analysis import analyze, tokenize

FIELD_ALIASES = {
    "judul": "title", "title": "title",
    "rubrik": "section", "section": "section", "kanal": "section",
    "media": "outlet", "outlet": "outlet",
    "sumber": "source", "source": "source",
}
OR_WORDS = {"OR", "ATAU", "|", "||"}
NOT_WORDS = {"NOT", "BUKAN"}
AND_WORDS = {"AND", "DAN", "&", "&&", "+"}


@dataclass
class Unit:
    kind: str                  # word | phrase | field | synonym
    text: str                  # the words as typed
    field: str = ""            # for kind == field
    alternatives: list[tuple[str, ...]] = dataclasses.field(default_factory=list)  # for kind == synonym
    optional: bool = False     # scores when it matches, never required (see expand_synonyms)
    strict: bool = False       # typed with `+`: never missing from a partial match


@dataclass
class ParsedQuery:
    groups: list[list[Unit]]   # AND of groups; the units inside a group are ORed
    negatives: list[Unit]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.negatives


def _lex(text: str) -> list[tuple[str, bool]]:
    """Split into (token, is_phrase); a quote without a partner is just a space."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        prefix = ""
        while i < n and text[i] in "-+" and i + 1 < n and not text[i + 1].isspace():
            i += 1
        prefix = text[start:i]
        if i < n and text[i] == '"':
            close = text.find('"', i + 1)
            if close != -1:
                out.append((prefix + text[i + 1:close], True))
                i = close + 1
                continue
            i += 1  # unbalanced quote: drop it
            if prefix:
                out.append((prefix, False))
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        out.append((prefix + text[i:j], False))
        i = j
    return out


def parse(text: str) -> ParsedQuery:
    groups: list[list[Unit]] = []
    negatives: list[Unit] = []
    join_next = negate_next = False
    for token, is_phrase in _lex(text):
        if not is_phrase:
            if token in OR_WORDS:
                join_next = bool(groups)
                continue
            if token in NOT_WORDS:
                negate_next = True
                continue
            if token in AND_WORDS:
                continue
        negative = negate_next
        negate_next = False
        strict = False
        if token.startswith(("-", "+")):
            negative = negative or "-" in token[:len(token) - len(token.lstrip("-+"))]
            strict = not negative
            token = token.lstrip("-+")
        if not token.strip():
            continue
        unit = _unit(token, is_phrase)
        unit.strict = strict
        if negative:
            negatives.append(unit)
        elif join_next and groups:
            groups[-1].append(unit)
        else:
            groups.append([unit])
        join_next = False
    return ParsedQuery(groups, negatives)


PREFIX_MIN_CHARS = 3      # `ko*` would expand to half the vocabulary


def _unit(token: str, is_phrase: bool) -> Unit:
    if is_phrase:
        return Unit("phrase", token)
    stem = token.rstrip("*")
    if token.endswith("*") and len(stem) >= PREFIX_MIN_CHARS and stem.isalnum():
        return Unit("prefix", stem.lower())
    name, sep, value = token.partition(":")
    if sep and value and name.lower() in FIELD_ALIASES:
        return Unit("field", value, field=FIELD_ALIASES[name.lower()])
    return Unit("word", token)


def expand_synonyms(parsed: ParsedQuery, lexicon) -> ParsedQuery:
    """Replace runs of plain words that spell a lexicon form by a synonym unit.

    An ambiguous acronym typed in lower case between two other words (`mohammed bin salman`,
    `osama bin laden`) is most likely the ordinary word, which the index drops unless written in
    capitals: it becomes optional (it adds to the score, it is not required). Elsewhere it stays a
    required acronym (`presiden as`, `bin`), as does anything typed in capitals (`mohammed BIN`).
    """
    if lexicon is None or not len(lexicon):
        return parsed
    groups: list[list[Unit]] = []
    run: list[Unit] = []

    def flush():
        if not run:
            return
        words = [" ".join(tokenize(u.text)) for u in run]
        spans = {start: (end, alts) for start, end, alts in lexicon.expansions(words)}
        i = 0
        while i < len(run):
            if i in spans:
                end, alts = spans[i]
                text = " ".join(u.text for u in run[i:end])
                optional = (end == i + 1 and 0 < i and end < len(run) and text == text.lower()
                            and lexicon.is_ambiguous(text))
                strict = any(u.strict for u in run[i:end])
                groups.append([Unit("synonym", text, alternatives=list(alts), optional=optional and not strict,
                                    strict=strict)])
                i = end
            else:
                groups.append([run[i]])
                i += 1
        run.clear()

    for group in parsed.groups:
        if len(group) == 1 and group[0].kind == "word":
            run.append(group[0])
        else:
            flush()
            groups.append(group)
    flush()
    return ParsedQuery(groups, parsed.negatives)


def expand_thesaurus(parsed: ParsedQuery, thesaurus) -> ParsedQuery:
    """Replace runs of plain words that are a thesaurus form (`tewas`, `gulung tikar`) by a
    thesaurus unit: the words as typed, or one of the group's other forms (indexer.thesaurus).
    Phrases, field words, `+word`, prefixes and lexicon synonyms are left as they are."""
    if thesaurus is None or not len(thesaurus):
        return parsed
    groups: list[list[Unit]] = []
    run: list[Unit] = []

    def flush():
        words = [u.text for u in run]
        starts = {start: end for start, end in thesaurus.spans(words)}
        i = 0
        while i < len(run):
            end = starts.get(i)
            if end is None:
                groups.append([run[i]])
                i += 1
                continue
            groups.append([Unit("thesaurus", " ".join(words[i:end]))])
            i = end
        run.clear()

    for group in parsed.groups:
        if len(group) == 1 and group[0].kind == "word" and not group[0].strict:
            run.append(group[0])
        else:
            flush()
            groups.append(group)
    flush()
    return ParsedQuery(groups, parsed.negatives)


def relaxable(group: list[Unit], lexicon) -> bool:
    """A required lower-case ambiguous acronym (`bin`, `as`) the engine makes optional when no
    document has every word: `bin laden` (BIN required) becomes `laden`, `bin` scoring when present
    (indexer.search.matching)."""
    unit = group[0]
    return (lexicon is not None and len(group) == 1 and unit.kind == "synonym" and not unit.optional
            and not unit.strict and unit.text == unit.text.lower() and lexicon.is_ambiguous(unit.text))


@dataclass(frozen=True)
class CompiledGroup:
    query: Q.Query
    label: str               # the words as typed, shown as "Tidak memuat: ..." when missing
    optional: bool           # scores when present, never required
    strict: bool             # phrase, field or `+word`: never missing from a partial match
    relaxable: bool          # a lower-case ambiguous acronym the engine may make optional
    stem: str | None = None  # the term of a group typed as one plain word (proximity pairs), else None


@dataclass(frozen=True)
class CompiledQuery:
    """The positive AND groups of a query, compiled one by one, the excluded words, and what a
    result marks: the stems and the phrases (stem tuples, marked only together) of the groups."""
    groups: list[CompiledGroup]
    negative: Q.Query | None
    highlight_terms: frozenset = frozenset()
    highlight_phrases: frozenset = frozenset()


TEXT_FIELDS = frozenset({"title", "lead", "body", "caption"})


def highlights(queries) -> tuple[frozenset, frozenset]:
    """The stems and phrases the compiled `queries` search in the text fields: what a result marks.
    Derived from the queries themselves, so marks can never drift from what was searched;
    exclusions are never passed in, and `exact`-field alternatives (a synonym whose stem is another
    word) are not marked, since marking works on stems."""
    terms, phrases = set(), set()
    stack = list(queries)
    while stack:
        q = stack.pop()
        if isinstance(q, Q.Term):
            if q.fieldname in TEXT_FIELDS:
                terms.add(q.text)
        elif isinstance(q, Q.Phrase):
            if q.fieldname in TEXT_FIELDS:
                phrases.add(tuple(q.words))
        elif isinstance(q, Q.AndNot):
            stack.append(q.a)
        elif isinstance(q, Q.CompoundQuery):
            stack.extend(q.subqueries)
    return frozenset(terms), frozenset(phrases)


def require_word(query: str, label: str) -> str:
    """`query` with the word(s) `label` marked as required: `+kata`, or `"dua kata"` (a phrase)."""
    marked = f"+{label}" if " " not in label.strip() else f'"{label.strip()}"'
    words = query.split()
    target = label.split()
    for i in range(len(words) - len(target) + 1):
        if [w.lower() for w in words[i:i + len(target)]] == [t.lower() for t in target]:
            return " ".join(words[:i] + [marked] + words[i + len(target):])
    return f"{query} {marked}".strip()


@dataclass
class Compiler:
    """Turns units into Whoosh queries with the configured field boosts."""
    stem_analyzer: object
    exact_analyzer: object
    boosts: dict                 # text field -> boost
    exact_boost: float
    facet_values: dict           # "section"/"outlet" -> {lowercase: stored value}
    prefix_words: object = None  # prefix -> the indexed words that start with it (most frequent first, capped)
    thesaurus: object = None     # indexer.thesaurus.Thesaurus for `thesaurus` units
    synonym_weight: float = 0.5  # a thesaurus synonym's weight against the word as typed

    def stems(self, text: str) -> list[str]:
        return analyze(self.stem_analyzer, text, mode="query")

    @staticmethod
    def stemmer_of(analyzer):
        """`text -> stems` with `analyzer` as queries use it."""
        return lambda text: analyze(analyzer, text, mode="query")

    def form_stems(self, text: str) -> list[str]:
        """A lexicon form's terms. A multi-word form is a phrase as the index holds it: a lower-case
        ambiguous word inside it is left out (`Mohammed bin Salman`: the index drops `bin` unless
        written BIN), one term per position; a one-word form is kept as typed (`as` -> AS)."""
        if " " not in text.strip():
            return self.stems(text)
        terms, last = [], None
        for t in self.stem_analyzer(text, positions=True, mode="index"):
            if t.pos != last:
                terms.append(t.text)
                last = t.pos
        return terms

    def _term_any_field(self, stem: str, exact: str | None, weight: float = 1.0) -> Q.Query:
        parts = [Q.Term(f, stem, boost=b * weight) for f, b in self.boosts.items()]
        if exact and self.exact_boost > 0:
            parts.append(Q.Term("exact", exact, boost=self.exact_boost * weight))
        return Q.Or(parts)

    def _sequence(self, stems: list[str], exact: list[str] | None = None) -> Q.Query | None:
        """One token: any field; several: a phrase in any field (its score: the sum of its terms')."""
        if not stems:
            return None
        if len(stems) == 1:
            ex = exact[0] if exact and len(exact) == 1 else None
            return self._term_any_field(stems[0], ex)
        return Q.Or([Q.Phrase(f, stems, boost=b) for f, b in self.boosts.items()])

    def word(self, text: str) -> Q.Query | None:
        stems = self.stems(text)
        exact = analyze(self.exact_analyzer, text, mode="query")
        if len(stems) <= 1:
            return self._sequence(stems, exact)
        # one typed word that analyses to several tokens (e.g. "Rp5,2"): all must match
        return Q.And([self._term_any_field(s, None) for s in stems])

    def unit(self, unit: Unit) -> Q.Query | None:
        if unit.kind == "word":
            return self.word(unit.text)
        if unit.kind == "phrase":
            return self._sequence(self.stems(unit.text), analyze(self.exact_analyzer, unit.text, mode="query"))
        if unit.kind == "synonym":
            forms = [unit.text] + [" ".join(a) for a in unit.alternatives]
            parts = [q for q in (self._sequence(self.form_stems(f)) for f in forms) if q is not None]
            return Q.Or(parts) if parts else None
        if unit.kind == "thesaurus":   # tewas : tewas, or (weighted lower) meninggal, wafat, ...
            return self.thesaurus_unit(unit.text)
        if unit.kind == "prefix":      # korup* : korupsi, koruptor, ... each as a word
            words = self.prefix_words(unit.text) if self.prefix_words is not None else []
            parts = [self.word(w) for w in words or [unit.text]]
            parts = [q for q in parts if q is not None]
            return Q.Or(parts) if parts else None
        if unit.kind == "field":
            if unit.field in ("section", "outlet"):
                value = self.facet_values.get(unit.field, {}).get(unit.text.lower(), unit.text)
                return Q.Term(unit.field, value)
            if unit.field == "source":
                return Q.Term("source", unit.text.strip().title())
            stems = self.stems(unit.text)
            return Q.And([Q.Term(unit.field, s) for s in stems]) if stems else None
        return None

    def thesaurus_unit(self, text: str) -> Q.Query | None:
        words = text.split()
        if len(words) == 1:
            typed = self.word(text)
        else:   # typed without quotes: each word anywhere (and with its own synonyms), not a phrase
            each = [q for q in (self.thesaurus_unit(w) for w in words) if q is not None]
            typed = (each[0] if len(each) == 1 else Q.And(each)) if each else None
        parts = [typed] if typed is not None else []
        weight = self.synonym_weight
        for alt in self.thesaurus.alternatives(words) if self.thesaurus is not None and weight > 0 else ():
            if alt.exact_only:          # its stem is another word (meninggal -> tinggal): as written
                parts.append(Q.Term("exact", alt.words[0], boost=weight * sum(self.boosts.values())))
            elif len(alt.stems) == 1:
                parts.append(self._term_any_field(alt.stems[0], None, weight))
            else:
                parts.append(Q.Or([Q.Phrase(f, list(alt.stems), boost=b * weight) for f, b in self.boosts.items()]))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Q.Or(parts)

    def group(self, units: list[Unit]) -> Q.Query | None:
        parts = [q for q in (self.unit(u) for u in units) if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Q.Or(parts)

    def compile_groups(self, parsed: ParsedQuery, lexicon=None) -> "CompiledQuery":
        """Each AND group as its own query, for the engine's all-words / most-words matching."""
        groups = []
        for units in parsed.groups:
            q = self.group(units)
            if q is None:
                continue
            optional = all(u.optional for u in units)
            strict = any(u.strict or u.kind in ("phrase", "field") for u in units)
            texts = [u.text + ("*" if u.kind == "prefix" else "") for u in units]
            label = " OR ".join(texts)
            groups.append(CompiledGroup(q, label, optional, strict, relaxable(units, lexicon),
                                        self._plain_stem(units[0]) if len(units) == 1 and not strict else None))
        negatives = self._negatives(parsed)
        terms, phrases = highlights(g.query for g in groups)
        return CompiledQuery(groups, Q.Or(negatives) if negatives else None, terms, phrases)

    def _plain_stem(self, unit: Unit) -> str | None:
        """The one term a word, acronym or thesaurus word typed alone stands for (None for more)."""
        if unit.kind not in ("word", "synonym", "thesaurus") or " " in unit.text.strip():
            return None
        stems = self.stems(unit.text)
        return stems[0] if len(stems) == 1 else None

    def _negatives(self, parsed: ParsedQuery) -> list[Q.Query]:
        return [q for q in (self.unit(u) for u in parsed.negatives) if q is not None]

    def compile(self, parsed: ParsedQuery) -> Q.Query | None:
        """AND of the groups, minus the negatives (None = browse all): for counting a query's
        documents and for browsing; ranked searches match group by group (`compile_groups`,
        indexer.search.matching, which also holds the fallbacks when no document has every word)."""
        compiled = [(q, all(u.optional for u in g)) for g in parsed.groups
                    for q in [self.group(g)] if q is not None]
        required = any(not optional for _, optional in compiled)
        # an optional group matches every document (those it matches score more), unless nothing
        # else is required
        positives = [Q.Or([q, Q.Every()]) if optional and required else q
                     for q, optional in compiled]
        negatives = self._negatives(parsed)
        if not positives:
            if not negatives:
                return None
            base = Q.Every()
        elif len(positives) == 1:
            base = positives[0]
        else:
            base = Q.And(positives)
        if negatives:
            return Q.AndNot(base, Q.Or(negatives))
        return base
