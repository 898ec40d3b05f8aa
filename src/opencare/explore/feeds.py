"""Atom feed of new and updated contracting processes, for any buyer, supplier or service (CPV) a reader follows."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from opencare.explore.contract_words import contract_label, status_name
from opencare.registry import selectors
from opencare.registry.models import Process

#: Entries in a feed: the most recently updated processes.
ENTRIES = 50


class ProcessFeed(Feed):
    """`/feeds/processes.atom?buyer=...&supplier=...&cpv=...&social_care=true`: every filter optional."""

    feed_type = Atom1Feed
    description_template = None

    def get_object(self, request: HttpRequest) -> selectors.ProcessFilter:
        cpv = request.GET.get("cpv", "").strip()
        social_care = request.GET.get("social_care", "").strip().lower()
        return selectors.ProcessFilter(
            buyer=_text_parameter(request, "buyer"),
            supplier=_text_parameter(request, "supplier"),
            cpv=cpv if cpv.isdigit() else "",
            social_care={"true": True, "false": False}.get(social_care),
        )

    def title(self, criteria: selectors.ProcessFilter) -> str:
        parts = [
            f"buyer {criteria.buyer}" if criteria.buyer else "",
            f"supplier {criteria.supplier}" if criteria.supplier else "",
            f"CPV {criteria.cpv}" if criteria.cpv else "",
            "social care" if criteria.social_care else "",
        ]
        chosen = ", ".join(part for part in parts if part)
        return f"opencare: new and updated care contracts{f' ({chosen})' if chosen else ''}"

    def link(self, criteria: selectors.ProcessFilter) -> str:
        return reverse("explore:contracts")

    def subtitle(self, criteria: selectors.ProcessFilter) -> str:
        return "Contracting processes as they are published or updated, newest first."

    def items(self, criteria: selectors.ProcessFilter) -> QuerySet[Process]:
        processes = selectors.filtered_processes(criteria).defer("compiled_release")
        return processes.order_by("-updated_at", "-pk")[:ENTRIES]

    def item_title(self, process: Process) -> str:
        """The contract's title and council, as people name it (the OCID stays in the entry's id)."""
        return contract_label(title=process.title, buyer=process.buyer_name)

    def item_description(self, process: Process) -> str:
        facts = [f"Buyer: {process.buyer_name or 'not published'}"]
        if process.supplier_names:
            facts.append(f"Provider: {', '.join(process.supplier_names)}")
        if process.status:
            facts.append(f"Status: {status_name(process.status)}")
        if process.value_amount is not None:
            facts.append(f"Value: {process.value_amount:,.2f} {process.value_currency}".rstrip())
        return ". ".join(facts + _how_it_is_going(process)) + "."

    def item_link(self, process: Process) -> str:
        return reverse("explore:contract", args=[process.ocid])

    def item_guid(self, process: Process) -> str:
        return process.ocid

    def item_updateddate(self, process: Process) -> datetime:
        return process.updated_at

    def item_pubdate(self, process: Process) -> datetime | None:
        return process.last_release_date


def _how_it_is_going(process: Process) -> list[str]:
    """What the contract page's "How it's going" says in one line, from the facts kept on the process (judged as the
    page judges them: pay against every promise), so a reader of the feed learns of a missed target too."""
    facts = []
    if process.price_per_hour is not None:
        facts.append(f"Price per hour: £{process.price_per_hour:,.2f}")
    if process.worker_pay_per_hour is not None:
        facts.append(f"Care worker pay per hour: £{process.worker_pay_per_hour:,.2f}")
    if process.signal == "below":
        facts.append(f"Below target in the last year of figures: {', '.join(process.targets_below)}")
    elif process.signal == "meeting":
        facts.append("Every measure with a target met it in the last year of figures")
    return facts


def _text_parameter(request: HttpRequest, name: str) -> str:
    """A filter from the address, without control characters (XML 1.0 cannot hold them), at most 200 characters."""
    text = "".join(ch for ch in request.GET.get(name, "") if unicodedata.category(ch) != "Cc")
    return text.strip()[:200]
