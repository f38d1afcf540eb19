"""Outlet section labels -> the site's section facet.

Labels are matched lower-cased with whitespace collapsed. Kompas and Okezone file national,
regional and world news under a generic "News" and put the real desk in the sub-section, so
for a generic label a mapped sub-section wins. An unknown label is kept, title-cased.
"""
from __future__ import annotations

import re
from typing import Mapping

FALLBACK_SECTION = "Lainnya"
GENERIC_LABELS = frozenset({"news", "berita", "berita utama", "berita terkini", "home", "headline",
                            "headlines", "umum", "index", "indeks", "terkini"})
_SPACES = re.compile(r"\s+")


def section_key(label: str | None) -> str:
    """The lookup key for a label: lower-case, single spaces, no '-' placeholder."""
    key = _SPACES.sub(" ", label or "").strip().lower()
    return "" if key in ("-", "--", "none", "nan") else key


def display_label(label: str) -> str:
    """Title-case an unknown label, keeping short all-caps acronyms ("DPR RI") and mixed case."""
    label = _SPACES.sub(" ", label).strip()
    if label != label.lower() and label != label.upper():
        return label                                     # already "Kilas Kementerian"
    words = []
    for word in label.split(" "):
        if word.isupper() and len(word) <= 3:
            words.append(word)
        else:
            words.append(word[:1].upper() + word[1:].lower())
    return " ".join(words)


def normalise_section(raw: str | None, subsection: str | None, section_map: Mapping[str, str]) -> str:
    """The section facet value for an outlet's (section, sub-section) pair."""
    key, sub_key = section_key(raw), section_key(subsection)
    mapped = section_map.get(key) if key else None
    sub_mapped = section_map.get(sub_key) if sub_key else None
    if sub_mapped and (not key or key in GENERIC_LABELS):
        return sub_mapped
    if mapped:
        return mapped
    if key:
        return display_label(raw or "")
    if sub_key:
        return display_label(subsection or "")
    return FALLBACK_SECTION
