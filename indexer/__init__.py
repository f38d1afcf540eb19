"""Warta indexer: corpus readers, Indonesian analysis, Whoosh index builds and the search library."""
