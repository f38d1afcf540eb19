"""Tools around the search library, not part of it: the relevance evaluation harness
(`warta-index eval`, bench/relevance.py). The library never imports them (setup.cfg's import
contracts); only indexer.cli reaches them, on demand."""
