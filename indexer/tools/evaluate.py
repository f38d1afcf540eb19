"""Relevance evaluation: run query sets through the same `SearchEngine` the web uses and score them.

Two kinds of query sets (see docs/relevance.md)::

    known items   TSV  qid <TAB> kind <TAB> query <TAB> target_url [<TAB> same-story urls]
                                                                        Success@1, Success@10, MRR@10
    topical       TSV  qid <TAB> query  +  TREC qrels  "qid 0 url grade" nDCG@10, P@10, Recall@100, judged@10

Lines starting with `#` and blank lines are ignored. Documents are matched on their URL, normalised
(`normalize_url`: scheme, `www.`, trailing slash, fragment and case of the host do not matter).

Rules the numbers follow:

* Every query is run once with ``per_page=100`` and duplicate collapsing exactly as configured
  (``search.collapse_duplicates``), i.e. the list a reader could page through.
* Known items: a target that was collapsed into a shown duplicate (same `dup` signature) counts at
  the rank of the shown representative: the reader sees the story there ("N outlet lain memuat berita
  ini"). Reciprocal rank is cut at 10 (MRR@10).
* Topical: unjudged documents are *unknown*, not irrelevant. nDCG@10 and P@10 are computed on the
  condensed list (unjudged documents removed from the ranking, Sakai 2007) with linear gain = grade
  and a log2(rank + 1) discount; the ideal ranking uses every judged document of the query. judged@10
  is the share of the uncondensed top 10 that is judged, i.e. how far to trust the other two.
  Relevant means grade >= 1. Recall@100 counts a relevant document as retrieved when it is in the
  top 100 or collapsed behind a shown duplicate there.

`ensure_index` builds (or reuses) an index of a settings variant in its own folder, keyed by a
content hash of the analysis settings, the word-list files and the analysis/schema code.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import statistics
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from indexer.config import Settings
from indexer.errors import EvalError, IndexUnavailable  # EvalError: importable from here as before
from indexer.wordlists import read_word_list

KNOWN_K = 10          # MRR@10, Success@10
TOPICAL_K = 10        # nDCG@10, P@10, judged@10
RECALL_K = 100        # Recall@100
PER_PAGE = 100        # results fetched per query
OVERALL = "overall"


# ---------------------------------------------------------------------------------------------
# URLs and files


def normalize_url(url: str) -> str:
    """Comparable form of an article URL: no scheme, no `www.`, no trailing slash or fragment."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url if "://" in url else "//" + url)
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


@dataclass(frozen=True)
class KnownItem:
    qid: str
    kind: str
    query: str
    target: str          # the URL as written in the file
    same_story: tuple[str, ...] = ()   # other outlets' write-ups of the same event (story MRR only)


@dataclass(frozen=True)
class Topic:
    qid: str
    query: str
    kind: str = "topical"


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, [f.strip() for f in line.split("\t")]


def load_queries(path: Path) -> tuple[list[KnownItem], list[Topic]]:
    """A query file: 4 columns a line = known items (a 5th lists same-story URLs, space-separated),
    2 columns = topical queries (may be mixed)."""
    known, topics, seen = [], [], set()
    for number, fields in _rows(path):
        if len(fields) in (4, 5):
            item: KnownItem | Topic = KnownItem(*fields[:4], tuple(fields[4].split()) if len(fields) == 5 else ())
            if not all(fields[:4]):
                raise EvalError(f"{path}:{number}: empty field in {fields!r}")
            known.append(item)
        elif len(fields) == 2 and all(fields):
            item = Topic(*fields)
            topics.append(item)
        else:
            raise EvalError(f"{path}:{number}: expected qid<TAB>kind<TAB>query<TAB>url or qid<TAB>query, "
                            f"got {len(fields)} fields")
        if item.qid in seen:
            raise EvalError(f"{path}:{number}: duplicate qid {item.qid!r}")
        seen.add(item.qid)
    return known, topics


def load_qrels(path: Path) -> dict[str, dict[str, int]]:
    """TREC qrels `qid 0 url grade` -> {qid: {normalised url: grade}} (whitespace separated)."""
    qrels: dict[str, dict[str, int]] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise EvalError(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if len(fields) != 4:
            raise EvalError(f"{path}:{number}: expected 'qid 0 url grade', got {line!r}")
        qid, _, url, grade = fields
        try:
            qrels.setdefault(qid, {})[normalize_url(url)] = int(grade)
        except ValueError:
            raise EvalError(f"{path}:{number}: grade must be an integer, not {grade!r}") from None
    return qrels


def write_qrels(path: Path, qrels: Mapping[str, Mapping[str, int]], urls: Mapping[str, str] | None = None) -> None:
    """Write qrels sorted by qid then url; `urls` maps normalised url -> url as written."""
    lines = []
    for qid in sorted(qrels, key=_qid_key):
        for url, grade in sorted(qrels[qid].items()):
            lines.append(f"{qid} 0 {(urls or {}).get(url, url)} {grade}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _qid_key(qid: str):
    digits = "".join(ch for ch in qid if ch.isdigit())
    return (qid.rstrip("0123456789"), int(digits) if digits else 0, qid)


# ---------------------------------------------------------------------------------------------
# Metrics (pure functions over rankings of normalised URLs)


def reciprocal_rank(rank: int | None, k: int = KNOWN_K) -> float:
    """1/rank when the target is at rank <= k (1-based), else 0."""
    return 1.0 / rank if rank is not None and 1 <= rank <= k else 0.0


def success(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and 1 <= rank <= k else 0.0


def dcg(gains: Sequence[float]) -> float:
    """Sum of gain / log2(rank + 1) (rank 1-based)."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def condensed(ranking: Sequence[str], judgments: Mapping[str, int]) -> list[str]:
    """The ranking with unjudged documents removed."""
    return [doc for doc in ranking if doc in judgments]


def ndcg(ranking: Sequence[str], judgments: Mapping[str, int], k: int = TOPICAL_K) -> float:
    """nDCG@k over the condensed ranking (linear gain = grade); 0 when nothing is relevant."""
    gains = [max(0, judgments[d]) for d in condensed(ranking, judgments)[:k]]
    ideal = dcg(sorted((max(0, g) for g in judgments.values()), reverse=True)[:k])
    return dcg(gains) / ideal if ideal > 0 else 0.0


def precision(ranking: Sequence[str], judgments: Mapping[str, int], k: int = TOPICAL_K,
              threshold: int = 1) -> float:
    """P@k over the condensed ranking: relevant (grade >= threshold) among its first k, divided by k."""
    return sum(1 for d in condensed(ranking, judgments)[:k] if judgments[d] >= threshold) / k


def recall(retrieved: Iterable[str], judgments: Mapping[str, int], threshold: int = 1) -> float:
    """Share of the relevant documents found in `retrieved` (an already cut ranking or set)."""
    relevant = {d for d, g in judgments.items() if g >= threshold}
    if not relevant:
        return 0.0
    return len(relevant & set(retrieved)) / len(relevant)


def judged(ranking: Sequence[str], judgments: Mapping[str, int], k: int = TOPICAL_K) -> float:
    top = list(ranking[:k])
    return sum(1 for d in top if d in judgments) / len(top) if top else 0.0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.fmean(values) if values else 0.0


# ---------------------------------------------------------------------------------------------
# Running the engine


class DocTable:
    """URL / id / duplicate signature of every live document of one index generation."""

    def __init__(self, path: Path):
        from whoosh import index as whoosh_index

        self.generation = path.name
        ix = whoosh_index.open_dir(str(path))
        self.by_url: dict[str, str] = {}       # normalised url -> id
        self.dup_of: dict[str, str] = {}       # id -> dup signature
        self.url_of: dict[str, str] = {}       # id -> normalised url
        self.members: dict[str, list[str]] = {}  # dup signature -> ids
        with ix.reader() as reader:
            ids = list(reader.column_reader("id"))
            dups = list(reader.column_reader("dup"))
            for docnum, fields in reader.iter_docs():
                doc_id = ids[docnum]
                url = normalize_url(fields.get("url", ""))
                self.by_url[url] = doc_id
                self.url_of[doc_id] = url
                self.dup_of[doc_id] = dups[docnum]
                self.members.setdefault(dups[docnum], []).append(doc_id)
        ix.close()

    def __len__(self) -> int:
        return len(self.url_of)

    def duplicates(self, doc_id: str) -> list[str]:
        """Normalised URLs of the other documents with the same duplicate signature."""
        return [self.url_of[m] for m in self.members.get(self.dup_of.get(doc_id, ""), ()) if m != doc_id]


@dataclass
class KnownResult:
    qid: str
    kind: str
    query: str
    target: str
    rank: int | None            # rank of the target (or of its shown duplicate), None = not in the top 100
    via_duplicate: bool = False  # the target itself was collapsed behind a shown duplicate
    total: int = 0
    top: list[str] = field(default_factory=list)  # first titles shown (for reading the misses)
    story_rank: int | None = None  # rank of the target or of another write-up of the same story

    @property
    def rr(self) -> float:
        return reciprocal_rank(self.rank)

    @property
    def story_rr(self) -> float:
        """Reciprocal rank of the first write-up of the story (the target or a same-story URL)."""
        ranks = [r for r in (self.rank, self.story_rank) if r is not None]
        return reciprocal_rank(min(ranks) if ranks else None)


@dataclass
class TopicalResult:
    qid: str
    query: str
    ndcg: float
    precision: float
    recall: float
    judged: float
    total: int
    ranking: list[str] = field(default_factory=list)   # normalised urls shown, best first (top 100)


class Evaluator:
    """Runs query sets against the published generation of `settings.index.dir`."""

    def __init__(self, settings: Settings, per_page: int = PER_PAGE):
        from indexer.search.engine import SearchEngine
        from indexer.store import IndexStore

        self.settings = settings
        self.per_page = per_page
        self.engine = SearchEngine(settings)
        path = IndexStore(settings.index).current()
        if path is None:
            raise IndexUnavailable(f"no index in {settings.index.dir}: run `warta-index build` first")
        self.docs = DocTable(path)

    def ranking(self, query: str):
        """(hits, total) for `query` with the configured ranking and collapsing."""
        from indexer.search.model import SearchRequest

        result = self.engine.search(SearchRequest(query=query, per_page=self.per_page,
                                                  highlight=False, facets=False))
        if result.generation != self.docs.generation:   # a build was published meanwhile
            from indexer.store import IndexStore
            self.docs = DocTable(IndexStore(self.settings.index).current())
        return result.hits, result.total

    def missing_targets(self, items: Iterable[KnownItem]) -> list[KnownItem]:
        return [i for i in items if normalize_url(i.target) not in self.docs.by_url]

    def known_item(self, item: KnownItem) -> KnownResult:
        hits, total = self.ranking(item.query)
        target = normalize_url(item.target)
        target_id = self.docs.by_url.get(target)
        target_dup = self.docs.dup_of.get(target_id) if target_id else None
        rank, via = None, False
        story = {target} | {normalize_url(u) for u in item.same_story}
        story_rank = next((i for i, h in enumerate(hits, 1) if normalize_url(h.url) in story), None)
        for i, hit in enumerate(hits, 1):
            if normalize_url(hit.url) == target:
                rank = i
                break
            if (self.settings.search.collapse_duplicates and target_dup is not None
                    and self.docs.dup_of.get(hit.id) == target_dup):
                rank, via = i, True
                break
        if rank is not None and (story_rank is None or rank < story_rank):
            story_rank = rank
        return KnownResult(item.qid, item.kind, item.query, item.target, rank, via, total,
                           [h.title for h in hits[:3]], story_rank)

    def topical(self, topic: Topic, judgments: Mapping[str, int]) -> TopicalResult:
        hits, total = self.ranking(topic.query)
        ranking = [normalize_url(h.url) for h in hits]
        retrieved = set(ranking[:RECALL_K])
        if self.settings.search.collapse_duplicates:
            for h in hits[:RECALL_K]:
                retrieved.update(self.docs.duplicates(h.id))
        return TopicalResult(topic.qid, topic.query, ndcg(ranking, judgments), precision(ranking, judgments),
                             recall(retrieved, judgments), judged(ranking, judgments), total, ranking)

    def run(self, known: Sequence[KnownItem] = (), topics: Sequence[Topic] = (),
            qrels: Mapping[str, Mapping[str, int]] | None = None) -> "Report":
        qrels = qrels or {}
        known_results = [self.known_item(i) for i in known]
        topical_results = [self.topical(t, qrels.get(t.qid, {})) for t in topics]
        return Report(known_results, topical_results,
                      missing=[i.qid for i in self.missing_targets(known)],
                      unjudged=[t.qid for t in topics if not qrels.get(t.qid)])


@dataclass
class Report:
    known: list[KnownResult]
    topical: list[TopicalResult]
    missing: list[str] = field(default_factory=list)     # known-item qids whose target is not indexed
    unjudged: list[str] = field(default_factory=list)    # topical qids without judgments

    def known_summary(self) -> dict[str, dict]:
        """{kind: {n, success@1, success@10, mrr@10}} plus OVERALL, kinds in file order."""
        kinds: dict[str, list[KnownResult]] = {}
        for r in self.known:
            kinds.setdefault(r.kind, []).append(r)
        if self.known:
            kinds[OVERALL] = list(self.known)
        return {kind: {"n": len(rs),
                       "success@1": mean(success(r.rank, 1) for r in rs),
                       "success@10": mean(success(r.rank, KNOWN_K) for r in rs),
                       "mrr@10": mean(r.rr for r in rs),
                       "story_mrr@10": mean(r.story_rr for r in rs)}
                for kind, rs in kinds.items()}

    def topical_summary(self) -> dict:
        rs = self.topical
        if not rs:
            return {}
        return {"n": len(rs), "ndcg@10": mean(r.ndcg for r in rs), "p@10": mean(r.precision for r in rs),
                "recall@100": mean(r.recall for r in rs), "judged@10": mean(r.judged for r in rs)}

    def as_dict(self, rankings: bool = False) -> dict:
        known = [dict(dataclasses.asdict(r), rr=round(r.rr, 4)) for r in self.known]
        topical = []
        for r in self.topical:
            d = dataclasses.asdict(r)
            if not rankings:
                d.pop("ranking")
            topical.append(d)
        return {"known_items": _rounded(self.known_summary()), "topical": _rounded(self.topical_summary()),
                "missing_targets": self.missing, "unjudged_topics": self.unjudged,
                "queries": {"known_items": known, "topical": topical}}

    def table(self, misses: bool = True) -> str:
        lines = []
        summary = self.known_summary()
        if summary:
            lines.append(f"{'known items':<14}{'n':>4}{'S@1':>8}{'S@10':>8}{'MRR@10':>8}")
            for kind, m in summary.items():
                lines.append(f"{kind:<14}{m['n']:>4}{m['success@1']:>8.3f}{m['success@10']:>8.3f}"
                             f"{m['mrr@10']:>8.3f}")
        topical = self.topical_summary()
        if topical:
            if lines:
                lines.append("")
            lines.append(f"{'topical':<14}{'n':>4}{'nDCG@10':>9}{'P@10':>8}{'R@100':>8}{'judged@10':>11}")
            lines.append(f"{'condensed':<14}{topical['n']:>4}{topical['ndcg@10']:>9.3f}{topical['p@10']:>8.3f}"
                         f"{topical['recall@100']:>8.3f}{topical['judged@10']:>11.3f}")
        if misses:
            bad = [r for r in self.known if r.rank is None or r.rank > 1]
            if bad:
                lines.append("")
                lines.append("known items not at rank 1:")
                for r in bad:
                    where = "—" if r.rank is None else str(r.rank) + ("*" if r.via_duplicate else "")
                    lines.append(f"  {r.qid:<6} {r.kind:<8} rank {where:<4} {r.query}")
        if self.missing:
            lines.append(f"targets not in the index: {', '.join(self.missing)}")
        if self.unjudged:
            lines.append(f"topical queries without judgments: {', '.join(self.unjudged)}")
        if summary or topical:
            lines.append("(nDCG@10 and P@10 on condensed lists: unjudged documents removed; "
                         "* = target collapsed behind a shown duplicate)")
        return "\n".join(lines)


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def parse_override(item: str) -> dict:
    """`search.title_boost=1.0` -> {"search": {"title_boost": 1.0}} for Settings.replace().

    The value is read as TOML (numbers, true/false, quoted strings); a bare word is a string.
    """
    import tomllib

    key, sep, raw = item.partition("=")
    section, dot, name = key.strip().partition(".")
    if not sep or not dot or section not in ("search", "analysis") or not name:
        raise EvalError(f"--set expects search.KEY=VALUE or analysis.KEY=VALUE, not {item!r}")
    known = {f.name: f.default for f in dataclasses.fields(getattr(Settings(), section))}
    if name not in known:
        raise EvalError(f"unknown setting {section}.{name} (known: {', '.join(sorted(known))})")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    default = known[name]
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is not type(default):
        raise EvalError(f"{section}.{name} needs a {type(default).__name__}, not {raw!r}")
    return {section: {name: value}}


def evaluate(settings: Settings, query_files: Sequence[Path], qrels_file: Path | None = None,
             per_page: int = PER_PAGE) -> Report:
    known, topics = [], []
    for path in query_files:
        k, t = load_queries(Path(path))
        known += k
        topics += t
    qrels = load_qrels(Path(qrels_file)) if qrels_file else {}
    return Evaluator(settings, per_page).run(known, topics, qrels)


# ---------------------------------------------------------------------------------------------
# Index variants: build once, reuse while nothing that shapes the index changed

FINGERPRINT_FILE = "eval-key.json"
_CODE_FILES = ("chain.py", "analysis.py", "fastsastrawi.py", "lexicon.py", "schema.py", "duplicates.py", "acronyms.py", "learned.py", "names.py")


def index_fingerprint(settings: Settings) -> dict:
    """What shapes an index: analysis settings, word lists, analysis/schema/duplicates code, sources."""
    a = settings.analysis
    digest = hashlib.sha256()
    for source, builtin in ((a.stopwords, "stopwords.txt"), (a.protected_words, "protected_words.txt"),
                            (a.lexicon, "lexicon.tsv"), (a.spelling, "spelling.tsv")):
        digest.update(read_word_list(source, builtin).encode("utf-8") + b"\0")
    for name in _CODE_FILES:
        digest.update(resources.files("indexer").joinpath(name).read_bytes() + b"\0")
    return {
        "analysis": {k: v for k, v in dataclasses.asdict(a).items() if k not in ("stem_cache_size", "expand_synonyms")},
        "content": digest.hexdigest()[:20],
        "sources": sorted(str(Path(s.path).resolve()) for s in settings.sources),
    }


def index_is_current(settings: Settings) -> bool:
    """True when settings.index.dir holds a published build made with this fingerprint."""
    from indexer.store import IndexStore

    root = Path(settings.index.dir)
    try:
        stored = json.loads((root / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    path = IndexStore(settings.index).current()
    if path is None or stored.get("generation") != path.name:
        return False
    meta = IndexStore(settings.index).meta(path)
    analysis = {k: v for k, v in meta.get("analysis", {}).items() if k not in ("stem_cache_size", "expand_synonyms")}
    want = index_fingerprint(settings)
    return stored.get("fingerprint") == want and analysis == want["analysis"]


def ensure_index(settings: Settings, quiet: bool = True) -> tuple[Path, bool]:
    """Build settings' sources into settings.index.dir unless a matching build is there.

    Returns (generation path, built_now).
    """
    from indexer.build import build
    from indexer.store import IndexStore

    if index_is_current(settings):
        return IndexStore(settings.index).current(), False
    fingerprint = index_fingerprint(settings)   # taken before the build reads the files
    generation, _ = build(settings, quiet=quiet)
    root = Path(settings.index.dir)
    (root / FINGERPRINT_FILE).write_text(
        json.dumps({"generation": generation.name, "fingerprint": fingerprint}, indent=1), encoding="utf-8")
    return generation, True
