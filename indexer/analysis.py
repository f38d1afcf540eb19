"""Indonesian text analysis as Whoosh analyzers, their word lists and cached stemming.

The steps themselves (words, compound parts, number variants, folding, stopwords, stem) are
defined once in `indexer.chain`; the tokenizer and filters here run them on Whoosh's `Token`, and
`chain_of(analyzer)` gives the same pipeline as a `Chain` for the fast indexing path,
highlighting and the stem warm-up.

The analyzers built here are pickled into the Whoosh index TOC, so they are compositions of the
small Tokenizer/Filter classes below. Each filter pickles only its settings and word lists
(`WordSet`/`WordMap` pickle as one zlib-compressed string); the stemmer and its LRU cache are
rebuilt lazily after unpickling and are shared by every filter with the same configuration.
An index therefore keeps the word lists it was built with, even if the data files change later.

Chains::

    make_analyzer        IndonesianTokenizer | AcronymLowercaseFilter | IndonesianStopFilter
                         | IndonesianStemFilter                      (title, lead, body, caption)
    make_exact_analyzer  IndonesianTokenizer | AcronymLowercaseFilter  (exact forms, phrases,
                                                                         spelling suggestions)
"""
from __future__ import annotations

import functools
import itertools
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from whoosh.analysis import Filter, StopFilter, Token, Tokenizer

from indexer.chain import DIGIT_RE, TOKEN_RE, Chain, fold, nfc, tokenize, word_pieces
from indexer.config import AnalysisSettings
from indexer.wordlists import is_file, read_word_list
from indexer.lexicon import Lexicon

__all__ = ["make_analyzer", "make_exact_analyzer", "chain_of", "analyze", "tokenize", "stem_word",
           "load_word_lists", "IndonesianTokenizer", "AcronymLowercaseFilter", "IndonesianStopFilter",
           "IndonesianStemFilter", "WordSet", "WordMap", "WordLists"]

STEMMERS = ("sastrawi", "snowball", "none")
MAX_STEM_CHARS = 40       # longer tokens (URLs, hashes, glued text) are not stemmed


# ---------------------------------------------------------------------------------------------
# Word lists that pickle small


class WordSet(frozenset):
    """A frozenset of words that pickles as one compressed string."""

    def __reduce__(self):
        return _unpack_words, (zlib.compress("\n".join(sorted(self)).encode("utf-8"), 9),)

    def __repr__(self):
        return f"WordSet(<{len(self)} words>)"


class WordMap(dict):
    """A word -> stem mapping that pickles as one compressed string (treat it as read-only)."""

    def __reduce__(self):
        lines = "\n".join(f"{k}\t{v}" for k, v in sorted(self.items()))
        return _unpack_map, (zlib.compress(lines.encode("utf-8"), 9),)

    def __repr__(self):
        return f"WordMap(<{len(self)} entries>)"


def _unpack_words(blob: bytes) -> WordSet:
    text = zlib.decompress(blob).decode("utf-8")
    return WordSet(text.split("\n") if text else ())


def _unpack_map(blob: bytes) -> WordMap:
    text = zlib.decompress(blob).decode("utf-8")
    return WordMap(line.split("\t", 1) for line in text.split("\n") if line)


@dataclass(frozen=True)
class WordLists:
    stopwords: WordSet
    protected: WordSet        # never stemmed (protected_words file + single-word lexicon forms)
    exceptions: WordMap       # word -> stem, applied before the stemmer
    spelling: WordMap         # non-standard spelling -> standard, of words and of stems (spelling.tsv)
    ambiguous: WordSet        # lower-case acronyms that are also ordinary words (lexicon flag)


def _content_lines(text: str) -> Iterable[list[str]]:
    for line in text.splitlines():
        fields = line.split("#", 1)[0].lower().split()
        if fields:
            yield fields


def parse_stopwords(text: str) -> WordSet:
    return WordSet(fields[0] for fields in _content_lines(text))


def parse_protected(text: str) -> tuple[WordSet, WordMap]:
    """`word` lines are protected words, `word stem` lines are stemming exceptions, and `word =`
    lines are roots of their own (an exception to itself whose inflections stem to it too)."""
    protected, exceptions = set(), {}
    for fields in _content_lines(text):
        if len(fields) == 1 or fields[1] == fields[0]:
            protected.add(fields[0])
        else:
            exceptions[fields[0]] = fields[0] if fields[1] == "=" else fields[1]
    return WordSet(protected), WordMap(exceptions)


def parse_spelling(text: str) -> WordMap:
    """`variant standard` lines (indexer/data/spelling.tsv)."""
    return WordMap((fields[0], fields[1]) for fields in _content_lines(text) if len(fields) >= 2)


def _mtime(source: str) -> int:
    if not is_file(source):
        return 0
    try:
        return Path(source).stat().st_mtime_ns
    except OSError:
        return -1


def load_word_lists(analysis: AnalysisSettings) -> WordLists:
    """Word lists for these settings; cached per process (a changed file is read again)."""
    sources = (analysis.stopwords, analysis.protected_words, analysis.lexicon, analysis.spelling)
    return _load_word_lists(sources, tuple(_mtime(s) for s in sources))


@functools.lru_cache(maxsize=16)
def _load_word_lists(sources: tuple[str, str, str, str], _mtimes: tuple[int, ...]) -> WordLists:
    stop_src, protected_src, lexicon_src, spelling_src = sources
    protected, exceptions = parse_protected(read_word_list(protected_src, "protected_words.txt"))
    lexicon = Lexicon.load(AnalysisSettings(lexicon=lexicon_src))
    protected = WordSet((protected | lexicon.acronyms()) - exceptions.keys())
    return WordLists(
        stopwords=parse_stopwords(read_word_list(stop_src, "stopwords.txt")),
        protected=protected,
        exceptions=exceptions,
        ambiguous=WordSet(lexicon.ambiguous_words()),
        spelling=parse_spelling(read_word_list(spelling_src, "spelling.tsv")),
    )


# ---------------------------------------------------------------------------------------------
# Whoosh's tokenizer and filters: the steps of indexer.chain, one Token object at a time


class IndonesianTokenizer(Tokenizer):
    """Words, keeping `kata-kata`, `e-KTP`, `COVID-19`, `18-0`, `6.217`, `2,5`, `Rp5` whole.

    The words, parts and number variants of `indexer.chain.word_pieces`: hyphenated compounds of
    separate words (`Jakarta-Cikampek`, `Kim Jong-un`) become one token per part at consecutive
    positions; when indexing (any mode but "query"), a number is followed by its number variants
    at the same position. A trailing English possessive is dropped (`Indonesia's` -> `Indonesia`),
    inner apostrophes are removed (`Ma'ruf` -> `Maruf`). Case is kept for the acronym filter.
    Input is NFC-normalised (offsets may shift only for non-NFC input).
    """

    numbers = True          # class default: indexes pickled before number variants existed

    def __init__(self, numbers: bool = True):
        self.numbers = numbers

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.numbers == self.numbers

    def __hash__(self):
        return hash((self.__class__, self.numbers))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        numbers = self.numbers and mode != "query"
        pos = start_pos - 1
        for match in TOKEN_RE.finditer(nfc(value)):
            base = start_char + match.start()
            for text, a, b, stacked in word_pieces(match.group(), numbers):
                if not stacked:
                    pos += 1
                yield _set(t, text, pos, base + a, base + b, keeporiginal, positions, chars)


def _set(t: Token, text: str, pos: int, start: int, end: int, keeporiginal: bool, positions: bool,
         chars: bool) -> Token:
    """Whoosh's one reused Token, filled for the next word."""
    t.text = text
    t.boost = 1.0
    t.stopped = False
    if keeporiginal:
        t.original = text
    if positions:
        t.pos = pos
    if chars:
        t.startchar, t.endchar = start, end
    return t


class AcronymLowercaseFilter(Filter):
    """Lower-cases tokens; drops ambiguous acronyms that were not written in capitals.

    `ambiguous` holds lower-case acronyms that are also ordinary words (`as`, `bin`). When the
    analyzer runs with mode="query" they are always kept (users type lower case). In any other
    mode ("index", or Whoosh's default "") a token counts as the acronym only when written in
    ALL CAPS (`AS` in "Presiden AS"); otherwise it is removed like a stopword (kept with
    ``stopped=True`` when the caller passes removestops=False, as the highlighter does).
    """

    def __init__(self, ambiguous: Iterable[str] = ()):
        self.ambiguous = ambiguous if isinstance(ambiguous, WordSet) else WordSet(ambiguous)

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.ambiguous == self.ambiguous

    def __hash__(self):
        return hash(self.ambiguous)

    def __repr__(self):
        return f"AcronymLowercaseFilter({sorted(self.ambiguous)!r})"

    def __call__(self, tokens):
        ambiguous = self.ambiguous
        for t in tokens:
            lower = fold(t.text, ambiguous, t.mode == "query")
            if lower is None:
                lower = t.text.lower()
                if t.removestops:
                    continue
                t.stopped = True
            t.text = lower
            yield t


class IndonesianStopFilter(StopFilter):
    """Whoosh's StopFilter (positions renumbered) with a compact, picklable word list.

    Single characters are kept (minsize=1): `Liga 1`, `Densus 88`, `4-0` matter in news.
    """

    def __init__(self, stopwords: Iterable[str] = ()):
        super().__init__(stoplist=None, minsize=1, maxsize=None, renumber=True)
        self.stops = stopwords if isinstance(stopwords, WordSet) else WordSet(stopwords)

    def __repr__(self):
        return f"IndonesianStopFilter(<{len(self.stops)} words>)"

    def __call__(self, tokens):
        # Like StopFilter, but a token an earlier filter already stopped stays stopped.
        # Tokens stacked at one position (number variants) stay stacked.
        stops = self.stops
        pos = last = None
        for t in tokens:
            if t.stopped or t.text in stops:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                if pos is None:
                    pos = last = t.pos
                elif t.pos == last:
                    t.pos = pos
                else:
                    last = t.pos
                    pos += 1
                    t.pos = pos
            yield t


class IndonesianStemFilter(Filter):
    """Stems lower-case tokens through a bounded, process-wide LRU cache.

    Order per token: exception map -> protected words / digits / non-ASCII / very long tokens
    (unchanged) -> hyphenated reduplication (`kata-kata` -> `kata`) -> the stemmer.
    """

    is_morph = True

    def __init__(self, stemmer: str = "sastrawi", protected: Iterable[str] = (),
                 exceptions: Mapping[str, str] | None = None, cache_size: int = 100_000,
                 spelling: Mapping[str, str] | None = None):
        if stemmer not in ("sastrawi", "snowball"):
            raise ValueError(f"unknown stemmer {stemmer!r} (sastrawi or snowball)")
        self.stemmer = stemmer
        self.protected = protected if isinstance(protected, WordSet) else WordSet(protected)
        self.exceptions = exceptions if isinstance(exceptions, WordMap) else WordMap(exceptions or {})
        self.cache_size = int(cache_size)
        self.spelling = spelling if isinstance(spelling, WordMap) else WordMap(spelling or {})
        self._stem = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_stem"] = None
        return state

    def __setstate__(self, state):
        state.setdefault("spelling", WordMap())      # indexes built before spelling.tsv existed
        self.__dict__.update(state)
        self._stem = None

    def __eq__(self, other):
        return (other.__class__ is self.__class__ and other.stemmer == self.stemmer
                and other.protected == self.protected and other.exceptions == self.exceptions
                and other.spelling == self.spelling and other.cache_size == self.cache_size)

    def __hash__(self):
        return hash((self.stemmer, self.protected, self.cache_size))

    def __repr__(self):
        return (f"IndonesianStemFilter({self.stemmer!r}, <{len(self.protected)} protected>, "
                f"<{len(self.exceptions)} exceptions>, <{len(self.spelling)} spellings>, "
                f"cache_size={self.cache_size})")

    @property
    def stem(self) -> Callable[[str], str]:
        """The cached stem function (lower-case single word in, stem out)."""
        if self._stem is None:
            self._stem = _stem_function(*self._key())
        return self._stem

    def cache_info(self):
        """functools cache statistics (hits, misses, maxsize, currsize) of the shared cache."""
        return self.stem.cache_info() if hasattr(self.stem, "cache_info") else None

    def stem_uncached(self, word: str) -> str:
        """The stem without touching any cache (for pre-computing stems in worker processes)."""
        return self.stem.__wrapped__(word) if hasattr(self.stem, "__wrapped__") else self.stem(word)

    def seed(self, stems: dict[str, str]) -> None:
        """Pre-computed stems, consulted before the LRU cache by every filter with these settings."""
        self.stem  # make sure the function (and its seed table) exists
        _SEEDED[self._key()].update(stems)

    def learn(self) -> int:
        """From now on, keep every newly stemmed word in the seed table (for a build's writer
        processes, whose new stems go back to the table on disk). Returns the table's size."""
        self.stem.learning = True
        return len(_SEEDED[self._key()])

    def learned_since(self, mark: int) -> dict[str, str]:
        """Stems added to the seed table after `learn()` returned `mark` (insertion order)."""
        return dict(itertools.islice(_SEEDED[self._key()].items(), mark, None))

    def _key(self) -> tuple:
        return (self.stemmer, self.cache_size, self.protected, frozenset(self.exceptions.items()),
                frozenset(self.spelling.items()))

    def __call__(self, tokens):
        stem = self.stem
        for t in tokens:
            t.text = stem(t.text)
            yield t


# ---------------------------------------------------------------------------------------------
# Stemmers (module-level caches, created on first use)


@functools.lru_cache(maxsize=8)
def _sastrawi_stem_word(extra_roots: frozenset[str]) -> Callable[[str], str]:
    """Raw Sastrawi `Stemmer.stem_word` (no normalisation, no unbounded cache), one per root set."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    from indexer.fastsastrawi import FastSastrawiStemmer

    words = StemmerFactory().get_words()
    words.extend(sorted(extra_roots))
    return FastSastrawiStemmer(ArrayDictionary(words)).stem_word


@functools.lru_cache(maxsize=1)
def _snowball_stem_word() -> Callable[[str], str]:
    try:
        import Stemmer as pystemmer
    except ImportError as exc:
        raise RuntimeError("stemmer = 'snowball' needs PyStemmer: pip install PyStemmer") from exc
    return pystemmer.Stemmer("indonesian").stemWord


def _stem_reduplication(word: str, stem_single: Callable[[str], str]) -> str:
    """`kata-kata` -> `kata`, `anak-anaknya` -> `anak`; other hyphenated words stay whole."""
    parts = word.split("-")
    if len(parts) == 2 and all(parts):
        first, second = stem_single(parts[0]), stem_single(parts[1])
        if first == second:
            return first
    return word


_STEM_FUNCTIONS: dict[tuple, Callable[[str], str]] = {}   # filled lazily by _stem_function
_SEEDED: dict[tuple, dict[str, str]] = {}                 # pre-computed stems (see IndonesianStemFilter.seed)


def _stem_function(stemmer: str, cache_size: int, protected: frozenset[str],
                   exceptions: frozenset[tuple[str, str]],
                   spelling: frozenset[tuple[str, str]] = frozenset()) -> Callable[[str], str]:
    key = (stemmer, cache_size, protected, exceptions, spelling)
    fn = _STEM_FUNCTIONS.get(key)
    if fn is None:
        fn = _STEM_FUNCTIONS[key] = _build_stem_function(stemmer, cache_size, protected, dict(exceptions),
                                                         _SEEDED.setdefault(key, {}), dict(spelling))
    return fn


def _build_stem_function(stemmer, cache_size, protected, exceptions, seeded, spelling):
    if stemmer == "sastrawi":
        raw = _sastrawi_stem_word(frozenset(exceptions.values()))
        hyphenated = raw                       # Sastrawi handles reduplication itself
    else:
        raw = _snowball_stem_word()
        hyphenated = functools.partial(_stem_reduplication, stem_single=raw)

    standard = spelling.get

    def stem(word: str) -> str:
        word = standard(word, word)            # a non-standard spelling: its standard word (menghimbau)
        known = exceptions.get(word)
        if known is not None:
            return known
        if (word in protected or len(word) < 3 or len(word) > MAX_STEM_CHARS
                or not word.isascii() or DIGIT_RE.search(word)):
            return word
        term = hyphenated(word) if "-" in word else raw(word)
        return standard(term, term)            # ... or of its stem (penasehat -> nasehat -> nasihat)

    if cache_size > 0:
        stem = functools.lru_cache(maxsize=cache_size)(stem)

    def seeded_stem(word: str, _seeded=seeded.get, _stem=stem) -> str:
        known = _seeded(word)
        if known is None:
            known = _stem(word)
            if seeded_stem.learning:          # a build's writer process: keep it for the table
                seeded[word] = known
        return known

    seeded_stem.learning = False

    seeded_stem.__wrapped__ = stem.__wrapped__ if hasattr(stem, "__wrapped__") else stem
    seeded_stem.cache_info = getattr(stem, "cache_info", lambda: None)
    return seeded_stem


# ---------------------------------------------------------------------------------------------
# Public API


def make_analyzer(analysis: AnalysisSettings):
    """Stemmed analyzer for title/lead/body/caption."""
    if analysis.stemmer not in STEMMERS:
        raise ValueError(f"stemmer must be one of {STEMMERS}, not {analysis.stemmer!r}")
    words = load_word_lists(analysis)
    chain = (IndonesianTokenizer(analysis.number_variants) | AcronymLowercaseFilter(words.ambiguous)
             | IndonesianStopFilter(words.stopwords))
    if analysis.stemmer != "none":
        if analysis.stemmer == "snowball":
            _snowball_stem_word()              # fail now, not at the first document
        chain = chain | IndonesianStemFilter(analysis.stemmer, words.protected,
                                             words.exceptions, analysis.stem_cache_size, words.spelling)
    return chain


def make_exact_analyzer(analysis: AnalysisSettings | None = None):
    """Unstemmed analyzer (no stopwords) for the `exact` field, phrases and suggestions."""
    analysis = analysis or AnalysisSettings()
    words = load_word_lists(analysis)
    return IndonesianTokenizer(analysis.number_variants) | AcronymLowercaseFilter(words.ambiguous)


def analyze(analyzer, text: str, mode: str = "index") -> list[str]:
    """Token texts of `text` (mode "index" or "query", see AcronymLowercaseFilter)."""
    return [t.text for t in analyzer(text, mode=mode)]


_CHAINS: dict[int, tuple[object, "Chain | None"]] = {}   # id(analyzer) -> (analyzer, its chain)


def chain_of(analyzer) -> Chain | None:
    """The `Chain` of an analyzer `make_analyzer` or `make_exact_analyzer` built (one per analyzer
    object, so its caches are shared), or None for any other analyzer."""
    cached = _CHAINS.get(id(analyzer))
    if cached is None or cached[0] is not analyzer:
        if len(_CHAINS) > 64:
            _CHAINS.clear()
        cached = _CHAINS[id(analyzer)] = (analyzer, _build_chain(analyzer))
    return cached[1]


def _build_chain(analyzer) -> Chain | None:
    items = list(getattr(analyzer, "items", ()))
    kinds = [type(i) for i in items]
    if kinds[:2] != [IndonesianTokenizer, AcronymLowercaseFilter]:
        return None
    if kinds[2:] not in ([], [IndonesianStopFilter], [IndonesianStopFilter, IndonesianStemFilter]):
        return None
    stops = items[2].stops if len(items) > 2 else None
    stem = items[3].stem if len(items) > 3 else None
    return Chain(items[1].ambiguous, stops, stem, items[0].numbers)


def stem_word(word: str, analysis: AnalysisSettings) -> str:
    """Stem one word exactly as the stemmed fields do (e.g. to highlight query terms)."""
    word = word.lower()
    if analysis.stemmer == "none":
        return word
    words = load_word_lists(analysis)
    return _stem_function(analysis.stemmer, analysis.stem_cache_size, words.protected,
                          frozenset(words.exceptions.items()), frozenset(words.spelling.items()))(word)
