"""Copies of one story across outlets: a search collapses them into one hit that counts the others
(`duplicates`), and the article lists them (`ArticleView.copies`, `/api/articles/<id>` `copies`,
the article page's #salinan section). Real indexes built from JSONL written here."""
from __future__ import annotations

import pytest

from indexer.build import build, update
from indexer.search.engine import SearchEngine
from indexer.search.model import SearchRequest
from tests.support import jsonl_source, settings_for, write_jsonl

WIRE = ("Bea Cukai meresmikan sembilan perusahaan menjadi Kawasan Berikat Mandiri di Cikarang, Jawa Barat, "
        "pada Rabu lalu. Dengan fasilitas tersebut perusahaan dapat melakukan sendiri pengawasan atas "
        "pemasukan dan pengeluaran barang sehingga biaya logistik menjadi lebih murah.")
TITLE = "Sembilan Perusahaan di Cikarang Jadi Kawasan Berikat Mandiri"


def copy(id_, outlet, date, title=TITLE):
    return {"id": id_, "title": title, "body": WIRE, "lead": WIRE[:120], "date": date, "section": "Ekonomi",
            "url": f"https://{outlet.lower()}/{id_}", "outlet": outlet}


STORY = [copy("kb-siang", "Kabar Dua", "2024-03-05T13:00:00"),
         copy("kb-pagi", "Kabar Satu", "2024-03-05T08:00:00"),
         copy("kb-sore", "<b>Kabar</b> Tiga", "2024-03-05T17:30:00", title="<script>x</script> " + TITLE)]
OTHER = {"id": "lain", "title": "Harga cabai naik di pasar Cikarang", "date": "2024-03-06", "section": "Ekonomi",
         "url": "https://kabarsatu/lain", "outlet": "Kabar Satu",
         "body": "Harga cabai rawit di pasar tradisional Cikarang naik dua kali lipat dalam sepekan."}


@pytest.fixture()
def corpus(tmp_path):
    src = write_jsonl(tmp_path / "a.jsonl", STORY + [OTHER])
    settings = settings_for(tmp_path, [jsonl_source(src)])
    build(settings, quiet=True)
    return tmp_path, src, settings


def test_a_story_is_one_hit_and_the_article_lists_the_other_copies_oldest_first(corpus):
    _, _, settings = corpus
    engine = SearchEngine(settings)
    result = engine.search(SearchRequest(query="kawasan berikat cikarang"))
    story = [h for h in result.hits if not h.missing]       # (an article with only `cikarang` may follow)
    assert len(story) == 1 and story[0].duplicates == 2
    for own in ("kb-pagi", "kb-siang", "kb-sore"):
        view = engine.article(own)
        listed = [h.id for h in view.copies]
        assert listed == [i for i in ("kb-pagi", "kb-siang", "kb-sore") if i != own]   # oldest first, never itself
        assert all(h.outlet and h.published and h.url.startswith("https://") for h in view.copies)
        assert all(h.id not in {r.id for r in view.related} for h in view.copies)
    view = engine.article("kb-pagi")
    hostile = next(h for h in view.copies if h.id == "kb-sore")
    assert "<script>" not in hostile.title_html and "&lt;script&gt;" in hostile.title_html
    assert engine.article("lain").copies == []


def test_a_pruned_copy_is_no_longer_listed(corpus):
    tmp_path, src, settings = corpus
    write_jsonl(src, STORY[:2] + [OTHER])             # kb-sore left the archive
    update(settings, prune=True, quiet=True)
    engine = SearchEngine(settings)
    assert [h.id for h in engine.article("kb-pagi").copies] == ["kb-siang"]
    assert engine.search(SearchRequest(query="kawasan berikat")).hits[0].duplicates == 1
