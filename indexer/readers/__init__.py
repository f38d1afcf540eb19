"""Corpus readers: turn the files of a configured source into ``Article`` / ``Skip`` records.

``read_source`` checks the source eagerly (so a wrong path fails before a long build starts)
and returns a lazy iterator. A source path is a file or a folder; a folder is walked
recursively in sorted order, skipping hidden files and Office lock files (``~$x.xlsx``).
With ``format = "auto"`` each file is read by its extension and files with other extensions
(``PROVENANCE.md``) are ignored; with an explicit format only that format's files are read.
Ids are unique within one source: a repeated id is skipped as ``duplicate_id``.

Skip reasons: ``empty_body``, ``missing_title``, ``bad_json``, ``bad_row``, ``truncated_row``,
``extra_fields``, ``binary_garbage``, ``duplicate_id``, ``missing_column``, ``unreadable_file``,
``empty_file``.
"""
from __future__ import annotations

import codecs
from pathlib import Path
from typing import Iterable, Iterator

from ..config import Settings, SourceSettings
from ..errors import SourceError
from ..records import Article, Skip
from .tabular import read_table
from .text import read_text_file

__all__ = ["SourceError", "read_source", "source_files", "EXTENSION_FORMATS"]

EXTENSION_FORMATS = {".txt": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
                     ".csv": "csv", ".xlsx": "xlsx"}


def _format_of(path: Path, configured: str) -> str | None:
    by_extension = EXTENSION_FORMATS.get(path.suffix.lower())
    if configured == "auto":
        return by_extension
    return configured if by_extension == configured else None


def _visible(path: Path, root: Path) -> bool:
    return not any(part.startswith((".", "~$")) for part in path.relative_to(root).parts)


def source_files(source: SourceSettings) -> list[tuple[Path, str, str]]:
    """The (path, format, name used in origins) of every file a source reads, in reading order."""
    path = Path(source.path)
    if not path.exists():
        raise SourceError(f"source {source.name!r}: {path} does not exist")
    try:
        codecs.lookup(source.encoding)
    except LookupError:
        raise SourceError(f"source {source.name!r}: unknown encoding {source.encoding!r}") from None
    if path.is_dir():
        try:
            found = sorted(p for p in path.rglob("*") if p.is_file() and _visible(p, path))
        except OSError as exc:
            raise SourceError(f"source {source.name!r}: cannot list {path}: {exc}") from None
        return [(p, fmt, p.relative_to(path).as_posix())
                for p in found if (fmt := _format_of(p, source.format))]
    fmt = source.format if source.format != "auto" else EXTENSION_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceError(f"source {source.name!r}: cannot tell the format of {path.name}; "
                          f"set format = \"text\", \"jsonl\", \"csv\" or \"xlsx\"")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise SourceError(f"source {source.name!r}: cannot open {path}: {exc}") from None
    return [(path, fmt, path.name)]


def _read_files(files: list[tuple[Path, str, str]], source: SourceSettings,
                settings: Settings) -> Iterator[Article | Skip]:
    seen: dict[str, str] = {}
    for path, fmt, name in files:
        if fmt == "text":
            records: Iterable[Article | Skip] = [read_text_file(path, f"{name}:1", source, settings)]
        else:
            records = _guarded(read_table(path, fmt, name, source, settings), name)
        for record in records:
            if isinstance(record, Article):
                if record.id in seen:
                    record = Skip("duplicate_id", record.origin, f"id {record.id} already read at {seen[record.id]}")
                else:
                    seen[record.id] = record.origin
            yield record


def _guarded(records: Iterator[Article | Skip], name: str) -> Iterator[Article | Skip]:
    """A file that disappears or fails to read part-way ends with one unreadable_file skip."""
    try:
        yield from records
    except OSError as exc:
        yield Skip("unreadable_file", f"{name}:0", str(exc))


def read_source(source: SourceSettings, settings: Settings) -> Iterator[Article | Skip]:
    """Articles and skips from one configured source. Raises SourceError at once if unreadable."""
    return _read_files(source_files(source), source, settings)
