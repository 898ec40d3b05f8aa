"""The demo accounts' password is public (on local sign-in pages and in the README), so it never opens an account in
production, and nobody can choose it as their own password anywhere.

Demo accounts are never created in production (settings.OPENCARE_DEMO_ACCOUNTS is always false there), but a database
copied from a local run, or an account someone gave that password by hand, would otherwise let anyone in.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def is_demo_password(password: str) -> bool:
    """Whether this is the demo accounts' published password (settings.OPENCARE_DEMO_PASSWORD)."""
    return hmac.compare_digest(password.encode("utf-8"), settings.OPENCARE_DEMO_PASSWORD.encode("utf-8"))


class PasswordBackend(ModelBackend):
    """Django's username and password check, except that in production the demo password signs no one in.

    Refused like any wrong password, so django-axes counts it towards the lockout.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if settings.PRODUCTION and password is not None and is_demo_password(password):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class NotTheDemoPassword:
    """A password validator: the demo password is published, so it is no one's own password."""

    def validate(self, password: str, user: Any = None) -> None:
        """Refuse the demo password, saying why."""
        if is_demo_password(password):
            raise ValidationError(
                "This password is published as the demo accounts' password. Choose one of your own.",
                code="password_is_the_demo_password",
            )

    def get_help_text(self) -> str:
        """What the rule is, for the password forms."""
        return "Your password cannot be the demo accounts' published password."
