"""Plain-text articles: one ``.txt`` file per article, laid out like the seed article::

    DECEMBER 9, 2022                     date line (English or Indonesian, optional weekday/time)
    Internasional                        section
    URL: https://...                     optional, anywhere before the body
    <blank>
    Judul artikel                        title
    <blank>
    image                                optional image marker, then the caption line
    Keterangan foto ...
    <blank>
    ORBITINDONESIA.COM - Paragraf awal   lead, with an outlet / place dateline
    <blank>
    Paragraf ...                         "Baca Juga: ..." lines dropped, "***" end mark stripped
    Sumber: Antara                       -> Article.source
    Berita Terkait                       trailer: it and everything after it is dropped

Paragraphs are separated by blank lines; if a body has no blank lines at all, every line is a
paragraph.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..config import Settings, SourceSettings
from ..records import Article, Skip, stable_id
from .clean import MAX_BODY_CHARS, clean_line, lead_of, looks_binary, python_codec, repair
from .dates import parse_date_line, reconcile_url_date, text_date_conflict, url_date
from .sections import normalise_section

MAX_TEXT_FILE_BYTES = 8_000_000          # more than any article; the rest of a bigger file is cut
IMAGE_MARKERS = frozenset({"image", "foto", "gambar", "[image]", "[foto]"})
KNOWN_AGENCIES = frozenset({"ANTARA", "ANTARANEWS", "REUTERS", "AFP", "AP", "XINHUA", "BERNAMA",
                            "KYODO", "YONHAP", "ANADOLU", "SPUTNIK", "TASS", "BBC", "VOA"})

_URL_LINE = re.compile(r"^url\s*:\s*(https?://\S+)$", re.IGNORECASE)
_RELATED = re.compile(r"^(baca|lihat|simak)\s+(juga|pula)\b", re.IGNORECASE)
_TRAILER = re.compile(r"^berita\s+terkait\s*:?$", re.IGNORECASE)
_CREDIT = re.compile(r"^sumber\s*:\s*(.{1,80})$", re.IGNORECASE)
_END_MARK = re.compile(r"\s*\*{3,}$")
_DATELINE = re.compile(r"^(?P<head>[^\n]{2,60}?)\s+[-–—]{1,2}\s+(?P<rest>\S.*)$", re.DOTALL)
_HEAD_PARENS = re.compile(r"^(?P<place>[^()]+?)\s*\((?P<tag>[^()]+)\)$")
_DOMAIN = re.compile(r"\.(com|co|id|net|org|news|tv)\b", re.IGNORECASE)


def _is_outlet(tag: str) -> bool:
    return bool(_DOMAIN.search(tag)) or tag.upper() in KNOWN_AGENCIES


def _is_caps(tag: str) -> bool:
    letters = [c for c in tag if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _is_tag(tag: str) -> bool:
    words = tag.split()
    return 0 < len(words) <= 4 and len(tag) <= 40 and all(w[0].isupper() or w[0].isdigit() for w in words)


def split_dateline(paragraph: str) -> tuple[str, str, str]:
    """(outlet, place, rest) for a lead like 'JAKARTA, ANTARA - Teks'; ('', '', paragraph) if none.

    Accepted heads: 'OUTLET.COM', 'ANTARA', 'JAKARTA' (all caps: a place), 'JAKARTA, ANTARA' and
    'Liputan6.com, Jakarta' (the outlet-looking part is the outlet), 'Jakarta (ANTARA)'.
    """
    match = _DATELINE.match(paragraph)
    if not match:
        return "", "", paragraph
    head, rest = match.group("head").strip(" ,"), match.group("rest")
    parens = _HEAD_PARENS.match(head)
    if parens:
        place, tag = parens.group("place").strip(" ,"), parens.group("tag").strip()
        if _is_tag(place) and (_is_outlet(tag) or _is_caps(tag)):
            return tag, place, rest
        return "", "", paragraph
    parts = [p.strip() for p in head.split(",")]
    if len(parts) > 2 or not all(_is_tag(p) for p in parts):
        return "", "", paragraph
    if len(parts) == 1:
        tag = parts[0]
        if _is_outlet(tag):
            return tag, "", rest
        if _is_caps(tag) and sum(c.isalpha() for c in tag) >= 4:   # "JAKARTA -", not "KPK -"
            return "", tag, rest
        return "", "", paragraph
    first, second = parts
    if _is_outlet(first) and not _is_outlet(second):
        return first, second, rest
    if _is_outlet(second) or (_is_caps(first) and _is_caps(second)):
        return second, first, rest
    return "", "", paragraph


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the index of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    for i, line in enumerate(lines):
        if not line:
            continue
        if i > 0 and lines[i - 1] and blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((i, [line]))
    return blocks


def _is_short(line: str) -> bool:
    return len(line) <= 40 and len(line.split()) <= 4


def _read_header(block: list[str], date_order: str):
    """(is_header, published, section, title lines) for the first block of the file.

    The block is a header when its first line is a date line, or when it is two short lines
    (an unreadable date and a section). Lines after the section belong to the title.
    """
    published = parse_date_line(block[0], date_order)
    if published is not None:
        rest = block[1:]
        if rest and _is_short(rest[0]):
            return True, published, rest[0], rest[1:]
        return True, published, "", rest
    if len(block) == 2 and _is_short(block[0]) and _is_short(block[1]):
        return True, None, block[1], []
    return False, None, "", []


def _body(lines: list[str]) -> tuple[list[str], str]:
    """(paragraphs, credited source) from the lines after the title/caption."""
    kept, credit = [], ""
    for line in lines:
        if _TRAILER.match(line):
            break
        if _RELATED.match(line):
            continue
        found = _CREDIT.match(line)
        if found:
            credit = found.group(1).strip()
            continue
        if line:
            line = _END_MARK.sub("", line)
            if not line:                                 # a lone "***" line
                continue
        kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    if "" not in kept:                                   # no blank lines: a line is a paragraph
        return kept, credit
    return [" ".join(block) for _, block in _blocks(kept)], credit


def parse_text_article(text: str, origin: str, source: SourceSettings, settings: Settings) -> Article | Skip:
    """One article from the text of a .txt file (already decoded)."""
    if looks_binary(text):
        return Skip("binary_garbage", origin, "not a text file")
    lines = [clean_line(line) for line in repair(text).splitlines()]
    url = ""
    for i, line in enumerate(lines):
        found = _URL_LINE.match(line)
        if found:
            url, lines[i] = found.group(1), ""
            break
    blocks = _blocks(lines)
    if not blocks:
        return Skip("empty_file", origin)
    is_header, published, section_raw, title_lines = _read_header(blocks[0][1], source.date_order)
    position = 1 if is_header else 0
    if not title_lines and position < len(blocks):
        title_lines, position = blocks[position][1], position + 1
    title = " ".join(title_lines)
    if not title:
        return Skip("missing_title", origin)
    caption = ""
    if position < len(blocks) and blocks[position][1][0].lower() in IMAGE_MARKERS:
        caption = " ".join(blocks[position][1][1:])
        position += 1
    start = blocks[position][0] if position < len(blocks) else len(lines)
    paragraphs, credit = _body(lines[start:])
    extra: dict = {}
    if paragraphs:
        outlet, place, paragraphs[0] = split_dateline(paragraphs[0])
        if place:
            extra["dateline"] = place
        paragraphs = [p for p in paragraphs if p]
    else:
        outlet = ""
    body = "\n\n".join(paragraphs)
    if len(body) > MAX_BODY_CHARS:
        body, extra["truncated"] = body[:MAX_BODY_CHARS], True
    if not body:
        return Skip("empty_body", origin, title[:80])
    published, conflict = reconcile_url_date(published, url_date(url), source.url_date_wins)
    if published is not None and not conflict:
        conflict = text_date_conflict(published.date(), body)
    return Article(
        id=stable_id(url, title, body), title=title, body=body, url=url, lead=lead_of(body),
        caption=caption, section=normalise_section(section_raw, "", settings.section_map),
        section_raw=section_raw, outlet=outlet or source.outlet, source=credit,
        published=published, date_conflict=conflict, origin=origin, extra=extra)


def read_text_file(path: Path, origin: str, source: SourceSettings, settings: Settings) -> Article | Skip:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TEXT_FILE_BYTES)
    except OSError as exc:
        return Skip("unreadable_file", origin, str(exc))
    text = data.decode(python_codec(source.encoding), errors="replace")
    return parse_text_article(text, origin, source, settings)
