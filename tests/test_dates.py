"""Dates as Indonesian outlets write them (indexer.readers.dates)."""
from datetime import date, datetime, time

import pytest

from indexer.readers.dates import (combine_date_time, dates_in_text, parse_date, parse_date_line,
                                   parse_time, reconcile_url_date, text_date_conflict, url_date)


@pytest.mark.parametrize("value, expected", [
    # the six CLICK-ID formats
    ("31 Juli 2019", datetime(2019, 7, 31)),                       # kapanlagi
    ("Oktober 19, 2019", datetime(2019, 10, 19)),                  # pos_metro
    ("10-Sep-19", datetime(2019, 9, 10)),                          # tribunnews
    (" Oct 2, 2019 ", datetime(2019, 10, 2)),                      # wowkeren, spaces kept
    ("16/09/2019", datetime(2019, 9, 16)),                         # kompas text, DD/MM/YYYY
    (datetime(2019, 9, 10), datetime(2019, 9, 10)),                # Excel datetime via openpyxl
    ("14 September 2019", datetime(2019, 9, 14)),                  # okezone/sindonews text rows
    # Excel serial numbers, as numbers or text
    (43719.5, datetime(2019, 9, 11, 12, 0)),
    (43719, datetime(2019, 9, 11)),
    ("43719.5", datetime(2019, 9, 11, 12, 0)),
    # plain-text dateline forms
    ("DECEMBER 9, 2022", datetime(2022, 12, 9)),
    ("9 Desember 2022", datetime(2022, 12, 9)),
    ("Jumat, 12 Juli 2024", datetime(2024, 7, 12)),
    ("Jumat, 12 Juli 2024 14:30 WIB", datetime(2024, 7, 12, 14, 30)),
    ("Jum'at, 12 Juli 2024 14.30", datetime(2024, 7, 12, 14, 30)),
    ("12 Juli 2024 09.15 WITA", datetime(2024, 7, 12, 8, 15)),     # WITA is WIB + 1
    ("Sep 10, 2019 2:30 PM", datetime(2019, 9, 10, 14, 30)),
    ("1 Agt 2019", datetime(2019, 8, 1)),
    ("5 Nopember 2019", datetime(2019, 11, 5)),
    # ISO and other machine forms; aware times become WIB
    ("2019-09-16", datetime(2019, 9, 16)),
    ("2019-09-16T14:30:00Z", datetime(2019, 9, 16, 21, 30)),
    ("2019-09-16T14:30:00+07:00", datetime(2019, 9, 16, 14, 30)),
    ("2019/09/16", datetime(2019, 9, 16)),
    ("20190916", datetime(2019, 9, 16)),
    ("16.09.2019 22:58", datetime(2019, 9, 16, 22, 58)),
    ("09/16/2019", datetime(2019, 9, 16)),                         # only valid month-first
    (date(2019, 9, 1), datetime(2019, 9, 1)),
    (1568474327, datetime(2019, 9, 14, 22, 18, 47)),               # Unix seconds, shown in WIB
])
def test_parse_date_formats(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "-", " - ", "nan", "bukan tanggal", "32/13/2019", 2019,
                                   float("nan"), True, time(10, 0), "9 Desember 22:30"])
def test_parse_date_missing_or_unreadable(value):
    assert parse_date(value) is None


def test_date_order_decides_ambiguous_numeric_dates():
    assert parse_date("03/04/2019") == datetime(2019, 4, 3)
    assert parse_date("03/04/2019", "mdy") == datetime(2019, 3, 4)
    assert parse_date("19/09/16", "ymd") == datetime(2019, 9, 16)


@pytest.mark.parametrize("line, expected", [
    ("DECEMBER 9, 2022", datetime(2022, 12, 9)),
    ("Jumat, 12 Juli 2024 14:30 WIB", datetime(2024, 7, 12, 14, 30)),
    ("Banjir Jakarta 12 Juli 2024", None),       # a title with a date is not a date line
    ("Internasional", None),
])
def test_parse_date_line(line, expected):
    assert parse_date_line(line) == expected


@pytest.mark.parametrize("value, expected", [
    ("14:30", time(14, 30)), ("14:30 WIB", time(14, 30)), ("14.30", time(14, 30)),
    ("21:48 WIB", time(21, 48)), (time(23, 15), time(23, 15)), (0.5, time(12, 0)),
    (43719.75, time(18, 0)), (datetime(1899, 12, 30, 8, 5), time(8, 5)),
    ("-", None), (None, None), ("", None), (14, None), ("25:00", None),
])
def test_parse_time(value, expected):
    assert parse_time(value) == expected


def test_combine_date_time():
    assert combine_date_time(datetime(2019, 9, 10), "13:30 WIB") == datetime(2019, 9, 10, 13, 30)
    assert combine_date_time("10-Sep-19", "23:30 WITA") == datetime(2019, 9, 10, 22, 30)
    assert combine_date_time("10-Sep-19", "00:30 WITA") == datetime(2019, 9, 9, 23, 30)
    assert combine_date_time(" Oct 2, 2019 ", "-") == datetime(2019, 10, 2)
    assert combine_date_time("-", "12:00") is None


@pytest.mark.parametrize("url, expected", [
    ("https://regional.kompas.com/read/2019/09/10/21485171/judul", date(2019, 9, 10)),
    ("https://www.tribunnews.com/superskor/2019/09/10/prediksi", date(2019, 9, 10)),
    ("https://haji.okezone.com/read/2019/09/13/600/2104689/judul", date(2019, 9, 13)),
    ("https://www.posmetro-medan.com/2019/10/judul.html", None),    # year and month only
    ("https://tekno.tempo.co/read/1249068/judul", None),
    ("https://contoh.id/2019/02/30/judul", None),                    # not a real day
    ("", None),
])
def test_url_date(url, expected):
    assert url_date(url) == expected


def test_url_date_wins_and_names_a_day_month_swap():
    published, conflict = reconcile_url_date(datetime(2019, 10, 9, 21, 48), date(2019, 9, 10))
    assert published == datetime(2019, 9, 10, 21, 48)
    assert conflict == "tanggal 2019-10-09 diganti tanggal URL 2019-09-10 (hari dan bulan tertukar)"


def test_one_day_url_shift_is_taken_silently():
    assert reconcile_url_date(datetime(2019, 9, 14, 1, 30), date(2019, 9, 13)) == \
        (datetime(2019, 9, 13, 1, 30), "")


def test_stated_date_kept_when_url_date_does_not_win():
    published, conflict = reconcile_url_date(datetime(2019, 10, 9), date(2019, 9, 10), url_date_wins=False)
    assert published == datetime(2019, 10, 9)
    assert "bertentangan" in conflict and "2019-09-10" in conflict


def test_url_date_fills_a_missing_date():
    assert reconcile_url_date(None, date(2019, 9, 10)) == (datetime(2019, 9, 10), "")
    assert reconcile_url_date(datetime(2019, 9, 10, 8), None) == (datetime(2019, 9, 10, 8), "")


def test_dates_in_text_need_a_matching_weekday():
    text = ("Kamis, 11 Juli 2024 dan Jumat, 12 Juli 2024. Rabu (11/9/2019). "
            "Film itu rilis 7 Mei 2021. Senin 11 Juli 2024 salah hari.")
    assert dates_in_text(text) == [date(2024, 7, 11), date(2024, 7, 12), date(2019, 9, 11)]


def test_text_date_conflict():
    text = "Yoon bertemu Stoltenberg di Washington, Kamis, 11 Juli 2024."
    assert text_date_conflict(date(2022, 12, 9), text) == \
        "tanggal 2022-12-09 bertentangan dengan tanggal di teks (2024-07-11)"
    assert text_date_conflict(date(2024, 7, 12), text) == ""
    assert text_date_conflict(date(2022, 12, 9), "Tanpa tanggal di teks.") == ""
    # one date close to the stated one is enough to trust it
    assert text_date_conflict(date(2023, 9, 1), text + " Rabu, 6 September 2023.") == ""
