"""The classes existing indexes name by this path (their TOC pickles the schema and codecs).

Their code is in indexer.whooshfast; see `indexer.whooshfast.formats.PICKLED_MODULE`.
"""
from indexer.whooshfast import FastPositions, WartaCodec

__all__ = ["FastPositions", "WartaCodec"]
