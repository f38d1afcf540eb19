"""Proximity: neighbouring query words that stand close together in an article.

A reader's words for a story are often a name and its parts (*tol cipularang*, *kabut asap*,
*pb djarum*, *selandia baru*) or a subject and its verb; an article where they stand within a word
or two of each other is about what was typed, one where they are scattered over a long text often
is not. This is the window part of the sequential dependence model (Metzler & Croft 2005) and
of Meilisearch's `proximity` rule: each pair of neighbouring query words that occurs with at most
`window - 1` words between them, in the title, the first paragraph or the rest, adds its terms' BM25F score again,
times `weight`. Either order counts: Indonesian headlines switch voice (*KPK periksa Imam* /
*Imam diperiksa KPK*), which swaps the words around the verb, and readers write a name's parts in
either order (*karyawan KPK* / *KPK karyawan*). It only reorders what matching listed;
docs/relevance.md has the measurements.
"""
from __future__ import annotations

from whoosh import query as Q

FIELDS = ("title", "lead", "body")


def pair_queries(groups, boosts: dict[str, float], weight: float, window: int) -> list[Q.Query]:
    """One query per pair of neighbouring required groups typed as single words: the pair, in
    either order, as a phrase with slop `window` in each of FIELDS, weighted `weight` times the
    field's boost."""
    if weight <= 0:
        return []
    stems = [g.stem for g in groups if not g.optional]
    pairs = [(a, b) for a, b in zip(stems, stems[1:]) if a and b and a != b]
    return [Q.Or([Q.Phrase(field, list(words), slop=window, boost=weight * boosts.get(field, 1.0))
                  for field in FIELDS for words in ((a, b), (b, a))])
            for a, b in pairs]
