"""Dates and times as Indonesian news sources write them.

Every result is a naive datetime in WIB (UTC+7), the local time of the outlets:
time-zone aware values are converted, ``WITA``/``WIT``/``GMT`` times are shifted.

``parse_date`` reads:

* ``datetime``/``date`` objects (openpyxl cells) and Excel serial numbers (``43719.5``),
  Unix timestamps in seconds or milliseconds, ISO strings (``2019-09-16T14:30:00+07:00``);
* numeric dates ``16/09/2019``, ``16-09-19``, ``2019/09/16``: day and month are read in the
  source's ``date_order`` ("dmy", "mdy" or "ymd") and swapped when only the other reading is a
  valid date;
* month names in Indonesian or English, full or short, any case, with an optional weekday and
  time: ``31 Juli 2019``, ``Oktober 19, 2019``, ``10-Sep-19``, `` Oct 2, 2019 ``,
  ``DECEMBER 9, 2022``, ``Jumat, 12 Juli 2024 14:30 WIB``.

Missing markers (``-``, empty, ``nan``) and anything unreadable give ``None``.

Reconciling a stated date with other evidence (``reconcile_url_date``,
``text_date_conflict``):

* A ``/YYYY/MM/DD/`` date in the URL is the date the outlet's CMS filed the article under.
  When the stated date differs and ``url_date_wins`` is set, the URL day is taken and the stated
  time of day kept. A difference of exactly one day is taken *silently*: okezone dates
  early-morning articles one day after their URL (a time-zone shift, not an editorial error),
  and listing 465 such rows would bury real problems in the build report. A larger difference is
  described in ``date_conflict`` (naming a day/month swap when that explains it, as for the
  Kompas Excel dates). With ``url_date_wins`` off the stated date is kept, and a difference of
  more than a day is still described.
* Dates written in the body with their (correct) weekday, ``Kamis, 11 Juli 2024`` or
  ``Rabu (11/9/2019)``: when every one of them is more than a year after the stated date, the
  stated date is kept but described as conflicting (a dateline from a template, as in the seed
  article). Dates without a weekday are ignored: they are mostly plans ("rilis 7 Mei 2021").
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from indexer import datenames

WIB = timezone(timedelta(hours=7))
TEXT_DATE_TOLERANCE_DAYS = 366
URL_DATE_TOLERANCE_DAYS = 1
MISSING = frozenset({"", "-", "--", "–", "—", "nan", "NaN", "NaT", "null", "NULL", "None", "n/a", "N/A"})

# month words -> number: the Indonesian names and abbreviations (indexer.datenames), old and
# English spellings
MONTHS = {name.lower(): number for names in (datenames.MONTHS, datenames.SHORT_MONTHS)
          for number, name in enumerate(names, 1)}
MONTHS.update({
    "january": 1,
    "pebruari": 2, "february": 2, "peb": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8, "aug": 8, "agt": 8, "ags": 8, "agust": 8,
    "sept": 9,
    "october": 10, "oct": 10,
    "nopember": 11, "nop": 11,
    "december": 12, "dec": 12,
})
WEEKDAYS = frozenset({d.lower() for d in datenames.WEEKDAYS} |
                     {"jum'at", "ahad", "jum", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                      "sunday", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "pukul", "jam", "at"})
ZONE_SHIFT = {"wib": 0, "wita": -1, "wit": -2, "gmt": 7, "utc": 7}  # hours to add to reach WIB

_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_SERIALS = (7306, 73051)            # 1920-01-01 .. 2099-12-31
_YEARS = (1900, 2100)
_DAY_MONTH_YEAR = re.compile(
    r"(?<![\d/])(\d{1,2})(?:st|nd|rd|th)?[\s./-]*([A-Za-z]{3,9})\.?[\s./,-]*(\d{4}|\d{2})(?!\d|[/:.]\d)")
_MONTH_DAY_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/])|"
                      r"(?<![\d/])(\d{4})([/.-])(\d{1,2})\6(\d{1,2})(?![\d/])")
_CLOCK = re.compile(r"(?<![\d/])(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?"
                    r"(?:\s*(WIB|WITA|WIT|GMT|UTC)\b)?", re.IGNORECASE)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?=[/?#]|$)")
_WEEKDAY_NUMBERS = {"senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4,
                    "sabtu": 5, "minggu": 6, "ahad": 6}
_TEXT_DATE = re.compile(r"\b(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s*[,(]?\s*"
                        r"(\d{1,2})(?:\s+([a-z]{3,9})\.?\s+|/(\d{1,2})/)(\d{4})\b")   # on lower-cased text
_LEFTOVER = re.compile(r"[\W_]+")


def _valid(year: int, month: int, day: int) -> date | None:
    if not _YEARS[0] <= year <= _YEARS[1]:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _to_wib(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(WIB).replace(tzinfo=None)


def _from_number(number: float) -> datetime | None:
    if _EXCEL_SERIALS[0] <= number <= _EXCEL_SERIALS[1]:
        return _EXCEL_EPOCH + timedelta(days=number)
    if 1e12 <= number < 1e13:
        number /= 1000
    if 1e9 <= number < 1e10:
        return _to_wib(datetime.fromtimestamp(number, timezone.utc))
    return None


def _numeric_date(match: re.Match, order: str) -> date | None:
    if match.group(5):                                   # 2019/09/16
        return _valid(int(match.group(5)), int(match.group(7)), int(match.group(8)))
    first, b, year = match.group(1), int(match.group(3)), match.group(4)
    a = int(first)
    if order == "ymd":                                   # 19/09/16 read as yy/mm/dd
        return _valid(_year(first), b, int(year)) if len(year) == 2 else None
    day, month = (b, a) if order == "mdy" else (a, b)
    return _valid(_year(year), month, day) or _valid(_year(year), day, month)


def _name_date(match: re.Match, day_first: bool) -> date | None:
    day, word, year = match.groups() if day_first else (match.group(2), match.group(1), match.group(3))
    month = MONTHS.get(word.lower())
    if month is None:
        return None
    return _valid(_year(year), month, int(day))


def _find_date(text: str, order: str) -> tuple[date, re.Match] | None:
    """The first date in text, with the match that produced it."""
    candidates = []
    for pattern, reader in ((_DAY_MONTH_YEAR, lambda m: _name_date(m, True)),
                            (_MONTH_DAY_YEAR, lambda m: _name_date(m, False)),
                            (_NUMERIC, lambda m: _numeric_date(m, order))):
        for match in pattern.finditer(text):
            found = reader(match)
            if found:
                candidates.append((match.start(), found, match))
                break
    if not candidates:
        return None
    _, found, match = min(candidates, key=lambda c: c[0])
    return found, match


def _clock(text: str) -> tuple[time, int] | None:
    """(time of day, hours to add to reach WIB) from text like '14:30 WIB', '2.30 pm'."""
    match = _CLOCK.search(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    if match.group(4):
        hour = hour % 12 + (12 if match.group(4).lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second), ZONE_SHIFT.get((match.group(5) or "wib").lower(), 0)


def _from_text(text: str, order: str) -> datetime | None:
    if _ISO.fullmatch(text):
        try:
            return _to_wib(datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            pass
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        if len(text) == 8 and text[:2] in ("19", "20"):
            found = _valid(int(text[:4]), int(text[4:6]), int(text[6:]))
            return datetime.combine(found, time()) if found else None
        return _from_number(float(text))
    hit = _find_date(text, order)
    if hit is None:
        return None
    found, match = hit
    clock = _clock(text[match.end():]) or _clock(text[:match.start()])
    if clock is None:
        return datetime.combine(found, time())
    return datetime.combine(found, clock[0]) + timedelta(hours=clock[1])


def parse_date(value, date_order: str = "dmy") -> datetime | None:
    """A publication date (and time, when the value has one) or None. See the module docstring."""
    if value is None or isinstance(value, (bool, time)):
        return None
    if isinstance(value, datetime):
        return _to_wib(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        return _from_number(value) if value == value else None   # NaN != NaN
    text = str(value).strip()
    if text in MISSING:
        return None
    return _from_text(text, date_order)


def parse_date_line(line: str, date_order: str = "dmy") -> datetime | None:
    """parse_date for a line that must hold nothing but a date (weekday, time and zone allowed).

    Used to recognise the dateline of a plain-text article without mistaking a title such as
    "Banjir Jakarta 12 Juli 2024" for one.
    """
    text = line.strip()
    hit = _find_date(text, date_order)
    if hit is None:
        return None
    rest = text[:hit[1].start()] + " " + text[hit[1].end():]
    rest = _CLOCK.sub(" ", rest)
    words = [w for w in _LEFTOVER.split(rest.lower()) if w and w not in WEEKDAYS and w not in ZONE_SHIFT]
    if words:
        return None
    return parse_date(text, date_order)


def _time_value(value) -> tuple[time, int] | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.time(), 0
    if isinstance(value, time):
        return value.replace(tzinfo=None), 0
    if isinstance(value, int):
        return None
    if isinstance(value, float):
        if value != value or value < 0:
            return None
        seconds = round((value % 1) * 86400)              # Excel: fraction of a day
        return (datetime.min + timedelta(seconds=min(seconds, 86399))).time(), 0
    text = str(value).strip()
    if text in MISSING:
        return None
    if re.fullmatch(r"0?\.\d+", text):
        return _time_value(float(text))
    return _clock(text)


def parse_time(value) -> time | None:
    """Time of day from '14:30', '14:30 WIB', '14.30', datetime.time, a day fraction; else None."""
    clock = _time_value(value)
    return clock[0] if clock else None


def combine_date_time(date_value, time_value=None, date_order: str = "dmy") -> datetime | None:
    """The date from date_value, at the time from time_value when there is one (WIB)."""
    published = parse_date(date_value, date_order)
    if published is None:
        return None
    clock = _time_value(time_value)
    if clock is None:
        return published
    return datetime.combine(published.date(), clock[0]) + timedelta(hours=clock[1])


def url_date(url: str) -> date | None:
    """The date in a URL path like /read/2019/09/10/..., else None."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    return _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _swapped(day: date) -> date | None:
    return _valid(day.year, day.day, day.month) if day.day <= 12 else None


def reconcile_url_date(published: datetime | None, from_url: date | None,
                       url_date_wins: bool = True) -> tuple[datetime | None, str]:
    """(published, date_conflict) after checking a stated date against the URL date."""
    if from_url is None:
        return published, ""
    if published is None:
        return datetime.combine(from_url, time()), ""
    stated = published.date()
    if stated == from_url:
        return published, ""
    close = abs((stated - from_url).days) <= URL_DATE_TOLERANCE_DAYS
    if url_date_wins:
        fixed = datetime.combine(from_url, published.time())
        if close:
            return fixed, ""
        why = " (hari dan bulan tertukar)" if _swapped(stated) == from_url else ""
        return fixed, f"tanggal {stated} diganti tanggal URL {from_url}{why}"
    if close:
        return published, ""
    return published, f"tanggal {stated} bertentangan dengan tanggal URL ({from_url})"


def dates_in_text(text: str) -> list[date]:
    """Dates written with their weekday in running text: 'Kamis, 11 Juli 2024', 'Rabu (11/9/2019)'.

    Only dates whose weekday is right count: that is how a report dates what just happened,
    while plans ("rilis 7 Mei 2021") are usually written without one.
    """
    found = []
    for match in _TEXT_DATE.finditer(text.lower()):
        weekday, day_text, month_name, month_number, year = match.groups()
        month = MONTHS.get(month_name.lower()) if month_name else int(month_number)
        day = _valid(int(year), month, int(day_text)) if month else None
        if day and day.weekday() == _WEEKDAY_NUMBERS[weekday]:
            found.append(day)
    return found


def text_date_conflict(stated: date, text: str) -> str:
    """A description when every date written in text is more than a year after stated, else ""."""
    found = dates_in_text(text)
    if not found or any((d - stated).days <= TEXT_DATE_TOLERANCE_DAYS for d in found):
        return ""
    return f"tanggal {stated} bertentangan dengan tanggal di teks ({min(found)})"
