"""TermPositions (indexer.termpositions) gives exactly the terms and positions of Whoosh's own path."""
from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import make_analyzer, make_exact_analyzer
from indexer.config import AnalysisSettings, SourceSettings, load_settings
from indexer.readers import read_source
from indexer.records import Article
from indexer.termpositions import TermPositions
from tests.support import REPO

ANALYSES = {
    "stemmed": lambda: make_analyzer(AnalysisSettings()),
    "exact": lambda: make_exact_analyzer(AnalysisSettings()),
    "unstemmed": lambda: make_analyzer(AnalysisSettings(stemmer="none")),
}

TRICKY = [
    "",
    "yang dan di",                                   # only stopwords
    "Presiden AS bertemu as roda, Bin Laden dan bin", # ambiguous acronyms in both cases
    "kata-kata anak-anaknya Jakarta-Cikampek Kim Jong-un TNI-Polri e-KTP COVID-19 U-16 18-0",
    "Ma'ruf Jum'at Indonesia's Instagram-nya 6.217 2,5 Rp5,2 1.000.000",
    "Cafe\u0301 Ame\u0301lie ‘kutip’ don’t ganjil\u2010genap",  # NFD input, curly quotes, U+2010
    "yang yang Korut yang DK PBB menandatangani penandatanganan",
    "  \n\t berulang-ulang  berulang-ulang ",
]


def whoosh_positions(analyzer, text: str) -> dict[str, list[int]]:
    out = defaultdict(list)
    for t in analyzer(text, positions=True, mode="index"):
        out[t.text].append(t.pos)
    return dict(out)


def demo_texts() -> list[str]:
    texts = []
    settings = load_settings(REPO / "config.toml")
    for item in read_source(SourceSettings(name="demo", path=REPO / "demo" / "corpus"), settings):
        if isinstance(item, Article):
            texts += [item.title, item.lead, item.body, item.caption]
    return [t for t in texts if t]


@pytest.mark.parametrize("kind", sorted(ANALYSES))
def test_fast_path_matches_whoosh_on_demo_corpus_and_tricky_text(kind):
    analyzer = ANALYSES[kind]()
    fast = TermPositions.for_analyzer(analyzer)
    assert fast is not None
    texts = demo_texts() + TRICKY
    assert len(texts) > 150
    for text in texts:
        assert dict(fast(text)) == whoosh_positions(analyzer, text), text[:80]


_WORDS = st.sampled_from(["yang", "AS", "as", "Bin", "bin", "Korut", "menandatangani", "kata-kata",
                          "Jakarta-Cikampek", "e-KTP", "6.217", "Ma'ruf", "Indonesia's", "dan",
                          "penyelidikan", "relawan", "Bekasi", "DPR", "U-16", "café", "–", ",", "\n"])
_TEXT = st.one_of(st.lists(_WORDS, max_size=40).map(" ".join), st.text(max_size=200))


@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_fast_path_matches_whoosh_on_generated_text(text):
    for kind in ("stemmed", "exact"):
        analyzer = ANALYSES[kind]()
        assert dict(TermPositions.for_analyzer(analyzer)(text)) == whoosh_positions(analyzer, text)


def test_other_analyzers_are_not_taken_over():
    from whoosh.analysis import StandardAnalyzer
    assert TermPositions.for_analyzer(StandardAnalyzer()) is None
