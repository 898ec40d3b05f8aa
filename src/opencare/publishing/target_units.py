"""How a target is shown to the person setting it: its unit (a £ before, a % or "hours" after the box) and which
way is better, from the metric catalogue, on the form and on check-your-answers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: What a target box shows before and after the figure, and the unit in words for its label (the prefix and suffix
#: are hidden from screen readers, as GOV.UK Frontend's are, so the label says the unit).
PERCENT = ("", "%", _("percent"))
HOURS = ("", _("hours"), _("hours"))
COUNT = ("", "", _("a number"))
POUNDS = ("\u00a3", "", _("pounds"))
POUNDS_AN_HOUR = ("\u00a3", _("an hour"), _("pounds an hour"))


@dataclass(frozen=True)
class TargetUnit:
    """A metric's unit as a target box shows it, and which way is better."""

    prefix: str
    suffix: str
    words: str
    better: str  # higher, lower or neither, as the catalogue says


def unit_of(metric: dict[str, Any]) -> TargetUnit:
    """The unit of a catalogue metric (as current_metrics gives it) for its target box."""
    unit_id = str((metric.get("unit") or {}).get("id") or "")
    money = metric.get("currency") == "GBP"
    if money:
        prefix, suffix, words = POUNDS_AN_HOUR if unit_id == "HUR" else POUNDS
    else:
        prefix, suffix, words = {"P1": PERCENT, "HUR": HOURS}.get(unit_id, COUNT)
    return TargetUnit(str(prefix), str(suffix), str(words), str(metric.get("better") or "neither"))


def direction_hint(metric: dict[str, Any]) -> str:
    """The metric's question and which way is better, as the hint under its target box."""
    question = str(metric.get("question") or "")
    sentence = {
        "lower": gettext("%(question)s Lower is better: the target is the most allowed each month."),
        "higher": gettext("%(question)s Higher is better: the target is the least expected each month."),
    }.get(
        unit_of(metric).better,
        gettext("%(question)s Neither higher nor lower is better: the target is the figure expected."),
    )
    return (sentence % {"question": question}).strip()


def target_in_words(metric: dict[str, Any], target: Decimal) -> str:
    """A target as check-your-answers shows it: 'Target: 2%. Lower is better.'"""
    unit = unit_of(metric)
    figure = f"{target:,.2f}" if unit.prefix else f"{target.normalize():f}"
    shown = f"{unit.prefix}{figure}{'' if unit.suffix in ('', '%') else ' '}{unit.suffix}"
    if unit.better == "lower":
        return gettext("Target: %(target)s. Lower is better.") % {"target": shown}
    if unit.better == "higher":
        return gettext("Target: %(target)s. Higher is better.") % {"target": shown}
    return gettext("Target: %(target)s") % {"target": shown}
