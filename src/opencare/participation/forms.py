"""The feedback form (and its easy read version), the moderator's decision and the reply forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from opencare.ocds.feedback_counts import QUESTIONS, RESPONDENT_TYPES
from opencare.participation.models import Feedback, Reply

DONT_KNOW = ("", _("I don't know or prefer not to say"))


def recent_months(today: date, count: int = 3) -> list[tuple[str, str]]:
    """The last few whole months, newest first, as ('2026-10', 'October 2026') pairs, named in the page's language."""
    months = []
    year, month = today.year, today.month
    for _month in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        first = date(year, month, 1)
        months.append((first.strftime("%Y-%m"), formats.date_format(first, "F Y")))
    return months


class FeedbackForm(forms.Form):
    """What a person says about a contract's service. No account is needed."""

    respondent_type = forms.ChoiceField(
        label=_("Who are you?"),
        # The engine's words (opencare.ocds, marked in opencare.explore.engine_labels), in the page's language.
        choices=[(code, _(words)) for code, words in RESPONDENT_TYPES.items()],
        widget=forms.RadioSelect,
    )
    story = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What is going well, or what could be better? Do not include names, addresses or anything that "
            "could identify you or anyone else: a moderator removes them before anything is published."
        ),
    )
    email = forms.EmailField(
        label=_("Your email address (optional)"),
        required=False,
        help_text=_("Only to tell you when the provider or council replies. It is never published or shared."),
    )
    # Hidden from people (and from screen readers): only programs fill it in.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: date, contracts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about_month"] = forms.ChoiceField(
            label=_("Which month are you telling us about?"), choices=recent_months(today), widget=forms.RadioSelect
        )
        if len(contracts) > 1:
            self.fields["contract"] = forms.ChoiceField(
                label=_("Which part of the service?"), choices=contracts, widget=forms.RadioSelect
            )
        for metric_id, (question, answers) in QUESTIONS.items():
            self.fields[f"q__{metric_id}"] = forms.ChoiceField(
                label=_(question),
                choices=[*((value, _(words)) for value, words in answers), DONT_KNOW],
                required=False,
                widget=forms.RadioSelect,
            )
        self.order_fields(["respondent_type", "contract", "about_month", *[f"q__{m}" for m in QUESTIONS], "story"])

    def answers(self) -> dict[str, str]:
        """The questions answered, by metric id."""
        return {
            name.removeprefix("q__"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q__") and value
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not self.answers() and not (cleaned.get("story") or "").strip():
            raise forms.ValidationError(_("Answer at least one question or tell us more."))
        return cleaned

    def about_month(self) -> date:
        """The first day of the month chosen."""
        year, month = self.cleaned_data["about_month"].split("-")
        return date(int(year), int(month), 1)


#: The easy read form's answer for "I do not know": an answer of its own, so every question can be required (and
#: name itself when it is missed), but never counted.
EASY_DONT_KNOW = "dontKnow"
#: The easy read form asks about one time throughout: the last 4 weeks (docs/easy-read.md).
EASY_READ_WEEKS = 4
#: Each easy read question in easy words: its label, its answers and the error that names it when it is missed.
#: The answers' values are the ordinary form's, so the counts are the same (opencare.ocds.feedback_counts.QUESTIONS).
EASY_READ_QUESTIONS: dict[str, tuple[Any, tuple[tuple[str, Any], ...], Any]] = {
    "sc-feedback-on-time": (
        _("In the last 4 weeks, did your care workers come on time?"),
        (("always", _("Always, or nearly always")), ("mostly", _("Most of the time")), ("rarely", _("Not often"))),
        _("Tell us if your care workers came on time in the last 4 weeks."),
    ),
    "sc-feedback-same-care-workers": (
        _("In the last 4 weeks, did you see the same care workers?"),
        (("yes", _("Yes")), ("sometimes", _("Sometimes")), ("no", _("No"))),
        _("Tell us if you saw the same care workers in the last 4 weeks."),
    ),
    "sc-feedback-recommend": (
        _("Think about the last 4 weeks. Would you tell a friend to use this care?"),
        (("yes", _("Yes")), ("notSure", _("Not sure")), ("no", _("No"))),
        _("Tell us if you would tell a friend to use this care."),
    ),
}
#: Who is telling us, in easy words; the values are the ordinary form's (RESPONDENT_TYPES).
EASY_READ_RESPONDENTS = (
    ("personGettingSupport", _("I get care from this service")),
    ("familyMember", _("I am family or a friend of someone who gets this care")),
    ("careWorker", _("I am a care worker for this service")),
    ("socialWorker", _("I am a social worker, nurse or doctor")),
    ("other", _("Someone else")),
)
#: The picture beside each question (src/opencare/frontend/static/opencare/easy-read/).
EASY_READ_PICTURES = {
    "respondent_type": "care-worker",
    "contract": "home",
    "q__sc-feedback-on-time": "clock",
    "q__sc-feedback-same-care-workers": "care-worker",
    "q__sc-feedback-recommend": "speech",
    "story": "speech",
    "email": "email",
}


class EasyReadFeedbackForm(FeedbackForm):
    """The feedback form in easy words: every question about the last 4 weeks, each one required (with "I do not
    know" as an answer), and each error naming its question. The answers are counted as the ordinary form's are."""

    def __init__(self, *args: Any, today: date, contracts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, today=today, contracts=contracts, **kwargs)
        self.today = today
        # No month to choose: every question says "the last 4 weeks" (about_month works out which month that is).
        del self.fields["about_month"]
        self.fields["respondent_type"] = _radios(_("Who are you?"), EASY_READ_RESPONDENTS, _("Tell us who you are."))
        if "contract" in self.fields:
            self.fields["contract"] = _radios(
                _("Which part of the service do you get?"),
                contracts,
                _("Tell us which part of the service you get."),
            )
        for metric_id, (question, answers, missed) in EASY_READ_QUESTIONS.items():
            self.fields[f"q__{metric_id}"] = _radios(
                question, (*answers, (EASY_DONT_KNOW, _("I do not know"))), missed
            )
        self.fields["story"] = forms.CharField(
            label=_("Tell us more. You do not have to."),
            required=False,
            max_length=3000,
            widget=forms.Textarea(attrs={"rows": 5}),
            help_text=_("What went well in the last 4 weeks? What could be better? Do not write anyone's name."),
            error_messages={"max_length": _("What you wrote is too long. Please write less than 3,000 letters.")},
        )
        self.fields["email"] = forms.EmailField(
            label=_("Your email address. You do not have to give it."),
            required=False,
            help_text=_("We only use it to tell you when someone answers you. We never show it to anyone."),
            error_messages={"invalid": _("Write your email address like this: name@example.com")},
        )
        self.order_fields(["respondent_type", "contract", *[f"q__{m}" for m in QUESTIONS], "story", "email"])

    def answers(self) -> dict[str, str]:
        """The questions answered, by metric id; "I do not know" is not an answer to count."""
        return {metric: value for metric, value in super().answers().items() if value != EASY_DONT_KNOW}

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        if not self.errors and not self.answers() and not (cleaned.get("story") or "").strip():
            raise forms.ValidationError(
                _("You said “I do not know” to every question. Choose another answer, or write in the box.")
            )
        return cleaned

    def about_month(self) -> date:
        """The month most of the last 4 weeks fell in: the month of the day 2 weeks ago."""
        middle = self.today - timedelta(weeks=EASY_READ_WEEKS / 2)
        return middle.replace(day=1)

    def pictured_fields(self) -> list[tuple[forms.BoundField, str]]:
        """The fields people fill in, each with the name of its picture ("" for the hidden ones)."""
        return [(field, EASY_READ_PICTURES.get(field.name, "")) for field in self]


def _radios(label: Any, choices: Any, missed: Any) -> forms.ChoiceField:
    """A required easy read radio question whose error, if it is missed or tampered with, names the question."""
    return forms.ChoiceField(
        label=label,
        choices=list(choices),
        widget=forms.RadioSelect,
        error_messages={"required": missed, "invalid_choice": missed},
    )


class ModerationForm(forms.Form):
    """A moderator's decision, their reason, and the story as it will be published."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (Feedback.Status.PUBLISHED, _("Publish the story (as edited below) and count the answers")),
            (Feedback.Status.ANSWERS_ONLY, _("Count the answers, do not publish the story")),
            (Feedback.Status.REJECTED, _("Do not publish or count anything (spam, abuse, not about this service)")),
            (Feedback.Status.SAFEGUARDING, _("Hold for safeguarding: pass to the council, never publish")),
        ],
    )
    published_story = forms.CharField(
        label=_("The story as it will be published"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Remove names, dates of birth, phone numbers, addresses and anything else that identifies anyone."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the decision"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    """The provider's or commissioner's public reply."""

    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    what_we_changed = forms.CharField(
        label=_("What we changed (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        help_text=_("If the feedback led to a change, say what it was."),
    )


class RatingForm(forms.Form):
    """The person who gave feedback says whether the reply answered it."""

    rating = forms.ChoiceField(
        label=_("Did the reply answer what you said?"),
        choices=[
            (Reply.Rating.HELPFUL, _("It answered what I said")),
            (Reply.Rating.PARTLY, _("It partly answered what I said")),
            (Reply.Rating.NOT_HELPFUL, _("It did not answer what I said")),
        ],
        widget=forms.RadioSelect,
    )
