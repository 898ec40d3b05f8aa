"""The publishing forms: what a commissioner or provider answers, checked with messages they can act on.

Documents are uploaded (the file is checked and kept by the site) or linked (an https address); a form keeps the
key of an uploaded document in a hidden field, so answers saved as a draft can be checked and published later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencare.ocds.service_types import SERVICE_TYPES, service_type
from opencare.publishing.models import Publisher
from opencare.publishing.providers import NEW, REGISTERS, NamedProvider, register_number
from opencare.publishing.target_units import direction_hint, unit_of
from opencare.publishing.typed_dates import UKDateField

#: The CPV code given for each service type: the most specific code that names it.
LOCAL_UNITS = {
    "P1": {"scheme": "UNCEFACT", "id": "P1", "name": "percent"},
    "C62": {"scheme": "UNCEFACT", "id": "C62", "name": "one"},
    "HUR": {"scheme": "UNCEFACT", "id": "HUR", "name": "hour"},
}
METRIC_ROWS = 6


@dataclass(frozen=True)
class DocumentSlot:
    """A document a form asks for: its OCDS document type and how it is described to the person."""

    name: str
    document_type: str
    label: str
    hint: str
    required: bool = False


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    """A date typed as text in any of the common UK forms, read day first (typed_dates)."""
    return UKDateField(label=label, required=required)


#: Thousands written with commas, as people write them: 4,500,000 or 1,234.50 (never 4,5, which could be a decimal).
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class FigureField(forms.DecimalField):
    """A figure as people type it: with a £ sign, thousands commas or a % sign ("£4,500,000", "2%"), or without."""

    default_error_messages = {
        "invalid": "Enter a number, like 4,500,000, £12.50 or 2%",
    }

    def to_python(self, value: Any) -> Any:
        """The figure without the £, % and thousands commas that people type around numbers."""
        if isinstance(value, str):
            text = value.strip().replace("\u00a3", "", 1).removesuffix("%").strip()
            value = text.replace(",", "") if THOUSANDS.match(text) else text
        return super().to_python(value)


def money_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    """An amount of money in pounds, never negative."""
    return FigureField(
        label=label, required=required, min_value=0, max_digits=14, decimal_places=2, help_text=help_text
    )


def page_range(text: str) -> tuple[str, str]:
    """'14-22' → ('14', '22'); '5' → ('5', '5'); '' → ('', ''). Raises ValidationError otherwise."""
    text = text.strip().replace("\N{EN DASH}", "-").replace(" to ", "-")
    if not text:
        return "", ""
    start, _, end = (part.strip() for part in text.partition("-"))
    end = end or start
    if not (start.isdigit() and end.isdigit()) or int(start) > int(end):
        raise ValidationError(f"Enter pages as a number or a range, like 14-22, not '{text}'.")
    return start, end


class DocumentFields(forms.Form):
    """A form with document slots: each is a file, or an https link, with the pages that matter."""

    slots: tuple[DocumentSlot, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in self.slots:
            self.fields[f"{slot.name}_file"] = forms.FileField(
                label=f"{slot.label}: upload the file",
                required=False,
                help_text=f"{slot.hint} PDF, Word, Excel, OpenDocument, CSV or plain text.",
            )
            self.fields[f"{slot.name}_url"] = forms.URLField(
                label=f"{slot.label}: or give its web address",
                required=False,
                assume_scheme="https",
                help_text="If it is already published elsewhere, for example on your website.",
            )
            self.fields[f"{slot.name}_pages"] = forms.CharField(
                label=f"{slot.label}: pages that matter", required=False, help_text="For example, 14-22"
            )
            self.fields[f"{slot.name}_document"] = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for slot in self.slots:
            has_file = bool(cleaned.get(f"{slot.name}_file") or cleaned.get(f"{slot.name}_document"))
            url = cleaned.get(f"{slot.name}_url") or ""
            if url and not url.lower().startswith(("https://", "http://")):
                self.add_error(f"{slot.name}_url", "Give a web address starting with https://")
            if has_file and url:
                self.add_error(f"{slot.name}_url", f"Give the {slot.label.lower()} as a file or a link, not both.")
            if slot.required and not has_file and not url:
                self.add_error(f"{slot.name}_file", f"Upload the {slot.label.lower()} or give its web address.")
            try:
                cleaned[f"{slot.name}_pages"] = page_range(cleaned.get(f"{slot.name}_pages") or "")
            except ValidationError as error:
                self.add_error(f"{slot.name}_pages", error)
        return cleaned


class ProcessForm(DocumentFields):
    """A new contracting process, as a commissioner describes it."""

    slots = (
        DocumentSlot(
            "spec",
            "technicalSpecifications",
            "Service specification",
            "What the service must do and the standards it must meet.",
            required=True,
        ),
        DocumentSlot(
            "outcomes",
            "technicalSpecifications",
            "Outcomes framework",
            "What people getting support should be able to say.",
        ),
    )

    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Say what the service is and where, for example 'Home care in North Borsetdale'.",
    )
    description = forms.CharField(label="Description", widget=forms.Textarea, max_length=5000)
    service = forms.ChoiceField(
        label="Type of service", choices=[(service.code, service.name) for service in SERVICE_TYPES]
    )
    place = forms.CharField(label="Area served", max_length=200, help_text="For example, North Borsetdale")
    value = money_field("Estimated total value (£)", required=True)
    start = date_field("Contract starts")
    end = date_field("Contract ends")
    lots = forms.CharField(
        label="Lots (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One lot per line, for example 'North' or 'North | 600000' with its value in pounds.",
    )
    options = forms.CharField(label="Options to extend (optional)", required=False, max_length=1000)
    award_criteria = forms.CharField(
        label="How bids are judged (optional)",
        required=False,
        max_length=1000,
        help_text="For example, 'Quality 70% (including the method statement), price 30%'.",
    )

    def clean_lots(self) -> list[dict[str, str]]:
        lots = []
        for number, line in enumerate((self.cleaned_data.get("lots") or "").splitlines(), start=1):
            if not line.strip():
                continue
            title, _, value = (part.strip() for part in line.partition("|"))
            value = value.replace(",", "").replace("£", "")
            if value and not value.replace(".", "", 1).isdigit():
                raise ValidationError(f"Line {number}: the value after '|' must be an amount in pounds, like 600000.")
            lots.append({"id": str(len(lots) + 1), "title": title, "value": value})
        return lots

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", "The contract must end after it starts.")
        title, service = cleaned.get("title"), cleaned.get("service")
        if title and service:
            found = service_type({"title": title}, social_care=True)
            if found.code != service:
                chosen = next(s.name for s in SERVICE_TYPES if s.code == service)
                self.add_error(
                    "title",
                    f"Say in the title that this is {chosen.lower()}: people find contracts "
                    f"by it (for example '{chosen} in {cleaned.get('place') or 'your area'}').",
                )
        return cleaned


class MetricRows(forms.Form):
    """A target box for each catalogue metric a contract can agree, showing its unit and which way is better; and
    one local metric.

    Older drafts (and programs) give targets as rows of a metric and a target (metric_1, target_1...): those
    fields are kept, hidden, and read as well."""

    def __init__(self, *args: Any, metrics: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics
        for number, (metric_id, metric) in enumerate(metrics.items()):
            unit = unit_of(metric)
            field = FigureField(
                label=_("%(title)s: target (%(unit)s)") % {"title": metric["title"], "unit": unit.words},
                required=False,
                max_digits=14,
                decimal_places=4,
                help_text=direction_hint(metric),
            )
            field.prefix, field.suffix = unit.prefix, unit.suffix
            if number == 0:
                field.group_heading = _("Targets")
                field.group_hint = _(
                    "Give a target for each measure the contract holds the provider to. Leave the others empty."
                )
            self.fields[f"target__{metric_id}"] = field
        choices = [("", ""), *((metric_id, metric["title"]) for metric_id, metric in metrics.items())]
        for row in range(1, METRIC_ROWS + 1):
            self.fields[f"metric_{row}"] = forms.ChoiceField(
                label=f"Metric {row}", choices=choices, required=False, widget=forms.HiddenInput
            )
            self.fields[f"target_{row}"] = FigureField(
                label=f"Target for metric {row}",
                required=False,
                max_digits=14,
                decimal_places=4,
                widget=forms.HiddenInput,
            )
        self.fields["local_title"] = forms.CharField(
            label="A metric of your own (optional)",
            required=False,
            max_length=200,
            help_text="Only if the catalogue has nothing like it. Administrators see local metrics and may add them.",
        )
        self.fields["local_unit"] = forms.ChoiceField(
            label="Its unit",
            required=False,
            choices=[("P1", "Percent"), ("C62", "A count"), ("HUR", "Hours")],
        )
        self.fields["local_better"] = forms.ChoiceField(
            label="Which is better", required=False, choices=[("higher", "Higher"), ("lower", "Lower")]
        )
        self.fields["local_target"] = FigureField(
            label="Its target",
            required=False,
            max_digits=14,
            decimal_places=4,
            help_text=_("In the unit you chose for it."),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        boxed = {metric_id for metric_id in self.metrics if cleaned.get(f"target__{metric_id}") is not None}
        seen: set[str] = set()
        for row in range(1, METRIC_ROWS + 1):
            metric, target = cleaned.get(f"metric_{row}"), cleaned.get(f"target_{row}")
            if metric and target is None:
                self.add_error(f"target_{row}", f"Give a target for metric {row}, or leave the metric empty.")
            if target is not None and not metric:
                self.add_error(f"metric_{row}", f"Choose the metric that target {row} is for.")
            if metric and (metric in seen or metric in boxed):
                self.add_error(f"metric_{row}", "Each metric can be chosen once.")
            seen.add(metric)
        if cleaned.get("local_title") and cleaned.get("local_target") is None:
            self.add_error("local_target", "Give a target for your own metric.")
        return cleaned

    def chosen(self) -> list[tuple[str, Decimal]]:
        """The (metric id, target) pairs given, in catalogue order, then any given as rows."""
        return chosen_targets(self.cleaned_data, list(self.metrics))

    @property
    def first_target(self) -> str:
        """The name of the first target box, where a missing target is pointed out."""
        return next((name for name in self.fields if name.startswith("target__")), "local_title")


def chosen_targets(cleaned: dict[str, Any], metric_ids: list[str]) -> list[tuple[str, Decimal]]:
    """The (metric id, target) pairs a targets form was given: each target box filled, then the rows of older
    drafts (metric_1, target_1...)."""
    rows = [
        (metric_id, cleaned[f"target__{metric_id}"])
        for metric_id in metric_ids
        if cleaned.get(f"target__{metric_id}") is not None
    ]
    for row in range(1, METRIC_ROWS + 1):
        metric, target = cleaned.get(f"metric_{row}"), cleaned.get(f"target_{row}")
        if metric and target is not None and metric not in {chosen for chosen, _target in rows}:
            rows.append((metric, target))
    return rows


class ProviderChoiceField(forms.ChoiceField):
    """The list of providers; a draft saved before providers were listed by identifier names one by its account
    number, which is read as that account's provider."""

    def to_python(self, value: Any) -> str:
        """The chosen value; an account's number (an older draft) as that account's scheme and identifier."""
        text = super().to_python(value)
        if text.isdigit():
            account = Publisher.objects.filter(pk=int(text), kind=Publisher.Kind.PROVIDER).first()
            if account is not None:
                return f"{account.scheme}|{account.identifier}"
        return text


class ContractForm(MetricRows, DocumentFields):
    """The award and signed contract, with what the provider is paid and commits to."""

    slots = (
        DocumentSlot("signed", "contractSigned", "Signed contract", "The contract as signed."),
        DocumentSlot("pricing", "contractSchedule", "Pricing schedule", "The hourly rates and how they change."),
    )

    def __init__(self, *args: Any, providers: list[NamedProvider], lots: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.providers = {provider.key: provider for provider in providers}
        self.fields["provider"] = ProviderChoiceField(
            label=_("Provider"),
            choices=[
                ("", _("Choose the provider")),
                *((provider.key, provider.name) for provider in providers),
                (NEW, _("A provider not in this list: name it below")),
            ],
            help_text=_("Every provider in published data is listed, with an account here or not."),
        )
        self.fields["new_provider_name"] = forms.CharField(
            label=_("A provider not in the list: its name"),
            required=False,
            max_length=200,
            help_text=_("As it is registered, for example 'Saltmarsh Care Ltd'."),
        )
        self.fields["new_provider_register"] = forms.ChoiceField(
            label=_("The register it is on"),
            required=False,
            choices=[("", _("Choose the register")), *((r.code, r.name) for r in REGISTERS.values())],
        )
        self.fields["new_provider_number"] = forms.CharField(
            label=_("Its number on that register"),
            required=False,
            max_length=20,
            help_text=_(
                "Companies House: 8 characters, like 01234567 or SC123456. Charity in England and Wales: 6 or 7 "
                "digits, like 1123456. Scottish charity: like SC012345. Northern Ireland charity: like NIC100002."
            ),
        )
        if lots:
            self.fields["lot"] = forms.ChoiceField(label="Lot", choices=lots)
        self.order_fields(
            [
                "provider",
                "new_provider_name",
                "new_provider_register",
                "new_provider_number",
                "lot",
                "title",
                "value",
                "start",
                "end",
                "date_signed",
                "price_per_hour",
                "worker_pay_per_hour",
                "worker_pay_note",
            ]
        )

    title = forms.CharField(label="Contract title", max_length=200)
    value = money_field("Contract value (£)", required=True)
    start = date_field("Contract starts")
    end = date_field("Contract ends")
    date_signed = date_field("Date signed")
    price_per_hour = money_field("Price per hour of care (£)", help_text="What the buyer pays for one hour.")
    worker_pay_per_hour = money_field(
        "Care worker pay per hour (£)", help_text="The lowest hourly pay the provider commits to."
    )
    worker_pay_note = forms.CharField(
        label="Pay commitment in words (optional)",
        required=False,
        max_length=500,
        help_text="For example, 'At least the Real Living Wage; travel time is paid'.",
    )
    social_standards = forms.CharField(label="Pay and conditions", required=False, widget=forms.Textarea)
    performance_terms = forms.CharField(label="How performance is measured", required=False, widget=forms.Textarea)
    financial_terms = forms.CharField(label="How the provider is paid", required=False, widget=forms.Textarea)
    rewards_and_penalties = forms.CharField(
        label="What happens if standards are missed", required=False, widget=forms.Textarea
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", "The contract must end after it starts.")
        if not self.chosen() and not cleaned.get("local_title"):
            self.add_error(
                self.first_target,
                _("Give at least one target: targets are what the contract will hold the provider to."),
            )
        cleaned["named_provider"] = self._named_provider(cleaned)
        return cleaned

    def _named_provider(self, cleaned: dict[str, Any]) -> NamedProvider | None:
        """The provider chosen from the list, or the new one named with its register number (None if not given)."""
        chosen = cleaned.get("provider")
        if chosen != NEW:
            return self.providers.get(chosen or "")
        name = (cleaned.get("new_provider_name") or "").strip()
        if not name:
            self.add_error("new_provider_name", _("Give the name of the provider that is not in the list."))
        try:
            scheme, identifier = register_number(
                cleaned.get("new_provider_register") or "", cleaned.get("new_provider_number") or ""
            )
        except ValidationError as error:
            field = "new_provider_register" if not cleaned.get("new_provider_register") else "new_provider_number"
            self.add_error(field, error)
            return None
        return NamedProvider(scheme, identifier, name) if name else None


class TargetsForm(MetricRows):
    """New or changed targets for a signed contract."""


class ActualsForm(forms.Form):
    """One month's figures for each agreed metric of a contract."""

    month = UKDateField(month=True, label=_("Month the figures are for"))

    def __init__(self, *args: Any, metrics: list[tuple[str, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric_id, title, hint in metrics:
            self.fields[f"figure__{metric_id}"] = FigureField(
                label=title, required=False, max_digits=14, decimal_places=4, help_text=hint
            )
        self.fields["notes"] = forms.CharField(
            label="Notes about the month (optional)",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Published with the figures: explain anything unusual. Never name a person.",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not any(cleaned.get(name) is not None for name in self.fields if name.startswith("figure__")):
            raise ValidationError("Enter at least one figure for the month.")
        return cleaned


class ActualsUploadForm(forms.Form):
    """A spreadsheet of actuals: one row per metric and period."""

    spreadsheet = forms.FileField(
        label="Spreadsheet of actuals (CSV or Excel)",
        help_text="Columns: metric_id, period_start, period_end, value, and optionally notes. One row per metric "
        "and period.",
    )


class ReviewForm(DocumentFields):
    """An interim review of the contract, with its minutes or report."""

    slots = (DocumentSlot("minutes", "physicalProgressReport", "Minutes or report", "What the review found."),)

    title = forms.CharField(label="Review", initial="Quarterly contract review", max_length=200)
    date_met = date_field("Date of the review")
    description = forms.CharField(label="What was reviewed and agreed", widget=forms.Textarea, max_length=5000)

    def clean_date_met(self) -> date:
        """The review was held: a date still to come cannot be published as met (the review check refuses it too)."""
        held = self.cleaned_data["date_met"]
        today = timezone.localdate()
        if held > today:
            raise ValidationError(
                f"The date of the review, {held:%d %B %Y}, is after today ({today:%d %B %Y}). Record a review once "
                "it has been held, with the date it took place."
            )
        return held


class FailureForm(forms.Form):
    """A performance failure and what the buyer did about it."""

    period_start = date_field("Failure period starts")
    period_end = date_field("Failure period ends")
    category = forms.CharField(label="What kind of failure", max_length=200, help_text="For example, missed visits")
    events = forms.IntegerField(label="How many times (optional)", required=False, min_value=0)
    requirement = forms.CharField(label="The standard that was missed", widget=forms.Textarea, max_length=2000)
    description = forms.CharField(label="What happened", widget=forms.Textarea, max_length=5000)
    decision_date = date_field("Date of the decision (optional)", required=False)
    penalty_contracted = forms.CharField(label="What the contract says happens", required=False, max_length=2000)
    penalty_imposed = forms.CharField(label="What the buyer decided", required=False, max_length=2000)
    penalty_paid = forms.ChoiceField(
        label="Has a penalty been paid?",
        choices=[("", "Not applicable"), ("yes", "Yes"), ("no", "No")],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after its start.")
        return cleaned


class MethodStatementForm(DocumentFields):
    """The provider's method statement and the commitments in it, each with its pages."""

    slots = (
        DocumentSlot("statement", "submissionDocuments", "Method statement", "Your method statement.", required=True),
    )

    commitments = forms.CharField(
        label="Commitments in the method statement",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, with its pages after '|', for example 'Care workers are paid for travel time | 4-5'.",
    )

    def clean_commitments(self) -> list[dict[str, str]]:
        commitments = []
        for number, line in enumerate((self.cleaned_data.get("commitments") or "").splitlines(), start=1):
            if not line.strip():
                continue
            text, _, pages = (part.strip() for part in line.partition("|"))
            try:
                start, end = page_range(pages)
            except ValidationError as error:
                raise ValidationError(f"Line {number}: {error.messages[0]}") from error
            commitments.append({"text": text, "page_start": start, "page_end": end})
        if not commitments:
            raise ValidationError("Enter at least one commitment.")
        return commitments


class AmendmentForm(forms.Form):
    """A change to the signed contract: what changed and why."""

    rationale = forms.CharField(label="Why the contract changed", widget=forms.Textarea, max_length=2000)
    description = forms.CharField(label="What changed", widget=forms.Textarea, max_length=2000)
    value = money_field("New contract value (£, optional)")
    end = date_field("New end date (optional)", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("value") is None and cleaned.get("end") is None and not self.errors:
            raise ValidationError("Give the new value, the new end date, or both.")
        return cleaned


class CatalogueMetricForm(forms.Form):
    """A metric an administrator adds to the catalogue, with who asked for it and why."""

    id = forms.SlugField(
        label="Identifier",
        max_length=60,
        help_text="Lower case words joined by '-', for example "
        "'sc-visits-cut-short'. It is used in the data and never changes.",
    )
    title = forms.CharField(label="Title", max_length=200)
    question = forms.CharField(label="The question it answers", max_length=500)
    description = forms.CharField(label="How it is measured", widget=forms.Textarea, max_length=3000)
    why_it_matters = forms.CharField(label="Why it matters", widget=forms.Textarea, max_length=3000)
    unit = forms.ChoiceField(label="Unit", choices=[("P1", "Percent"), ("C62", "A count"), ("HUR", "Hours")])
    better = forms.ChoiceField(
        label="Which is better", choices=[("higher", "Higher"), ("lower", "Lower"), ("neither", "Neither")]
    )
    asked_for_by = forms.CharField(
        label="Who asked for it",
        max_length=500,
        help_text="For example, 'care workers at the Moorside forum, May 2026'.",
    )
    reason = forms.CharField(label="Why it is being added", widget=forms.Textarea, max_length=3000)

    def metric(self) -> dict[str, Any]:
        """The metric as the catalogue file has it."""
        c = self.cleaned_data
        return {
            "id": c["id"],
            "title": c["title"],
            "question": c["question"],
            "description": c["description"],
            "why_it_matters": c["why_it_matters"],
            "asked_for_by": [c["asked_for_by"]],
            "provenance": [],
            "kind": "measure",
            "unit": LOCAL_UNITS[c["unit"]],
            "currency": None,
            "better": c["better"],
            "dimensions": [],
            "aggregate_only": False,
            "benchmarks": [],
            "status": "active",
            "attaches_to": [
                "tender/targets",
                "awards/agreedMetrics",
                "contracts/agreedMetrics",
                "contracts/implementation/metrics",
            ],
        }


class RetireMetricForm(forms.Form):
    """Retiring a metric: it is no longer offered to publishers."""

    metric_id = forms.CharField(widget=forms.HiddenInput)
    asked_for_by = forms.CharField(label="Who asked for it to be retired", max_length=500)
    reason = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}), max_length=3000)


class ProviderClaimForm(forms.Form):
    """Someone from a provider asks for its account, naming it by its register number as a contract does."""

    name = forms.CharField(label=_("The provider's name"), max_length=200)
    register = forms.ChoiceField(
        label=_("The register it is on"),
        choices=[("", _("Choose the register")), *((r.code, r.name) for r in REGISTERS.values())],
    )
    number = forms.CharField(
        label=_("Its number on that register"),
        max_length=20,
        help_text=_("The number the council gave in the contract, for example 01234567 for Companies House."),
    )
    note = forms.CharField(
        label=_("Who you are at the provider, and how an administrator can check"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example, your job and a phone number of the provider's office that is published."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("register") and cleaned.get("number"):
            try:
                cleaned["scheme"], cleaned["identifier"] = register_number(cleaned["register"], cleaned["number"])
            except ValidationError as error:
                self.add_error("number", error)
        return cleaned


class ClaimDecisionForm(forms.Form):
    """An administrator's decision on a provider's claim."""

    claim = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(required=False, max_length=2000)
