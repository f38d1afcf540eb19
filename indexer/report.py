"""The build report: what was indexed, what was skipped and why, what an editor should check."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from indexer.records import Article, Skip

log = logging.getLogger("warta.build")
MAX_LISTED = 50  # examples kept per list in build.json; counts are always complete
MAX_SKIPS = 100_000  # skips kept for `--json` (each is also logged with -v)


def plural(n: int, word: str, words: str | None = None) -> str:
    """`1 article`, `2 articles`."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def reasons_text(counts) -> str:
    """{"empty_body": 3, "bad_json": 1} -> "3 empty body, 1 bad json"."""
    return ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))


@dataclass
class BuildReport:
    read: int = 0
    indexed: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: Counter = field(default_factory=Counter)
    skip_examples: list[dict] = field(default_factory=list)
    skips: list[dict] = field(default_factory=list)         # every skip (up to MAX_SKIPS), for --json
    date_conflicts: list[dict] = field(default_factory=list)
    date_conflict_count: int = 0
    undated: int = 0
    seconds: float = 0.0
    stemming: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)       # seconds per build phase (feed, commit)
    acronyms: dict = field(default_factory=dict)     # learned acronym pairs (see indexer.learned)
    names: int = 0                                   # words the archive writes as names (indexer.names)
    published: bool = True                           # False: an update found nothing to change

    def skip(self, item: Skip) -> None:
        self.skipped[item.reason] += 1
        log.warning("skipped %s (%s): %s", item.origin, item.reason, item.detail)
        entry = {"reason": item.reason, "origin": item.origin, "detail": item.detail[:200]}
        if len(self.skip_examples) < MAX_LISTED:
            self.skip_examples.append(entry)
        if len(self.skips) < MAX_SKIPS:
            self.skips.append(entry)

    def saw(self, article: Article) -> None:
        self.read += 1
        if article.published is None:
            self.undated += 1
        if article.date_conflict:
            self.date_conflict_count += 1
            if len(self.date_conflicts) < MAX_LISTED:
                self.date_conflicts.append({"id": article.id, "origin": article.origin,
                                            "title": article.title[:120], "conflict": article.date_conflict})

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict:
        return {
            "read": self.read, "indexed": self.indexed, "added": self.added, "replaced": self.replaced,
            "unchanged": self.unchanged, "removed": self.removed,
            "skipped_total": self.skipped_total, "skipped": dict(self.skipped),
            "skip_examples": self.skip_examples, "undated": self.undated,
            "date_conflict_count": self.date_conflict_count, "date_conflicts": self.date_conflicts,
            "seconds": round(self.seconds, 2), "stemming": self.stemming, "phases": self.phases,
            "acronyms": self.acronyms, "names": self.names, "published": self.published,
        }

    def summary_lines(self) -> list[str]:
        lines = [f"read {plural(self.read, 'article')}, indexed {self.indexed} "
                 f"(added {self.added}, replaced {self.replaced}, unchanged {self.unchanged}, removed {self.removed}) "
                 f"in {self.seconds:.1f} s"]
        if not self.published:
            lines.append("nothing new, changed or removed: the published generation stays as it is")
        if self.skipped:
            lines.append(f"skipped {plural(self.skipped_total, 'record')}: {reasons_text(self.skipped)}"
                         + ("" if self.skipped_total <= len(self.skip_examples) else
                            " (each listed with -v, or in --json)"))
            lines += [f"  {e['origin']}: {e['reason'].replace('_', ' ')}" + (f" — {e['detail']}" if e['detail'] else "")
                      for e in self.skip_examples[:10]]
        if self.acronyms:
            a = self.acronyms
            rejected = reasons_text(a.get("rejected", {}))
            lines.append(f"learned {plural(a['pairs'], 'acronym pair')} ({plural(a['shorts'], 'short form')}) "
                         f"from {plural(a['articles'], 'article')}" + (f"; not learned: {rejected}" if rejected else "")
                         + " — `warta-index lexicon` lists them")
        if self.names:
            lines.append(f"{plural(self.names, 'word')} written as names (capitalised mid-sentence): "
                         "lacking one costs a partial hit more")
        if self.undated:
            lines.append(f"{plural(self.undated, 'article has', 'articles have')} no usable date")
        if self.date_conflict_count:
            lines.append(f"{self.date_conflict_count} date conflicts to check:")
            lines += [f"  {c['origin']}: {c['title']} — {c['conflict']}" for c in self.date_conflicts[:10]]
        return lines
