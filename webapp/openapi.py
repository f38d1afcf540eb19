"""OpenAPI 3.0 description of the JSON API (served at /api/openapi.json).

Built from the settings so limits (max per_page, defaults) are the ones the server enforces.
Keep it in step with webapp/api.py, indexer/search/params.py and docs/api.md.
"""
from __future__ import annotations

from typing import Any

from indexer.config import Settings
from indexer.search.params import MAX_PAGE

DATE_DESC = ("Tanggal YYYY-MM-DD (inklusif). Tanggal yang tidak ada (2024-02-30) → 400 invalid_date; "
             "`from` setelah `to` → 400 invalid_range. Kosong = tidak dipakai.")


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _cache_header() -> dict:
    return {"Cache-Control": {"description": "public, max-age=<web.cache_seconds> pada respons 200",
                              "schema": {"type": "string"}}}


def _error(description: str) -> dict:
    return _json(_ref("Error"), description)


def _query(name: str, schema: dict, description: str, *, explode: bool | None = None,
           allow_empty: bool = True) -> dict:
    param: dict[str, Any] = {"name": name, "in": "query", "required": False,
                             "description": description, "schema": schema}
    if allow_empty:   # arrays need no flag: an empty item is a valid (ignored) string item
        param["allowEmptyValue"] = True
    if explode is not None:
        param["style"] = "form"
        param["explode"] = explode
    return param


def openapi_document(settings: Settings) -> dict:
    search = settings.search
    web = settings.web
    server = web.public_url.rstrip("/") or "/"
    string = {"type": "string"}
    nullable_string = {"type": "string", "nullable": True}

    search_params = [
        _query("q", string,
               f"Kata kunci. Lebih dari {search.max_query_chars} karakter dipotong (tidak ditolak). "
               "Kosong = telusuri artikel terbaru."),
        _query("section", {"type": "array", "items": string},
               "Rubrik (bisa diulang; OR di dalam facet). Nilai kosong diabaikan.", explode=True,
               allow_empty=False),
        _query("month", {"type": "array",
                         "items": {"type": "string", "pattern": "^([0-9]{4}-(0[1-9]|1[0-2]))?$"}},
               "Bulan YYYY-MM (bisa diulang; OR). Nilai kosong diabaikan; nilai lain → 400 "
               "invalid_month.", explode=True, allow_empty=False),
        _query("from", {"type": "string", "format": "date"}, DATE_DESC),
        _query("to", {"type": "string", "format": "date"}, DATE_DESC),
        _query("sort", {"type": "string", "enum": ["relevance", "newest", "oldest"],
                        "default": "relevance"},
               "Urutan: relevance | newest | oldest. Nilai lain → 400 invalid_sort."),
        _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
               f"Halaman, 1..{MAX_PAGE}. Lainnya → 400 invalid_page."),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": search.max_per_page,
                            "default": search.per_page},
               f"Hasil per halaman, 1..{search.max_per_page}. Lainnya → 400 invalid_per_page."),
    ]

    schemas = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string", "description": "Kode stabil, mis. invalid_date, "
                                 "invalid_range, invalid_sort, invalid_page, invalid_per_page, "
                                 "invalid_month, invalid_limit, not_found, method_not_allowed, "
                                 "index_unavailable, internal_error"},
                        "message": {"type": "string", "description": "Pesan untuk manusia (Bahasa "
                                    "Indonesia)"},
                        "param": {"type": "string", "description": "Parameter yang salah"},
                    },
                },
            },
        },
        "Hit": {
            "type": "object",
            "required": ["id", "url", "title", "section", "outlet", "published", "snippet", "score"],
            "properties": {
                "id": string,
                "url": {"type": "string", "description": "URL asli artikel (bisa kosong)"},
                "title": {"type": "string", "description": "Judul, teks biasa (belum di-escape)"},
                "section": string,
                "outlet": string,
                "published": {**nullable_string, "description": "ISO 8601, waktu lokal (WIB) "
                              "tanpa offset, mis. 2024-07-12T14:05:00; null jika tidak diketahui"},
                "snippet": {"type": "string", "description": "Cuplikan HTML: teks sudah di-escape, "
                            "hanya berisi <mark> di sekitar kata yang cocok"},
                "score": {"type": "number"},
                "title_html": {"type": "string", "description": "Judul di-escape dengan <mark>"},
                "source": {"type": "string", "description": "Kantor berita yang dikutip (mis. Antara)"},
                "duplicates": {"type": "integer", "minimum": 0,
                               "description": "Jumlah outlet lain yang memuat berita yang sama"},
                "link": {"type": "string", "description": "URL halaman artikel di Warta"},
                "missing": {"type": "array", "items": string,
                            "description": "Kata kueri (seperti diketik) yang tidak dimuat artikel ini; "
                                           "kosong untuk hasil yang memuat semua kata"},
            },
        },
        "FacetValue": {
            "type": "object",
            "required": ["value", "count", "selected"],
            "properties": {
                "value": string,
                "count": {"type": "integer", "minimum": 0},
                "selected": {"type": "boolean"},
                "label": {"type": "string", "description": "Teks tampilan, mis. September 2019"},
            },
        },
        "TimelineBucket": {
            "type": "object",
            "required": ["start", "end", "count"],
            "properties": {
                "start": {"type": "string", "format": "date", "description": "Hari pertama (inklusif)"},
                "end": {"type": "string", "format": "date", "description": "Hari terakhir (inklusif)"},
                "count": {"type": "integer", "minimum": 0,
                          "description": "Hasil pada start..end: from=start&to=end (parameter lain tetap) "
                                         "menampilkan sejumlah ini (kueri beberapa kata bisa menambahkan "
                                         "hasil sebagian kata di bawahnya, lihat partial)"},
                "label": {"type": "string", "description": "Teks tampilan, mis. 3–9 Sep 2019"},
            },
        },
        "SearchResponse": {
            "type": "object",
            "required": ["query", "total", "page", "per_page", "took_ms", "results", "facets",
                         "suggestion"],
            "properties": {
                "query": string,
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                "per_page": {"type": "integer", "minimum": 1, "maximum": search.max_per_page},
                "took_ms": {"type": "number", "minimum": 0},
                "results": {"type": "array", "items": _ref("Hit")},
                "facets": {
                    "type": "object",
                    "required": ["section", "date"],
                    "properties": {
                        "section": {"type": "array", "items": _ref("FacetValue")},
                        "date": {"type": "array", "items": _ref("FacetValue"),
                                 "description": "Bulan; value YYYY-MM"},
                        "timeline": {
                            "type": "object", "nullable": True,
                            "required": ["granularity", "buckets", "undated"],
                            "description": "Linimasa: hasil yang sama (total) per hari, minggu "
                                           "(Senin–Minggu), bulan atau tahun, dari hasil bertanggal "
                                           "pertama sampai terakhir; null bila facet tidak dihitung",
                            "properties": {
                                "granularity": {"type": "string", "nullable": True,
                                                "enum": ["day", "week", "month", "year", None],
                                                "description": "null bila tidak ada hasil bertanggal"},
                                "buckets": {"type": "array", "items": _ref("TimelineBucket"),
                                            "description": "Urut dari yang terlama, berurutan tanpa "
                                                           "celah; bucket kosong (count 0) tetap ada"},
                                "undated": {"type": "integer", "minimum": 0,
                                            "description": "Hasil tanpa tanggal (tidak masuk bucket mana "
                                                           "pun): jumlah count + undated = total"},
                            },
                        },
                    },
                },
                "suggestion": {**nullable_string, "description": "Ejaan alternatif (Maksud Anda)"},
                "pages": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                          "description": "Jumlah halaman yang bisa diminta (paling banyak 1000)"},
                "sort": {"type": "string", "enum": ["relevance", "newest", "oldest"]},
                "fallback_or": {"type": "boolean", "description": "true: tidak ada artikel yang "
                                "memuat semua kata, hasil memuat sebagian kata"},
                "partial": {"type": "boolean", "description": "true: daftar dilengkapi artikel yang memuat "
                            "sebagian kata, di bawah semua artikel yang memuat semua kata"},
                "matched_all": {"type": "integer", "minimum": 0,
                                "description": "Artikel yang memuat semua kata (total menghitung juga "
                                               "hasil sebagian kata)"},
            },
        },
        "RelatedArticle": {
            "type": "object",
            "required": ["id", "title", "url", "published", "section", "outlet"],
            "properties": {
                "id": string, "title": string, "url": string, "published": nullable_string,
                "section": string, "outlet": string, "link": string,
            },
        },
        "Article": {
            "type": "object",
            "required": ["id", "url", "title", "lead", "body", "caption", "section", "subsection",
                         "outlet", "source", "published", "related"],
            "properties": {
                "id": string, "url": string, "title": string, "lead": string, "body": string,
                "caption": string, "section": string, "subsection": string, "outlet": string,
                "source": string,
                "published": {**nullable_string, "description": "ISO 8601 waktu lokal tanpa offset"},
                "related": {"type": "array", "items": _ref("RelatedArticle")},
                "copies": {"type": "array", "items": _ref("RelatedArticle"), "maxItems": 50,
                           "description": "Artikel lain dengan berita yang sama (salinan dari outlet lain, "
                                          "digabung menjadi satu hasil pencarian), terlama lebih dulu"},
                "link": string,
            },
        },
        "Suggestion": {
            "type": "object",
            "required": ["text", "kind", "id"],
            "properties": {
                "text": string,
                "kind": {"type": "string", "enum": ["title", "term"]},
                "id": {**nullable_string, "description": "Id artikel untuk kind=title"},
            },
        },
        "SuggestResponse": {
            "type": "object",
            "required": ["query", "suggestions"],
            "properties": {
                "query": string,
                "suggestions": {"type": "array", "items": _ref("Suggestion")},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "documents", "generation"],
            "properties": {
                "status": {"type": "string", "enum": ["ok", "unavailable"]},
                "documents": {"type": "integer", "minimum": 0},
                "generation": string,
                "built_at": nullable_string,
                "error": {"type": "object", "required": ["code", "message"],
                          "properties": {"code": string, "message": string}},
            },
        },
    }

    unavailable = _error("Belum ada indeks (jalankan `warta-index build`)")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{web.site_name} API",
            "version": "1.0.0",
            "description": "Pencarian teks penuh berita berbahasa Indonesia. Semua galat berbentuk "
                           "`{\"error\": {\"code\", \"message\"}}`. Lihat docs/api.md.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Cari artikel",
                    "parameters": search_params,
                    "responses": {
                        "200": {**_json(_ref("SearchResponse"), "Hasil pencarian"),
                                "headers": _cache_header()},
                        "400": _error("Parameter tidak valid"),
                        "503": unavailable,
                    },
                },
            },
            "/api/articles/{id}": {
                "get": {
                    "operationId": "article",
                    "summary": "Satu artikel lengkap dengan berita terkait",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "string", "minLength": 1}}],
                    "responses": {
                        "200": {**_json(_ref("Article"), "Artikel"), "headers": _cache_header()},
                        "404": _error("Artikel tidak ditemukan"),
                        "503": unavailable,
                    },
                },
            },
            "/api/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Saran pelengkapan untuk awalan yang diketik",
                    "parameters": [
                        _query("q", string, "Awalan; dipotong menjadi 100 karakter. Kosong → "
                               "daftar kosong."),
                        _query("limit", {"type": "integer", "minimum": 1, "maximum": 20,
                                         "default": 8},
                               "Jumlah saran maksimum, 1..20. Lainnya → 400 invalid_limit."),
                    ],
                    "responses": {
                        "200": {**_json(_ref("SuggestResponse"), "Saran"),
                                "headers": _cache_header()},
                        "400": _error("Parameter tidak valid"),
                        "503": unavailable,
                    },
                },
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "Dokumen OpenAPI ini",
                    "responses": {"200": _json({"type": "object"}, "Dokumen OpenAPI 3.0")},
                },
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "summary": "Status layanan dan indeks",
                    "responses": {
                        "200": _json(_ref("Health"), "Indeks tersedia (status ok)"),
                        "503": _json(_ref("Health"), "Belum ada indeks (status unavailable)"),
                    },
                },
            },
        },
        "components": {"schemas": schemas},
    }
