"""Lexicon of acronyms and synonyms: file format, lookup, expansion."""
from __future__ import annotations

import dataclasses

import pytest

from indexer.analysis import stem_word, tokenize
from indexer.config import AnalysisSettings
from indexer.lexicon import Lexicon, LexiconError, parse_line

DEFAULT = AnalysisSettings()


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.load(DEFAULT)


def test_builtin_has_enough_groups(lexicon):
    assert len(lexicon) >= 170
    assert len(list(lexicon)) == len(lexicon)


def test_builtin_groups_are_well_formed(lexicon):
    seen = set()
    for group in lexicon:
        assert len(group.forms) >= 2
        assert all(form and all(w == w.lower() for w in form) for form in group.forms)
        key = frozenset(group.forms)
        assert key not in seen, group
        seen.add(key)


@pytest.mark.parametrize("form, expected", [
    ("korut", ("korea", "utara")),
    ("korea utara", ("korut",)),
    ("kpk", ("komisi", "pemberantasan", "korupsi")),
    ("komisi pemberantasan korupsi", ("kpk",)),
    ("jokowi", ("joko", "widodo")),
    ("timnas", ("tim", "nasional")),
    ("pbb", ("perserikatan", "bangsa-bangsa")),
    ("e-ktp", ("ktp", "elektronik")),
    ("ihsg", ("indeks", "harga", "saham", "gabungan")),
    ("mu", ("manchester", "united")),
    ("karhutla", ("kebakaran", "hutan", "dan", "lahan")),
])
def test_expansion_both_ways(lexicon, form, expected):
    words = tokenize(form)
    spans = lexicon.expansions(words)
    assert [(s, e) for s, e, _ in spans] == [(0, len(words))]
    assert expected in spans[0][2]
    assert tuple(words) not in spans[0][2]


def test_expansion_spans_in_a_query(lexicon):
    words = tokenize("Sidang DK PBB soal Korut dan harga BBM")
    spans = lexicon.expansions(words)
    assert [(s, e) for s, e, _ in spans] == [(1, 3), (4, 5), (7, 8)]
    assert ("dewan", "keamanan", "pbb") in spans[0][2]
    assert ("perserikatan", "bangsa-bangsa") not in spans[0][2]   # dk pbb wins over pbb
    assert spans[1][2] == [("korea", "utara")]
    assert spans[2][2] == [("bahan", "bakar", "minyak")]


@pytest.mark.parametrize("typed, acronym", [
    ("perserikatan bangsa bangsa", "pbb"),
    ("kitab undang undang hukum acara pidana", "kuhap"),     # listed only with the hyphen
    ("undang undang informasi dan transaksi elektronik", "uu"),
])
def test_reduplications_match_without_their_hyphen(lexicon, typed, acronym):
    spans = lexicon.expansions(tokenize(typed))
    assert [(s, e) for s, e, _ in spans] == [(0, len(typed.split()))]
    assert any(acronym in form for form in spans[0][2])


def test_unhyphenated_spelling_is_registered_once():
    group = parse_line("PBB | Perserikatan Bangsa-Bangsa | Perserikatan Bangsa Bangsa")
    assert group.forms == (("pbb",), ("perserikatan", "bangsa-bangsa"), ("perserikatan", "bangsa", "bangsa"))
    assert parse_line("X | Jakarta-Bogor | Kupu-kupu Malam").forms == (
        ("x",), ("jakarta", "bogor"), ("kupu-kupu", "malam"), ("kupu", "kupu", "malam"))


def test_longest_match_wins_over_an_earlier_shorter_one():
    lex = Lexicon.parse("X | a b\nY | b c d\n")
    assert lex.expansions(["a", "b", "c", "d"]) == [(1, 4, [("y",)])]
    assert lex.expansions(["a", "b", "z"]) == [(0, 2, [("x",)])]


def test_expansions_accepts_any_case(lexicon):
    assert lexicon.expansions(["KORUT"]) == lexicon.expansions(["korut"])


def test_acronym_with_several_meanings(lexicon):
    (span,) = lexicon.expansions(["pmi"])
    assert ("pekerja", "migran", "indonesia") in span[2]
    assert ("palang", "merah", "indonesia") in span[2]


def test_ambiguous_and_acronyms(lexicon):
    assert lexicon.is_ambiguous("as") and lexicon.is_ambiguous("AS")
    assert lexicon.is_ambiguous("bin")
    assert not lexicon.is_ambiguous("kpk")
    assert not lexicon.is_ambiguous("amerika")
    acronyms = lexicon.acronyms()
    assert {"korut", "kpk", "as", "pbb", "pemilu", "jokowi", "e-ktp"} <= acronyms
    assert all(" " not in a for a in acronyms)
    assert "korea" not in acronyms


def test_builtin_single_word_forms_survive_stemming(lexicon):
    """Expanding to `korut` or `pemilu` must hit the same stemmed term as the index."""
    for word in sorted(lexicon.acronyms()):
        assert stem_word(word, DEFAULT) == word


def test_file_format_comments_blank_lines_tabs_and_flags(tmp_path):
    text = (
        "# header comment\n"
        "\n"
        "   \n"
        "Korut | Korea Utara   # inline comment\n"
        "KPK\tKomisi Pemberantasan Korupsi\n"
        "AS | Amerika Serikat | @ambiguous\n"
    )
    path = tmp_path / "lex.tsv"
    path.write_text(text, encoding="utf-8")
    lex = Lexicon.load(dataclasses.replace(DEFAULT, lexicon=str(path)))
    assert len(lex) == 3
    assert [g.line for g in lex] == [4, 5, 6]
    assert lex.expansions(["kpk"]) == [(0, 1, [("komisi", "pemberantasan", "korupsi")])]
    assert lex.ambiguous_words() == {"as"}
    assert lex.acronyms() == {"korut", "kpk", "as"}


def test_jumat_line_is_rejected_as_a_single_form():
    with pytest.raises(LexiconError, match="two different forms"):
        parse_line("Jum'at | Jumat", "x:1")


@pytest.mark.parametrize("line, message", [
    ("KPK", "two different forms"),
    ("KPK | kpk", "two different forms"),
    ("AS | Amerika Serikat | @ambigous", "unknown flag"),
    ("Amerika | Amerika Serikat | @ambiguous", "ALL-CAPS"),
    ("KPK | ,,, ", "has no words"),
])
def test_bad_lines_are_reported_with_their_place(line, message):
    with pytest.raises(LexiconError, match=message):
        Lexicon.parse("# ok\n" + line + "\n", "my.tsv")
    with pytest.raises(LexiconError, match="my.tsv:2"):
        Lexicon.parse("# ok\n" + line + "\n", "my.tsv")


def test_none_and_missing(tmp_path):
    empty = Lexicon.load(dataclasses.replace(DEFAULT, lexicon="none"))
    assert len(empty) == 0 and empty.expansions(["korut"]) == [] and not empty.acronyms()
    with pytest.raises(FileNotFoundError):
        Lexicon.load(dataclasses.replace(DEFAULT, lexicon=str(tmp_path / "missing.tsv")))
