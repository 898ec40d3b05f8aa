"""The plain-English labels the Django-free engine gives (service types, release tags, document types, contract
terms, classifications, reference rates with their areas and descriptions, Procurement Act notices, ratings and
penalties, the feedback form's questions, answers and kinds of people), and the bulk downloads' titles, marked
here for translation so `makemessages` finds them and templates can show them with ``{% translate label %}``.
tests/explore/test_engine_labels.py keeps this list in step with the engine.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from opencare.ocds.feedback_counts import QUESTIONS, RESPONDENT_TYPES
from opencare.ocds.performance import CLASSIFICATIONS, WORKER_PAY
from opencare.ocds.procurement_act import NOTICE_TYPES, RATINGS
from opencare.ocds.promises import DOCUMENT_TYPES, PENALTY_TYPES, TERMS
from opencare.ocds.reference_rates import reference_rates
from opencare.ocds.release_changes import TAGS
from opencare.ocds.service_types import BY_CODE
from opencare.registry.bulk import DATASETS, DESCRIPTIONS
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
    gettext_noop("Bidding documents"), gettext_noop("Planned procurement notice"),
    gettext_noop("Market engagement notice"), gettext_noop("Tender cancellation notice"),
    gettext_noop("Performance notice"), gettext_noop("Contract termination notice"),
    gettext_noop("Pay and working conditions"), gettext_noop("How performance is measured"),
    gettext_noop("How the provider is paid"), gettext_noop("What happens if standards are missed"),
    gettext_noop("National Living Wage"), gettext_noop("Real Living Wage"), gettext_noop("London Living Wage"),
    gettext_noop("Homecare Association Minimum Price for Homecare"),
    gettext_noop("Pipeline notice"), gettext_noop("Preliminary market engagement notice"),
    gettext_noop("Planned procurement notice"), gettext_noop("Tender notice"), gettext_noop("Transparency notice"),
    gettext_noop("Contract award notice"), gettext_noop("Contract details notice"),
    gettext_noop("Payments compliance notice"), gettext_noop("Contract performance notice"),
    gettext_noop("Contract change notice"), gettext_noop("Contract termination notice"),
    gettext_noop("Procurement termination notice"), gettext_noop("Dynamic market notice: intention to establish"),
    gettext_noop("Dynamic market notice: establishment"), gettext_noop("Dynamic market notice: modification"),
    gettext_noop("Dynamic market notice: cessation"), gettext_noop("Utilities dynamic market notice"),
    gettext_noop("Good"), gettext_noop("Approaching target"), gettext_noop("Requires improvement"),
    gettext_noop("Inadequate"), gettext_noop("Other"),
    gettext_noop("The provider met or beat the KPI."), gettext_noop("The provider was close to meeting the KPI."),
    gettext_noop("The provider was below the KPI and must improve."),
    gettext_noop("The provider was well below the KPI."),
    gettext_noop("The council rated the KPI another way and says why in the notice."),
    gettext_noop("as the contract sets out"), gettext_noop("imposed by a court or tribunal"),
    gettext_noop("agreed in a settlement"),
    gettext_noop("Every contracting process"), gettext_noop("Social care contracting processes"),
    gettext_noop("Compiled releases, one contracting process a line"),
    gettext_noop("Every release, as published, in one release package"),
    gettext_noop("Compiled releases flattened to a spreadsheet, one sheet per list"),
    gettext_noop("Compiled releases flattened to CSV files, one per list, in a zip"),
    gettext_noop("Process summaries with each compiled release as JSON text"),
    gettext_noop("Did your care workers arrive on time last month?"), gettext_noop("Always or nearly always"),
    gettext_noop("Mostly"), gettext_noop("Rarely or never"), gettext_noop("Do you usually see the same care workers?"),
    gettext_noop("Yes"), gettext_noop("Sometimes"), gettext_noop("No"),
    gettext_noop("Would you recommend this service?"), gettext_noop("Not sure"),
    gettext_noop("I get support from this service"),
    gettext_noop("I am a family member or friend of someone who does"),
    gettext_noop("I am a care worker for this service"), gettext_noop("I am a social worker or health professional"),
    gettext_noop("Someone else"),
    gettext_noop("UK"), gettext_noop("UK outside London"), gettext_noop("London"), gettext_noop("England"),
    gettext_noop(
        "The legal minimum hourly pay for workers aged 21 and over (23 and over before April 2024), set by the UK "
        "Government each April."
    ),
    gettext_noop(
        "The hourly pay the Living Wage Foundation calculates from the cost of living, paid voluntarily by accredited "
        "employers and promised in many care contracts."
    ),
    gettext_noop("The Real Living Wage for work in London, higher because living costs are."),
    gettext_noop(
        "The lowest price per hour the Homecare Association calculates lets a provider pay the National Living Wage "
        "for all working time, travel and on-costs and run a sustainable service. A benchmark, not a legal minimum."
    ),
    gettext_noop("CC BY 4.0 (this compilation); the figures are published by the sources named with each rate"),
    gettext_noop("£ per hour"),
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
        *(series.area for series in reference_rates().series),
        *(series.about for series in reference_rates().series),
        reference_rates().licence["name"],
        *(benchmark["unit_note"] for benchmark in reference_rates().benchmarks(WORKER_PAY)),
        *(notice.name for notice in NOTICE_TYPES.values()),
        *(rating.name for rating in RATINGS.values()),
        *(rating.meaning for rating in RATINGS.values()),
        *PENALTY_TYPES.values(),
        *(title for title, _ in DATASETS.values()),
        *DESCRIPTIONS.values(),
        *(question for question, _ in QUESTIONS.values()),
        *(words for _, answers in QUESTIONS.values() for _, words in answers),
        *RESPONDENT_TYPES.values(),
    }
