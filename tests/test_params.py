"""Query parameters → SearchRequest: validation table and properties (no index needed)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from werkzeug.datastructures import MultiDict

from indexer.config import SearchSettings
from indexer.search.model import RequestError, SearchRequest
from indexer.search.params import params_from_request, request_from_params

SEARCH = SearchSettings()


def req(**params):
    return request_from_params(MultiDict(params), SEARCH)


# ---------------------------------------------------------------- defaults and good values

def test_empty_params_give_defaults():
    r = request_from_params(MultiDict(), SEARCH)
    assert r == SearchRequest(query="", per_page=SEARCH.per_page)
    assert request_from_params({}, SEARCH) == r
    assert request_from_params(None, SEARCH) == r


def test_all_parameters():
    params = MultiDict([("q", "  banjir jakarta "), ("section", "Nasional"), ("section", "Daerah"),
                        ("month", "2019-09"), ("month", "2019-10"), ("from", "2019-09-01"),
                        ("to", "2019-10-31"), ("sort", "newest"), ("page", "3"), ("per_page", "20")])
    r = request_from_params(params, SEARCH)
    assert r.query == "banjir jakarta"
    assert r.sections == ("Nasional", "Daerah")
    assert r.months == ("2019-09", "2019-10")
    assert r.date_from == date(2019, 9, 1) and r.date_to == date(2019, 10, 31)
    assert (r.sort, r.page, r.per_page) == ("newest", 3, 20)


def test_plain_dict_of_lists_and_bare_strings():
    r = request_from_params({"q": ["gempa"], "section": ["Nasional", "Daerah"], "page": "2"}, SEARCH)
    assert (r.query, r.sections, r.page) == ("gempa", ("Nasional", "Daerah"), 2)


def test_blank_values_mean_not_given():
    r = req(q="", section="", month="", **{"from": "", "to": ""}, sort="", page="", per_page="")
    assert r == SearchRequest(per_page=SEARCH.per_page)


def test_sections_deduplicated_and_blank_dropped():
    r = request_from_params(MultiDict([("section", "Nasional"), ("section", ""), ("section", "Nasional"),
                                       ("section", " Daerah ")]), SEARCH)
    assert r.sections == ("Nasional", "Daerah")


def test_query_is_cut_not_rejected():
    long = "kata " * 1000
    r = req(q=long)
    assert len(r.query) <= SEARCH.max_query_chars
    assert long.startswith(r.query)
    small = SearchSettings(max_query_chars=10)
    assert request_from_params({"q": ["abcdefghijklmnop"]}, small).query == "abcdefghij"


def test_query_control_characters_removed():
    assert req(q="banjir\x00jakarta\x1f").query == "banjir jakarta"


def test_first_query_value_wins():
    assert request_from_params(MultiDict([("q", "satu"), ("q", "dua")]), SEARCH).query == "satu"


def test_same_day_range_is_fine():
    r = req(**{"from": "2024-07-12", "to": "2024-07-12"})
    assert r.date_from == r.date_to == date(2024, 7, 12)


def test_leap_day():
    assert req(**{"from": "2024-02-29"}).date_from == date(2024, 2, 29)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_sorts(sort):
    assert req(sort=sort).sort == sort


def test_page_and_per_page_limits():
    assert req(page="1000").page == 1000
    assert req(page="007").page == 7
    assert req(per_page=str(SEARCH.max_per_page)).per_page == SEARCH.max_per_page
    assert req(per_page="1").per_page == 1


# ---------------------------------------------------------------- the validation table

BAD = [
    # (params, code, param)
    ({"from": "2024-02-30"}, "invalid_date", "from"),
    ({"from": "2023-02-29"}, "invalid_date", "from"),
    ({"to": "2024-13-01"}, "invalid_date", "to"),
    ({"to": "2024-00-10"}, "invalid_date", "to"),
    ({"from": "2024-04-31"}, "invalid_date", "from"),
    ({"from": "0000-01-01"}, "invalid_date", "from"),
    ({"from": "12-07-2024"}, "invalid_date", "from"),
    ({"from": "2024/07/12"}, "invalid_date", "from"),
    ({"from": "20240712"}, "invalid_date", "from"),
    ({"from": "2024-7-12"}, "invalid_date", "from"),
    ({"from": "kemarin"}, "invalid_date", "from"),
    ({"to": "2024-07-12T10:00"}, "invalid_date", "to"),
    ({"to": "２０２４-０７-１２"}, "invalid_date", "to"),
    ({"from": "2024-07-13", "to": "2024-07-12"}, "invalid_range", "from"),
    ({"from": "2025-01-01", "to": "2019-01-01"}, "invalid_range", "from"),
    ({"month": "2019-13"}, "invalid_month", "month"),
    ({"month": "2019-9"}, "invalid_month", "month"),
    ({"month": "September 2019"}, "invalid_month", "month"),
    ({"month": "2019-09-01"}, "invalid_month", "month"),
    ({"sort": "date"}, "invalid_sort", "sort"),
    ({"sort": "NEWEST"}, "invalid_sort", "sort"),
    ({"sort": "terbaru"}, "invalid_sort", "sort"),
    ({"page": "0"}, "invalid_page", "page"),
    ({"page": "-1"}, "invalid_page", "page"),
    ({"page": "1001"}, "invalid_page", "page"),
    ({"page": "abc"}, "invalid_page", "page"),
    ({"page": "1.5"}, "invalid_page", "page"),
    ({"page": "1e3"}, "invalid_page", "page"),
    ({"page": "+2"}, "invalid_page", "page"),
    ({"page": " 2"}, "invalid_page", "page"),
    ({"page": "١٢"}, "invalid_page", "page"),          # Arabic-Indic digits: int() would accept them
    ({"page": "1_0"}, "invalid_page", "page"),         # int() would accept this too
    ({"page": "9" * 5000}, "invalid_page", "page"),    # int() would raise ValueError (digit limit)
    ({"per_page": "0"}, "invalid_per_page", "per_page"),
    ({"per_page": str(SEARCH.max_per_page + 1)}, "invalid_per_page", "per_page"),
    ({"per_page": "semua"}, "invalid_per_page", "per_page"),
    ({"per_page": "-5"}, "invalid_per_page", "per_page"),
    ({"per_page": " "}, "invalid_per_page", "per_page"),      # whitespace is a value, not "empty"
    ({"page": "\t"}, "invalid_page", "page"),
    ({"sort": " "}, "invalid_sort", "sort"),
    ({"from": " "}, "invalid_date", "from"),
    ({"to": " 2024-01-01"}, "invalid_date", "to"),
    ({"month": " "}, "invalid_month", "month"),
]


@pytest.mark.parametrize("params, code, param", BAD, ids=[f"{c}-{i}" for i, (_, c, _p) in enumerate(BAD)])
def test_bad_values_raise_request_error(params, code, param):
    with pytest.raises(RequestError) as info:
        req(**params)
    err = info.value
    assert err.code == code
    assert err.param == param
    assert err.message and err.message == str(err)
    assert len(err.message) < 400           # the bad value is quoted, but shortened


def test_messages_are_indonesian():
    msgs = []
    for params, _code, _param in BAD[:1] + BAD[13:14] + BAD[15:16] + BAD[19:20] + BAD[22:23] + BAD[33:34]:
        with pytest.raises(RequestError) as info:
            req(**params)
        msgs.append(info.value.message)
    text = " ".join(msgs)
    for word in ("Tanggal", "tidak", "Bulan", "Urutan", "halaman", "bilangan bulat"):
        assert word in text


def test_repeated_bad_month_among_good_ones():
    with pytest.raises(RequestError) as info:
        request_from_params(MultiDict([("month", "2019-09"), ("month", "2019-x")]), SEARCH)
    assert info.value.code == "invalid_month"


def test_max_per_page_follows_settings():
    small = SearchSettings(per_page=5, max_per_page=8)
    assert request_from_params({}, small).per_page == 5
    assert request_from_params({"per_page": ["8"]}, small).per_page == 8
    with pytest.raises(RequestError) as info:
        request_from_params({"per_page": ["9"]}, small)
    assert info.value.code == "invalid_per_page"
    assert "8" in info.value.message


# ---------------------------------------------------------------- properties

_text = st.text(st.characters(codec="utf-8"), max_size=60)


@hsettings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["q", "section", "month", "from", "to", "sort", "page",
                                        "per_page", "other"]),
                       st.lists(_text, max_size=3), max_size=9))
def test_any_input_gives_request_or_request_error(params):
    try:
        r = request_from_params(params, SEARCH)
    except RequestError as err:
        assert err.code.startswith("invalid_") and err.message and err.param
    else:
        assert 1 <= r.page <= 1000 and 1 <= r.per_page <= SEARCH.max_per_page
        assert len(r.query) <= SEARCH.max_query_chars
        assert r.sort in ("relevance", "newest", "oldest")


@hsettings(max_examples=200, deadline=None)
@given(q=_text, sections=st.lists(st.sampled_from(["Nasional", "Daerah", "Olahraga"]), unique=True),
       months=st.lists(st.sampled_from(["2019-09", "2020-01", "2024-07"]), unique=True),
       d1=st.one_of(st.none(), st.dates()), d2=st.one_of(st.none(), st.dates()),
       sort=st.sampled_from(["relevance", "newest", "oldest"]), page=st.integers(1, 1000),
       per_page=st.integers(1, SEARCH.max_per_page))
def test_round_trip(q, sections, months, d1, d2, sort, page, per_page):
    if d1 and d2 and d1 > d2:
        d1, d2 = d2, d1
    original = request_from_params(
        {"q": [q], "section": sections, "month": months, "from": [d1.isoformat()] if d1 else [],
         "to": [d2.isoformat()] if d2 else [], "sort": [sort], "page": [str(page)],
         "per_page": [str(per_page)]}, SEARCH)
    again = request_from_params(MultiDict(params_from_request(original, SEARCH)), SEARCH)
    assert again == original
