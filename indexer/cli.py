"""`warta-index`: build, update, check, inspect and query the index from a terminal."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from indexer.config import load_settings
from indexer.errors import EvalError, LockedError, RequestError, WartaError

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3

# the one mapping of Warta's errors to exit codes (docs/cli.md); every other WartaError is EXIT_FAIL
EXIT_CODES: tuple[tuple[type[WartaError], int], ...] = (
    (LockedError, EXIT_LOCKED),       # the scheduled update treats 3 as "busy, skip"
    (RequestError, EXIT_USAGE),       # a bad --from/--to/--section/--sort
    (EvalError, EXIT_USAGE),          # an unreadable eval file or a bad --set
)
OPTIONS = {"from": "--from", "to": "--to", "section": "--section", "sort": "--sort"}


def exit_code(err: WartaError) -> int:
    return next((code for cls, code in EXIT_CODES if isinstance(err, cls)), EXIT_FAIL)


def error_line(err: WartaError) -> str:
    """The one line printed for an error. A RequestError's message is the API's (Indonesian, for
    readers): the operator gets its code and the option instead."""
    if isinstance(err, RequestError):
        option = OPTIONS.get(err.param, err.param)
        return f"warta-index: {err.code.replace('_', ' ')}" + (f" in {option}" if option else "")
    return f"warta-index: {' '.join(str(err).splitlines()) or type(err).__name__}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warta-index", description="Warta indexer for Indonesian news.")
    p.add_argument("--config", help="config.toml path (default: $WARTA_CONFIG or ./config.toml)")
    p.add_argument("--index-dir", help="override [index] dir")
    p.add_argument("-v", "--verbose", action="store_true", help="log every skipped record")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_sources(sp):
        sp.add_argument("sources", nargs="*", metavar="SOURCE",
                        help="configured source names or paths (default: every [[sources]] entry)")
        sp.add_argument("--strict", action="store_true", help="fail on the first bad record")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
        sp.add_argument("--json", action="store_true", help="print the report as JSON")
        sp.add_argument("--allow-empty", action="store_true",
                        help="accept a source that yields no articles (otherwise an error)")
        return sp

    with_sources(sub.add_parser("build", help="full rebuild, published atomically"))
    up = with_sources(sub.add_parser("update", help="add new and changed articles"))
    up.add_argument("--prune", action="store_true", help="remove articles no longer in the sources")
    with_sources(sub.add_parser("check", help="parse the sources and report; writes nothing"))
    info = sub.add_parser("info", help="what the published index holds")
    info.add_argument("--json", action="store_true")
    s = sub.add_parser("search", help="ranked search from the terminal")
    s.add_argument("query", nargs="?", default="")
    s.add_argument("--section", action="append", default=[])
    s.add_argument("--from", dest="date_from")
    s.add_argument("--to", dest="date_to")
    s.add_argument("--sort", default="relevance", choices=["relevance", "newest", "oldest"])
    s.add_argument("--limit", type=int, default=10)
    s.add_argument("--json", action="store_true")
    from indexer import lexicon_cli
    lexicon_cli.add_parser(sub)
    an = sub.add_parser("analytics", help="what readers searched: top, zero-result, partial and slowest queries")
    an.add_argument("--since", default="7d", help="period: a number and m, h, d or w (default 7d)")
    an.add_argument("--limit", type=int, default=20, help="rows per table (default 20)")
    an.add_argument("--json", action="store_true")
    ev = sub.add_parser("eval", help="relevance metrics for query sets (docs/relevance.md)")
    ev.add_argument("--queries", action="append", default=[], metavar="FILE",
                    help="known-item or topical query TSV (repeatable; default eval/known_items.tsv "
                         "and eval/topical.tsv)")
    ev.add_argument("--qrels", metavar="FILE", help="TREC qrels for the topical queries (default eval/topical.qrels)")
    ev.add_argument("--json", dest="json_out", metavar="OUT", help="also write the full report as JSON to OUT")
    ev.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="override a setting for this run, e.g. search.title_boost=1.0 (repeatable)")
    return p


def _print_report(report, as_json: bool, generation=None) -> None:
    if as_json:
        data = dict(report.as_dict(), skips=report.skips)
        if generation is not None:
            data["generation"] = generation.name
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for line in report.summary_lines():
            print(line)
        if generation is not None:
            print(f"published {generation.name}" if report.published else f"current generation {generation.name}")


def _cmd_build(settings, args) -> int:
    """build / update / check, with the outcome written for monitoring (indexer.runlog)."""
    import time

    from indexer.runlog import record_run
    started = time.monotonic()
    try:
        code = _run_build(settings, args)
    except BaseException as exc:
        outcome = "locked" if isinstance(exc, LockedError) else "failed"
        record_run(settings.index.dir, args.command, time.monotonic() - started, outcome, str(exc))
        raise
    record_run(settings.index.dir, args.command, time.monotonic() - started, "ok")
    return code


def _run_build(settings, args) -> int:
    from indexer.build import build, check, update
    if args.command == "check":
        report = check(settings, args.sources, strict=args.strict, quiet=args.quiet, allow_empty=args.allow_empty)
        _print_report(report, args.json)
        return EXIT_OK
    if args.command == "build":
        generation, report = build(settings, args.sources, strict=args.strict, quiet=args.quiet,
                                   allow_empty=args.allow_empty)
    else:
        generation, report = update(settings, args.sources, prune=args.prune, strict=args.strict, quiet=args.quiet,
                                    allow_empty=args.allow_empty)
    _print_report(report, args.json, generation)
    return EXIT_OK


def _cmd_info(settings, args) -> int:
    from indexer.search.engine import SearchEngine
    from indexer.search.serialize import stats_to_json
    from indexer.store import IndexStore
    stats = stats_to_json(SearchEngine(settings).stats())
    store = IndexStore(settings.index)
    path = store.current()
    stats["index_dir"] = str(path)
    stats["size_bytes"] = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    stats["report"] = store.meta(path).get("report", {})
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=1))
        return EXIT_OK
    print(f"generation   {stats['generation']} (built {stats['built_at']})")
    print(f"documents    {stats['documents']}")
    print(f"date range   {stats['date_from']} .. {stats['date_to']}")
    print(f"index size   {stats['size_bytes'] / 1e6:.1f} MB in {path}")
    print("sections     " + ", ".join(f"{k} {v}" for k, v in stats["sections"].items()))
    rep = stats["report"]
    if rep:
        from indexer.report import plural, reasons_text
        skipped = f" ({reasons_text(rep['skipped'])})" if rep.get("skipped") else ""
        print(f"last build   read {plural(rep.get('read') or 0, 'article')}, skipped {rep.get('skipped_total')}{skipped}, "
              f"{plural(rep.get('date_conflict_count') or 0, 'date conflict')}, {rep.get('seconds')} s")
    return EXIT_OK


def _cmd_search(settings, args) -> int:
    from indexer.search.engine import SearchEngine
    from indexer.search.params import request_from_params
    params = {"q": [args.query], "section": args.section, "sort": [args.sort],
              "per_page": [str(min(max(args.limit, 1), settings.search.max_per_page))]}
    if args.date_from:
        params["from"] = [args.date_from]
    if args.date_to:
        params["to"] = [args.date_to]
    request = request_from_params(params, settings.search)
    result = SearchEngine(settings).search(request)
    if args.json:
        from indexer.search.serialize import result_to_json
        print(json.dumps(result_to_json(result), ensure_ascii=False, indent=1))
        return EXIT_OK
    note = ""
    if result.partial:
        note = f" — {result.matched_all} with every word, the rest with most of them"
    print(f"{result.total} result{'' if result.total == 1 else 's'} ({result.took_ms:.0f} ms){note}")
    if result.suggestion:
        print(f"did you mean: {result.suggestion}")
    for i, hit in enumerate(result.hits, 1):
        when = hit.published.strftime("%Y-%m-%d") if hit.published else "----------"
        print(f"{i:2}. [{hit.score:6.2f}] {when} {hit.section:<13} {hit.title}  ({hit.outlet}) id={hit.id}")
        if hit.missing:
            print(f"    missing: {', '.join(hit.missing)}")
    return EXIT_OK


def _cmd_analytics(settings, args) -> int:
    import sqlite3

    from indexer import analytics
    try:
        since = analytics.parse_since(args.since)
    except ValueError as exc:
        print(f"warta-index: {exc}", file=sys.stderr)
        return EXIT_USAGE
    path = analytics.database_path(settings)
    if not path.exists():
        print(f"warta-index: no search analytics yet ({path} does not exist): the server records searches "
              f"when [web] analytics = true", file=sys.stderr)
        return EXIT_FAIL
    try:
        con = analytics.connect(path)
        analytics.purge(con, settings.web.analytics_retention_days)
        data = analytics.report(con, since, max(1, args.limit))
        con.close()
    except sqlite3.Error as exc:
        print(f"warta-index: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_FAIL
    print(json.dumps(data, ensure_ascii=False, indent=1) if args.json else analytics.format_report(data, args.since))
    return EXIT_OK


def _eval_files(settings, args) -> tuple[list[Path], Path | None]:
    base = settings.config_path.parent if settings.config_path else Path.cwd()
    queries = [Path(q) for q in args.queries]
    qrels = Path(args.qrels) if args.qrels else None
    if not queries:
        queries = [p for p in (base / "eval/known_items.tsv", base / "eval/topical.tsv") if p.exists()]
        if qrels is None and (base / "eval/topical.qrels").exists():
            qrels = base / "eval/topical.qrels"
    return queries, qrels


def _cmd_eval(settings, args) -> int:
    from indexer.tools.evaluate import evaluate, parse_override
    for item in args.set:
        settings = settings.replace(**parse_override(item))
    queries, qrels = _eval_files(settings, args)
    if not queries:
        print("warta-index: eval needs --queries FILE (no eval/known_items.tsv found)", file=sys.stderr)
        return EXIT_USAGE
    report = evaluate(settings, queries, qrels)
    print(report.table())
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        settings = load_settings(args.config)
        if args.index_dir:
            settings = settings.replace(index={"dir": Path(args.index_dir)})
        if args.command in ("build", "update", "check"):
            return _cmd_build(settings, args)
        if args.command == "info":
            return _cmd_info(settings, args)
        if args.command == "eval":
            return _cmd_eval(settings, args)
        if args.command == "analytics":
            return _cmd_analytics(settings, args)
        if args.command == "lexicon":
            from indexer import lexicon_cli
            return lexicon_cli.run(settings, args)
        return _cmd_search(settings, args)
    except WartaError as exc:
        print(error_line(exc), file=sys.stderr)
        return exit_code(exc)
    except KeyboardInterrupt:
        print("warta-index: interrupted; the published index is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
