"""The public pages' query forms: searching contracts and choosing what to compare. Both are GET forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from opencare.ocds.service_types import BY_CODE, NOT_SOCIAL_CARE
from opencare.registry.comparison import MAX_PICKED
from opencare.registry.search import SIGNALS, Search

# The engine's and the search's labels are marked in opencare.explore.engine_labels; lazily, so each page shows them
# in its own language.
SERVICE_CHOICES = [("", _("Any"))] + [(code, _(s.name)) for code, s in BY_CODE.items() if s is not NOT_SOCIAL_CARE]
SIGNAL_CHOICES = [("", _("Any")), *((code, _(label)) for code, label in SIGNALS.items())]


class SearchForm(forms.Form):
    """What the contracts page filters by."""

    q = forms.CharField(required=False, max_length=200, label=_("Words"))
    buyer = forms.CharField(required=False, max_length=200, label=_("Council or NHS body"))
    supplier = forms.CharField(required=False, max_length=200, label=_("Provider"))
    service_type = forms.ChoiceField(required=False, choices=SERVICE_CHOICES, label=_("Service"))
    status = forms.CharField(required=False, max_length=50, label=_("Status"))
    signal = forms.ChoiceField(required=False, choices=SIGNAL_CHOICES, label=_("How it's going"))
    running_from = forms.DateField(
        required=False, label=_("Running on or after"), help_text=_("For example, 2025-04-01"),
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2025-04-01")},
    )  # fmt: skip
    running_to = forms.DateField(
        required=False, label=_("Running on or before"), help_text=_("For example, 2026-03-31"),
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2026-03-31")},
    )  # fmt: skip
    all = forms.BooleanField(required=False, label=_("Include contracts that are not social care"))

    def clean(self) -> dict:
        """Dates in order."""
        data = super().clean()
        start, end = data.get("running_from"), data.get("running_to")
        if start and end and start > end:
            self.add_error("running_to", _("The second date must be the same as or after the first"))
        return data

    def search(self) -> Search:
        """The search the valid form describes."""
        data = self.cleaned_data
        return Search(
            q=data["q"], buyer=data["buyer"], supplier=data["supplier"], service_type=data["service_type"],
            status=data["status"], signal=data["signal"], running_from=data["running_from"],
            running_to=data["running_to"], social_care=not data["all"],
        )  # fmt: skip


class OcidsField(forms.MultipleChoiceField):
    """Several OCIDs: any text of up to 200 characters is valid here; whether the registry holds it is the view's
    question."""

    def valid_value(self, value: str) -> bool:
        """Whether one OCID is plausible text."""
        return 0 < len(value) <= 200


class CompareForm(forms.Form):
    """Contracts picked by OCID (2 to MAX_PICKED), or a service type to compare every contract of."""

    ocid = OcidsField(required=False)
    service_type = forms.ChoiceField(required=False, choices=SERVICE_CHOICES, label=_("Service"))

    def clean(self) -> dict:
        """Either 2 to MAX_PICKED contracts or a service type."""
        data = super().clean()
        ocids = list(dict.fromkeys(data.get("ocid") or []))
        data["ocid"] = ocids
        if ocids and data.get("service_type"):
            raise forms.ValidationError(_("Choose contracts or a service, not both"))
        if ocids and len(ocids) < 2:
            self.add_error("ocid", _("Choose at least 2 contracts to compare"))
        if len(ocids) > MAX_PICKED:
            self.add_error("ocid", _("Choose at most %(max)s contracts to compare") % {"max": MAX_PICKED})
        return data

    @property
    def is_blank(self) -> bool:
        """Whether nothing was chosen yet (the page then explains how to choose)."""
        return not self.data.get("ocid") and not self.data.get("service_type")
