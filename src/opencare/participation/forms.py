"""The feedback form (and its easy read version), the moderator's decision and the reply forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from opencare.ocds.feedback_counts import QUESTIONS, RESPONDENT_TYPES
from opencare.participation.models import Feedback, Reply

DONT_KNOW = ("", "I don't know or prefer not to say")


def recent_months(today: date, count: int = 3) -> list[tuple[str, str]]:
    """The last few whole months, newest first, as ('2026-10', 'October 2026') pairs."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        first = date(year, month, 1)
        months.append((first.strftime("%Y-%m"), first.strftime("%B %Y")))
    return months


class FeedbackForm(forms.Form):
    """What a person says about a contract's service. No account is needed."""

    respondent_type = forms.ChoiceField(
        label="Who are you?", choices=list(RESPONDENT_TYPES.items()), widget=forms.RadioSelect
    )
    story = forms.CharField(
        label="Tell us more (optional)",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What is going well, or what could be better? Do not include names, addresses or anything that "
        "could identify you or anyone else: a moderator removes them before anything is published.",
    )
    email = forms.EmailField(
        label="Your email address (optional)",
        required=False,
        help_text="Only to tell you when the provider or council replies. It is never published or shared.",
    )
    # Hidden from people (and from screen readers): only programs fill it in.
    website = forms.CharField(required=False, label="Leave this empty")
    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: date, contracts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about_month"] = forms.ChoiceField(
            label="Which month are you telling us about?", choices=recent_months(today), widget=forms.RadioSelect
        )
        if len(contracts) > 1:
            self.fields["contract"] = forms.ChoiceField(
                label="Which part of the service?", choices=contracts, widget=forms.RadioSelect
            )
        for metric_id, (question, answers) in QUESTIONS.items():
            self.fields[f"q__{metric_id}"] = forms.ChoiceField(
                label=question, choices=[*answers, DONT_KNOW], required=False, widget=forms.RadioSelect
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
            raise forms.ValidationError("Answer at least one question or tell us more.")
        return cleaned

    def about_month(self) -> date:
        """The first day of the month chosen."""
        year, month = self.cleaned_data["about_month"].split("-")
        return date(int(year), int(month), 1)


class ModerationForm(forms.Form):
    """A moderator's decision, their reason, and the story as it will be published."""

    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (Feedback.Status.PUBLISHED, "Publish the story (as edited below) and count the answers"),
            (Feedback.Status.ANSWERS_ONLY, "Count the answers, do not publish the story"),
            (Feedback.Status.REJECTED, "Do not publish or count anything (spam, abuse, not about this service)"),
            (Feedback.Status.SAFEGUARDING, "Hold for safeguarding: pass to the council, never publish"),
        ],
    )
    published_story = forms.CharField(
        label="The story as it will be published",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Remove names, dates of birth, phone numbers, addresses and anything else that identifies anyone.",
    )
    reason = forms.CharField(
        label="Reason for the decision", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    """The provider's or commissioner's public reply."""

    text = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    what_we_changed = forms.CharField(
        label="What we changed (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        help_text="If the feedback led to a change, say what it was.",
    )


class RatingForm(forms.Form):
    """The person who gave feedback says whether the reply answered it."""

    rating = forms.ChoiceField(
        label="Did the reply answer what you said?", choices=Reply.Rating.choices, widget=forms.RadioSelect
    )
