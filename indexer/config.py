"""Settings: one frozen object built from config.toml and passed down.

Lookup order for the file: explicit path (``--config``), then the
``WARTA_CONFIG`` environment variable, then ``./config.toml``.  Every key has a
default here, so a missing file or a partial file still gives a full object.
Relative paths in the file are resolved against the file's own folder.
"""
from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from indexer.errors import ConfigError  # raised here, and importable from here as before
from indexer.wordlists import is_file

FIELD_NAMES = ("id", "title", "lead", "body", "caption", "date", "time", "section",
               "subsection", "url", "outlet", "source")

DEFAULT_SECTION_MAP = {
    # national / regional news
    "nasional": "Nasional", "news": "Nasional", "berita utama": "Nasional", "politik": "Nasional",
    "hukum": "Hukum", "kriminal": "Hukum",
    "regional": "Daerah", "daerah": "Daerah", "nusantara": "Daerah", "berita sumut": "Daerah",
    "medan bung": "Daerah", "medan update": "Daerah",
    "metro": "Metropolitan", "metropolitan": "Metropolitan", "megapolitan": "Metropolitan",
    # economy
    "ekonomi": "Ekonomi", "ekbis": "Ekonomi", "economy": "Ekonomi", "money": "Ekonomi",
    "bisnis": "Ekonomi", "properti": "Ekonomi", "sektor riil": "Ekonomi", "finansial": "Ekonomi",
    # sport
    "olahraga": "Olahraga", "bola": "Olahraga", "sport": "Olahraga", "sports": "Olahraga",
    "super skor": "Olahraga", "sepak bola": "Olahraga",
    # world
    "internasional": "Internasional", "international": "Internasional", "dunia": "Internasional",
    "australia plus": "Internasional", "global": "Internasional",
    # technology and science
    "teknologi": "Teknologi", "tekno": "Teknologi", "techno": "Teknologi", "autotekno": "Teknologi",
    "sains": "Teknologi", "otomotif": "Otomotif",
    # entertainment
    "hiburan": "Hiburan", "entertainment": "Hiburan", "seleb": "Hiburan", "selebriti": "Hiburan",
    "celebrity": "Hiburan", "news & entertainment": "Hiburan", "korea": "Hiburan",
    "sinetron": "Hiburan", "film": "Hiburan", "film indonesia": "Hiburan",
    "film internasional": "Hiburan", "hollywood": "Hiburan", "televisi": "Hiburan", "tv": "Hiburan",
    "musik": "Hiburan", "serbaserbi": "Hiburan", "berita viral": "Hiburan",
    # lifestyle
    "gaya hidup": "Gaya Hidup", "lifestyle": "Gaya Hidup", "gaya": "Gaya Hidup", "cantik": "Gaya Hidup",
    "beauty": "Gaya Hidup", "parenting": "Gaya Hidup", "travel": "Gaya Hidup", "kuliner": "Gaya Hidup",
    "kesehatan": "Kesehatan", "health": "Kesehatan", "kalbe health corner": "Kesehatan",
    "pendidikan": "Pendidikan", "muslim": "Religi", "haji": "Religi",
    "kolom": "Opini", "opini": "Opini", "tribunners": "Opini", "dahlan iskan": "Opini",
    # outlet-specific labels seen in real archives
    "kilas kementerian": "Nasional", "dpr ri": "Nasional", "dpd ri": "Nasional", "fokus": "Nasional",
    "difabel": "Nasional", "sputnik": "Internasional", "bea cukai": "Ekonomi", "pertamina": "Ekonomi",
    "pariwisata": "Gaya Hidup", "kisah nyata": "Hiburan", "humor medan": "Hiburan", "acit nai": "Hiburan",
    "ragam": "Hiburan",
}


@dataclass(frozen=True)
class SourceSettings:
    """One corpus source: where it is, how to read it, which column is which field."""
    name: str
    path: Path = Path(".")
    format: str = "auto"          # auto | text | jsonl | csv | xlsx
    outlet: str = ""              # default outlet when the record has none
    fields: Mapping[str, str] = field(default_factory=dict)  # warta field -> column/key
    date_order: str = "dmy"       # how to read ambiguous numeric dates like 03/04/2019
    url_date_wins: bool = True    # prefer a /YYYY/MM/DD/ date in the URL over a contradicting stated date
    encoding: str = "utf-8"


@dataclass(frozen=True)
class IndexSettings:
    dir: Path = Path("index_data")
    keep_generations: int = 3     # published generations kept on disk (readers may still hold older ones)
    procs: int = 1                # Whoosh writer processes for full builds
    limitmb: int = 256            # posting pool of an update's writer (full builds: segment_mb)
    inline_postings: int = 16     # posting lists shorter than this live in the term index
    segment_mb: int = 512         # a build's writer process starts a new segment past this pool size
    lock_wait_seconds: float = 0  # how long a second build waits for the lock before failing
    merge_segments_above: int = 8  # an update that leaves more segments merges the small ones
    packed_min_postings: int = 32  # lists this long are also written as arrays at publish (0 = none)


@dataclass(frozen=True)
class AnalysisSettings:
    stemmer: str = "sastrawi"     # sastrawi | snowball | none
    stem_cache_size: int = 100_000
    stopwords: str = "builtin"    # builtin | none | path to a file with one word a line
    protected_words: str = "builtin"  # builtin | none | path: words never stemmed
    lexicon: str = "builtin"      # builtin | none | path to a TSV of synonym groups
    expand_synonyms: bool = True
    learn_acronyms: bool = True   # learn "Long Form (ACR)" definitions from the corpus at build time
    lexicon_never: str = "builtin"  # builtin | none | path: acronym pairs never learned ("SHORT | Long" or "SHORT")
    number_variants: bool = True  # index 6.276,63 also as 6.276 and 6276, KM36 also as KM and 36
    spelling: str = "builtin"     # builtin | none | path: non-standard spellings and their standard form
                                  # (penasehat = penasihat), applied before and after stemming


@dataclass(frozen=True)
class SearchSettings:
    per_page: int = 10
    max_per_page: int = 50
    max_query_chars: int = 500    # longer input is cut, not rejected
    title_boost: float = 4.0      # chosen on the CLICK-ID dev set, see docs/relevance.md
    lead_boost: float = 1.5
    caption_boost: float = 0.5
    exact_boost: float = 0.6      # weight of the unstemmed field: exact forms outrank stem-only matches
    cache_mb: int = 256           # posting arrays kept per serving process (per segment, across updates)
    result_cache: int = 1000      # recent results kept per serving process for repeated requests; 0 = off
    recency_boost: float = 0.0    # 0 = off; else max multiplier added for a brand-new article
    recency_scale_days: float = 30.0
    snippet_chars: int = 220
    facet_size: int = 30
    suggest_below: int = 3        # offer "Maksud Anda" when a query finds fewer hits than this
    collapse_duplicates: bool = True
    prefix_expansions: int = 100  # `korup*` stands for at most this many words (the most frequent)
    partial_below: int = 50       # fewer all-words hits than this (five pages): fill with most-words hits below them,
                                  # then any-word hits while still fewer; 0 = strict AND
    prf_docs: int = 0             # RM3 pseudo-relevance feedback from the top N results; 0 = off (docs/relevance.md)
    prf_terms: int = 10           # feedback words added
    prf_weight: float = 0.5       # weight of the original query against the feedback words
    partial_min_share: float = 0.6  # a most-words hit has at least this share of the query words (2 of 2, 2 of 3, 3 of 4, 3 of 5)
    thesaurus: str = "builtin"    # news synonyms for queries: builtin, none, or a file path (indexer.thesaurus)
    synonym_weight: float = 0.5   # a thesaurus synonym's weight against the word as typed; 0 = off
    colloquial: str = "builtin"   # informal words readers type -> the standard word news prints (one way):
                                  # builtin, none, or a file path (indexer.thesaurus)
    partial_tiers: bool = True    # every all-words hit above every most-words hit (False: one list by BM25F x coordination)
    proximity_weight: float = 0.25  # neighbouring query words close together in an article score again, times this; 0 = off
    proximity_window: int = 2     # ...when at most this many positions apart, in either order
    name_weight: float = 2.0      # a partial hit lacking a name (a word the archive writes capitalised) loses
                                  # this many times the word's idf share; 1 = names count like other words
    name_min_share: float = 0.8   # a word is a name when capitalised in this share of its mid-sentence mentions; 0 = off


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    keepalive: int = 0            # seconds an idle client connection stays open; 0 = one request per connection
    access_log: bool = False      # gunicorn access log (one line per request, with client address) on stdout;
                                  # off by default: the proxy in front usually logs requests already
    site_name: str = "Warta"
    public_url: str = ""          # absolute base URL used in embed snippets; empty = request host
    proxy_hops: int = 0           # reverse proxies in front whose X-Forwarded-For/-Proto/-Host are trusted
                                  # (werkzeug ProxyFix); 0 = trust none, 1 = behind deploy/nginx/warta.conf
    cors_origins: tuple[str, ...] = ("*",)
    cache_seconds: int = 60
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")   # addresses/networks that may read /metrics
    analytics: bool = True        # record every search (no IP, cookie or user agent) for `warta-index analytics`
    analytics_db: str = ""        # SQLite file; "" = analytics.sqlite in the index folder
    analytics_retention_days: float = 90.0
    analytics_queue: int = 10_000  # records waiting for the writer; beyond that they are dropped and counted
    warmup_queries: int = 50      # frequent recent queries a new worker (or generation) runs before serving


@dataclass(frozen=True)
class Settings:
    index: IndexSettings = IndexSettings()
    analysis: AnalysisSettings = AnalysisSettings()
    search: SearchSettings = SearchSettings()
    web: WebSettings = WebSettings()
    sources: tuple[SourceSettings, ...] = ()
    section_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SECTION_MAP))
    config_path: Path | None = None

    def source(self, name: str) -> SourceSettings | None:
        return next((s for s in self.sources if s.name == name), None)

    def replace(self, **sections: Any) -> "Settings":
        """Copy with whole sections or nested keys replaced: replace(search={"title_boost": 1})."""
        changes = {}
        for key, value in sections.items():
            current = getattr(self, key)
            if isinstance(value, Mapping) and dataclasses.is_dataclass(current):
                value = dataclasses.replace(current, **value)
            changes[key] = value
        return dataclasses.replace(self, **changes)


def _build(cls, table: Mapping[str, Any], where: str, base: Path):
    known = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"unknown setting [{where}] {key} (known: {', '.join(sorted(known))})")
        default = known[key].default
        if isinstance(default, Path):
            value = (base / value) if not Path(value).is_absolute() else Path(value)
        elif isinstance(default, tuple):
            value = tuple(value) if isinstance(value, list) else (value,)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"[{where}] {key} must be true or false, not {value!r}")
        elif isinstance(default, (int, float)) and (not isinstance(value, (int, float)) or isinstance(value, bool)):
            raise ConfigError(f"[{where}] {key} must be a number, not {value!r}")
        values[key] = value
    return cls(**values)


def _resolve_path(value: str, base: Path) -> str:
    """Keep 'builtin'/'none' keywords; make file paths absolute against the config folder."""
    if not is_file(value) or Path(value).is_absolute():
        return value
    return str(base / value)


TABLES = ("index", "analysis", "search", "web", "sources", "sections")


def settings_from_mapping(data: Mapping[str, Any], base: Path | None = None,
                          config_path: Path | None = None) -> Settings:
    base = base or Path.cwd()
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        hints = [f"[{name}] (did you mean [{close[0]}]?)" if (close := difflib.get_close_matches(name, TABLES, 1))
                 else f"[{name}]" for name in unknown]
        raise ConfigError(f"unknown table {', '.join(hints)} (known: {', '.join(f'[{t}]' for t in TABLES[:4])}, "
                          f"[[sources]], [sections.map])")
    unknown_sections = sorted(set(data.get("sections", {})) - {"map"})
    if unknown_sections:
        raise ConfigError(f"unknown table [sections.{unknown_sections[0]}] (known: [sections.map])")
    analysis = _build(AnalysisSettings, data.get("analysis", {}), "analysis", base)
    analysis = dataclasses.replace(
        analysis,
        stopwords=_resolve_path(analysis.stopwords, base),
        protected_words=_resolve_path(analysis.protected_words, base),
        lexicon=_resolve_path(analysis.lexicon, base),
        lexicon_never=_resolve_path(analysis.lexicon_never, base),
        spelling=_resolve_path(analysis.spelling, base),
    )
    if analysis.stemmer not in ("sastrawi", "snowball", "none"):
        raise ConfigError(f"[analysis] stemmer must be sastrawi, snowball or none, not {analysis.stemmer!r}")
    sources = []
    for i, table in enumerate(data.get("sources", [])):
        table = dict(table)
        if "path" not in table:
            raise ConfigError(f"[[sources]] entry {i + 1} has no path")
        table.setdefault("name", Path(table["path"]).stem)
        fields = table.pop("fields", {})
        unknown = set(fields) - set(FIELD_NAMES)
        if unknown:
            raise ConfigError(f"[[sources]] {table['name']}: unknown field names {sorted(unknown)}")
        path = Path(table["path"])
        table["path"] = str(path if path.is_absolute() else base / path)
        src = _build(SourceSettings, table, f"sources.{table['name']}", base)
        src = dataclasses.replace(src, path=Path(table["path"]), fields=dict(fields))
        if src.format not in ("auto", "text", "jsonl", "csv", "xlsx"):
            raise ConfigError(f"[[sources]] {src.name}: format must be auto, text, jsonl, csv or xlsx")
        sources.append(src)
    web = _build(WebSettings, data.get("web", {}), "web", base)
    if isinstance(web.proxy_hops, bool) or not isinstance(web.proxy_hops, int) or web.proxy_hops < 0:
        raise ConfigError(f"[web] proxy_hops must be a whole number, 0 or more, not {web.proxy_hops!r}")
    search = _build(SearchSettings, data.get("search", {}), "search", base)
    if isinstance(search.proximity_window, bool) or not isinstance(search.proximity_window, int) \
            or search.proximity_window < 1:
        raise ConfigError(f"[search] proximity_window must be a whole number, 1 or more, not {search.proximity_window!r}")
    if search.proximity_weight < 0:
        raise ConfigError(f"[search] proximity_weight must be 0 (off) or more, not {search.proximity_weight!r}")
    if isinstance(search.name_weight, bool) or search.name_weight < 1:
        raise ConfigError(f"[search] name_weight must be 1 (off) or more, not {search.name_weight!r}")
    if isinstance(search.name_min_share, bool) or not 0 <= search.name_min_share <= 1:
        raise ConfigError(f"[search] name_min_share must be between 0 (off) and 1, not {search.name_min_share!r}")
    search = dataclasses.replace(search, thesaurus=_resolve_path(search.thesaurus, base),
                                 colloquial=_resolve_path(search.colloquial, base))
    for key in ("thesaurus", "colloquial"):
        value = getattr(search, key)
        if is_file(value) and not Path(value).is_file():
            raise ConfigError(f"[search] {key}: no such file {value} (or use builtin / none)")
    section_map = dict(DEFAULT_SECTION_MAP)
    section_map.update({k.strip().lower(): v for k, v in data.get("sections", {}).get("map", {}).items()})
    return Settings(
        index=_build(IndexSettings, data.get("index", {}), "index", base),
        analysis=analysis,
        search=search,
        web=web,
        sources=tuple(sources),
        section_map=section_map,
        config_path=config_path,
    )


def config_path_from(explicit: str | os.PathLike | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get("WARTA_CONFIG"):
        return Path(os.environ["WARTA_CONFIG"])
    default = Path("config.toml")
    return default if default.exists() else None


def load_settings(explicit: str | os.PathLike | None = None) -> Settings:
    """Read settings from --config, $WARTA_CONFIG or ./config.toml (defaults if none exists)."""
    path = config_path_from(explicit)
    if path is None:
        return settings_from_mapping({})
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    path = path.resolve()
    return settings_from_mapping(data, base=path.parent, config_path=path)
