"""Full builds and incremental updates, each published as a new generation.

Both run under the store's writer lock, write into a staging folder and only
then swap the CURRENT pointer, so searchers never see a half-built index and a
failed or killed run leaves the published one untouched.
"""
from __future__ import annotations

import csv
from collections import Counter
import dataclasses
import functools
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from indexer.config import Settings, SourceSettings
from indexer.progress import Progress
from indexer.readers import SourceError, read_source
from indexer.records import Article, Skip
from indexer.report import BuildReport, reasons_text
from indexer import learned, names, stemcache
from indexer.killpoint import kill_point
from indexer.duplicates import DuplicateFinder
from indexer.errors import BuildError  # raised here, and importable from here as before
from indexer.schema import body_after_lead, document_fields, make_schema
from indexer.store import IndexStore
from indexer import whooshfast
from indexer.whooshfast import ParallelWriter, WartaCodec, segment_ids


def resolve_sources(settings: Settings, names: Sequence[str] | None) -> list[SourceSettings]:
    """Configured source names, or paths given on the command line; none = all configured."""
    if not names:
        if not settings.sources:
            raise BuildError("no sources: name files or folders, or add [[sources]] to config.toml")
        return list(settings.sources)
    resolved = []
    for name in names:
        configured = settings.source(name)
        if configured is not None:
            resolved.append(configured)
            continue
        path = Path(name)
        if not path.exists():
            known = ", ".join(s.name for s in settings.sources) or "none configured"
            raise BuildError(f"unknown source {name!r}: not a configured source ({known}) nor an existing path")
        # a path that a configured source points at keeps that source's field mapping
        match = next((s for s in settings.sources if s.path.resolve() == path.resolve()), None)
        resolved.append(match or SourceSettings(name=path.stem, path=path))
    return resolved


def estimate_total(sources: Iterable[SourceSettings]) -> int | None:
    """Cheap record count for the progress ETA (None when unknown)."""
    total = 0
    try:
        for src in sources:
            files = sorted(src.path.rglob("*")) if src.path.is_dir() else [src.path]
            for f in files:
                suffix = f.suffix.lower()
                if suffix == ".txt":
                    total += 1
                elif suffix in (".jsonl", ".json"):
                    with open(f, "rb") as fh:
                        total += sum(1 for _ in fh)
                elif suffix == ".csv":
                    csv.field_size_limit(1 << 30)
                    with open(f, newline="", encoding=src.encoding, errors="replace") as fh:
                        total += max(0, sum(1 for _ in csv.reader(fh)) - 1)
                elif suffix == ".xlsx":
                    from openpyxl import load_workbook
                    wb = load_workbook(f, read_only=True)
                    total += max(0, (wb.worksheets[0].max_row or 1) - 1)    # the sheet the reader reads
                    wb.close()
    except Exception:  # an estimate must never break a build
        return None
    return total or None


def read_articles(settings: Settings, sources: Sequence[SourceSettings], report: BuildReport,
                  strict: bool, allow_empty: bool = False) -> Iterator[Article]:
    """Articles from all sources, with skips counted (or fatal under --strict) and ids de-duplicated.

    A misconfigured source never passes silently: a mapped column missing from a file's header, or
    a source that yields no article at all (unless `allow_empty`), raises SourceError.
    """
    seen: set[str] = set()
    for src in sources:
        articles, skipped = 0, Counter()
        for item in read_source(src, settings):
            if isinstance(item, Article) and item.id in seen:
                item = Skip("duplicate_id", item.origin, f"id {item.id} already read")
            if isinstance(item, Skip):
                if item.reason == "missing_column":
                    raise SourceError(f"source {src.name!r}: {item.origin}: {item.detail}; fix its `fields` "
                                      f"mapping in the config")
                report.skip(item)
                skipped[item.reason] += 1
                if strict:
                    raise BuildError(f"--strict: skipped {item.origin} ({item.reason}): {item.detail}")
                continue
            seen.add(item.id)
            report.saw(item)
            articles += 1
            yield item
        if not articles and not allow_empty:
            why = reasons_text(skipped) or "no records"
            raise SourceError(f"source {src.name!r} ({src.path}) gave no articles ({why}); check its path, "
                              f"format and fields, or pass --allow-empty if that is intended")


def _meta(settings: Settings, sources, report: BuildReport, kind: str, documents: int,
          build_segments: Sequence[str] = ()) -> dict:
    return {
        "kind": kind,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "documents": documents,
        "sources": [str(s.path) for s in sources],
        "source_settings": [dict(dataclasses.asdict(s), path=str(s.path), fields=dict(s.fields)) for s in sources],
        "analysis": dataclasses.asdict(settings.analysis),
        "report": report.as_dict(),
        "build_segments": sorted(build_segments),    # never merged by an update (merge_small_segments)
    }


def check(settings: Settings, source_names: Sequence[str] | None = None, strict: bool = False,
          quiet: bool = True, allow_empty: bool = False) -> BuildReport:
    """Parse only: read every source and report, write nothing."""
    sources = resolve_sources(settings, source_names)
    report = BuildReport()
    start = time.monotonic()
    progress = Progress("checking", estimate_total(sources) if not quiet else None, enabled=not quiet)
    for _ in read_articles(settings, sources, report, strict, allow_empty):
        report.indexed += 1
        progress.step()
    progress.done()
    report.seconds = time.monotonic() - start
    return report


def build(settings: Settings, source_names: Sequence[str] | None = None, strict: bool = False,
          quiet: bool = True, allow_empty: bool = False) -> tuple[Path, BuildReport]:
    """Full rebuild into a staging folder, then an atomic swap. Returns (generation, report).

    One pass, streaming: the main process reads articles, gives each its story signature and
    hands it to the writer processes (indexer.whooshfast.ParallelWriter), so no more than a few batches of
    articles are held in memory whatever the size of the archive.
    """
    sources = resolve_sources(settings, source_names)
    store = IndexStore(settings.index)
    report = BuildReport()
    start = time.monotonic()
    with store.lock():
        staging = store.new_staging()
        ix = whoosh_index.create_in(str(staging), make_schema(settings.analysis))
        analyzer = ix.schema["body"].analyzer
        stems = stemcache.load(analyzer, store.root)
        stemcache.seed(analyzer, stems)        # the writer processes fork later and inherit it
        finder = DuplicateFinder()
        miner = learned.make_miner(settings.analysis)
        cases = names.CaseCounter()
        writer = ParallelWriter(ix, procs=max(1, settings.index.procs), segment_mb=settings.index.segment_mb,
                                **_writer_options(settings))
        progress = Progress("indexing", estimate_total(sources) if not quiet else None, enabled=not quiet)
        try:
            for article in read_articles(settings, sources, report, strict, allow_empty):
                kill_point("read")
                if miner is not None:
                    miner.feed(article.id, article.title, article.lead, article.body, article.caption)
                cases.feed(article.lead, body_after_lead(article), article.caption)
                writer.add_document(**document_fields(article, finder.key(article)))
                report.indexed += 1
                report.added += 1
                progress.step()
                kill_point("write")
            report.phases["feed"] = round(time.monotonic() - start, 2)
            progress.done("committing…")
            kill_point("commit")
            writer.commit()
        except BaseException:
            _cancel(writer)
            raise
        kill_point("committed")
        report.phases["commit"] = round(time.monotonic() - start - report.phases["feed"], 2)
        report.stemming = _save_stems(analyzer, store, stems, writer.learned_stems)
        _save_acronyms(miner, staging, report)
        _save_names(cases, staging, report, settings.search.name_min_share)
        published = time.monotonic()
        built = segment_ids(ix)
        whooshfast.write_packed(ix, settings.index.packed_min_postings, settings.index.procs)
        report.phases["pack"] = round(time.monotonic() - published, 2)
        generation = store.publish(staging, _meta(settings, sources, report, "build", ix.doc_count(), built))
        report.seconds = time.monotonic() - start
        report.phases["publish"] = round(time.monotonic() - published, 2)
    return generation, report


def _save_acronyms(miner, staging: Path, report: BuildReport) -> None:
    """Write the generation's learned acronym table (indexer.learned) and count it in the report."""
    if miner is None:
        return
    table = miner.result()
    learned.save(miner, table, staging)
    report.acronyms = {"pairs": len(table), "shorts": len({p.short.lower() for p in table.pairs}),
                       "articles": len(miner), "rejected": dict(table.rejected)}


def _save_names(cases: names.CaseCounter, staging: Path, report: BuildReport, min_share: float) -> None:
    """Write the generation's word case counts (indexer.names) and count its names in the report."""
    cases.save(staging)
    report.names = len(cases.names(min_share))


def _save_stems(analyzer, store: IndexStore, known: dict, learned: dict) -> dict:
    """Add the writers' new stems to the table on disk (a cache: a failure only costs speed)."""
    if learned:
        kill_point("stem_save")
        known.update(learned)
        stemcache.save(analyzer, store.root, known)
    return {"newly_stemmed": len(learned), "stems_on_disk": len(known)}


def _writer_options(settings: Settings) -> dict:
    """Whoosh writer options shared by builds, updates and merges.

    Separate segment files (compound=False) are memory-mapped by readers instead of copied into
    each reader's memory; WartaCodec writes the same W3 format faster (see indexer.whooshfast).
    """
    return {"limitmb": settings.index.limitmb, "compound": False,
            "codec": WartaCodec(inlinelimit=settings.index.inline_postings)}


def merge_small_segments(writer, segments: list, keep: frozenset[str] = frozenset()) -> list:
    """Whoosh merge policy: merge the segments under a quarter of the largest one's size, except
    the segments of the last full build (`keep`: their ids).

    Updates leave small segments behind; merging them keeps searches from reading many posting
    lists per term. A full build's segments are left alone, so an update of a few thousand
    articles never rewrites an archive of hundreds of thousands; that includes the last, partly
    filled segment of each build writer process, which can be small but hold thousands of
    articles (re-adding a merged document is expensive; the measurement is in docs/decisions.md).
    """
    if not segments:
        return segments
    largest = max(s.doc_count_all() for s in segments)
    small = [s for s in segments if s.doc_count_all() * 4 < largest and s.segment_id() not in keep]
    if len(small) < 2:
        return segments
    for seg in small:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _cancel(writer) -> None:
    """Cancel a writer, stopping Whoosh's sub-writer processes first: MpWriter.cancel() only flags
    the parent's copies of them, so they went on reading job files that cancel() deletes (a
    traceback per process on Ctrl-C) or, when idle, waited for work forever."""
    for task in getattr(writer, "tasks", ()):
        if task.is_alive():
            task.terminate()
        task.join(10)
    writer.cancel()


def _read_all(settings, sources, report, strict, quiet, allow_empty=False) -> list[Article]:
    progress = Progress("reading", estimate_total(sources) if not quiet else None, enabled=not quiet)
    articles = []
    for article in read_articles(settings, sources, report, strict, allow_empty):
        articles.append(article)
        progress.step()
        kill_point("read")
    progress.done()
    return articles


def _story_signatures(articles: list[Article]) -> dict[str, str]:
    """id -> `dup` signature shared by copies of one story (see duplicates.DuplicateFinder)."""
    finder = DuplicateFinder()
    return {a.id: finder.key(a) for a in articles}


def _warm_stems(ix, articles: list[Article], store: IndexStore, procs: int) -> dict:
    texts = (_reached("stem_collect", t) for a in articles for t in (a.title, a.lead, a.body, a.caption) if t)
    started = time.monotonic()
    counts = stemcache.warm(ix.schema["body"].analyzer, texts, store.root, procs)
    return dict(counts, seconds=round(time.monotonic() - started, 2)) if counts else {}


def _reached(point: str, value):
    kill_point(point)
    return value


def _existing_hashes(ix) -> dict[str, str]:
    if ix.doc_count_all() == 0:          # a first update into an empty folder: no columns to read
        return {}
    with ix.reader() as reader:
        ids, hashes = reader.column_reader("id"), reader.column_reader("content_hash")
        return {ids[n]: hashes[n] for n in reader.all_doc_ids()}


def update(settings: Settings, source_names: Sequence[str] | None = None, prune: bool = False,
           strict: bool = False, quiet: bool = True, allow_empty: bool = False) -> tuple[Path, BuildReport]:
    """Incremental: add new ids, replace changed ones (content hash), optionally prune missing ones.

    With no sources named and none configured, the sources the published generation was built
    from (recorded in its build.json) are read again.
    """
    store = IndexStore(settings.index)
    if not source_names and not settings.sources:
        recorded = store.meta().get("source_settings") if store.current() is not None else None
        if recorded:
            settings = settings.replace(sources=tuple(
                SourceSettings(**dict(r, path=Path(r["path"]))) for r in recorded))
    sources = resolve_sources(settings, source_names)
    report = BuildReport()
    start = time.monotonic()
    with store.lock():
        if store.current() is None:
            staging = store.new_staging()
            ix = whoosh_index.create_in(str(staging), make_schema(settings.analysis))
        else:
            staging = store.copy_current_to_staging()
            kill_point("update_linked")
            ix = whoosh_index.open_dir(str(staging))
        built = frozenset(store.meta().get("build_segments", ()))
        existing = _existing_hashes(ix)
        articles = _read_all(settings, sources, report, strict, quiet, allow_empty)
        changed = [a for a in articles if existing.get(a.id) != a.content_hash]
        gone = existing.keys() - {a.id for a in articles} if prune else set()
        if not changed and not gone and store.current() is not None:
            ix.close()
            shutil.rmtree(staging, ignore_errors=True)     # hard links only: the published files stay
            report.indexed = report.unchanged = len(articles)
            report.published = False
            report.seconds = time.monotonic() - start
            return store.current(), report
        report.stemming = _warm_stems(ix, changed, store, max(1, settings.index.procs))
        dups = _story_signatures(articles)   # over every article, in reading order, as a build does
        miner = learned.make_miner(settings.analysis)
        if miner is not None:     # the published generation's definitions, then only what changed
            known = learned.load_occurrences(miner, store.current())
            for article in (changed if known else articles):
                miner.feed(article.id, article.title, article.lead, article.body, article.caption)
        cases = names.CaseCounter.load(store.current())     # the published counts, then what changed
        for article in (changed if len(cases) else articles):
            cases.feed(article.lead, body_after_lead(article), article.caption)
        writer = ix.writer(**_writer_options(settings))
        progress = Progress("updating", len(articles), enabled=not quiet)
        seen: set[str] = set()
        try:
            for article in articles:
                seen.add(article.id)
                old = existing.get(article.id)
                if old is None:
                    writer.add_document(**document_fields(article, dups.get(article.id)))
                    report.added += 1
                elif old != article.content_hash:
                    writer.update_document(**document_fields(article, dups.get(article.id)))
                    report.replaced += 1
                else:
                    report.unchanged += 1
                report.indexed += 1
                progress.step()
                kill_point("write")
            if prune:
                for doc_id in existing.keys() - seen:
                    writer.delete_by_term("id", doc_id)
                    if miner is not None:
                        miner.forget(doc_id)
                    report.removed += 1
        except BaseException:
            writer.cancel()
            raise
        progress.done("committing…")
        kill_point("commit")
        writer.commit()
        kill_point("committed")
        if len(segment_ids(ix)) > settings.index.merge_segments_above:
            kill_point("optimize")
            ix.writer(**_writer_options(settings)).commit(
                mergetype=functools.partial(merge_small_segments, keep=built))
        built = built & set(segment_ids(ix))
        _save_acronyms(miner, staging, report)
        _save_names(cases, staging, report, settings.search.name_min_share)
        whooshfast.write_packed(ix, settings.index.packed_min_postings, settings.index.procs)   # new, merged
        generation = store.publish(staging, _meta(settings, sources, report, "update", ix.doc_count(), built))
        report.seconds = time.monotonic() - start
    return generation, report
