"""Acronym definitions learned from news text at index-build time.

Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text", adapted to Indonesian news. Two patterns are mined::

    Long Form (SF)    Kementerian Pemuda dan Olahraga (Kemenpora)
    SF (Long Form)    OJK (Otoritas Jasa Keuangan)

Indonesian acronyms are often syllabic (Kemenpora, Kapolri, Pemprov), so a short form is matched
against the long-form words piece by piece: every content word gives a piece that is a
subsequence of the word starting at its first letter (`Ka` from Kepala, `ora` from Olahraga) or
right after a derivational prefix (`pol` from ke-polisian, `dik` from pen-didikan); function words
(dan, di, untuk...) may give nothing or their initial. For pattern 1 the shortest suffix of the
preceding words that validates is the long form (a longer one only if it matches strictly better),
which trims "Ketua" off "Ketua Komisi Pemberantasan Korupsi (KPK)".

`AcronymMiner` collects validated occurrences per article; `result()` applies support, ambiguity
and block-list rules and returns a `LearnedTable` (TSV on disk, `groups_text()` for
`indexer.lexicon.Lexicon.parse`).
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Container, Iterable, Iterator, NamedTuple, Sequence

from indexer.chain import tokenize

Form = tuple[str, ...]

FUNCTION_WORDS = frozenset({
    "dan", "dari", "di", "ke", "untuk", "yang", "atau", "serta", "bagi", "pada", "dengan", "oleh",
    "the", "of", "and", "for", "in", "on",
})
# Derivational prefixes after which a syllabic piece may start: ke-polisian -> pol (Kapolri),
# pen-didikan -> dik (Kadisdik), per-hubungan -> hub (Kemenhub), ke-budayaan -> bud (Kemendikbud).
PREFIXES = ("ke", "pe", "per", "pem", "pen", "peng", "peny", "ber", "ter")

_CONJUNCTIONS = frozenset({"dan", "serta", "atau", "and", "&", "or"})

MIN_SHARE = 0.25            # a long form needs this share of its short form's occurrences
MAX_PATTERN2_WORDS = 12
MAX_SHORT_CHARS = 12
MAX_EXAMPLES = 3

# Content words a syllabic short form may leave out: Kapolri = Kepala Kepolisian [Negara]
# Republik Indonesia, Kemenlu = Kementerian Luar [Negeri].
SKIPPABLE = frozenset({"negara", "negeri"})

# Scoring (penalties subtracted from 1.0; see _match)
_GAPPED = 0.08              # piece is a subsequence but not a prefix of the word (Ka < Kepala)
_AFTER_PREFIX = 0.12        # piece starts after a derivational prefix (pol < kepolisian)
_SKIPPED = 0.1              # a SKIPPABLE word gives nothing

_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019`][^\W_]+)*")
_DISPLAY_WORD_RE = re.compile(r"[^\W_]+(?:[-\u2010\u2011'\u2019`][^\W_]+)*")
_PAREN_RE = re.compile(r"\(([^()\n]{1,300})\)")
# Characters that end a long form (pattern 1): sentence punctuation, brackets, quotes, dashes.
_BREAK_RE = re.compile(r"[.;:!?()\[\]{}\"\u201c\u201d\u2018\u00ab\u00bb|#\n\t\u2013\u2014]")
# What a parenthesised long form (pattern 2) may contain besides words and spaces.
_PATTERN2_RE = re.compile(r"[\w\s,&/'\u2019`\-\u2010\u2011]+")
_SHORT_RE = re.compile(r"[^\W\d_](?:[^\W_]*|[^\W_]*-[^\W_]+)")
_SHORT_BEFORE_PAREN_RE = re.compile(r"([^\W_][\w\-]*)\s*$")
_APOSTROPHES = str.maketrans("", "", "'\u2019`")
_LOOKBACK = 400             # characters before "(" searched for a pattern-1 long form


@dataclass(frozen=True)
class LearnedPair:
    short: str                    # display spelling, e.g. "Kemenpora"
    long: str                     # display spelling, e.g. "Kementerian Pemuda dan Olahraga"
    count: int                    # validated occurrences
    docs: int                     # distinct articles
    share: float                  # this long form's share of the short form's occurrences
    confidence: float             # 0..1
    examples: tuple[str, ...]     # up to 3 article ids


# ---------------------------------------------------------------------------------------------
# Finding definitions in one text


def is_short_form(token: str) -> bool:
    """KPK, DPRD, e-KTP, G20 (>= 2 capitals) or a capitalised syllabic form (Kemenpora, Pemprov)."""
    if not 2 <= len(token) <= MAX_SHORT_CHARS or not _SHORT_RE.fullmatch(token):
        return False
    upper = sum(c.isupper() for c in token)
    if upper >= 2:
        return True
    return token[0].isupper() and len(token) >= 3 and token[1:].replace("-", "").islower()


class _Word(NamedTuple):
    text: str        # lower case, apostrophes removed
    optional: bool   # a function word or the continuation of a hyphenated word (Bangsa-Bangsa)
    start: int
    end: int


def _words(text: str, start: int = 0, end: int | None = None, last: int = 0) -> list[_Word]:
    """The words of text[start:end] (the `last` ones only, when given), positions in `text`."""
    matches = list(_WORD_RE.finditer(text, start, len(text) if end is None else end))
    words = []
    for m in matches[-last:] if last else matches:
        word = m.group().translate(_APOSTROPHES).lower()
        after_hyphen = m.start() > 0 and text[m.start() - 1] in "-\u2010\u2011"
        words.append(_Word(word, after_hyphen or word in FUNCTION_WORDS, m.start(), m.end()))
    return words


_NO_PREFIX = ((0, 0.0),)


def _starts(word: str) -> Sequence[tuple[int, float]]:
    """Where a piece of `word` may start, with its penalty: the first letter, or after a prefix."""
    if word[0] not in "kpbt":       # every PREFIXES entry starts with one of these
        return _NO_PREFIX
    return _NO_PREFIX + tuple((len(prefix), _AFTER_PREFIX) for prefix in PREFIXES
                              if len(word) > len(prefix) + 2 and word.startswith(prefix))


def _pieces(short: str, j: int, word: _Word) -> list[tuple[int, float]]:
    """(length, penalty) of every piece short[j:j+length] the word can give, best penalty each."""
    text = word.text
    best: dict[int, float] = {}
    for offset, penalty in (_NO_PREFIX if word.optional else _starts(text)):
        if text[offset] != short[j]:
            continue
        # Greedy subsequence: the longest prefix of short[j:] that is a subsequence of text[offset:]
        # (every shorter prefix is one too); the first `contiguous` characters are a plain prefix.
        k, pos = 0, offset
        while j + k < len(short):
            found = text.find(short[j + k], pos)
            if found < 0:
                break
            k, pos = k + 1, found + 1
        contiguous = 0
        while contiguous < k and text.startswith(short[j + contiguous], offset + contiguous):
            contiguous += 1
        if word.optional:
            k = min(k, 1)   # a function word gives nothing or its initial
        for length in range(1, k + 1):
            cost = penalty + (0.0 if length <= contiguous else _GAPPED)
            if cost < best.get(length, 9.0):
                best[length] = cost
    return sorted(best.items())


def _match(short: str, words: Sequence[_Word]) -> float | None:
    """Confidence (0..1) that `words` spell out `short`, or None when they do not.

    Every non-optional word gives a non-empty piece, the first and the last word give one too
    (except a SKIPPABLE word), the pieces concatenate to the whole short form. Among valid splits
    the one with the least penalty wins (an initialism or leading syllables score 1.0).
    """
    n, m = len(words), len(short)
    if n < 2 or m < n - sum(w.optional or w.text in SKIPPABLE for w in words):
        return None
    memo: dict[tuple[int, int], float | None] = {}

    def cost(i: int, j: int) -> float | None:
        if i == n:
            return 0.0 if j == m else None
        key = (i, j)
        if key in memo:
            return memo[key]
        word = words[i]
        best = None
        if i > 0 and word.text in SKIPPABLE:
            rest = cost(i + 1, j)
            best = None if rest is None else rest + _SKIPPED
        elif word.optional and 0 < i < n - 1:
            best = cost(i + 1, j)
        if j < m:
            for length, penalty in _pieces(short, j, word):
                rest = cost(i + 1, j + length)
                if rest is not None and (best is None or rest + penalty < best):
                    best = rest + penalty
        memo[key] = best
        return best

    total = cost(0, 0)
    return None if total is None else round(max(0.05, 1.0 - total), 3)


def _short_key(short: str) -> str:
    return short.lower().replace("-", "").replace("\u2010", "").replace("\u2011", "")


def _pattern1(short: str, text: str, paren: int) -> tuple[list[_Word], float] | None:
    """The shortest suffix of the words before "(" that validates, with its confidence.

    A longer suffix wins only with a strictly better score: "Kerangka Kualifikasi Nasional
    Indonesia (KKNI)" is an initialism, where the shorter "Kualifikasi Nasional Indonesia" needs
    K-K from one word.
    """
    start = max(0, paren - _LOOKBACK)
    for cut in _BREAK_RE.finditer(text, start, paren):
        start = cut.end()
    limit = min(len(short) + 5, 2 * len(short))
    words = _words(text, start, paren, last=limit)
    key = _short_key(short)
    best = None
    for first in range(len(words) - 2, max(-1, len(words) - limit - 1), -1):
        candidate = words[first:]
        if candidate[0].text[0] != key[0]:
            continue
        if not _enumeration_ok(text[candidate[0].start:candidate[-1].end]):
            break       # longer suffixes cross the same comma
        score = _match(key, candidate)
        if score is not None and (best is None or score > best[1] + 1e-9):
            best = candidate, score
            if score >= 1.0:
                break
    return best


def _enumeration_ok(long: str) -> bool:
    """A comma inside a long form only in an enumeration that ends with a conjunction:
    "Badan Meteorologi, Klimatologi, dan Geofisika" but not "pria, Men's Fashion Week"."""
    if "," not in long:
        return True
    last = long.rsplit(",", 1)[1].split(None, 1)
    return bool(last) and last[0].lower() in _CONJUNCTIONS


def _definitions(text: str) -> Iterator[tuple[str, str, int, float]]:
    """(short, long display text, pattern, confidence) for each validated definition."""
    for m in _PAREN_RE.finditer(text):
        inner = m.group(1).strip()
        if not inner:
            continue
        if is_short_form(inner):                                        # Long Form (SF)
            found = _pattern1(inner, text, m.start())
            if found and not _same(inner, found[0]):
                words, score = found
                yield inner, " ".join(text[words[0].start:words[-1].end].split()), 1, score
            continue
        short = _short_before(text, m.start())                           # SF (Long Form)
        if short is None or inner[0].lower() != short[0].lower():
            continue
        if not _PATTERN2_RE.fullmatch(inner) or not _enumeration_ok(inner):
            continue
        words = _words(inner)
        key = _short_key(short)
        if not 2 <= len(words) <= MAX_PATTERN2_WORDS or _same(short, words):
            continue
        score = _match(key, words)
        if score is not None:
            yield short, " ".join(inner[words[0].start:words[-1].end].split()), 2, score


def _short_before(text: str, paren: int) -> str | None:
    """The short-form token right before the "(" at `paren` (pattern 2), if there is one."""
    m = _SHORT_BEFORE_PAREN_RE.search(text, max(0, paren - MAX_SHORT_CHARS - 8), paren)
    if not m or (m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "-_")):
        return None     # no token, or the window cut a longer word
    return m.group(1) if is_short_form(m.group(1)) else None


def _same(short: str, words: Sequence[_Word]) -> bool:
    """The long form only spells the short form out again (Jakarta-Bogor vs Jakarta Bogor)."""
    return _short_key(short) == "".join(w.text for w in words)


def find_definitions(text: str) -> Iterator[tuple[str, list[str], int]]:
    """(short form, long-form words, pattern 1|2) for every validated definition in `text`."""
    for short, long, pattern, _score in _definitions(text):
        yield short, _DISPLAY_WORD_RE.findall(long), pattern


# ---------------------------------------------------------------------------------------------
# Learning over a corpus


@dataclass(frozen=True)
class _Occurrence:
    short: str          # surface spellings
    long: str
    confidence: float


class AcronymMiner:
    """Collects definitions per article; `result()` turns them into a `LearnedTable`.

    Occurrences are kept per article id, so feeding an article again replaces what it gave before
    (an incremental build re-feeds every article it reads) and `forget()` drops a deleted one.
    """

    def __init__(self, ordinary_words: Container[str] = frozenset(),
                 never: Iterable[tuple[str, str | None]] = (),
                 curated_forms: Container[Form] = frozenset(), min_docs: int = 1):
        self.ordinary_words = ordinary_words
        self.curated_forms = curated_forms
        self.min_docs = max(1, int(min_docs))
        self._never_short: set[str] = set()
        self._never_pairs: set[tuple[str, Form]] = set()
        for short, long in never:
            if long is None:
                self._never_short.add(_short_key(short))
            else:
                self._never_pairs.add((_short_key(short), tuple(tokenize(long))))
        self._docs: dict[str, tuple[_Occurrence, ...]] = {}

    def feed(self, doc_id: str, *texts: str) -> None:
        """The article's title, lead, body... (pieces are searched separately)."""
        found = tuple(_Occurrence(short, long, score) for text in texts if text
                      for short, long, _pattern, score in _definitions(text))
        if found:
            self._docs[doc_id] = found
        else:
            self._docs.pop(doc_id, None)

    def forget(self, doc_id: str) -> None:
        self._docs.pop(doc_id, None)

    def merge(self, other: "AcronymMiner") -> None:
        """Adds another miner's articles (e.g. from a worker process); its articles win."""
        self._docs.update(other._docs)

    def __len__(self) -> int:
        """Articles with at least one definition."""
        return len(self._docs)

    def dump(self, path) -> None:
        """Every article's occurrences (gzipped JSON lines), so an update re-feeds only what changed."""
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for doc_id, found in self._docs.items():
                fh.write(json.dumps([doc_id, [[o.short, o.long, o.confidence] for o in found]],
                                    ensure_ascii=False) + "\n")

    def load(self, path) -> None:
        """Occurrences written by `dump` (articles fed later replace them)."""
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                doc_id, found = json.loads(line)
                self._docs[doc_id] = tuple(_Occurrence(s, lf, float(c)) for s, lf, c in found)

    def result(self) -> "LearnedTable":
        # Per (short key, long form): occurrences, articles, confidence sum, surface spellings.
        count: dict[tuple[str, Form], int] = {}
        docs: dict[tuple[str, Form], list[str]] = {}
        score: dict[tuple[str, Form], float] = {}
        shorts: dict[str, dict[str, int]] = {}
        longs: dict[tuple[str, Form], dict[str, int]] = {}
        for doc_id, found in self._docs.items():
            for occ in found:
                skey = _short_key(occ.short)
                key = (skey, tuple(tokenize(occ.long)))
                count[key] = count.get(key, 0) + 1
                ids = docs.setdefault(key, [])
                if not ids or ids[-1] != doc_id:
                    ids.append(doc_id)
                score[key] = score.get(key, 0.0) + occ.confidence
                spellings = shorts.setdefault(skey, {})
                spellings[occ.short] = spellings.get(occ.short, 0) + 1
                spellings = longs.setdefault(key, {})
                spellings[occ.long] = spellings.get(occ.long, 0) + 1

        rejected: dict[str, int] = {}
        per_short: dict[str, int] = {}
        for (skey, _form), n in count.items():
            per_short[skey] = per_short.get(skey, 0) + n
        pairs = []
        for key in sorted(count, key=lambda k: (k[0], -count[k], k[1])):
            skey, form = key
            short = _most_common(shorts[skey])
            reason = self._blocked(skey, short, form)
            if reason:
                rejected[reason] = rejected.get(reason, 0) + 1
                continue
            share = count[key] / per_short[skey]
            need = max(self.min_docs, 2 if len(skey) <= 2 else 1)
            if len(docs[key]) < need:
                rejected["support"] = rejected.get("support", 0) + 1
                continue
            if share < MIN_SHARE:
                rejected["share"] = rejected.get("share", 0) + 1
                continue
            pairs.append(LearnedPair(short, _most_common(longs[key]), count[key], len(docs[key]),
                                     round(share, 3), round(score[key] / count[key], 3),
                                     tuple(docs[key][:MAX_EXAMPLES])))
        return LearnedTable(tuple(pairs), rejected)

    def _blocked(self, skey: str, short: str, form: Form) -> str | None:
        """Why a pair is not learned (None: it is).

        An ordinary word is blocked even when written in capitals (HAM, PAN, TIM, API): flagging it
        @ambiguous would make the index drop the lower-case word (tim, api, ibu), so such acronyms
        belong in the curated lexicon, where most already are.
        """
        if skey in self._never_short or (skey, form) in self._never_pairs:
            return "never"
        if (skey,) in self.curated_forms or tuple(tokenize(short)) in self.curated_forms \
                or form in self.curated_forms:
            return "curated"
        if skey in self.ordinary_words:
            return "ordinary_word"
        return None


def _most_common(spellings: dict[str, int]) -> str:
    return max(spellings.items(), key=lambda item: (item[1], item[0]))[0]


# ---------------------------------------------------------------------------------------------
# The learned table


_COLUMNS = ("short", "long", "count", "docs", "share", "confidence", "examples")


@dataclass(frozen=True)
class LearnedTable:
    pairs: tuple[LearnedPair, ...] = ()
    rejected: dict[str, int] = field(default_factory=dict)     # reason -> distinct pairs

    def __len__(self) -> int:
        return len(self.pairs)

    def write(self, path) -> None:
        """TSV: comment header (with the rejected tally), a column line, one pair a line; the
        examples column is a JSON list (article ids may contain anything)."""
        rejected = " ".join(f"{k}={v}" for k, v in sorted(self.rejected.items()))
        lines = [
            "# Warta acronyms learned from the corpus (indexer.acronyms). Generated; do not edit.",
            f"# pairs={len(self.pairs)} shorts={len({_short_key(p.short) for p in self.pairs})}",
            f"# rejected: {rejected}",
            "\t".join(_COLUMNS),
        ]
        for p in self.pairs:
            lines.append("\t".join((p.short, p.long, str(p.count), str(p.docs), f"{p.share:.3f}",
                                    f"{p.confidence:.3f}",
                                    json.dumps(list(p.examples), ensure_ascii=False))))
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path) -> "LearnedTable":
        pairs, rejected = [], {}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.startswith("# rejected:"):
                for item in line[len("# rejected:"):].split():
                    reason, _, n = item.partition("=")
                    rejected[reason] = int(n)
                continue
            if not line.strip() or line.startswith("#") or line == "\t".join(_COLUMNS):
                continue
            f = line.split("\t")
            if len(f) != len(_COLUMNS):
                raise ValueError(f"{path}: expected {len(_COLUMNS)} columns: {line!r}")
            pairs.append(LearnedPair(f[0], f[1], int(f[2]), int(f[3]), float(f[4]), float(f[5]),
                                     tuple(json.loads(f[6]))))
        return cls(tuple(pairs), rejected)

    def groups_text(self) -> str:
        """One `SHORT | Long Form` line a pair, for `Lexicon.parse`."""
        return "".join(f"{p.short} | {p.long}\n" for p in self.pairs)
