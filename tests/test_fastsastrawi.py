"""The fast Sastrawi stemmer must give exactly Sastrawi's stems."""
from __future__ import annotations

import random
import re

import pytest
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Morphology.Disambiguator.DisambiguatorPrefixRule4 import DisambiguatorPrefixRule4
from Sastrawi.Morphology.Disambiguator.DisambiguatorPrefixRule17 import DisambiguatorPrefixRule17a
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from indexer.fastsastrawi import (FastSastrawiStemmer, GuardedVisitor, PrefixVisitors, guard_prefix_visitors,
                                  pattern_letters, rule_patterns)
from tests.conftest import REPO

DEMO_DIR = REPO / "demo" / "corpus"

PREFIXES = ("", "me", "mem", "men", "meng", "meny", "menge", "pe", "pem", "pen", "peng", "peny",
            "penge", "ber", "be", "bel", "ter", "te", "per", "memper", "diper", "di", "ke", "se",
            "ku", "kau", "mempe", "member", "ter")
SUFFIXES = ("", "kan", "an", "i", "nya", "lah", "kah", "pun", "ku", "mu", "kannya", "annya", "inya")


@pytest.fixture(scope="module")
def stemmers():
    words = StemmerFactory().get_words()
    plain = Stemmer(ArrayDictionary(words))
    guarded = FastSastrawiStemmer(ArrayDictionary(words))
    count = sum(isinstance(v, GuardedVisitor) for v in guarded.visitor_provider.prefix_visitors)
    return plain, guarded, count, words


def _generated_words(roots: list[str], n: int, seed: int = 7) -> list[str]:
    """Affixed dictionary roots, infixed forms, and one-letter changes (name-like unknown words)."""
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        root = rng.choice(roots)
        word = rng.choice(PREFIXES) + root + rng.choice(SUFFIXES)
        kind = rng.random()
        if kind < 0.15 and len(word) > 4:                   # a typo or a name: out of the dictionary
            i = rng.randrange(1, len(word) - 1)
            word = word[:i] + rng.choice("abdegiklmnoprstuy") + word[i + 1:]
        elif kind < 0.25 and len(root) > 2 and root[0] not in "aiueo":   # -el-, -em-, -er-, -in-
            word = root[0] + rng.choice(("el", "em", "er", "in")) + root[1:]
        out.add(word)
    return sorted(out)


def test_rule_shapes():
    assert rule_patterns(DisambiguatorPrefixRule17a()) == [r"^meng([aiueo])(.*)$"]
    assert rule_patterns(DisambiguatorPrefixRule4()) is None      # compares the word, no pattern


def test_most_visitors_get_a_guard(stemmers):
    _, guarded, count, roots = stemmers
    assert count >= len(guarded.visitor_provider.prefix_visitors) - 4
    assert guard_prefix_visitors(Stemmer(ArrayDictionary(roots))) == count


def test_same_stems_on_generated_words(stemmers):
    plain, guarded, _, roots = stemmers
    visitors_only = Stemmer(ArrayDictionary(roots))
    guard_prefix_visitors(visitors_only)          # guarded visitors in Sastrawi's own Context
    words = _generated_words(sorted(roots), 6000)
    expected = [plain.stem_word(w) for w in words]
    assert [guarded.stem_word(w) for w in words] == expected
    assert [visitors_only.stem_word(w) for w in words] == expected


def test_same_stems_on_demo_corpus(stemmers):
    plain, guarded, _, _ = stemmers
    words = set()
    for path in DEMO_DIR.rglob("*.txt"):
        words.update(re.findall(r"[a-z]{4,}", path.read_text(encoding="utf-8").lower()))
    assert len(words) > 1000
    assert [w for w in sorted(words) if plain.stem_word(w) != guarded.stem_word(w)] == []


def test_the_word_sets_exercise_the_guards(stemmers):
    """A guard that skipped its visitor too often would change stems on these words."""
    plain, _, _, roots = stemmers
    broken = FastSastrawiStemmer(ArrayDictionary(roots))
    never = re.compile(r"(?!)")
    for visitor in broken.visitor_provider.prefix_visitors:
        if isinstance(visitor, GuardedVisitor) and visitor.guard.pattern.startswith("(?:^meng"):
            visitor.guard = never
    words = _generated_words(sorted(roots), 2000)
    assert sum(plain.stem_word(w) != broken.stem_word(w) for w in words) > 10


def test_guarded_context_keeps_sastrawis_checks_for_any_visitor_order(stemmers):
    """Sastrawi's own order starts with an unguarded visitor; reversed, the checks a skipped
    visitor stands for (word already in the dictionary) decide the stem."""
    _, _, _, roots = stemmers
    plain, guarded = Stemmer(ArrayDictionary(roots)), FastSastrawiStemmer(ArrayDictionary(roots))
    unguarded = [v.visitor if isinstance(v, GuardedVisitor) else v
                 for v in guarded.visitor_provider.prefix_visitors]
    plain.visitor_provider.prefix_visitors = unguarded[::-1]
    reversed_visitors = PrefixVisitors(guarded.visitor_provider.prefix_visitors[::-1])
    assert any(skipped for skipped, _ in reversed_visitors.by_first.values())   # a plan starts late
    guarded.visitor_provider.prefix_visitors = reversed_visitors
    words = _generated_words(sorted(roots), 3000, seed=11)
    assert [guarded.stem_word(w) for w in words] == [plain.stem_word(w) for w in words]


@pytest.mark.parametrize("pattern,letters", [(r"^meng([aiueo])(.*)$", "m"), (r"ber([bcd])(.*)$", "b"),
                                             (r"^([bcd])(e)(.*)$", "bcd"), (r"^m?e(.*)$", None),
                                             (r"^([b-d])(.*)$", None), (r"^(a|b)(.*)$", None), (r"^(.*)$", None)])
def test_pattern_letters(pattern, letters):
    assert pattern_letters(pattern) == (frozenset(letters) if letters else None)


def test_a_guard_matches_only_words_starting_with_its_letters(stemmers):
    _, guarded, count, roots = stemmers
    visitors = [v for v in guarded.visitor_provider.prefix_visitors if isinstance(v, GuardedVisitor)]
    assert sum(v.letters is not None for v in visitors) == count
    words = _generated_words(sorted(roots), 6000, seed=5)
    for visitor in visitors:
        assert all(w[0] in visitor.letters for w in words if visitor.guard.match(w))


@pytest.mark.parametrize("result,word", [("makan", "makanan"), ("an", "makanan"), ("", "di"), ("kata-kata", "kata-katanya"),
                                         ("a.b", "axb a.b"), ("a+", "aaa"), ("x", "abc")])
def test_removed_part_is_sastrawis_re_sub(result, word):
    from indexer.fastsastrawi import removed_part

    assert removed_part(result, word) == re.sub(result, "", word, count=1)


def test_every_plain_affix_visitor_is_recognised(stemmers):
    from indexer.fastsastrawi import AffixVisitor

    _, guarded, _, _ = stemmers
    provider = guarded.visitor_provider
    assert [v.affix_type for v in provider.suffix_visitors] == ["P", "PP", "DS"]
    assert isinstance(provider.prefix_visitors[0], AffixVisitor) and provider.prefix_visitors[0].affix_type == "DP"
