"""Each publishing flow: its form, the answers a person checks, and the release those answers become.

A flow's answers are the form's submitted text (plus the keys of uploaded documents), so a saved draft is checked
again by the same form before it is published: what was checked is what is published. Each flow has its module
(its FLOW); what they share is in ``context`` and ``documents``; FLOWS has them all by action.
"""

from __future__ import annotations

from opencare.publishing.flows import (
    actuals,
    amendments,
    contract,
    failures,
    interim_reviews,
    method_statements,
    process,
    targets,
)
from opencare.publishing.flows.context import Flow

FLOWS: dict[str, Flow] = {
    flow.action: flow
    for flow in (
        process.FLOW,
        contract.FLOW,
        targets.FLOW,
        actuals.FLOW,
        interim_reviews.FLOW,
        failures.FLOW,
        method_statements.FLOW,
        amendments.FLOW,
    )
}
