"""Each publishing flow: its form, the answers a person checks, and the release those answers become.

A flow's answers are the form's submitted text (plus the keys of uploaded documents), so a saved draft is checked
again by the same form before it is published: what was checked is what is published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms as django_forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from opencare.ocds import release_builder as rb
from opencare.ocds.pay_promises import WagePromise, contract_wage_promises, pay_shortfalls
from opencare.ocds.performance import WORKER_PAY, ContractOnRecord, contracts_on_record
from opencare.ocds.service_types import BY_CODE
from opencare.publishing import forms
from opencare.publishing.catalogue import current_metrics
from opencare.publishing.models import Publisher, StoredDocument
from opencare.publishing.services import party_from_release, party_of

Builder = Callable[[rb.ReleaseHeader], dict[str, Any]]


@dataclass
class FlowContext:
    """What a flow knows about where it is: the organisation, the process and the contract it is about."""

    publisher: Publisher
    ocid: str = ""
    compiled: dict[str, Any] = field(default_factory=dict)
    contract: ContractOnRecord | None = None

    @property
    def contracts(self) -> list[ContractOnRecord]:
        """The contracts of the process the organisation bought or supplies (a joint process has several buyers)."""
        party = self.publisher.party_id
        return [c for c in contracts_on_record(self.compiled) if party in c.buyer_ids or party in c.supplier_ids]


@dataclass(frozen=True)
class Flow:
    """One thing a person can publish."""

    action: str
    heading: str
    needs_contract: bool
    make_form: Callable[[FlowContext, dict | None, dict | None], django_forms.Form]
    summary: Callable[[FlowContext, dict[str, Any]], list[tuple[str, str]]]
    build: Callable[[FlowContext, dict[str, Any]], Builder]
    titles: Callable[[dict[str, Any]], tuple[str, str]] = lambda cleaned: ("", "")


def document_url(document: StoredDocument) -> str:
    """The public address of an uploaded document."""
    path = reverse("publishing:document", args=[document.key, document.filename])
    return settings.OPENCARE_SITE_URL.rstrip("/") + path


def slot_documents(ctx: FlowContext, cleaned: dict[str, Any], slots: tuple[forms.DocumentSlot, ...]) -> list:
    """The documents given in a form's slots, as builder Documents (uploads point at the site's copy)."""
    documents = []
    today = _today_iso()
    for slot in slots:
        key, url = cleaned.get(f"{slot.name}_document") or "", cleaned.get(f"{slot.name}_url") or ""
        page_start, page_end = cleaned.get(f"{slot.name}_pages") or ("", "")
        content_type = ""
        if key:
            stored = StoredDocument.objects.filter(key=key, publisher=ctx.publisher).first()
            if stored is None:
                continue
            url, content_type = document_url(stored), stored.content_type
        if not url:
            continue
        documents.append(
            rb.Document(
                id=f"{slot.name}-{hashlib.sha256(url.encode()).hexdigest()[:10]}",
                document_type=slot.document_type,
                title=slot.label,
                url=url,
                date_published=today,
                format=content_type,
                page_start=page_start,
                page_end=page_end,
                author=ctx.publisher.name,
            )
        )
    return documents


def slot_summary(cleaned: dict[str, Any], slots: tuple[forms.DocumentSlot, ...]) -> list[tuple[str, str]]:
    """How each document slot was answered, for the check-your-answers page."""
    rows = []
    for slot in slots:
        pages = cleaned.get(f"{slot.name}_pages") or ("", "")
        where = "Uploaded" if cleaned.get(f"{slot.name}_document") else (cleaned.get(f"{slot.name}_url") or "None")
        rows.append((slot.label, where + (f", pages {pages[0]} to {pages[1]}" if pages[0] else "")))
    return rows


# --- Create a process -------------------------------------------------------------------------------------------


def _process_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.ProcessForm(data, files)


def _process_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    lots = "; ".join(lot["title"] + (f" (£{lot['value']})" if lot["value"] else "") for lot in c["lots"]) or "None"
    return [
        ("Title", c["title"]),
        ("Description", c["description"]),
        ("Type of service", BY_CODE[c["service"]].name),
        ("Area served", c["place"]),
        ("Estimated value", f"£{c['value']:,}"),
        ("Contract period", f"{c['start']:%d %B %Y} to {c['end']:%d %B %Y}"),
        ("Lots", lots),
        ("Options to extend", c["options"] or "None"),
        ("How bids are judged", c["award_criteria"] or "Not given"),
        *slot_summary(c, forms.ProcessForm.slots),
    ]


def _process_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    cpv, cpv_description = forms.CPV_FOR_SERVICE[c["service"]]
    facts = rb.ProcessFacts(
        title=c["title"],
        description=c["description"],
        cpv_code=cpv,
        cpv_description=cpv_description,
        place=c["place"],
        currency="GBP",
        value=c["value"],
        start=c["start"],
        end=c["end"],
        lots=tuple(
            rb.Lot(lot["id"], lot["title"], Decimal(lot["value"]) if lot["value"] else None) for lot in c["lots"]
        ),
        options=c["options"],
        award_criteria=c["award_criteria"],
        documents=tuple(slot_documents(ctx, c, forms.ProcessForm.slots)),
    )
    return lambda header: rb.tender_release(header, facts)


# --- Award and contract -----------------------------------------------------------------------------------------


def metric_choices() -> list[tuple[str, str]]:
    """Catalogue metrics a contract can agree targets for (price and pay have their own questions)."""
    return [
        (metric_id, metric["title"])
        for metric_id, metric in current_metrics().items()
        if "contracts/agreedMetrics" in metric.get("attaches_to", [])
        and metric_id not in ("sc-price-per-hour", "sc-worker-pay-per-hour")
    ]


def _contract_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    providers = [(str(p.pk), p.name) for p in Publisher.objects.filter(kind=Publisher.Kind.PROVIDER)]
    lots = [
        (str(lot.get("id")), str(lot.get("title") or lot.get("id")))
        for lot in (ctx.compiled.get("tender") or {}).get("lots") or []
        if isinstance(lot, dict)
    ]
    return forms.ContractForm(data, files, providers=providers, lots=lots, metric_choices=metric_choices())


def targets_of(cleaned: dict[str, Any], chosen: list[tuple[str, Decimal]]) -> list[rb.MetricTarget]:
    """The chosen metrics and targets (and the local one) as builder targets."""
    metrics = current_metrics(include_retired=True)
    targets = []
    for metric_id, target in chosen:
        metric = metrics[metric_id]
        targets.append(
            rb.MetricTarget(
                metric_id=metric_id,
                title=metric["title"],
                description=metric.get("description", ""),
                target=target,
                unit=dict(metric["unit"]),
                currency=metric.get("currency") or "",
            )
        )
    if cleaned.get("local_title"):
        targets.append(
            rb.MetricTarget(
                metric_id="local-" + hashlib.sha256(cleaned["local_title"].encode()).hexdigest()[:8],
                title=cleaned["local_title"],
                description=f"A local metric ({cleaned['local_better']} is better).",
                target=cleaned["local_target"],
                unit=forms.LOCAL_UNITS[cleaned["local_unit"]],
            )
        )
    return targets


def _targets_summary(form_cleaned: dict[str, Any]) -> list[tuple[str, str]]:
    titles = dict(metric_choices())
    rows = []
    for row in range(1, forms.METRIC_ROWS + 1):
        metric, target = form_cleaned.get(f"metric_{row}"), form_cleaned.get(f"target_{row}")
        if metric and target is not None:
            rows.append((titles.get(metric, metric), f"Target: {target.normalize():f}"))
    if form_cleaned.get("local_title"):
        rows.append((form_cleaned["local_title"], f"Local metric, target {form_cleaned['local_target']:f}"))
    return rows


def _contract_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    provider = Publisher.objects.get(pk=c["provider"])
    return [
        ("Provider", provider.name),
        ("Contract title", c["title"]),
        ("Value", f"£{c['value']:,}"),
        ("Contract period", f"{c['start']:%d %B %Y} to {c['end']:%d %B %Y}"),
        ("Signed", f"{c['date_signed']:%d %B %Y}"),
        ("Price per hour", f"£{c['price_per_hour']}" if c["price_per_hour"] is not None else "Not given"),
        (
            "Care worker pay per hour",
            f"£{c['worker_pay_per_hour']}" if c["worker_pay_per_hour"] is not None else "Not given",
        ),
        ("Pay commitment", c["worker_pay_note"] or "Not given"),
        ("Pay and conditions", c["social_standards"] or "Not given"),
        ("How performance is measured", c["performance_terms"] or "Not given"),
        ("How the provider is paid", c["financial_terms"] or "Not given"),
        ("What happens if standards are missed", c["rewards_and_penalties"] or "Not given"),
        *_targets_summary(c),
        *slot_summary(c, forms.ContractForm.slots),
    ]


def _contract_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    provider = Publisher.objects.get(pk=c["provider"])
    number = len(ctx.compiled.get("contracts") or []) + 1
    chosen = [(row[0], row[1]) for row in _chosen_rows(c)]
    facts = rb.ContractFacts(
        award_id=f"award-{number}",
        contract_id=f"contract-{number}",
        supplier=party_of(provider),
        title=c["title"],
        currency="GBP",
        value=c["value"],
        start=c["start"],
        end=c["end"],
        date_signed=c["date_signed"],
        price_per_hour=c["price_per_hour"],
        worker_pay_per_hour=c["worker_pay_per_hour"],
        worker_pay_note=c["worker_pay_note"],
        lot_id=c.get("lot") or "",
        terms=rb.ContractTerms(
            c["social_standards"], c["performance_terms"], c["financial_terms"], c["rewards_and_penalties"]
        ),
        targets=tuple(targets_of(c, chosen)),
        documents=tuple(slot_documents(ctx, c, forms.ContractForm.slots)),
    )
    return lambda header: rb.contract_release(header, facts)


def _chosen_rows(cleaned: dict[str, Any]) -> list[tuple[str, Decimal]]:
    rows = []
    for row in range(1, forms.METRIC_ROWS + 1):
        metric, target = cleaned.get(f"metric_{row}"), cleaned.get(f"target_{row}")
        if metric and target is not None:
            rows.append((metric, target))
    return rows


# --- Targets ----------------------------------------------------------------------------------------------------


def _targets_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.TargetsForm(data, metric_choices=metric_choices())


def _targets_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = _contract(ctx)
    targets = targets_of(c, _chosen_rows(c))
    return lambda header: rb.targets_release(header, contract.contract_id, contract.award_id, targets)


# --- Actuals by form --------------------------------------------------------------------------------------------


def _actuals_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    metrics = [(metric.metric_id, metric.title, _target_hint(metric)) for metric in _contract(ctx).agreed]
    return forms.ActualsForm(data, metrics=metrics)


def _target_hint(metric: Any) -> str:
    suffix = "%" if metric.unit.get("id") == "P1" else ""
    if metric.target is None:
        return ""
    better = {"higher": " (higher is better)", "lower": " (lower is better)"}.get(metric.better, "")
    return f"Target: {_figure(metric.target, metric.currency)}{suffix}{better}"


def _figure(amount: Decimal, currency: str) -> str:
    """A figure as a person writes it: money in pounds and pence (£12.60), other figures without trailing zeros."""
    return f"£{amount:,.2f}" if currency == "GBP" else f"{amount.normalize():f}"


def actuals_of(ctx: FlowContext, rows: list[tuple[str, date, date, Decimal, str]]) -> list[rb.Actual]:
    """Figures as builder Actuals, each classified met or below against the contract's target; care workers' pay
    is met only if it also meets every wage the contract promises and the legal minimum for its period."""
    agreed = {metric.metric_id: metric for metric in _contract(ctx).agreed}
    actuals = []
    for metric_id, start, end, amount, notes in rows:
        metric = agreed[metric_id]
        classification = rb.classification_against(amount, metric.target, metric.better)
        if metric_id == WORKER_PAY and classification in ("", "met"):
            floors, applied = pay_shortfalls(amount, start, {}, _wage_promises(ctx))
            classification = "below" if floors else ("met" if applied else classification)
        actuals.append(
            rb.Actual(
                metric_id=metric_id,
                title=metric.title,
                period_start=start,
                period_end=end,
                amount=amount,
                unit=dict(metric.unit),
                currency=metric.currency,
                classification=classification,
                notes=notes,
            )
        )
    return actuals


def _month_rows(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, date, date, Decimal, str]]:
    start = c["month"].replace(day=1)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return [
        (name.removeprefix("figure__"), start, end, value, c.get("notes") or "")
        for name, value in c.items()
        if name.startswith("figure__") and value is not None
    ]


def actuals_summary(actuals: list[rb.Actual], ctx: FlowContext | None = None) -> list[tuple[str, str]]:
    """Each figure with its period and how it compares to the target; care workers' pay, given the flow's context,
    with each promised wage and legal minimum it is below, in words."""
    words = {"met": "meets the target", "below": "below the target", "": "no target to compare with"}
    rows = []
    for actual in actuals:
        figure = _figure(actual.amount, actual.currency)
        result = f"{figure}: {words[actual.classification]}"
        if ctx is not None and actual.metric_id == WORKER_PAY:
            floors, applied = pay_shortfalls(actual.amount, actual.period_start, {}, _wage_promises(ctx))
            if floors:
                result = f"{figure}: below. " + " ".join(floor.sentence for floor in floors)
            elif applied and actual.classification == "met":
                result += ", every wage the contract promises and the legal minimum"
        rows.append((f"{actual.title}, {actual.period_start:%d %b %Y} to {actual.period_end:%d %b %Y}", result))
    return rows


def _wage_promises(ctx: FlowContext) -> tuple[WagePromise, ...]:
    """The wage floors the flow's contract promises (its terms, its agreed pay, its method statement)."""
    contract_id = _contract(ctx).contract_id
    contract = next(
        (c for c in ctx.compiled.get("contracts") or [] if isinstance(c, dict) and c.get("id") == contract_id), {}
    )
    return contract_wage_promises(ctx.compiled, contract)


def _actuals_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [*actuals_summary(actuals_of(ctx, _month_rows(ctx, c)), ctx), ("Notes", c.get("notes") or "None")]


def actuals_builder(ctx: FlowContext, actuals: list[rb.Actual]) -> Builder:
    """The release of a contract's actuals, published by its provider."""
    contract = _contract(ctx)
    supplier = party_of(ctx.publisher)
    return lambda header: rb.actuals_release(header, supplier, contract.contract_id, contract.award_id, actuals)


def _actuals_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    return actuals_builder(ctx, actuals_of(ctx, _month_rows(ctx, c)))


# --- Reviews, failures, method statements, amendments ----------------------------------------------------------


def _review_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.ReviewForm(data, files)


def _review_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Review", c["title"]),
        ("Date", f"{c['date_met']:%d %B %Y}"),
        ("What was reviewed and agreed", c["description"]),
        *slot_summary(c, forms.ReviewForm.slots),
    ]


def _review_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = _contract(ctx)
    review = rb.Review(
        id=f"review-{c['date_met']:%Y-%m-%d}",
        title=c["title"],
        description=c["description"],
        date_met=c["date_met"],
        documents=tuple(slot_documents(ctx, c, forms.ReviewForm.slots)),
    )
    return lambda header: rb.review_release(header, contract.contract_id, contract.award_id, review)


def _failure_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.FailureForm(data)


def _failure_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Period", f"{c['period_start']:%d %B %Y} to {c['period_end']:%d %B %Y}"),
        ("What kind of failure", c["category"]),
        ("How many times", str(c["events"]) if c["events"] is not None else "Not given"),
        ("The standard that was missed", c["requirement"]),
        ("What happened", c["description"]),
        ("Decision", c["penalty_imposed"] or "Not given"),
    ]


def _failure_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = _contract(ctx)
    supplier = _supplier_party(ctx, contract)
    failure = rb.Failure(
        id=f"failure-{c['period_start']:%Y-%m-%d}",
        period_start=c["period_start"],
        period_end=c["period_end"],
        category=c["category"],
        events=c["events"],
        requirement=c["requirement"],
        description=c["description"],
        decision_date=c["decision_date"],
        penalty_contracted=c["penalty_contracted"],
        penalty_imposed=c["penalty_imposed"],
        penalty_paid={"yes": True, "no": False}.get(c["penalty_paid"]),
    )
    return lambda header: rb.failure_release(header, supplier, contract.contract_id, contract.award_id, failure)


def _method_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.MethodStatementForm(data, files)


def _method_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [
        (
            f"Commitment {n}",
            f"{item['text']} (pages {item['page_start']} to {item['page_end']})"
            if item["page_start"]
            else item["text"],
        )
        for n, item in enumerate(c["commitments"], start=1)
    ]
    return [*rows, *slot_summary(c, forms.MethodStatementForm.slots)]


def _method_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = _contract(ctx)
    statement = slot_documents(ctx, c, forms.MethodStatementForm.slots)[0]
    documents = [
        rb.Document(
            id=f"{statement.id}-{number}",
            document_type="submissionDocuments",
            title=f"Method statement: {item['text']}",
            url=statement.url,
            date_published=statement.date_published,
            format=statement.format,
            page_start=item["page_start"],
            page_end=item["page_end"],
            author=ctx.publisher.name,
        )
        for number, item in enumerate(c["commitments"], start=1)
    ]
    supplier = party_of(ctx.publisher)
    return lambda header: rb.documents_release(header, supplier, contract.contract_id, contract.award_id, documents)


def _amendment_form(ctx: FlowContext, data: dict | None, files: dict | None) -> django_forms.Form:
    return forms.AmendmentForm(data)


def _amendment_summary(ctx: FlowContext, c: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        ("Why the contract changed", c["rationale"]),
        ("What changed", c["description"]),
        ("New value", f"£{c['value']:,}" if c["value"] is not None else "Unchanged"),
        ("New end date", f"{c['end']:%d %B %Y}" if c["end"] else "Unchanged"),
    ]


def _amendment_build(ctx: FlowContext, c: dict[str, Any]) -> Builder:
    contract = _contract(ctx)
    amendment = rb.Amendment(
        id=f"amendment-{_today_iso()[:10]}-{hashlib.sha256(c['rationale'].encode()).hexdigest()[:6]}",
        rationale=c["rationale"],
        description=c["description"],
        value=c["value"],
        end=c["end"],
    )
    return lambda header: rb.amendment_release(
        header, contract.contract_id, contract.award_id, amendment, contract.currency, contract.start
    )


def _contract(ctx: FlowContext) -> ContractOnRecord:
    if ctx.contract is None:
        raise LookupError("This flow needs a contract.")
    return ctx.contract


def _supplier_party(ctx: FlowContext, contract: ContractOnRecord) -> rb.Party:
    for party in ctx.compiled.get("parties") or []:
        if isinstance(party, dict) and party.get("id") in contract.supplier_ids:
            return party_from_release(party)
    raise LookupError("The contract names no provider.")


def _today_iso() -> str:
    return timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")


FLOWS: dict[str, Flow] = {
    flow.action: flow
    for flow in (
        Flow(
            "create-process",
            "Create a contracting process",
            False,
            _process_form,
            _process_summary,
            _process_build,
            titles=lambda c: (c["title"], c["description"]),
        ),
        Flow(
            "publish-contract",
            "Publish the award and contract",
            False,
            _contract_form,
            _contract_summary,
            _contract_build,
        ),
        Flow(
            "set-targets",
            "Set or change targets",
            True,
            _targets_form,
            lambda ctx, c: _targets_summary(c),
            _targets_build,
        ),
        Flow("publish-actuals", "Enter a month's figures", True, _actuals_form, _actuals_summary, _actuals_build),
        Flow("record-review", "Record an interim review", True, _review_form, _review_summary, _review_build),
        Flow("record-failure", "Record a performance failure", True, _failure_form, _failure_summary, _failure_build),
        Flow(
            "publish-method-statement",
            "Publish your method statement",
            True,
            _method_form,
            _method_summary,
            _method_build,
        ),
        Flow("amend-contract", "Amend the contract", True, _amendment_form, _amendment_summary, _amendment_build),
    )
}
