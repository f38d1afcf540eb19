"""Indonesian month and weekday names: one list in Python (indexer.datenames), and the JavaScript
copies that cannot import it held equal to it."""
from __future__ import annotations

import json
import re

import pytest

from indexer.datenames import MONTHS, SHORT_MONTHS, WEEKDAYS, month_label
from indexer.readers.dates import MONTHS as MONTH_NUMBERS
from tests.support import REPO

STATIC = REPO / "webapp" / "static"


def js_array(path, pattern: str) -> list[str]:
    """The string array literal after `pattern` (a regex ending just before the `[`) in a JS file."""
    found = re.search(pattern + r"(\[[^\]]*\])", path.read_text(encoding="utf-8"))
    assert found, f"{pattern} not found in {path.name}"
    return json.loads(found.group(1))


def test_month_label():
    assert [month_label(v) for v in ("2019-09", "2024-12", "2024-01")] == \
        ["September 2019", "Desember 2024", "Januari 2024"]
    assert [month_label(v) for v in ("rusak", "", "2019-13", "2019-xx")] == ["rusak", "", "2019-13", "2019-xx"]


def test_app_js_has_the_same_names():
    assert js_array(STATIC / "app.js", r"var MONTHS = ") == list(MONTHS)
    # JavaScript's getUTCDay() counts from Sunday
    assert js_array(STATIC / "app.js", r"var DAYS = ") == [WEEKDAYS[-1], *WEEKDAYS[:-1]]


def test_widget_has_the_same_month_names():
    assert js_array(STATIC / "widget" / "warta-widget.js", r"(?s)\bid: \{.*?months: ") == list(MONTHS)


@pytest.mark.parametrize("names", [MONTHS, SHORT_MONTHS])
def test_the_date_reader_knows_every_name(names):
    assert [MONTH_NUMBERS[name.lower()] for name in names] == list(range(1, 13))
