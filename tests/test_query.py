"""indexer/search/query.py: the forgiving query language (`parse`, `require_word`) and compilation.
Compilation is pure: the query and what it marks come back as one value, nothing is kept on the
compiler, and marks are derived from what is searched (never from exclusions). What the compiled
queries find in an index: tests/test_search.py."""
from __future__ import annotations

import dataclasses

import pytest

from indexer.analysis import make_analyzer, make_exact_analyzer
from indexer.config import AnalysisSettings
from indexer.search.query import Compiler, highlights, parse, require_word
from whoosh import query as Q


@pytest.fixture(scope="module")
def compiler():
    analysis = AnalysisSettings()
    return Compiler(stem_analyzer=make_analyzer(analysis), exact_analyzer=make_exact_analyzer(analysis),
                    boosts={"title": 4.0, "lead": 1.5, "body": 1.0, "caption": 0.5}, exact_boost=0.6,
                    facet_values={})


def units(parsed):
    return [[(u.kind, u.text, u.field, u.strict) for u in group] for group in parsed.groups]


def test_parse_reads_every_operator():
    parsed = parse('banjir "harga emas" judul:Jakarta -medali NOT "piala dunia" +bekasi korup* cabai OR bawang')
    assert units(parsed) == [
        [("word", "banjir", "", False)], [("phrase", "harga emas", "", False)],
        [("field", "Jakarta", "title", False)], [("word", "bekasi", "", True)], [("prefix", "korup", "", False)],
        [("word", "cabai", "", False), ("word", "bawang", "", False)]]          # OR joins its neighbours
    assert [(u.kind, u.text) for u in parsed.negatives] == [("word", "medali"), ("phrase", "piala dunia")]
    indonesian = parse("emas ATAU perak BUKAN medali")
    assert units(indonesian) == [[("word", "emas", "", False), ("word", "perak", "", False)]]
    assert [u.text for u in indonesian.negatives] == ["medali"]


@pytest.mark.parametrize("text, expected", [
    ('"unbalanced', [[("word", "unbalanced", "", False)]]),      # a quote without a partner is a space
    ("ko*", [[("word", "ko*", "", False)]]),                      # too short to expand
    ("tidakada:kata", [[("word", "tidakada:kata", "", False)]]),  # unknown field: a plain word
    ("judul:", [[("word", "judul:", "", False)]]),
    ("OR banjir", [[("word", "banjir", "", False)]]),             # nothing to join
    ("OR NOT AND", []), ("- + --", []),
])
def test_parse_never_fails_and_falls_back_to_plain_words(text, expected):
    parsed = parse(text)
    assert units(parsed) == expected and not parsed.negatives
    assert parsed.empty == (expected == [])


def test_require_word_marks_the_typed_word_or_adds_it():
    assert require_word("harga emas naik", "emas") == "harga +emas naik"
    assert require_word("harga emas naik", "Harga Emas") == '"Harga Emas" naik'    # two words: a phrase
    assert require_word("harga", "cabai") == "harga +cabai"


def test_compiling_twice_gives_equal_values_and_leaves_the_compiler_unchanged(compiler):
    before = dataclasses.asdict(compiler)
    first = compiler.compile_groups(parse('banjir "harga emas" judul:jakarta -medali'))
    second = compiler.compile_groups(parse('banjir "harga emas" judul:jakarta -medali'))
    assert first.highlight_terms == second.highlight_terms and first.highlight_phrases == second.highlight_phrases
    assert [g.query for g in first.groups] == [g.query for g in second.groups]
    assert dataclasses.asdict(compiler) == before
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.highlight_terms = frozenset()


def test_marks_are_what_is_searched_and_never_an_exclusion(compiler):
    compiled = compiler.compile_groups(parse('banjir "harga emas" judul:jakarta -medali'))
    assert {"banjir", "jakarta"} <= compiled.highlight_terms
    assert ("harga", "emas") in compiled.highlight_phrases
    assert "medali" not in compiled.highlight_terms
    assert compiled.negative is not None          # the exclusion is still compiled, just not marked


def test_highlights_walks_the_query_tree():
    q = Q.AndNot(Q.Or([Q.Term("title", "a"), Q.And([Q.Term("body", "b"), Q.Phrase("lead", ["c", "d"])]),
                       Q.Term("exact", "meninggal"), Q.Term("section", "Daerah")]), Q.Term("body", "x"))
    assert highlights([q]) == (frozenset({"a", "b"}), frozenset({("c", "d")}))
