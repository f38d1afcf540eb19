"""Query compilation is pure: the query and what it marks come back as one value, nothing is kept
on the compiler, and marks are derived from what is searched (never from exclusions)."""
from __future__ import annotations

import dataclasses

import pytest

from indexer.analysis import make_analyzer, make_exact_analyzer
from indexer.config import AnalysisSettings
from indexer.search.query import Compiler, highlights, parse
from whoosh import query as Q


@pytest.fixture(scope="module")
def compiler():
    analysis = AnalysisSettings()
    return Compiler(stem_analyzer=make_analyzer(analysis), exact_analyzer=make_exact_analyzer(analysis),
                    boosts={"title": 4.0, "lead": 1.5, "body": 1.0, "caption": 0.5}, exact_boost=0.6,
                    facet_values={})


def test_compiling_twice_gives_equal_values_and_leaves_the_compiler_unchanged(compiler):
    before = dataclasses.asdict(compiler) if dataclasses.is_dataclass(compiler) else None
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
