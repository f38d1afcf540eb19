"""One analysis chain: every user of the token pipeline sees the tokens the index has.

The reference is Whoosh's own analyzer (what a query is parsed with, and what an index built
without the fast path would hold). The users compared with it, on the demo corpus, tricky text and
generated Indonesian-ish text:

* the chain itself (`Chain.tokens`: position, term and character span of every token),
* the fast indexing path (term -> positions, what the index actually holds),
* highlighting (a term marks exactly the words the index holds it at),
* the stem-table warm-up (stems ahead exactly the words indexing will stem),
* `tokenize` (the raw query words the lexicon and the query parser compare).
"""
from __future__ import annotations

import string
import unicodedata
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import CompositeAnalyzer

from indexer import stemcache
from indexer.analysis import chain_of, make_analyzer, make_exact_analyzer, tokenize
from indexer.config import AnalysisSettings, SourceSettings, load_settings
from indexer.readers import read_source
from indexer.records import Article
from indexer.search import snippets
from tests.support import REPO

ANALYZERS = {
    "stemmed": lambda: make_analyzer(AnalysisSettings()),
    "exact": lambda: make_exact_analyzer(AnalysisSettings()),
    "unstemmed": lambda: make_analyzer(AnalysisSettings(stemmer="none")),
    "no-numbers": lambda: make_analyzer(AnalysisSettings(number_variants=False)),
}

TRICKY = [
    "",
    "yang dan di",
    "Presiden AS bertemu as roda, Bin Laden dan bin",
    "kata-kata anak-anaknya Jakarta-Cikampek Kim Jong-un TNI-Polri e-KTP COVID-19 U-16 18-0",
    "Ma'ruf Jum'at Indonesia's Instagram-nya 6.217 2,5 Rp5,2 1.000.000 KM36",
    "Cafe\u0301 Ame\u0301lie \u2018kutip\u2019 don\u2019t ganjil\u2010genap",
    "yang yang Korut yang DK PBB menandatangani penandatanganan",
    "  \n\t berulang-ulang  berulang-ulang ",
    "Rp5'000 6.276's 2024's (COVID-19) [Jokowi-Ma'ruf] km\u201036 d'Arc",
    "Wakil Presiden Ma'ruf Amin di tol Jakarta-Cikampek, KM 36: Rp6.276,63 miliar.",
]


# ------------------------------------------------------------------ the users, as token views


def reference(analyzer, text: str, mode: str = "index") -> list[tuple[int, str, int, int]]:
    """(position, term, start, end) of every token Whoosh's analyzer chain keeps."""
    return [(t.pos, t.text, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True, mode=mode)]


def by_term(tokens) -> dict[str, list[int]]:
    out = defaultdict(list)
    for pos, term, _, _ in tokens:
        out[term].append(pos)
    return dict(out)


def chain_tokens(analyzer, text: str, mode: str = "index") -> list[tuple[int, str, int, int]]:
    return [(t.pos, t.term, t.start, t.end) for t in chain_of(analyzer).tokens(text, mode=mode)]


def fast_positions(analyzer, text: str) -> dict[str, list[int]]:
    return dict(chain_of(analyzer).positions(text))


def marked(analyzer, text: str, term: str) -> list[tuple[int, int]]:
    """The spans highlighting marks for a query whose only stem is `term`."""
    return snippets.match_spans(chain_of(analyzer), text, {term})


def slots(tokens) -> list[tuple[tuple[int, int], set]]:
    """(written word's span, its terms) per position, in order."""
    out, last = [], None
    for pos, term, start, end in tokens:
        if pos != last:
            out.append(((start, end), set()))
            last = pos
        out[-1][1].add(term)
    return out


def phrase_spans(tokens, phrases) -> list[tuple[int, int]]:
    """Where each phrase stands on consecutive positions, from the first word's start to the last's end."""
    found, held = [], slots(tokens)
    for phrase in phrases:
        for i in range(len(held) - len(phrase) + 1):
            if all(word in held[i + k][1] for k, word in enumerate(phrase)):
                found.append((held[i][0][0], held[i + len(phrase) - 1][0][1]))
    return found


def written_spans(tokens, term: str) -> list[tuple[int, int]]:
    """The written words the index holds `term` at (a number variant marks its whole word)."""
    spans, written, last = [], None, None
    for pos, t, start, end in tokens:
        if pos != last:
            written, last = (start, end), pos
        if t == term and written not in spans:
            spans.append(written)
    return sorted(spans)


def stem_inputs(analyzer, text: str) -> set[str]:
    """The words indexing hands to the stemmer: the chain without its stem step."""
    items = analyzer.items
    return {t.text for t in CompositeAnalyzer(*items[:-1])(text, mode="index")}


def warmed_words(analyzer, text: str, tmp_path) -> set[str]:
    stemcache.warm(analyzer, [text], tmp_path, procs=1)
    return set(stemcache.load(analyzer, tmp_path))


def raw_words(text: str) -> list[str]:
    return [t.text for t in make_exact_analyzer(AnalysisSettings(lexicon="none"))(text, mode="query")]


# ------------------------------------------------------------------ the texts


def demo_texts() -> list[str]:
    texts = []
    config = load_settings(REPO / "config.toml")
    for item in read_source(SourceSettings(name="demo", path=REPO / "demo" / "corpus"), config):
        if isinstance(item, Article):
            texts += [item.title, item.lead, item.body, item.caption]
    return [t for t in texts if t]


_WORDS = st.sampled_from([
    "yang", "dan", "AS", "as", "Bin", "bin", "Korut", "menandatangani", "kata-kata", "anak-anaknya",
    "Jakarta-Cikampek", "Kim", "Jong-un", "e-KTP", "COVID-19", "U-16", "18-0", "6.217", "6.276,63",
    "2,5", "Rp5,2", "KM36", "1.000.000", "Ma'ruf", "Jum'at", "Indonesia's", "Instagram-nya",
    "penyelidikan", "relawan", "Bekasi", "DPR", "café", "Cafe\u0301", "\u2018kutip\u2019",
    "ganjil\u2010genap", "(", ")", "(KPK)", "\u2013", ",", ".", ":", "\n", "'", "-", "2024's", "Rp5'000",
])
_CHARS = st.sampled_from(string.ascii_letters + string.digits + " .,-'()\u2019\u2010\u00e9\u0301\n")
TEXT = st.one_of(
    st.lists(_WORDS, max_size=30).map(" ".join),
    st.lists(_WORDS, max_size=30).map("".join),
    st.text(_CHARS, max_size=60),
    st.text(max_size=60),
)


# ------------------------------------------------------------------ the checks


def check_all_users(kind: str, text: str, tmp_path=None) -> None:
    analyzer = ANALYZERS[kind]()
    text = unicodedata.normalize("NFC", text)       # character spans are into the NFC text
    ref = reference(analyzer, text)
    assert chain_tokens(analyzer, text) == ref, ("chain", text[:80])
    assert chain_tokens(analyzer, text, "query") == reference(analyzer, text, "query"), ("query", text[:80])
    assert fast_positions(analyzer, text) == by_term(ref), ("fast path", text[:80])
    terms = {term for _, term, _, _ in ref}
    for term in sorted(terms):
        assert marked(analyzer, text, term) == written_spans(ref, term), ("highlight", term, text[:80])
    every = sorted({span for term in terms for span in written_spans(ref, term)})
    assert snippets.match_spans(chain_of(analyzer), text, terms) == every, ("highlight all", text[:80])
    # phrases: every run of two and three positions in the text, and one that is not in it
    held = [sorted(t) for _, t in slots(ref)]
    phrases = {tuple(w[0] for w in held[i:i + n]) for n in (2, 3) for i in range(len(held) - n + 1)}
    phrases.add(("zzz", "yyy"))
    some = set(sorted(terms)[::2])
    want = snippets._merged(sorted({span for term in some for span in written_spans(ref, term)})
                            + phrase_spans(ref, phrases))
    assert snippets.match_spans(chain_of(analyzer), text, some, phrases) == want, ("phrases", text[:80])
    if kind == "stemmed" and tmp_path is not None:
        assert warmed_words(analyzer, text, tmp_path) == stem_inputs(analyzer, text), ("warm-up", text[:80])


@pytest.mark.parametrize("kind", sorted(ANALYZERS))
def test_every_user_sees_the_index_tokens_on_tricky_text(kind, tmp_path):
    for n, text in enumerate(TRICKY):
        check_all_users(kind, text, tmp_path / str(n))


@pytest.mark.parametrize("kind", ["stemmed", "exact", "unstemmed"])
def test_every_user_sees_the_index_tokens_on_the_demo_corpus(kind, tmp_path):
    texts = demo_texts()
    assert len(texts) > 150
    for n, text in enumerate(texts):
        check_all_users(kind, text, tmp_path / str(n))


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_every_user_sees_the_index_tokens_on_generated_text(text):
    for kind in ("stemmed", "exact"):
        check_all_users(kind, text)


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_tokenize_is_the_chains_query_words(text):
    assert tokenize(text) == raw_words(text)


# ------------------------------------------------------------------ the drift the comparison found


def test_highlights_mark_what_the_index_holds():
    chain = chain_of(ANALYZERS["stemmed"]())
    text = "Wakil Presiden Ma'ruf ada di tol Jakarta-Cikampek KM36, AS dan as: Rp6.276,63 miliar."
    assert snippets.highlight_all(chain, text, {"maruf", "cikampek", "ada", "as", "km", "6.276"}) == (
        "Wakil Presiden <mark>Ma&#x27;ruf</mark> ada di tol Jakarta-<mark>Cikampek</mark> <mark>KM36</mark>, "
        "<mark>AS</mark> dan as: <mark>Rp6.276,63</mark> miliar.")
    # a phrase through a number variant, stopwords closed up as in the index
    assert snippets.highlight_all(chain, text, set(), {("6276", "miliar"), ("wakil", "presiden", "maruf")}) == (
        "<mark>Wakil Presiden Ma&#x27;ruf</mark> ada di tol Jakarta-Cikampek KM36, AS dan as: "
        "<mark>Rp6.276,63 miliar</mark>.")


def test_highlights_of_decomposed_text():
    chain = chain_of(ANALYZERS["stemmed"]())
    assert snippets.highlight_all(chain, "Cafe\u0301 Jakarta", {"café"}) == "<mark>Café</mark> Jakarta"


def test_number_variants_come_from_the_cleaned_word():
    analyzer = ANALYZERS["stemmed"]()
    expected = {"rp5000": [0], "rp": [0], "5000": [0], "6.276": [1], "6276": [1]}
    assert fast_positions(analyzer, "Rp5'000 6.276's") == by_term(reference(analyzer, "Rp5'000 6.276's")) == expected


def test_the_warm_up_stems_exactly_the_words_indexing_stems():
    chain = chain_of(ANALYZERS["stemmed"]())
    assert set(chain.stem_inputs("Wakil Presiden Ma'ruf di tol Jakarta-Cikampek")) == {
        "wakil", "presiden", "maruf", "tol", "jakarta", "cikampek"}
