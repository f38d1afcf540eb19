"""Tabular sources: CSV, JSON Lines (or one JSON array) and Excel ``.xlsx``.

Each file is read as a stream of ``(origin, record)`` pairs, a record being a dict from column
(or JSON key) to raw value, or a ``Skip``; ``build_article`` then maps the warta fields through
``source.fields`` and cleans them. ``origin`` is ``"<file>:<row>"``: the spreadsheet row for
csv/xlsx (the header is row 1) and the line number for JSON Lines.

Decisions:

* Field mapping: ``source.fields`` maps a warta field to a column; a field it does not mention
  falls back to a column of the same name (case-insensitive) unless that column is already
  mapped to another field (CLICK-ID's ``source`` column is the outlet, not the news agency).
  An empty mapping value switches a field off. JSON keys may be dotted paths (``meta.date``).
  A mapped column missing from a csv/xlsx header gives one ``missing_column`` skip per file.
* Encoding: bytes that are invalid in ``source.encoding`` are replaced (U+FFFD) and the record
  is still indexed, with ``extra["encoding_errors"] = True``; a record that is mostly
  replacement or control characters is skipped as ``binary_garbage``.
* ``-`` (and empty, ``nan``, ``null``) means missing in every column.
* A body longer than ``MAX_BODY_CHARS`` is cut and kept (``extra["truncated"] = True``).
* xlsx: only the first worksheet is read (CLICK-ID's other sheets are labelling work).
* CSV: the delimiter is whichever of ``, ; TAB |`` is most frequent in the header line; a header
  line that is binary garbage skips the whole file (one ``binary_garbage``).
* A file with no records at all (0 bytes, blank lines, a header alone) is one ``empty_file`` skip.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import openpyxl

from ..config import FIELD_NAMES, Settings, SourceSettings
from ..records import Article, Skip, stable_id
from .clean import (MAX_BODY_CHARS, clean_body, clean_text, lead_of, looks_binary, python_codec,
                    tidy_scraped_body)
from .dates import MISSING, combine_date_time, reconcile_url_date, text_date_conflict, url_date
from .sections import normalise_section
from .text import split_dateline

MAX_FIELD_CHARS = 5_000                  # titles, captions, labels
CSV_FIELD_LIMIT = 2**31 - 1
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")   # xlsx escapes control characters as _x000D_

Record = dict
RecordStream = Iterator[tuple[str, "Record | Skip"]]


# ---------------------------------------------------------------- record streams, one per format

def csv_records(path: Path, name: str, encoding: str) -> RecordStream:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=python_codec(encoding), errors="replace", newline="")
        first = text.readline()
        delimiter = max(",;\t|", key=first.count)
        reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        header: list[str] | None = None
        for row_no in itertools.count(1):
            origin = f"{name}:{row_no}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield origin, Skip("bad_row", origin, str(exc))
                continue
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if looks_binary(delimiter.join(row)):
                    yield origin, Skip("binary_garbage", origin, "the header row is unreadable bytes: not a CSV file")
                    return
                header = [cell.strip() for cell in row]
                continue
            if looks_binary(delimiter.join(row)):
                yield origin, Skip("binary_garbage", origin, "row is mostly unreadable bytes")
            elif len(row) < len(header):
                yield origin, Skip("truncated_row", origin, f"{len(row)} of {len(header)} fields")
            elif len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
                yield origin, Skip("extra_fields", origin, f"{len(row)} fields, header has {len(header)}")
            else:
                yield origin, dict(zip(header, row))


def jsonl_records(path: Path, name: str, encoding: str) -> RecordStream:
    """JSON Lines; a file whose first character is '[' is read as one JSON array instead."""
    codec = python_codec(encoding)
    with open(path, "rb") as fh:
        if fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            fh.seek(0)
            yield from _json_array(fh.read().decode(codec, errors="replace"), name)
            return
        fh.seek(0)
        for line_no, raw in enumerate(fh, 1):
            line = raw.decode(codec, errors="replace").strip()
            if not line:
                continue
            origin = f"{name}:{line_no}"
            if looks_binary(line):
                yield origin, Skip("binary_garbage", origin, "line is mostly unreadable bytes")
                continue
            try:
                value = json.loads(line)
            except (ValueError, RecursionError) as exc:   # RecursionError: absurdly deep nesting
                yield origin, Skip("bad_json", origin, str(exc)[:200])
                continue
            yield origin, _json_object(value, origin)


def _json_array(text: str, name: str) -> RecordStream:
    try:
        items = json.loads(text)
    except (ValueError, RecursionError) as exc:
        yield f"{name}:1", Skip("bad_json", f"{name}:1", str(exc)[:200])
        return
    for number, value in enumerate(items if isinstance(items, list) else [items], 1):
        yield f"{name}:{number}", _json_object(value, f"{name}:{number}")


def _json_object(value, origin: str) -> Record | Skip:
    if isinstance(value, dict):
        return value
    return Skip("bad_json", origin, f"expected a JSON object, got {type(value).__name__}")


def xlsx_records(path: Path, name: str, encoding: str = "") -> RecordStream:
    """Rows of the first worksheet, streamed (read_only) with cached values (data_only)."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:    # BadZipFile, InvalidFileException, KeyError, XML errors: not a workbook
        yield f"{name}:0", Skip("unreadable_file", f"{name}:0", f"{type(exc).__name__}: {exc}"[:300])
        return
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()                     # stored dimensions may be wrong
        rows = enumerate(sheet.iter_rows(values_only=True), 1)
        header: list[str] | None = None
        row_no = 0
        while True:
            try:
                row_no, row = next(rows)
            except StopIteration:
                return
            except Exception as exc:                     # a damaged sheet part: stop this file
                origin = f"{name}:{row_no + 1}"
                yield origin, Skip("unreadable_file", origin, f"{type(exc).__name__}: {exc}"[:300])
                return
            cells = [_xlsx_value(v) for v in row]
            if not any(v not in (None, "") for v in cells):
                continue
            if header is None:
                header = [str(v).strip() if v not in (None, "") else f"column{i + 1}"
                          for i, v in enumerate(cells)]
                continue
            yield f"{name}:{row_no}", dict(zip(header, cells + [None] * (len(header) - len(cells))))
    finally:
        workbook.close()


def _xlsx_value(value):
    if isinstance(value, str) and "_x" in value:
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


RECORD_STREAMS = {"csv": csv_records, "jsonl": jsonl_records, "xlsx": xlsx_records}


# ---------------------------------------------------------------- field mapping

def resolve_fields(columns: Iterable[str], fields: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(warta field -> column, 'field=column' for mapped columns not found). See module docstring."""
    columns = list(columns)
    present = set(columns)
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(str(column).strip().lower(), column)
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for field_name, column in fields.items():
        if not column:
            continue
        actual = column if column in present else by_key.get(column.strip().lower())
        if actual is not None:
            mapping[field_name] = actual
        elif "." in column:
            mapping[field_name] = column                 # a JSON path, looked up per record
        else:
            missing.append(f"{field_name}={column!r}")
    claimed = set(mapping.values())
    for field_name in FIELD_NAMES:
        actual = by_key.get(field_name)
        if field_name not in fields and actual is not None and actual not in claimed:
            mapping[field_name] = actual
    return mapping, missing


def _lookup(record: Record, key: str):
    if key in record:
        return record[key]
    value = record
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


# ---------------------------------------------------------------- one record -> Article

def _raw(value) -> str:
    """A field value as raw text; '' for missing markers."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, (list, tuple)):
        text = "\n".join(_raw(v) for v in value)
    else:
        text = str(value)
    return "" if text.strip() in MISSING else text


def _field(values: Mapping, name: str) -> str:
    return clean_text(_raw(values.get(name))[:MAX_FIELD_CHARS])


def build_article(values: Mapping, origin: str, source: SourceSettings, settings: Settings) -> Article | Skip:
    """Clean one mapped record (warta field -> raw value) into an Article, or say why not."""
    raw_title, raw_body = _raw(values.get("title")), _raw(values.get("body"))
    if looks_binary(raw_title) or looks_binary(raw_body):
        return Skip("binary_garbage", origin, "title or body is mostly unreadable bytes")
    extra: dict = {}
    if len(raw_body) > MAX_BODY_CHARS * 2:               # don't repair 50 MB to keep 1 MB
        raw_body, extra["truncated"] = raw_body[:MAX_BODY_CHARS * 2], True
    body = tidy_scraped_body(clean_body(raw_body))
    first, sep, rest = body.partition("\n\n")
    dateline_outlet, place, first = split_dateline(first)
    if place or dateline_outlet:                         # "BOGOR, KOMPAS.com -  , Bandung ..."
        body = tidy_scraped_body(first + sep + rest)
    if len(body) > MAX_BODY_CHARS:
        body, extra["truncated"] = body[:MAX_BODY_CHARS].rstrip(), True
    title = clean_text(raw_title[:MAX_FIELD_CHARS])
    if not body:
        return Skip("empty_body", origin, title[:80])
    if not title:
        return Skip("missing_title", origin, body[:80])
    if "\ufffd" in raw_title or "\ufffd" in raw_body:
        extra["encoding_errors"] = True
    if place:
        extra["dateline"] = place

    url = _field(values, "url")
    section_raw, subsection = _field(values, "section"), _field(values, "subsection")
    if subsection.lower() == section_raw.lower():
        subsection = ""                                  # tribunnews repeats the section
    published = combine_date_time(values.get("date"), values.get("time"), source.date_order)
    if published is None and _raw(values.get("date")).strip():
        extra["unparsed_date"] = _raw(values.get("date")).strip()[:100]
    from_url = url_date(url)
    published, conflict = reconcile_url_date(published, from_url, source.url_date_wins)
    if published is not None and from_url is None:
        conflict = text_date_conflict(published.date(), body)
    return Article(
        id=_field(values, "id") or stable_id(url, title, body),
        title=title, body=body, url=url,
        lead=_field(values, "lead") or lead_of(body),
        caption=_field(values, "caption"),
        section=normalise_section(section_raw, subsection, settings.section_map),
        section_raw=section_raw, subsection=subsection,
        outlet=_field(values, "outlet") or source.outlet or dateline_outlet,
        source=_field(values, "source"),
        published=published, date_conflict=conflict, origin=origin, extra=extra)


def read_table(path: Path, fmt: str, name: str, source: SourceSettings,
               settings: Settings) -> Iterator[Article | Skip]:
    """Articles and skips from one csv/jsonl/xlsx file; name is the file's name in origins."""
    resolved: dict[tuple, tuple[dict, list]] = {}
    header_checked = fmt == "jsonl"                      # JSON records have no common header
    empty = True
    for origin, record in RECORD_STREAMS[fmt](path, name, source.encoding):
        empty = False
        if isinstance(record, Skip):
            yield record
            continue
        key = tuple(record)
        if key not in resolved:
            if len(resolved) > 256:
                resolved.clear()
            resolved[key] = resolve_fields(key, source.fields)
        mapping, missing = resolved[key]
        if not header_checked:
            header_checked = True
            if missing:
                header = ", ".join(repr(str(c)) for c in key[:30])
                yield Skip("missing_column", f"{name}:1", f"mapped column(s) not in the header: "
                                                          f"{', '.join(missing)} (header: {header})")
        values = {field_name: _lookup(record, column) for field_name, column in mapping.items()}
        yield build_article(values, origin, source, settings)
    if empty:                                            # 0 bytes, blank lines or a header alone
        yield Skip("empty_file", f"{name}:1", "no records")
