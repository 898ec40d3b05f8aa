"""The forms people fill in to sign in and to turn two-factor authentication on or off."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm

#: One message for every refused password, so the page never tells a stranger which usernames exist.
SIGN_IN_REFUSED = "Enter a correct username and password"


class SignInForm(AuthenticationForm):
    """Username and password, checked through every authentication backend (django-axes first)."""

    error_messages = {
        "invalid_login": SIGN_IN_REFUSED,
        # Django's backends already refuse inactive accounts as a wrong password; this keeps any other backend from
        # revealing that the account exists.
        "inactive": SIGN_IN_REFUSED,
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].label = "Password"
        self.fields["password"].error_messages["required"] = "Enter your password"


class CodeForm(forms.Form):
    """A 6-digit code from an authenticator app; spaces are ignored, as some apps show the code as 123 456."""

    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("Enter the code as 6 digits, like 123456")
        return code
