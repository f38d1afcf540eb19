"""SearchEngine: the one entry point for searching the published index generation.

Per request: parse the query, get the matching document numbers once, then
filters, facet counts (each facet counted with its own filter off, i.e.
disjunctive faceting), ordering and duplicate collapsing on numpy arrays;
Whoosh scores only the filtered candidates and only the page's hits are
highlighted.  A new generation published by `warta-index` is picked up on the
next request, without a restart.
"""
from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
from whoosh.util.times import long_to_datetime

from indexer.config import Settings
from indexer.datenames import month_label
from indexer import learned, names, stemcache, thesaurus
from indexer.errors import IndexUnavailable  # raised here, and importable from here as before
from indexer.search import feedback, proximity, snippets, timeline
from indexer.search.model import (ArticleView, FacetValue, Hit, IndexStats, SearchRequest, SearchResult,
                                  Suggestion)
from indexer.search.matching import Matches, PartialPolicy, combine
from indexer.search.query import Compiler, ParsedQuery, expand_synonyms, expand_thesaurus, parse
from indexer.search.resultcache import ResultCache
from indexer.search.scoring import Evaluator, SegmentCache
from indexer.search.snapshot import NO_DATE, Snapshot, day_end, day_start
from indexer.search.suggest import complete, did_you_mean, words_with_prefix
from indexer.store import IndexStore

DAY = 86400 * 10**6  # whoosh datetime longs count microseconds since datetime.min
MAX_COPIES = 50      # copies of one story listed with an article (a wire story can run in dozens)
RELATED_SNIPPET_CHARS = 200


class SearchEngine:
    """The Whoosh + numpy `SearchBackend` (indexer/search/backend.py) over the published generation."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = IndexStore(settings.index)
        self._snapshot: Snapshot | None = None
        self._segment_cache = SegmentCache(settings.search.cache_mb)
        self.results = ResultCache(settings.search.result_cache)
        self._lock = threading.Lock()

    # --- generations -----------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The snapshot of the currently published generation (reopened after a swap)."""
        name = self.store.current_name()
        snap = self._snapshot
        if snap is not None and snap.generation == name:
            return snap
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.generation == name:
                return snap
            path = self.store.current()
            if path is None:
                if snap is not None:  # pointer vanished: keep serving what we have
                    return snap
                raise IndexUnavailable(f"no index published in {self.store.root} yet: "
                                       "run `warta-index build` first")
            snap = Snapshot.open(path, self.store.meta(path), self._segment_cache)
            snap.lexicon = learned.generation_lexicon(self.settings.analysis, path)   # curated + learned
            snap.thesaurus = thesaurus.configured(self.settings.search, Compiler.stemmer_of(snap.schema["body"].analyzer))
            snap.names = names.generation_names(path, self.settings.search.name_min_share)
            stemcache.preload(snap.schema["body"].analyzer, self.store.root)
            # completions need the exact-field vocabulary: load it off the request path
            threading.Thread(target=snap.vocabulary, name="warta-vocabulary", daemon=True).start()
            self._snapshot = snap
            return snap

    def _compiler(self, snap: Snapshot) -> Compiler:
        schema = snap.schema
        s = self.settings.search
        return Compiler(
            stem_analyzer=schema["body"].analyzer,
            exact_analyzer=schema["exact"].analyzer,
            boosts={"title": s.title_boost, "lead": s.lead_boost, "body": 1.0, "caption": s.caption_boost},
            exact_boost=s.exact_boost,
            facet_values={"section": snap.section_lookup(), "outlet": snap.outlets},
            prefix_words=lambda prefix: words_with_prefix(snap, prefix, s.prefix_expansions),
            thesaurus=snap.thesaurus, synonym_weight=s.synonym_weight,
        )

    @staticmethod
    def _parse(snap: Snapshot, text: str) -> ParsedQuery:
        """The query's units with acronyms (lexicon) and news synonyms (thesaurus) expanded."""
        return expand_thesaurus(expand_synonyms(parse(text), snap.lexicon), snap.thesaurus)

    # --- search ----------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        snap = self.snapshot()
        cached = self.results.get(snap.generation, request)
        if cached is not None:
            return dataclasses.replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 2), cached=True)
        result = self._search(snap, request, started)
        self.results.put(snap.generation, request, result)
        return result

    def _search(self, snap: Snapshot, request: SearchRequest, started: float) -> SearchResult:
        searcher = snap.searcher()
        compiler = self._compiler(snap)
        # requests built by hand (not via params.py) may carry lone surrogates: make them plain text
        text = request.query[: self.settings.search.max_query_chars].encode("utf-8", "replace").decode("utf-8")
        parsed = self._parse(snap, text)
        section_mask, date_mask = self._filter_masks(snap, request)
        compiled = compiler.compile_groups(parsed, snap.lexicon)
        ranked = bool(compiled.groups)       # else: browse everything, or all but the exclusions
        if ranked:
            m = self._match_groups(snap, searcher, compiled, section_mask & date_mask, compiler.boosts)
        else:
            matched, scores = self._matching(snap, searcher, compiler.compile(parsed))
            m = Matches(matched, scores, matched)
        matched, scores = m.matched, m.scores
        selected = matched & section_mask & date_mask
        if ranked and self.settings.search.prf_docs > 0 and request.sort == "relevance":
            self._feedback(snap, searcher, compiler.stem_analyzer, compiled, m, selected, request)
        total = int(selected.sum())
        facets = self._facets(snap, request, matched, section_mask, date_mask) if request.facets else {}
        # the timeline counts exactly the listed results, so every bar narrows to what it shows
        dates = (timeline.build(snap.days, selected, request.date_from, request.date_to)
                 if request.facets else None)
        # *_html is always HTML: escaped text, with <mark>s only when highlighting
        marker = snippets.Marker.of(compiler.stem_analyzer, compiled) if request.highlight else snippets.PLAIN
        hits = self._page(snap, searcher, ranked, m, selected, request, marker)
        suggestion = None
        if text.strip() and total < self.settings.search.suggest_below:
            suggestion = did_you_mean(snap, searcher, text, total, self._count_for)
        return SearchResult(request=request, total=total, hits=hits, facets=facets, suggestion=suggestion,
                            took_ms=round((time.perf_counter() - started) * 1000, 2),
                            generation=snap.generation, fallback_or=m.fallback,
                            matched_all=int((m.full & section_mask & date_mask).sum()),
                            partial=m.partial_fill, timeline=dates)

    def _matching(self, snap: Snapshot, searcher, q, score: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(matches, BM25F scores) over document numbers; q None = every live document, unscored."""
        if q is None:
            return snap.alive.copy(), np.zeros(len(snap.alive), dtype=np.float32)
        return Evaluator(snap.postings(), searcher, snap.alive, score=score).run(q)

    def _match_groups(self, snap: Snapshot, searcher, compiled, filtered: np.ndarray, boosts: dict) -> Matches:
        evaluator = Evaluator(snap.postings(), searcher, snap.alive)
        results = [evaluator.run(g.query) for g in compiled.groups]
        negative = evaluator.mask(compiled.negative) if compiled.negative is not None else None
        s = self.settings.search
        pairs = proximity.pair_queries(compiled.groups, boosts, s.proximity_weight, s.proximity_window)
        bonus = np.sum([evaluator.run(q)[1] for q in pairs], axis=0, dtype=np.float32) if pairs else None
        weights = [s.name_weight if names.is_name(g.label, snap.names) else 1.0 for g in compiled.groups]
        return combine(compiled, results, negative, snap.alive, filtered,
                       PartialPolicy(s.partial_below, s.partial_min_share), bonus, weights)

    def _feedback(self, snap, searcher, stem_analyzer, compiled, m: Matches, selected, request) -> None:
        """Re-rank the listed documents with RM3 pseudo-relevance feedback (search.prf_docs > 0)."""
        s = self.settings.search
        order = self._ordered_docnums(snap, True, m, selected, request, s.prf_docs)

        def stored_text(docnum: int) -> str:
            f = searcher.stored_fields(docnum)
            return "\n".join(f.get(k, "") for k in ("title", "lead", "text"))

        m.scores = feedback.rerank(m.scores, selected, order, stored_text, snap.postings(), stem_analyzer,
                                   set(compiled.highlight_terms) | {w for p in compiled.highlight_phrases for w in p},
                                   s.prf_docs, s.prf_terms, s.prf_weight,
                                   {"title": s.title_boost, "body": 1.0})

    def _count_for(self, snap: Snapshot, searcher, text: str) -> int:
        compiler = self._compiler(snap)
        q = compiler.compile(self._parse(snap, text))
        return int(self._matching(snap, searcher, q, score=False)[0].sum()) if q is not None else 0

    def _filter_masks(self, snap: Snapshot, request: SearchRequest) -> tuple[np.ndarray, np.ndarray]:
        n = len(snap.alive)
        section_mask = np.ones(n, dtype=bool)
        if request.sections:
            section_mask = snap.mask_for(snap.section_names, snap.section, request.sections)
        date_mask = self._range_mask(snap, request)
        if request.months:
            date_mask &= snap.mask_for(snap.month_names, snap.month, request.months)
        return section_mask, date_mask

    @staticmethod
    def _range_mask(snap: Snapshot, request: SearchRequest) -> np.ndarray:
        """The `from`/`to` date range (every document when neither is set)."""
        mask = np.ones(len(snap.alive), dtype=bool)
        if request.date_from is not None:
            mask &= snap.published >= day_start(request.date_from)
        if request.date_to is not None:
            mask &= (snap.published <= day_end(request.date_to)) & (snap.published != NO_DATE)
        return mask

    def _facets(self, snap, request, matched, section_mask, date_mask) -> dict[str, list[FacetValue]]:
        size = self.settings.search.facet_size
        sec_counts = np.bincount(snap.section[matched & date_mask], minlength=len(snap.section_names))
        sections = [FacetValue(str(snap.section_names[i]), int(sec_counts[i]),
                               str(snap.section_names[i]) in request.sections, str(snap.section_names[i]))
                    for i in np.argsort(-sec_counts, kind="stable") if sec_counts[i] > 0][:size]
        # months are counted inside the from/to range (only the month filter itself is left out,
        # so other months stay selectable): no month offers a count that leads to an empty page
        in_range = self._range_mask(snap, request) if (request.date_from or request.date_to) else True
        mon_counts = np.bincount(snap.month[matched & section_mask & in_range], minlength=len(snap.month_names))
        months = [FacetValue(str(snap.month_names[i]), int(mon_counts[i]), str(snap.month_names[i]) in request.months,
                             month_label(str(snap.month_names[i])))
                  for i in range(len(snap.month_names) - 1, -1, -1)
                  if mon_counts[i] > 0 and snap.month_names[i] != ""][:size]
        # a selected value always shows, even when the other filters leave it no documents
        for values, chosen in ((sections, request.sections), (months, request.months)):
            present = {v.value for v in values}
            values += [FacetValue(v, 0, True, month_label(v) if values is months else v)
                       for v in chosen if v not in present]
        return {"section": sections, "date": months}

    def _ordered_docnums(self, snap, ranked: bool, m: Matches, selected, request, limit: int | None) -> np.ndarray:
        """Selected document numbers in result order; at least the first `limit` (None = all).
        By relevance, every full hit ranks above every partial hit."""
        if request.sort in ("newest", "oldest") or not ranked:
            order = snap.date_order if request.sort == "oldest" else snap.date_order[::-1]
            ordered = order[selected[order]]
            return ordered if limit is None else ordered[:limit]     # collapsing all of them cost ~15 ms at 220k
        docs = np.flatnonzero(selected)
        s = m.scores[docs].astype(np.float64)
        if self.settings.search.recency_boost > 0:
            s = s * self._recency_factor(snap, docs)
        if m.partial_fill and s.size and self.settings.search.partial_tiers:
            s = s + np.where(m.full[docs], s.max() + 1.0, 0.0)     # a tier above every partial hit
        if limit is not None and docs.size > 2 * limit:
            top = np.argpartition(-s, limit - 1)[:limit]
            docs, s = docs[top], s[top]
        # newest first among equal scores, so ties are stable and useful
        return docs[np.lexsort((-snap.published[docs], -s))]

    def _recency_factor(self, snap, docs: np.ndarray) -> np.ndarray:
        cfg = self.settings.search
        pub = snap.published[docs]
        newest = snap.published[snap.alive & (snap.published != NO_DATE)].max(initial=0)
        age_days = np.where(pub != NO_DATE, (newest - pub) / DAY, 10 * cfg.recency_scale_days)
        return (1 + cfg.recency_boost * 0.5 ** (age_days / cfg.recency_scale_days)).astype(np.float32)

    def _page(self, snap, searcher, ranked: bool, m: Matches, selected, request,
              marker: snippets.Marker) -> list[Hit]:
        start = (request.page - 1) * request.per_page
        need = start + request.per_page
        collapse = self.settings.search.collapse_duplicates
        limit = need * 3 + 30 if collapse else need
        ordered = self._ordered_docnums(snap, ranked, m, selected, request, limit)
        if collapse:
            ordered = self._collapse(snap, ordered)
            if len(ordered) < need and selected.sum() > limit:
                ordered = self._collapse(snap, self._ordered_docnums(snap, ranked, m, selected, request, None))
        page = ordered[start:need]
        size = self.settings.search.snippet_chars
        hits = [self._hit(snap, searcher, int(d), float(m.scores[d]),
                          int(snap.dup_sizes[snap.dup[d]]) - 1 if collapse else 0, marker, size) for d in page]
        if m.partial_fill:
            for hit, d in zip(hits, page):
                hit.missing = m.missing(int(d))
        return hits

    @staticmethod
    def _collapse(snap, ordered: np.ndarray) -> np.ndarray:
        """The best-ranked document of each story, in rank order."""
        _, first = np.unique(snap.dup[ordered], return_index=True)
        return ordered[np.sort(first)]

    def _hit(self, snap, searcher, docnum: int, score: float, duplicates: int,
             marker: snippets.Marker, snippet_chars: int) -> Hit:
        """A result; its title and snippet escaped by `marker` (snippets.PLAIN: marks nothing)."""
        f = searcher.stored_fields(docnum)
        title = f.get("title", "")
        return Hit(id=f["id"], url=f.get("url", ""), title=title, title_html=marker.all(title),
                   snippet_html=marker.snippet(f.get("text", ""), snippet_chars), section=f.get("section", ""),
                   outlet=f.get("outlet", ""), source=f.get("source", ""), published=f.get("published"),
                   score=round(float(score), 4), duplicates=max(0, duplicates))

    def highlight_texts(self, query: str, texts: list[str]) -> list[str]:
        """Each text escaped, with the words (and phrases) of `query` marked, as in the results:
        the article page of a reader who came from a search."""
        snap = self.snapshot()
        compiler = self._compiler(snap)
        text = query[: self.settings.search.max_query_chars].encode("utf-8", "replace").decode("utf-8")
        compiled = compiler.compile_groups(self._parse(snap, text), snap.lexicon)
        marker = snippets.Marker.of(compiler.stem_analyzer, compiled)
        return [marker.all(t) for t in texts]

    # --- articles, suggestions, stats ---------------------------------
    def article(self, doc_id: str) -> ArticleView | None:
        snap = self.snapshot()
        searcher = snap.searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return None
        f = searcher.stored_fields(docnum)
        view = ArticleView(id=f["id"], url=f.get("url", ""), title=f.get("title", ""), lead=f.get("lead", ""),
                           body=f.get("text", ""), caption=f.get("caption", ""), section=f.get("section", ""),
                           subsection=f.get("subsection", ""), outlet=f.get("outlet", ""),
                           source=f.get("source", ""), published=f.get("published"))
        view.related = self.related(snap, searcher, docnum, f)
        view.copies = self.copies(snap, searcher, docnum)
        return view

    def copies(self, snap, searcher, docnum: int, limit: int = MAX_COPIES) -> list[Hit]:
        """The other live articles of this document's story (same `dup` code: the copies that
        collapsing folds into one hit, "N outlet lain memuat berita ini"), oldest first, at most
        `limit`. Titles and snippets are escaped like a hit's."""
        code = int(snap.dup[docnum])
        if snap.dup_sizes[code] < 2:
            return []
        members = np.flatnonzero((snap.dup == code) & snap.alive)
        members = members[members != docnum]
        members = members[np.lexsort((members, snap.published[members]))][:limit]
        return [self._hit(snap, searcher, int(d), 0.0, int(snap.dup_sizes[code]) - 1, snippets.PLAIN,
                          RELATED_SNIPPET_CHARS) for d in members]

    def related(self, snap, searcher, docnum: int, fields: dict, limit: int = 5) -> list[Hit]:
        text = " ".join((fields.get("title", ""),) * 2 + (fields.get("lead", ""), fields.get("text", "")[:3000]))
        own_dup = int(snap.dup[docnum])
        seen = {own_dup}
        out = []
        for hit in searcher.more_like(docnum, "body", text=text, top=limit * 3, numterms=15):
            code = int(snap.dup[hit.docnum])
            if code in seen:
                continue
            seen.add(code)
            out.append(self._hit(snap, searcher, hit.docnum, hit.score, int(snap.dup_sizes[code]) - 1,
                                 snippets.PLAIN, RELATED_SNIPPET_CHARS))
            if len(out) == limit:
                break
        return out

    def suggest(self, prefix: str, limit: int = 8) -> list[Suggestion]:
        """Completions for a typed prefix: up to `limit` words, then a few matching titles."""
        snap = self.snapshot()
        return complete(snap, snap.searcher(), prefix, limit, self._compiler(snap))

    def stats(self) -> IndexStats:
        snap = self.snapshot()
        counts = np.bincount(snap.section[snap.alive], minlength=len(snap.section_names))
        dated = snap.published[snap.alive & (snap.published != NO_DATE)]
        built_at = snap.meta.get("built_at")
        return IndexStats(
            documents=int(snap.doc_count),
            generation=snap.generation,
            built_at=str(built_at) if built_at else None,
            sections=tuple((str(snap.section_names[i]), int(counts[i])) for i in np.argsort(-counts) if counts[i]),
            date_from=long_to_datetime(int(dated.min())).isoformat() if dated.size else None,
            date_to=long_to_datetime(int(dated.max())).isoformat() if dated.size else None,
        )

