"""Settings: defaults, validation, and that every setting is documented and present in config.toml."""
from __future__ import annotations

import dataclasses

import pytest

from indexer.config import (AnalysisSettings, ConfigError, IndexSettings, SearchSettings, SourceSettings,
                            WebSettings, load_settings, settings_from_mapping)
from tests.support import REPO

SECTIONS = {"index": IndexSettings, "analysis": AnalysisSettings, "search": SearchSettings, "web": WebSettings}


@pytest.mark.parametrize("name,cls", SECTIONS.items())
def test_every_setting_is_documented_and_in_config_toml(name, cls):
    doc = (REPO / "docs" / "configuration.md").read_text()
    toml = (REPO / "config.toml").read_text()
    for f in dataclasses.fields(cls):
        assert f"`{f.name}`" in doc, f"[{name}] {f.name} missing from docs/configuration.md"
        assert f"\n{f.name} = " in toml, f"[{name}] {f.name} missing from config.toml"


def test_source_keys_documented():
    doc = (REPO / "docs" / "configuration.md").read_text()
    for f in dataclasses.fields(SourceSettings):
        assert f"`{f.name}`" in doc


def test_repo_config_loads_and_resolves_paths():
    settings = load_settings(REPO / "config.toml")
    assert settings.index.dir == REPO / "index_data"
    assert settings.sources[0].path == REPO / "demo" / "corpus"
    assert settings.section_map["bea cukai"] == "Ekonomi"
    assert settings.section_map["bola"] == "Olahraga"


@pytest.mark.parametrize("data,message", [
    ({"search": {"title_bost": 2}}, "unknown setting"),
    ({"serch": {"title_boost": 2}}, r"unknown table \[serch\] \(did you mean \[search\]\?\)"),
    ({"sections": {"mapp": {}}}, r"unknown table \[sections.mapp\]"),
    ({"search": {"title_boost": "high"}}, "must be a number"),
    ({"analysis": {"stemmer": "porter"}}, "stemmer must be"),
    ({"sources": [{"name": "x"}]}, "has no path"),
    ({"sources": [{"path": "a", "format": "doc"}]}, "format must be"),
    ({"sources": [{"path": "a", "fields": {"judul": "x"}}]}, "unknown field names"),
    ({"web": {"cors_origins": "*", "workers": True}}, "must be a number"),
    ({"web": {"proxy_hops": -1}}, r"proxy_hops must be a whole number, 0 or more"),
    ({"web": {"proxy_hops": 1.5}}, r"proxy_hops must be a whole number"),
    ({"web": {"proxy_hops": True}}, "must be a number"),
])
def test_bad_values_are_clear_errors(data, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_mapping(data)


def test_missing_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[index\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_settings(bad)


def test_env_variable_is_used(tmp_path, monkeypatch):
    cfg = tmp_path / "w.toml"
    cfg.write_text('[search]\nper_page = 7\n')
    monkeypatch.setenv("WARTA_CONFIG", str(cfg))
    assert load_settings().search.per_page == 7
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WARTA_CONFIG")
    assert load_settings().search.per_page == 10  # no ./config.toml there: defaults
