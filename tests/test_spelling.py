"""Non-standard spellings (indexer/data/spelling.tsv): an article that writes `penasehat` and one
that writes `penasihat` are found by either, derived forms included, on a small built index."""
from __future__ import annotations

import pytest

from indexer.analysis import parse_spelling, stem_word
from indexer.build import build
from indexer.config import AnalysisSettings
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from tests.support import jsonl_source, settings_for, write_jsonl

# (id, title, body): one article writes the standard forms, one the variants
TEXTS = [
    ("baku", "Penasihat presiden mundur",
     "Penasihat keamanan itu mundur setelah berselisih. Pemerintah mengimbau warga tenang."),
    ("tidak-baku", "Penasehat gubernur diperiksa",
     "Penasehat itu diperiksa soal hutang daerah. Polisi menghimbau warga tidak panik."),
    ("rubah", "Rubah masuk kandang ayam", "Seekor rubah masuk kandang ayam warga."),
    ("ubah", "Jadwal kereta diubah", "Operator mengubah jadwal kereta mulai pekan depan."),
]
ARTICLES = [{"id": i, "title": t, "body": b, "date": f"2024-02-0{n}"} for n, (i, t, b) in enumerate(TEXTS, 1)]


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("spelling")
    settings = settings_for(tmp, [jsonl_source(write_jsonl(tmp / "a.jsonl", ARTICLES))],
                            search={"thesaurus": "none", "partial_below": 0})
    build(settings)
    return settings


def ids(settings, query):
    return {h.id for h in SearchEngine(settings).search(SearchRequest(query=query)).hits}


def test_either_spelling_finds_both_articles(settings):
    assert ids(settings, "penasehat") == ids(settings, "penasihat") == {"baku", "tidak-baku"}
    assert ids(settings, "himbauan") == ids(settings, "imbau") == {"baku", "tidak-baku"}
    assert ids(settings, "berutang") == {"tidak-baku"}           # hutang -> utang, then its derived forms


def test_a_variant_that_is_another_word_is_not_listed(settings):
    assert ids(settings, "rubah") == {"rubah"}                   # the fox, not `ubah`
    assert ids(settings, "merubah") == {"ubah"}                  # the non-standard verb is listed


def test_the_word_as_written_still_ranks_first(settings):
    hits = SearchEngine(settings).search(SearchRequest(query="penasehat")).hits
    assert [h.id for h in hits][0] == "tidak-baku"               # the exact field holds the form as written


def test_spelling_none_switches_it_off(tmp_path):
    settings = settings_for(tmp_path, [jsonl_source(write_jsonl(tmp_path / "a.jsonl", ARTICLES))],
                            analysis={"spelling": "none"}, search={"thesaurus": "none", "partial_below": 0})
    build(settings)
    assert ids(settings, "penasehat") == {"tidak-baku"}
    assert stem_word("penasehat", AnalysisSettings(spelling="none")) == "nasehat"
    assert stem_word("penasehat", AnalysisSettings()) == "nasihat"


def test_the_list_parses_variant_and_standard():
    table = parse_spelling("# comment\nnasehat   nasihat  # trailing\n\nijin izin\nlonely\n")
    assert dict(table) == {"nasehat": "nasihat", "ijin": "izin"}
