"""Word lists named in config.toml: `builtin` (the file shipped in indexer/data), `none` (no words)
or the path of a file (made absolute against the config's folder by indexer.config).

Stopwords, protected words, the lexicon, its never list and the thesaurus are all named this way.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

KEYWORDS = ("builtin", "none", "")     # "" reads as none


def is_file(source: str) -> bool:
    """True when `source` is the path of a file, not `builtin` or `none`."""
    return source not in KEYWORDS


def read_word_list(source: str, builtin_name: str) -> str:
    """The text of a word list: `builtin` → indexer/data/`builtin_name`, `none` → '', else that file
    (OSError when it cannot be read)."""
    if source == "builtin":
        return resources.files("indexer").joinpath("data", builtin_name).read_text(encoding="utf-8")
    if not is_file(source):
        return ""
    return Path(source).read_text(encoding="utf-8")
