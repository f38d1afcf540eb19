"""The Whoosh schema, and the mapping from an Article to index fields.

Text fields use the stemmed Indonesian analyzer; `exact` keeps an unstemmed
copy of title, lead and caption for exact-form boosting and "did you mean".
Facet and sort fields are sortable ID/DATETIME columns, read as arrays at
search time (no DateRangeFacet: it evaluates a range query per bucket).
"""
from __future__ import annotations

from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema

from indexer.analysis import make_analyzer, make_exact_analyzer
from indexer.config import AnalysisSettings
from indexer.duplicates import duplicate_key
from indexer.records import Article
from indexer.whooshfast import FastPositions

TEXT_FIELDS = ("title", "lead", "body", "caption")


def _text(**kwargs) -> TEXT:
    """A positional TEXT field whose postings are computed by the fast path (indexer.whooshfast)."""
    field = TEXT(**kwargs)
    field.format = FastPositions(field_boost=field.format.field_boost)
    return field


def make_schema(analysis: AnalysisSettings) -> Schema:
    stemmed = make_analyzer(analysis)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        url=ID(stored=True),
        title=_text(stored=True, analyzer=stemmed),
        lead=_text(stored=True, analyzer=stemmed),
        body=_text(analyzer=stemmed),             # the body after the lead (the lead has its own field)
        text=STORED,                               # the whole body as written, for display and snippets
        caption=_text(stored=True, analyzer=stemmed),
        exact=_text(analyzer=make_exact_analyzer(analysis), spelling=True),
        section=ID(stored=True, sortable=True),
        subsection=ID(stored=True),
        outlet=ID(stored=True, sortable=True),
        source=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
        month=ID(stored=True, sortable=True),
        dup=ID(stored=True, sortable=True),
        content_hash=ID(stored=True, sortable=True),
        date_conflict=STORED,
    )


def body_after_lead(article: Article) -> str:
    """Index the lead once: in `lead`, not again in `body` (a third fewer tokens to write)."""
    lead = article.lead.strip()
    body = article.body.lstrip()
    return body[len(lead):] if lead and body.startswith(lead) else article.body


def document_fields(article: Article, dup: str | None = None) -> dict:
    """Keyword arguments for writer.add_document / update_document.

    `dup` is the story signature from a `duplicates.DuplicateFinder` run over the whole build; without it
    the article's own `duplicate_key` is used.
    """
    fields = {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "lead": article.lead,
        "body": body_after_lead(article),
        "text": article.body,
        "caption": article.caption,
        "exact": "\n".join(p for p in (article.title, article.lead, article.caption) if p),
        "section": article.section or "Lainnya",
        "subsection": article.subsection,
        "outlet": article.outlet,
        "source": article.source,
        "month": article.published.strftime("%Y-%m") if article.published else "",
        "dup": dup or duplicate_key(article),
        "content_hash": article.content_hash,
        "date_conflict": article.date_conflict,
    }
    if article.published is not None:
        fields["published"] = article.published
    return fields
