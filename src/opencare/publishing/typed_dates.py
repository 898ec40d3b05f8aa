"""The publishing forms' date field: dates and months as people in the UK type them (read by opencare.ocds.uk_dates,
day first); anything else is refused with a message that names the question and gives an example that works.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencare.ocds.uk_dates import NotADate, read_date, read_month


class UKDateField(forms.DateField):
    """A date (or, with ``month=True``, a month) typed in any of the common UK forms, read day first.

    The value is a ``date``; a month is its first day. Refusals name the field and give an example that works.
    """

    def __init__(self, *, month: bool = False, **kwargs: Any) -> None:
        self.month = month
        kwargs.setdefault(
            "help_text",
            _("For example, March 2025 or 03/2025") if month else _("For example, 31/3/2025 or 31 March 2025"),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        """The date typed, or None for nothing typed; ValidationError naming the field otherwise."""
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value if not self.month else value.replace(day=1)
        try:
            return read_month(str(value)) if self.month else read_date(str(value))
        except NotADate as error:
            raise forms.ValidationError(self._refusal(str(value), error.impossible), code="invalid") from None

    def _refusal(self, typed: str, impossible: bool) -> str:
        field = str(self.label or gettext("this date"))
        if impossible and self.month:
            return gettext("%(field)s: %(typed)s is not a real month. Check the month and year.") % {
                "field": field,
                "typed": typed.strip()[:40],
            }
        if impossible:
            return gettext("%(field)s: %(typed)s is not a real date. Check the day, month and year.") % {
                "field": field,
                "typed": typed.strip()[:40],
            }
        if self.month:
            return gettext("%(field)s: enter a month and year, for example March 2025 or 03/2025.") % {"field": field}
        return gettext("%(field)s: enter a date, for example 31/3/2025 or 31 March 2025.") % {"field": field}
