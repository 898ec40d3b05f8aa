"""What every flow shares: where it is (FlowContext), what it is (Flow), and the release builder it gives (Builder)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.utils import timezone

from opencare.ocds import release_builder as rb
from opencare.ocds.performance import ContractOnRecord, contracts_on_record
from opencare.publishing.models import Publisher

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


def contract_of(ctx: FlowContext) -> ContractOnRecord:
    """The contract the flow is about; LookupError for a flow that has none (those flows need one)."""
    if ctx.contract is None:
        raise LookupError("This flow needs a contract.")
    return ctx.contract


def today_iso() -> str:
    """Now, in UTC, as releases give their dates."""
    return timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
