"""Pseudo-relevance feedback (RM3, as in Anserini's BM25+RM3), as a re-ranking of the listed results.

The first pass ranks as usual. The top `prf_docs` results are taken as relevant: their words,
weighted by each document's share of the first-pass score and by how much of the document they
make up, form a relevance model; its `prf_terms` strongest words (not the query's own) score every
listed document by BM25 in the body and title, and that score is mixed with the first-pass score
(`prf_weight` = weight of the original query, Anserini's originalQueryWeight). Only the order
changes: the listed documents, `total`, the facets and the all-words / most-words tiers stay.
Off by default (`prf_docs = 0`); docs/relevance.md has the ablation.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from indexer.analysis import chain_of

MIN_TERM_CHARS = 3


def relevance_model(texts: list[str], weights: np.ndarray, analyzer, exclude: set[str], terms: int) -> dict[str, float]:
    """The `terms` heaviest words of P(w | R) = sum_d P(w | d) * weight(d), normalised to sum 1."""
    chain = chain_of(analyzer)
    model: Counter = Counter()
    for text, weight in zip(texts, weights):
        if chain is not None:
            counts = {term: len(pos) for term, pos in chain.positions(text).items()}
        else:
            counts = Counter(t.text for t in analyzer(text))
        length = sum(counts.values()) or 1
        for term, tf in counts.items():
            if len(term) >= MIN_TERM_CHARS and not term[0].isdigit() and term not in exclude:
                model[term] += weight * tf / length
    top = model.most_common(terms)
    total = sum(w for _, w in top) or 1.0
    return {term: w / total for term, w in top}


def rerank(scores: np.ndarray, listed: np.ndarray, order: np.ndarray, stored_text, postings, analyzer,
           query_terms: set[str], docs: int, terms: int, original_weight: float,
           boosts: dict[str, float]) -> np.ndarray:
    """New scores for the listed documents; `order` is the first-pass ranking (document numbers)."""
    feedback = order[:docs]
    if feedback.size == 0:
        return scores
    first = scores[feedback].astype(np.float64)
    weights = first / first.sum() if first.sum() > 0 else np.full(feedback.size, 1 / feedback.size)
    model = relevance_model([stored_text(int(d)) for d in feedback], weights, analyzer, query_terms, terms)
    expansion = np.zeros(scores.size, dtype=np.float32)
    for term, weight in model.items():
        for field in ("body", "title"):
            ids, base = postings.scored(field, term)
            if ids.size:
                expansion[ids] += weight * boosts.get(field, 1.0) * base
    listed_scores = scores[listed]
    top_original = float(listed_scores.max()) if listed_scores.size else 0.0
    top_expansion = float(expansion[listed].max()) if listed.any() else 0.0
    new = np.zeros_like(scores)
    original = scores / top_original if top_original > 0 else scores
    added = expansion / top_expansion if top_expansion > 0 else expansion
    new[listed] = (original_weight * original + (1 - original_weight) * added)[listed]
    return new.astype(np.float32)
