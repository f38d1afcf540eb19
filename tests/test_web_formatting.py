"""webapp/dates.py, quantities.py and links.py: Indonesian dates and numbers, safe links, the URLs of facets, chips and pages."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest

from indexer import datenames
from webapp import dates, links, quantities


def test_indonesian_dates_and_numbers():
    assert dates.format_date(datetime(2024, 7, 12, 14, 5)) == "Jumat, 12 Juli 2024"
    assert dates.format_date(date(2019, 9, 1)) == "Minggu, 1 September 2019"
    assert dates.format_date(date(2024, 2, 5), weekday=False) == "5 Februari 2024"
    assert dates.format_date(None) == ""
    assert dates.format_datetime(datetime(2024, 7, 12, 14, 5)) == "Jumat, 12 Juli 2024, 14.05 WIB"
    assert dates.format_datetime(datetime(2024, 7, 12)) == "Jumat, 12 Juli 2024"
    assert datenames.month_label("2019-09") == "September 2019"
    assert datenames.month_label("2024-12") == "Desember 2024"
    assert datenames.month_label("rusak") == "rusak"
    assert quantities.format_number(1234) == "1.234"
    assert quantities.format_number(1234567) == "1.234.567"
    assert quantities.format_number(7) == "7"
    assert quantities.format_seconds(53.2) == "0,05"
    assert quantities.format_seconds(1234) == "1,23"


def test_tiny_search_times_do_not_read_as_zero():
    assert quantities.format_seconds(3.2) == "kurang dari 0,01"


@pytest.mark.parametrize("url, ok", [
    ("https://example.com/a", True), ("http://example.com", True), ("HTTPS://EXAMPLE.COM", True),
    ("javascript:alert(1)", False), ("data:text/html,x", False), ("//evil.example", False),
    ("/relative", False), ("", False), (None, False), ("ftp://x", False),
])
def test_is_http_url(url, ok):
    assert links.is_http_url(url) is ok


def test_url_builders_keep_other_params_and_reset_page():
    args = [("q", "banjir"), ("section", "Daerah"), ("month", "2019-09"), ("from", "2019-01-01"),
            ("sort", "newest"), ("page", "3"), ("utm", "x")]
    add = links.toggle_url("/", args, "section", "Olahraga")
    assert parse_qsl(urlsplit(add).query) == [("q", "banjir"), ("section", "Daerah"), ("section", "Olahraga"),
                                              ("month", "2019-09"), ("from", "2019-01-01"), ("sort", "newest")]
    drop = links.toggle_url("/", args, "section", "Daerah")
    assert parse_qsl(urlsplit(drop).query) == [("q", "banjir"), ("month", "2019-09"), ("from", "2019-01-01"),
                                               ("sort", "newest")]
    assert "page=" not in links.remove_url("/", args, "from")
    assert links.page_url("/", args, 1).count("page") == 0
    assert "page=4" in links.page_url("/", args, 4)
    assert links.url_with("/", args, sort=None) == "/?q=banjir&section=Daerah&month=2019-09&from=2019-01-01"
    assert links.clear_filters_url("/", args) == "/?q=banjir&sort=newest"
    assert links.hidden_fields(args, ["q"]) == [("section", "Daerah"), ("month", "2019-09"),
                                              ("from", "2019-01-01"), ("sort", "newest")]
    assert links.toggle_url("/", {}, "q", "a b&c") == "/?q=a+b%26c"


def test_page_window():
    assert links.page_window(1, 1) == [1]
    assert links.page_window(1, 5) == [1, 2, 3, 4, 5]
    assert links.page_window(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert links.page_window(1, 20) == [1, 2, 3, None, 20]
