"""`warta-index lexicon`: list, filter and explain the acronyms queries expand with.

    warta-index lexicon                      # summary + first entries (curated and learned)
    warta-index lexicon kemen --source learned
    warta-index lexicon --explain Kemenpora  # every entry of a form, counts, example articles, expansion
"""
from __future__ import annotations

import json
import sys

from indexer import learned
from indexer.chain import tokenize
from indexer.lexicon import Lexicon
from indexer.search.query import expand_synonyms, parse
from indexer.store import IndexStore

EXIT_OK, EXIT_USAGE = 0, 2


def add_parser(sub) -> None:
    lx = sub.add_parser("lexicon", help="list, filter and explain the acronym lexicon (curated + learned)")
    lx.add_argument("filter", nargs="?", default="", help="only entries with a form containing this text")
    lx.add_argument("--source", choices=["all", "curated", "learned"], default="all")
    lx.add_argument("--explain", metavar="FORM", help="every entry for FORM, with counts and example articles")
    lx.add_argument("--limit", type=int, default=50, help="entries listed (0 = all)")
    lx.add_argument("--json", action="store_true")


def _entries(settings, table) -> list[dict]:
    out = []
    for group in Lexicon.load(settings.analysis):
        forms = [" ".join(f) for f in group.forms]
        out.append({"source": "curated", "short": forms[0], "long": " | ".join(forms[1:]), "line": group.line,
                    "forms": forms})
    never = learned.load_never(settings.analysis)
    for p in table.pairs:
        out.append({"source": "learned", "short": p.short, "long": p.long, "count": p.count, "docs": p.docs,
                    "share": p.share, "confidence": p.confidence, "examples": list(p.examples),
                    "blocked": never.blocks(p.short, p.long), "forms": [p.short, p.long]})
    return out


def run(settings, args) -> int:
    store = IndexStore(settings.index)
    generation = store.current()
    table = learned.read(generation) if generation is not None else learned.LearnedTable()
    entries = _entries(settings, table)
    if args.explain:
        return _explain(settings, generation, entries, args)
    wanted = args.filter.lower()
    shown = [e for e in entries if (args.source in ("all", e["source"]))
             and (not wanted or any(wanted in f.lower() for f in e["forms"]))]
    summary = {"generation": generation.name if generation else None,
               "curated": sum(e["source"] == "curated" for e in entries),
               "learned": len(table), "blocked_by_never_list": sum(bool(e.get("blocked")) for e in entries),
               "not_learned": table.rejected, "matching": len(shown)}
    limited = shown if args.limit <= 0 else shown[:args.limit]
    if args.json:
        print(json.dumps({"summary": summary, "entries": [{k: v for k, v in e.items() if k != "forms"}
                                                          for e in limited]}, ensure_ascii=False, indent=1))
        return EXIT_OK
    if generation is None:
        print("no published index: only the curated lexicon is listed (run `warta-index build`)", file=sys.stderr)
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(table.rejected.items())) or "none"
    print(f"curated {summary['curated']} groups; learned {summary['learned']} pairs in "
          f"{summary['generation'] or '-'} ({summary['blocked_by_never_list']} blocked by the never list; "
          f"not learned: {rejected}); {len(shown)} match")
    for e in limited:
        if e["source"] == "curated":
            print(f"  curated  {e['short']:<14} {e['long']}  (lexicon.tsv:{e['line']})")
        else:
            flag = "  [never]" if e["blocked"] else ""
            print(f"  learned  {e['short']:<14} {e['long']}  ({e['count']}x in {e['docs']} articles, "
                  f"share {e['share']:.2f}, confidence {e['confidence']:.2f}){flag}")
    if len(shown) > len(limited):
        print(f"  … {len(shown) - len(limited)} more (--limit 0 lists all)")
    return EXIT_OK


def _explain(settings, generation, entries, args) -> int:
    form = tuple(tokenize(args.explain))
    if not form:
        print("warta-index: --explain needs a word", file=sys.stderr)
        return EXIT_USAGE
    found = [e for e in entries if any(tuple(tokenize(f)) == form for f in e["forms"])]
    lexicon = learned.generation_lexicon(settings.analysis, generation) or Lexicon()
    parsed = expand_synonyms(parse(args.explain), lexicon)
    expansion = [[u.text] + [" ".join(a) for a in u.alternatives] for g in parsed.groups for u in g
                 if u.kind == "synonym"]
    synonyms = _thesaurus_forms(settings, args.explain)
    name = _name_evidence(settings, generation, args.explain)
    titles = _titles(generation, [i for e in found for i in e.get("examples", [])])
    for e in found:
        e["examples"] = [{"id": i, **titles.get(i, {})} for i in e.get("examples", [])]
    if args.json:
        print(json.dumps({"form": args.explain, "entries": [{k: v for k, v in e.items() if k != "forms"}
                                                            for e in found],
                          "expands_to": expansion, "synonyms": synonyms, "name": name},
                         ensure_ascii=False, indent=1))
        return EXIT_OK
    if not found:
        print(f"{args.explain!r}: no curated or learned entry")
    for e in found:
        if e["source"] == "curated":
            print(f"curated  {e['short']} = {e['long']}  (lexicon.tsv line {e['line']}; curated entries win)")
            continue
        status = "BLOCKED by the never list" if e["blocked"] else "used"
        print(f"learned  {e['short']} = {e['long']}  — {status}")
        print(f"         defined {e['count']}x in {e['docs']} articles; {e['share']:.0%} of this short form's "
              f"definitions; confidence {e['confidence']:.2f}")
        for ex in e["examples"]:
            print(f"         e.g. {ex.get('title', ex['id'])}  {ex.get('url', '')}")
    if expansion:
        print("a query for it expands to: " + "; ".join(" | ".join(forms) for forms in expansion))
    else:
        print("a query for it is not expanded")
    if synonyms:
        print("news synonyms (thesaurus and colloquial words, weighted search.synonym_weight): " + " | ".join(synonyms))
    if name is not None:
        verdict = "a name" if name["is_name"] else "not a name"
        print(f"{verdict}: written capitalised in {name['capitalised']} of {name['mentions']} mid-sentence "
              f"mentions (a partial hit lacking a name loses search.name_weight times its share)")
    return EXIT_OK


def _name_evidence(settings, generation, text: str) -> dict | None:
    """How the generation's archive writes a one-word form (indexer.names); None for a phrase or no index."""
    from indexer.names import CaseCounter

    words = text.lower().split()
    if generation is None or len(words) != 1:
        return None
    return CaseCounter.load(generation).evidence(words[0], settings.search.name_min_share)


def _thesaurus_forms(settings, text: str) -> list[str]:
    """The thesaurus forms a query for `text` also searches (indexer.thesaurus)."""
    from indexer.analysis import make_analyzer
    from indexer.search.query import Compiler
    from indexer.thesaurus import configured

    if settings.search.synonym_weight <= 0:
        return []
    thesaurus = configured(settings.search, Compiler.stemmer_of(make_analyzer(settings.analysis)))
    words = text.split()
    return [" ".join(alt.words) for start, end in thesaurus.spans(words)
            for alt in thesaurus.alternatives(words[start:end])]


def _titles(generation, ids: list[str]) -> dict[str, dict]:
    if generation is None or not ids:
        return {}
    from whoosh import index as whoosh_index

    out = {}
    ix = whoosh_index.open_dir(str(generation))
    with ix.searcher() as searcher:
        for doc_id in ids:
            fields = searcher.document(id=doc_id)
            if fields:
                out[doc_id] = {"title": fields.get("title", ""), "url": fields.get("url", "")}
    ix.close()
    return out
