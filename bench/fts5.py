"""The untuned baseline every relevance run is compared with: SQLite FTS5, unicode61, words ORed, bm25.

No stemming, no stopwords, no lexicon, no field weights, no duplicate collapsing: title and body
(lead + text) as two FTS5 columns with equal weight, the query's words (as unicode61 splits them)
ORed, ranked by FTS5's bm25(). The table is built from the stored fields of an index generation
and kept next to it (`fts5-<generation>.sqlite`), so it holds exactly the documents Warta searches.
"""
from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from indexer.tools.evaluate import Evaluator

_WORD = re.compile(r"[^\W_]+")


@dataclass
class Row:
    """The part of a search hit the evaluator reads."""
    id: str
    url: str
    title: str


def build_table(generation: Path, db_path: Path) -> None:
    from whoosh import index as whoosh_index

    tmp = db_path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, url UNINDEXED, title, body, "
                "tokenize='unicode61')")
    ix = whoosh_index.open_dir(str(generation))
    with ix.reader() as reader:
        rows = ((f.get("id", ""), f.get("url", ""), f.get("title", ""),
                 "\n".join(x for x in (f.get("lead", ""), f.get("text", "")) if x))
                for _, f in reader.iter_docs())
        con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    ix.close()
    tmp.replace(db_path)


def match_expression(query: str) -> str | None:
    """`banjir bekasi` -> `"banjir" OR "bekasi"` (every word quoted: no FTS5 syntax gets through)."""
    words = _WORD.findall(query.lower())
    return " OR ".join(f'"{w}"' for w in dict.fromkeys(words)) or None


class Fts5Evaluator(Evaluator):
    """Runs the same query sets and metrics as `indexer.tools.evaluate.Evaluator`, ranked by FTS5."""

    def __init__(self, settings, per_page: int = 100):
        super().__init__(settings.replace(search={"collapse_duplicates": False}), per_page)
        from indexer.store import IndexStore

        generation = IndexStore(settings.index).current()
        db_path = generation.parent / f"fts5-{generation.name}.sqlite"
        if not db_path.exists():
            for old in generation.parent.glob("fts5-*.sqlite"):
                old.unlink()
            build_table(generation, db_path)
        self.con = sqlite3.connect(db_path, check_same_thread=False)

    def ranking(self, query: str):
        expression = match_expression(query)
        if expression is None:
            return [], 0
        rows = self.con.execute("SELECT id, url, title FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                                (expression, self.per_page)).fetchall()
        total = self.con.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (expression,)).fetchone()[0]
        return [Row(*r) for r in rows], total
