"""Sastrawi's stemmer, faster, with exactly Sastrawi's stems (`FastSastrawiStemmer`).

For a word it does not know, Sastrawi tries its ~40 prefix visitors in order, up to three times
per word and again in its suffix-restoring loop; each visitor calls its rules, and each rule
looks a string pattern up in `re`'s cache and matches it: the bulk of a cold build's stemming.
A rule returns a stem only when one of its patterns matches the word
(`matches = re.match(r'^meng([aiueo])(.*)$', word)` / `if matches:`), so a visitor whose rules'
patterns all fail is a no-op. `guard_prefix_visitors` puts one compiled alternation of those
patterns in front of such a visitor, and `GuardedContext` tests it without calling the visitor:
the visitor order, the dictionary checks between visitors and therefore every stem stay
Sastrawi's (tests compare the two on generated affixed words, in Sastrawi's visitor order and
reversed, and on the demo corpus). `PrefixVisitors` goes one step further: every guard pattern
starts with a fixed letter (`^meng...`, `^ber...`), so for a word starting with `p` only the
visitors that could match are looked at, not all 40. Measurements: docs/decisions.md.

A rule is guarded only when its source has exactly that shape (read with `ast`: every statement
is a `re.match(<literal>, word)` assignment or an `if` on one); any other rule (Rule 4 compares
the word with "belajar") leaves its visitor unguarded.
"""
from __future__ import annotations

import ast
import functools
import inspect
import re
import string
import textwrap

from Sastrawi.Stemmer.Context.Context import Context
from Sastrawi.Stemmer.Context.Removal import Removal
from Sastrawi.Stemmer.Stemmer import Stemmer


def rule_patterns(rule) -> "list[str] | None":
    """The patterns `rule.disambiguate(word)` must match to return anything; None when unknown."""
    try:
        source = textwrap.dedent(inspect.getsource(type(rule).disambiguate))
        function = ast.parse(source).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(function, ast.FunctionDef) or len(function.args.args) != 2:
        return None
    word = function.args.args[1].arg
    patterns: list[str] = []
    bound: set[str] = set()
    for statement in function.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue                                        # the docstring
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, call = statement.targets[0], statement.value
            pattern = _match_pattern(call, word)
            if isinstance(target, ast.Name) and pattern is not None:
                patterns.append(pattern)
                bound.add(target.id)
                continue
        if (isinstance(statement, ast.If) and isinstance(statement.test, ast.Name)
                and statement.test.id in bound and not statement.orelse):
            continue
        return None
    return patterns or None


def _match_pattern(node, word: str) -> "str | None":
    """The pattern of `re.match(<string literal>, <word>)`, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "match"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
            and len(node.args) == 2 and not node.keywords
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and isinstance(node.args[1], ast.Name) and node.args[1].id == word):
        return node.args[0].value
    return None


_LITERAL = re.compile(r"[a-z0-9-]*")       # a word with no regular-expression syntax in it


def removed_part(result: str, word: str) -> str:
    """`re.sub(result, '', word, count=1)`, the removed part Sastrawi records for a removal.

    Sastrawi uses the shortened word as a pattern, so `re` compiles a new expression for nearly
    every new word (its cache holds 512). A plain word is the same as a literal, whose first
    occurrence `str.replace` removes."""
    if _LITERAL.fullmatch(result):
        return word.replace(result, "", 1)
    return re.sub(result, "", word, count=1)


@functools.lru_cache(maxsize=None)
def _visit_source(cls) -> str:
    """`cls.visit` without its docstring, as `ast.unparse` normalises it."""
    try:
        function = ast.parse(textwrap.dedent(inspect.getsource(cls.visit))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError, AttributeError):
        return ""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        function.body = body[1:]
    return ast.unparse(function)


# Sastrawi's visit methods as they read in PySastrawi 1.2; a visitor is only replaced by the
# equivalents below when its own source is exactly this.
_AFFIX_VISIT = re.compile(re.escape(
    "def visit(self, context):\n    result = self.remove(context.current_word)\n"
    "    if result != context.current_word:\n"
    "        removedPart = re.sub(result, '', context.current_word, count=1)\n"
    "        removal = Removal(self, context.current_word, result, removedPart, 'AFFIX')\n"
    "        context.add_removal(removal)\n        context.current_word = result").replace("AFFIX", "([A-Z]+)") + "$")
_PREFIX_RULE_VISIT = (
    "def visit(self, context):\n    result = None\n    for disambiguator in self.disambiguators:\n"
    "        result = disambiguator.disambiguate(context.current_word)\n"
    "        if context.dictionary.contains(result):\n            break\n"
    "    if result is None:\n        return\n"
    "    removedPart = re.sub(result, '', context.current_word, count=1)\n"
    "    removal = Removal(self, context.current_word, result, removedPart, 'DP')\n"
    "    context.add_removal(removal)\n    context.current_word = result")


class AffixVisitor:
    """One of Sastrawi's plain affix visitors (`remove(word)`, one Removal of a fixed affix type:
    the suffix visitors and RemovePlainPrefix), recording the removal with `removed_part`."""

    __slots__ = ("visitor", "affix_type")

    def __init__(self, visitor, affix_type: str):
        self.visitor = visitor
        self.affix_type = affix_type

    @classmethod
    def wrap(cls, visitor):
        found = _AFFIX_VISIT.match(_visit_source(type(visitor)))
        return cls(visitor, found.group(1)) if found else visitor

    def visit(self, context) -> None:
        word = context.current_word
        result = self.visitor.remove(word)
        if result != word:
            context.add_removal(Removal(self.visitor, word, result, removed_part(result, word), self.affix_type))
            context.current_word = result


class GuardedVisitor:
    """A prefix visitor that runs only when the current word matches one of its rules' patterns
    (Sastrawi's `AbstractDisambiguatePrefixRule.visit`, recording the removal with `removed_part`).
    `letters`: the first letters a word must have for the guard to match (None: not known)."""

    __slots__ = ("visitor", "guard", "letters")

    def __init__(self, visitor, guard: re.Pattern, letters: "frozenset[str] | None" = None):
        self.visitor = visitor
        self.guard = guard
        self.letters = letters

    def visit(self, context) -> None:
        if self.guard.match(context.current_word) is not None:
            self.run(context)

    def run(self, context) -> None:
        word = context.current_word
        result = None
        for rule in self.visitor.disambiguators:
            result = rule.disambiguate(word)
            if context.dictionary.contains(result):
                break
        if result is None:
            return
        context.add_removal(Removal(self.visitor, word, result, removed_part(result, word), "DP"))
        context.current_word = result


_LEADING = re.compile(r"\^?(?:([a-z])|\(\[([a-z]+)\]\))(?![?*+{])")


def pattern_letters(pattern: str) -> "frozenset[str] | None":
    """The letters a word can start with when `re.match(pattern, word)` succeeds: the leading
    literal (`^meng(...)`) or one-class group (`^([bcd])...`); None when the pattern starts
    any other way."""
    found = _LEADING.match(pattern) if "|" not in pattern else None
    return frozenset(found.group(1) or found.group(2)) if found else None


def visitor_letters(visitor) -> "frozenset[str] | None":
    """The union of `pattern_letters` over a guarded visitor's rules; None when one is unknown."""
    letters: set[str] = set()
    for rule in visitor.disambiguators:
        patterns = rule_patterns(rule)
        if not patterns:
            return None
        for pattern in patterns:
            found = pattern_letters(pattern)
            if found is None:
                return None
            letters |= found
    return frozenset(letters)


class PrefixVisitors(list):
    """A prefix visitor list that also knows, for each first letter, the visitors a word starting
    with it can need: a guarded visitor whose patterns all start with other letters is left out
    (its guard could not match). `skipped` says that the list's first visitor was left out, so the
    checks Sastrawi makes after a no-op visitor are due before the first one kept."""

    def __init__(self, visitors):
        super().__init__(visitors)
        self.by_first: dict[str, tuple[bool, list]] = {}
        for letter in string.ascii_lowercase:
            kept = [v for v in self if type(v) is not GuardedVisitor or v.letters is None or letter in v.letters]
            self.by_first[letter] = (bool(self) and (not kept or kept[0] is not self[0]), kept)


def visitor_guard(visitor) -> "re.Pattern | None":
    """One compiled alternation of every pattern of a PrefixDisambiguator's rules, or None."""
    rules = getattr(visitor, "disambiguators", None)
    if not rules:
        return None
    patterns: list[str] = []
    for rule in rules:
        found = rule_patterns(rule)
        if found is None:
            return None
        patterns += found
    return re.compile("|".join(f"(?:{p})" for p in dict.fromkeys(patterns)))


class GuardedContext(Context):
    """Sastrawi's `Context` whose prefix loop tests a `GuardedVisitor`'s pattern itself instead of
    calling it: a skipped visitor changes nothing, so the checks Sastrawi makes after it (word
    in the dictionary, process stopped, a prefix removed) give what they gave after the
    previous visitor and need not be repeated."""

    def accept_prefix_visitors(self, visitors):
        removal_count = len(self.removals)
        contains = self.dictionary.contains
        checked = False              # the checks below hold for the current state
        plan = getattr(visitors, "by_first", None)
        if plan is not None:         # the word stays the same until a visitor changes it and we return
            found = plan.get(self.current_word[:1])
            if found is not None:
                skipped, visitors = found
                if skipped:
                    if contains(self.current_word) or self.process_is_stopped:
                        return self.current_word
                    checked = True
        for visitor in visitors:
            guard = visitor.guard if type(visitor) is GuardedVisitor else None
            if guard is not None:
                if guard.match(self.current_word) is None:
                    if not checked:
                        if contains(self.current_word) or self.process_is_stopped:
                            return self.current_word
                        checked = True
                    continue
                visitor.run(self)
            else:
                visitor.visit(self)
            if contains(self.current_word):
                return self.current_word
            if self.process_is_stopped:
                return self.current_word
            if len(self.removals) > removal_count:
                return None
            checked = True
        return None


class FastSastrawiStemmer(Stemmer):
    """Sastrawi's `Stemmer` with guarded prefix visitors and `GuardedContext`."""

    def __init__(self, dictionary):
        super().__init__(dictionary)
        guard_prefix_visitors(self)

    def stem_singular_word(self, word):
        context = GuardedContext(word, self.dictionary, self.visitor_provider)
        context.execute()
        return context.result


def guard_prefix_visitors(stemmer) -> int:
    """Guard the prefix visitors of one `Sastrawi.Stemmer.Stemmer` (its own provider only) and
    give its plain affix visitors `removed_part`; returns how many prefix visitors got a guard."""
    provider = stemmer.visitor_provider
    guarded = []
    for visitor in provider.prefix_visitors:
        guard = visitor_guard(visitor)
        if guard is not None and _visit_source(type(visitor)) == _PREFIX_RULE_VISIT:
            guarded.append(GuardedVisitor(visitor, guard, visitor_letters(visitor)))
        else:
            guarded.append(AffixVisitor.wrap(visitor))
    provider.prefix_visitors = PrefixVisitors(guarded)
    provider.suffix_visitors = [AffixVisitor.wrap(v) for v in provider.suffix_visitors]
    return sum(isinstance(v, GuardedVisitor) for v in guarded)
