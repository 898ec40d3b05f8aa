"""Dates and months as people in the UK type them, read day first: "31/3/2025", "31 March 2025", "1st April 2025",
"2025-03-31"; and for a month, "March 2025", "Mar 2025", "03/2025", "2025-03".

A date is never read month first: "3/4/2025" is 3 April 2025. One reading for the publishing forms
(publishing.typed_dates), the figures spreadsheets and the social-care template, so that a date typed in one is read
the same in the others.
"""

from __future__ import annotations

import re
from datetime import date

#: Month names and their usual short forms, in English as the forms are written (Welsh names come with Welsh).
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_SEPARATOR = r"[/.\-]"
#: 31/3/2025, 31/03/2025, 31-3-2025, 31.3.2025 (one separator throughout).
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})({_SEPARATOR})(\d{{1,2}})\2(\d{{4}})$")
#: 2025-03-31 (ISO, the one form that starts with the year).
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
#: 31 March 2025, 31 Mar 2025, 1st April 2025, 1st of April 2025.
_DAY_NAME_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?,?\s+(\d{4})$")
#: 03/2025, 3/2025, 03-2025, 3.2025.
_MONTH_YEAR = re.compile(rf"^(\d{{1,2}}){_SEPARATOR}(\d{{4}})$")
#: 2025-03.
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
#: March 2025, Mar 2025.
_NAME_YEAR = re.compile(r"^([a-z]+)\.?,?\s+(\d{4})$")


class NotADate(ValueError):
    """The text is not a date in a form we read; ``impossible`` when it has that shape but no such day exists."""

    def __init__(self, impossible: bool = False) -> None:
        super().__init__("not a date")
        self.impossible = impossible


def read_date(text: str) -> date:
    """The date people mean by ``text``, read day first; raises NotADate."""
    typed = " ".join(text.strip().lower().split())
    if match := _DAY_MONTH_YEAR.match(typed):
        return _real_date(int(match[4]), int(match[3]), int(match[1]))
    if match := _ISO_DATE.match(typed):
        return _real_date(int(match[1]), int(match[2]), int(match[3]))
    if (match := _DAY_NAME_YEAR.match(typed)) and match[2] in MONTHS:
        return _real_date(int(match[3]), MONTHS[match[2]], int(match[1]))
    raise NotADate


def read_month(text: str) -> date:
    """The first day of the month people mean by ``text`` ("March 2025", "03/2025", "2025-03"); raises NotADate."""
    typed = " ".join(text.strip().lower().split())
    if match := _MONTH_YEAR.match(typed):
        return _real_date(int(match[2]), int(match[1]), 1)
    if match := _ISO_MONTH.match(typed):
        return _real_date(int(match[1]), int(match[2]), 1)
    if (match := _NAME_YEAR.match(typed)) and match[1] in MONTHS:
        return _real_date(int(match[2]), MONTHS[match[1]], 1)
    raise NotADate


def _real_date(year: int, month: int, day: int) -> date:
    if year < 1900 or year > 2200:  # a typing slip (0225, 20255 is refused by shape), not a contract's date
        raise NotADate(impossible=True)
    try:
        return date(year, month, day)
    except ValueError:
        raise NotADate(impossible=True) from None
