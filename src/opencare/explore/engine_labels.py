"""The plain-English labels the Django-free engine gives (service types, release tags, document types, contract
terms, classifications, reference rates), marked here for translation so `makemessages` finds them and templates
can show them with ``{% translate label %}``. tests/explore/test_engine_labels.py keeps this list in step with the
engine.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from opencare.ocds.performance import CLASSIFICATIONS
from opencare.ocds.promises import DOCUMENT_TYPES, TERMS
from opencare.ocds.reference_rates import reference_rates
from opencare.ocds.release_changes import TAGS
from opencare.ocds.service_types import BY_CODE
from opencare.registry.search import SIGNALS

LABELS = (
    gettext_noop("Home care"), gettext_noop("Reablement"), gettext_noop("Supported living"),
    gettext_noop("Day opportunities"), gettext_noop("Residential and nursing care"),
    gettext_noop("Support for carers"),
    gettext_noop("Other social care"), gettext_noop("Not social care"),
    gettext_noop("Below target"), gettext_noop("Meeting targets"), gettext_noop("No figures published"),
    gettext_noop("Met"), gettext_noop("Slightly below"), gettext_noop("Below"), gettext_noop("Significantly below"),
    gettext_noop("Planning notice"), gettext_noop("Planning notice updated"), gettext_noop("Tender published"),
    gettext_noop("Tender amended"), gettext_noop("Tender updated"), gettext_noop("Tender cancelled"),
    gettext_noop("Contract awarded"), gettext_noop("Award updated"), gettext_noop("Award cancelled"),
    gettext_noop("Contract signed"), gettext_noop("Contract updated"), gettext_noop("Contract amended"),
    gettext_noop("Progress report"), gettext_noop("Contract ended"), gettext_noop("Compiled record"),
    gettext_noop("Specification"), gettext_noop("Tender notice"), gettext_noop("Award notice"),
    gettext_noop("Contract notice"), gettext_noop("Signed contract"), gettext_noop("Contract schedule"),
    gettext_noop("Provider's method statement"), gettext_noop("How bids were scored"),
    gettext_noop("Progress report"), gettext_noop("Financial report"), gettext_noop("Contract annex"),
    gettext_noop("Bidding documents"),
    gettext_noop("Pay and working conditions"), gettext_noop("How performance is measured"),
    gettext_noop("How the provider is paid"), gettext_noop("What happens if standards are missed"),
    gettext_noop("National Living Wage"), gettext_noop("Real Living Wage"), gettext_noop("London Living Wage"),
    gettext_noop("Homecare Association Minimum Price for Homecare"),
)  # fmt: skip


def engine_labels() -> set[str]:
    """Every label the engine and the search give, as they are now."""
    return {
        *(service.name for service in BY_CODE.values()),
        *SIGNALS.values(),
        *CLASSIFICATIONS.values(),
        *TAGS.values(),
        *DOCUMENT_TYPES.values(),
        *(name for _, name in TERMS),
        *(series.title for series in reference_rates().series),
    }
