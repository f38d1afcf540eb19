"""The article record every reader produces, and the skip record for bad input."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Article:
    """One news article, cleaned and normalised, ready for the index.

    ``published`` is naive local time (WIB for Indonesian outlets) or None when
    the record had no usable date. ``date_conflict`` describes a stated date
    that disagrees with other evidence (URL date, dates in the text) so the
    build report can list it for an editor.
    """
    id: str
    title: str
    body: str
    url: str = ""
    lead: str = ""
    caption: str = ""
    section: str = ""          # normalised section label (e.g. "Olahraga")
    section_raw: str = ""      # the outlet's own label, as read
    subsection: str = ""
    outlet: str = ""           # publisher (e.g. "Kompas.com", "ORBITINDONESIA.COM")
    source: str = ""           # news agency credited in the text (e.g. "Antara")
    published: datetime | None = None
    date_conflict: str = ""
    origin: str = ""           # "file:row" where it was read, for reports
    extra: dict = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        """Changes whenever anything that is indexed changes (used by `update`)."""
        h = hashlib.sha1()
        for part in (self.url, self.title, self.lead, self.body, self.caption, self.section,
                     self.subsection, self.outlet, self.source,
                     self.published.isoformat() if self.published else ""):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x1f")
        return h.hexdigest()


@dataclass(frozen=True)
class Skip:
    """A record that could not be indexed: counted by reason, never fatal (unless --strict)."""
    reason: str                # short machine-friendly key: "empty_body", "bad_json", ...
    origin: str                # "file:row"
    detail: str = ""


def stable_id(url: str, title: str = "", body: str = "") -> str:
    """Document id: from the URL when there is one, else from the content."""
    key = url.strip() if url.strip() else f"{title.strip()}\x1f{body.strip()}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
