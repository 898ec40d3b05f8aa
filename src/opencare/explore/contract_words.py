"""People's words for what the data says in codes: a contract's name, when it runs, its status, the parties' roles,
the breakdowns of its figures and what each update in its history changed.

The codes themselves (OCID, CPV, release tags, codelist values, field names) are for researchers and stay in the
"About this data" part of the pages; everything here is what a person getting care, their family or a care worker
reads instead. Every sentence is whole and goes through gettext, so that it can be translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from opencare.ocds.procurement_act import Notice
from opencare.ocds.release_changes import Figures, Update
from opencare.registry.contract_pages import HistoryEntry

#: A process's status (the last of its contracts', awards' or tender's codelist values) in words.
STATUSES: dict[str, Promise] = {
    "planning": gettext_lazy("Being planned"),
    "planned": gettext_lazy("Planned"),
    "active": gettext_lazy("Under way"),
    "pending": gettext_lazy("Not signed yet"),
    "complete": gettext_lazy("Finished"),
    "terminated": gettext_lazy("Ended"),
    "cancelled": gettext_lazy("Cancelled"),
    "unsuccessful": gettext_lazy("No contract awarded"),
    "withdrawn": gettext_lazy("Withdrawn"),
}

#: Without dates, the status as a sentence.
STATUS_SENTENCES: dict[str, Promise] = {
    "planning": gettext_lazy("The council is getting ready to buy this service."),
    "planned": gettext_lazy("The council plans to buy this service."),
    "active": gettext_lazy("The contract is under way."),
    "pending": gettext_lazy("The contract has not been signed yet."),
    "complete": gettext_lazy("The contract has finished."),
    "terminated": gettext_lazy("The contract has ended."),
    "cancelled": gettext_lazy("The contract was cancelled."),
    "unsuccessful": gettext_lazy("No contract was awarded."),
    "withdrawn": gettext_lazy("The notice was withdrawn."),
}

#: A party's roles (the partyRole codelist) as what it does in the contract.
ROLES: dict[str, Promise] = {
    "buyer": gettext_lazy("Buys the service"),
    "procuringEntity": gettext_lazy("Runs the tender"),
    "payer": gettext_lazy("Pays for the service"),
    "supplier": gettext_lazy("Provides the care"),
    "payee": gettext_lazy("Is paid for the care"),
    "tenderer": gettext_lazy("Bid for the contract"),
    "funder": gettext_lazy("Funds the service"),
    "reviewBody": gettext_lazy("Hears complaints about the tender"),
    "enquirer": gettext_lazy("Asked about the tender"),
    "interestedParty": gettext_lazy("Has an interest in the contract"),
}

#: The breakdowns of figures the catalogue uses most, as words ((key, value) to a phrase).
BREAKDOWNS: dict[tuple[str, str], Promise] = {
    ("employmentType", "employed"): gettext_lazy("Care workers employed by the provider"),
    ("employmentType", "independent"): gettext_lazy("Self-employed care workers"),
    ("employmentType", "agency"): gettext_lazy("Agency care workers"),
    ("payBasis", "allWorkingTime"): gettext_lazy("paid for all working time, including travel"),
    ("payBasis", "contactTimeOnly"): gettext_lazy("paid only for time with people"),
    ("respondentType", "personGettingSupport"): gettext_lazy("People getting support"),
    ("respondentType", "familyMember"): gettext_lazy("Family members"),
    ("respondentType", "unpaidCarer"): gettext_lazy("Unpaid carers"),
    ("respondentType", "careWorker"): gettext_lazy("Care workers"),
    ("respondentType", "advocate"): gettext_lazy("Advocates"),
    ("respondentType", "other"): gettext_lazy("Other people"),
    ("answer", "yes"): gettext_lazy("answered yes"),
    ("answer", "no"): gettext_lazy("answered no"),
    ("answer", "notSure"): gettext_lazy("answered not sure"),
    ("answer", "otherAnswers"): gettext_lazy("other answers"),
}

#: Updates in a history before they are grouped by year.
GROUP_OVER = 12


def status_name(status: str) -> str:
    """A status in words ("Under way"), or the value made readable when it is not a known code."""
    return str(STATUSES.get(status) or readable(status) or _("Not published"))


def when_sentence(*, start: date | None, end: date | None, status: str, today: date) -> str:
    """When the contract runs, as a sentence worked out from its dates and today's date; without dates, its status
    in words."""
    start_text = date_format(start, "j F Y") if start else ""
    end_text = date_format(end, "j F Y") if end else ""
    if end and end < today:
        if start:
            return _("The contract started on %(start)s and ended on %(end)s.") % {
                "start": start_text,
                "end": end_text,
            }
        return _("The contract ended on %(end)s.") % {"end": end_text}
    if start and start > today:
        if end:
            return _("The contract starts on %(start)s and runs to %(end)s.") % {"start": start_text, "end": end_text}
        return _("The contract starts on %(start)s.") % {"start": start_text}
    if start:
        if end:
            return _("The contract started on %(start)s and runs to %(end)s.") % {"start": start_text, "end": end_text}
        return _("The contract started on %(start)s.") % {"start": start_text}
    if end:
        return _("The contract runs to %(end)s.") % {"end": end_text}
    if status in STATUS_SENTENCES:
        return str(STATUS_SENTENCES[status])
    return _("The notice does not say when the contract runs.")


def role_names(roles: Iterable[str]) -> list[str]:
    """What a party does in the contract, one phrase per role, in the order given."""
    return [str(ROLES.get(role) or readable(role).capitalize()) for role in roles if role]


def breakdown_words(items: Iterable[tuple[str, str]]) -> list[str]:
    """A figure's breakdown (its dimensions) in words, one phrase per dimension; keys and values the catalogue does
    not name are made readable ("timeOfDay: earlyMorning" becomes "time of day: early morning")."""
    words = []
    # Who the figure is about comes first ("People getting support, answered yes").
    for key, value in sorted(items, key=lambda item: item[0] not in ("respondentType", "employmentType")):
        known = BREAKDOWNS.get((key, value))
        words.append(str(known) if known else f"{readable(key)}: {readable(value)}")
    if words:
        words[0] = words[0][:1].upper() + words[0][1:]
    return words


def readable(code: str) -> str:
    """A camelCase code as lower-case words: "allWorkingTime" becomes "all working time"."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", code).replace("_", " ").lower().strip()


def published_in_language(compiled: dict[str, Any], field: str, language: str) -> str:
    """The publisher's own text of a field in a language, where the notice gives one (OCDS's language variants,
    such as `tender.title_cy` in a bilingual Sell2Wales notice), from the tender first, then the release; or ""."""
    if not language or language.lower().startswith("en"):
        return ""
    for holder in (compiled.get("tender"), compiled):
        if not isinstance(holder, dict):
            continue
        for key in (f"{field}_{language}", f"{field}_{language.upper()}"):
            value = holder.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def contract_label(*, title: str, buyer: str) -> str:
    """How a contract is named to a person: its title and its council ("Home care in the Dales — Borsetdale
    Council"); never its OCID."""
    name = title or (_("A contract of %(buyer)s") % {"buyer": buyer} if buyer else _("A contract with no title"))
    if title and buyer:
        return _("%(title)s — %(buyer)s") % {"title": title, "buyer": buyer}
    return name


def provider_for_buyer(*, provider: str, buyer: str) -> str:
    """Whose figures they are, in the page's language: "Brightwater Home Care for Borsetdale Council"."""
    if not provider:
        return _("No provider named, for %(buyer)s") % {"buyer": buyer} if buyer else _("No provider named")
    return _("%(provider)s for %(buyer)s") % {"provider": provider, "buyer": buyer} if buyer else provider


def update_sentences(update: Update, headline: str) -> list[str]:
    """What one update changed, as sentences: "Tender published: 2 documents and 3 targets.", "Monthly figures for
    March 2025: 4 measures." The headline (the release's tags in words, already translated) is the fallback."""
    sentences = []
    if update.stage == "tender":
        sentences.append(_counted(_("Tender published."), _("Tender published: %(counts)s."), update.tender_documents,
                                  update.tender_targets))  # fmt: skip
    elif update.stage == "tender update":
        sentences.append(_counted(_("Tender changed."), _("Tender changed: %(counts)s."), update.tender_documents,
                                  update.tender_targets))  # fmt: skip
    elif update.stage == "award":
        if update.providers:
            sentences.append(_("Contract awarded to %(providers)s.") % {"providers": ", ".join(update.providers)})
        else:
            sentences.append(_("Contract awarded."))
    elif update.stage == "contract":
        sentences.append(_counted(_("Contract signed."), _("Contract signed: %(counts)s."), update.contract_documents,
                                  update.contract_targets))  # fmt: skip
    # Monthly figures first: they are what most updates are for.
    for figures in sorted(update.figures, key=lambda item: not item.one_month):
        sentences.append(_figures_sentence(figures))
    # Each ngettext() with its words written out, so that makemessages finds them for the Welsh catalogue.
    counted = (
        (update.payments, ngettext("%(count)d payment to the provider.", "%(count)d payments to the provider.",
                                   update.payments)),
        (update.reviews_held, ngettext("%(count)d review meeting held.", "%(count)d review meetings held.",
                                       update.reviews_held)),
        (update.reviews_planned, ngettext("%(count)d review meeting planned.", "%(count)d review meetings planned.",
                                          update.reviews_planned)),
        (update.failures, ngettext("%(count)d performance failure recorded.",
                                   "%(count)d performance failures recorded.", update.failures)),
    )  # fmt: skip
    sentences += [text % {"count": count} for count, text in counted if count]
    if not sentences:
        if update.stage == "progress":
            return [_("Progress report with nothing new.")]
        return [headline + "."]
    return sentences


def _counted(bare: str, with_counts: str, documents: int, targets: int) -> str:
    """ "Contract signed: 13 documents and 10 targets." (each count a whole phrase, so each is translated with its
    own plural), or the bare sentence when there is nothing to count."""
    document_text = ngettext("%(count)d document", "%(count)d documents", documents) % {"count": documents}
    target_text = ngettext("%(count)d target", "%(count)d targets", targets) % {"count": targets}
    if documents and targets:
        counts = _("%(documents)s and %(targets)s") % {"documents": document_text, "targets": target_text}
    elif documents or targets:
        counts = document_text if documents else target_text
    else:
        return bare
    return with_counts % {"counts": counts}


def _figures_sentence(figures: Figures) -> str:
    count = figures.measures
    if figures.one_month:
        month = date_format(figures.end, "F Y")
        sentence = ngettext(
            "Monthly figures for %(month)s: %(count)d measure.",
            "Monthly figures for %(month)s: %(count)d measures.",
            count,
        )
        return sentence % {"month": month, "count": count}
    if figures.start and figures.end:
        # "April to June 2024" within a year, "April 2024 to March 2025" across two.
        same_year = figures.start.year == figures.end.year
        start = date_format(figures.start, "F" if same_year else "F Y")
        end = date_format(figures.end, "F Y")
        return ngettext("Figures for %(start)s to %(end)s: %(count)d measure.",
                        "Figures for %(start)s to %(end)s: %(count)d measures.", count) % {
            "start": start, "end": end, "count": count}  # fmt: skip
    return ngettext("New figures: %(count)d measure.", "New figures: %(count)d measures.", count) % {"count": count}


@dataclass(frozen=True)
class HistoryRow:
    """One update in the history: its date, the notices it is, and what it changed in sentences."""

    day: date | None
    sentences: list[str]
    notices: tuple[Notice, ...]
    headline: str


@dataclass(frozen=True)
class HistoryGroup:
    """The updates of one year (or all of them, when there are few), oldest first."""

    year: int | None
    rows: list[HistoryRow]
    is_latest: bool


def history_groups(entries: Iterable[HistoryEntry]) -> list[HistoryGroup]:
    """The history in sentences, one group per year when there are more than GROUP_OVER updates (so two years of
    monthly reports do not fill the page), else one group."""
    rows = [
        HistoryRow(
            day=entry.release.date.date() if entry.release.date else None,
            sentences=update_sentences(entry.update, _(entry.headline)),
            notices=entry.notices,
            headline=entry.headline,
        )
        for entry in entries
    ]
    if len(rows) <= GROUP_OVER:
        return [HistoryGroup(None, rows, True)] if rows else []
    years: dict[int | None, list[HistoryRow]] = {}
    for row in rows:
        years.setdefault(row.day.year if row.day else None, []).append(row)
    last = list(years)[-1]
    return [HistoryGroup(year, year_rows, year == last) for year, year_rows in years.items()]
