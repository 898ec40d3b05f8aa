"""Signing in and two-factor authentication: the rules behind the account pages.

Signing in has two steps for people with two-factor authentication on. The password step leaves a *pending sign-in*
in the session (who, through which backend, where to go next, how many wrong codes so far); only the right code from
their authenticator app turns it into a real sign-in. Everyone else is signed in straight after the password step.
"""

from __future__ import annotations

import enum
from base64 import b32encode
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

#: Wrong codes allowed in one pending sign-in before the person must give their password again.
CODE_ATTEMPTS = 5
#: How long a pending sign-in waits for its code, so a half-finished sign-in on a shared computer does not linger.
PENDING_SIGN_IN_LIFETIME = timedelta(minutes=10)
#: What authenticator apps call the device; people may see it in the admin site.
DEVICE_NAME = "Authenticator app"

#: The widest the set-up QR code is drawn: a 320-pixel screen less the page's margins.
QR_CODE_MAX_PIXELS = 280
#: The blank margin around a QR code, in modules, that the QR standard asks for so phones can find it.
QR_CODE_BORDER = 4

_PENDING_SIGN_IN_KEY = "accounts.pending_sign_in"


class CodeCheck(enum.Enum):
    """What became of a code someone entered."""

    #: The code was right: the sign-in, set-up or turning off went ahead.
    ACCEPTED = "accepted"
    #: The code was wrong, expired or already used.
    WRONG = "wrong"
    #: The code was not checked: after wrong codes, django-otp makes people wait a little longer each time.
    TOO_SOON = "too soon"
    #: The code was wrong and it was the last try: the pending sign-in is gone.
    ATTEMPTS_USED_UP = "attempts used up"


@dataclass(frozen=True)
class PendingSignIn:
    """Someone who gave the right password and still has to give a code from their authenticator app."""

    user: AbstractBaseUser
    device: TOTPDevice
    backend: str
    next_url: str
    wrong_codes: int

    @property
    def attempts_left(self) -> int:
        """How many more wrong codes they may enter before they must start again."""
        return CODE_ATTEMPTS - self.wrong_codes


# ---------------------------------------------------------------------------------------------------------------------
# Where to go


def safe_next_url(request: HttpRequest, candidate: str | None) -> str:
    """The `next` address if it is on this site, else an empty string: a link in an email must not be able to send
    someone who has just signed in to another site that looks like this one."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def after_sign_in_url(next_url: str) -> str:
    """Where to go once signed in: the page they were trying to reach, or the publisher's start page."""
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)


def sign_in_page_url(next_url: str = "") -> str:
    """The sign-in page, carrying on to `next_url` afterwards when there is one."""
    url = reverse("accounts:sign_in")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


# ---------------------------------------------------------------------------------------------------------------------
# Signing in


def confirmed_totp_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's authenticator app, if they have finished setting one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user: AbstractBaseUser) -> bool:
    """Whether signing in as this user needs a code as well as the password."""
    return confirmed_totp_device(user) is not None


def sign_in_after_password(request: HttpRequest, user: AbstractBaseUser, next_url: str) -> str:
    """Act on a right password: sign the user in, or, when they use two-factor authentication, keep them pending
    until they give a code. Returns the address to send the browser to.

    `user` must come from ``django.contrib.auth.authenticate`` (it carries the backend that accepted it).
    """
    device = confirmed_totp_device(user)
    if device is None:
        auth.login(request, user)
        return after_sign_in_url(next_url)
    if request.user.is_authenticated:
        # Whoever was signed in here must not stay signed in while someone else's sign-in waits for its code.
        auth.logout(request)
    else:
        # A new session key: someone who planted a session cookie in this browser cannot ride on the pending sign-in.
        request.session.cycle_key()
    request.session[_PENDING_SIGN_IN_KEY] = {
        "user_id": str(user.pk),
        "backend": user.backend,
        "next": next_url,
        "wrong_codes": 0,
        "started": timezone.now().timestamp(),
    }
    return reverse("accounts:sign_in_code")


def pending_sign_in(request: HttpRequest) -> PendingSignIn | None:
    """The sign-in waiting for a code in this session, or None when there is none or it has expired."""
    data = request.session.get(_PENDING_SIGN_IN_KEY)
    if not data:
        return None
    age = timezone.now().timestamp() - data["started"]
    user = auth.get_user_model()._default_manager.filter(pk=data["user_id"], is_active=True).first()
    device = confirmed_totp_device(user) if user is not None else None
    if age > PENDING_SIGN_IN_LIFETIME.total_seconds() or device is None:
        # Also when the account was deactivated, or two-factor turned off, since the password was given.
        drop_pending_sign_in(request)
        return None
    return PendingSignIn(
        user=user, device=device, backend=data["backend"], next_url=data["next"], wrong_codes=data["wrong_codes"]
    )


def drop_pending_sign_in(request: HttpRequest) -> None:
    """Forget the sign-in waiting for a code: the person must give their password again."""
    request.session.pop(_PENDING_SIGN_IN_KEY, None)


def sign_in_with_code(request: HttpRequest, pending: PendingSignIn, code: str) -> CodeCheck:
    """Finish a pending sign-in with a code from the authenticator app.

    A right code signs the user in and marks the session as verified by that device (django-otp). A wrong one is
    counted; the last allowed wrong one drops the pending sign-in and counts as one failed sign-in towards the
    django-axes lockout, so guessing codes is as limited as guessing passwords.
    """
    result = _check_code(pending.device, code)
    if result is CodeCheck.ACCEPTED:
        drop_pending_sign_in(request)
        auth.login(request, pending.user, backend=pending.backend)
        django_otp.login(request, pending.device)
        return result
    if result is CodeCheck.TOO_SOON:
        return result
    wrong_codes = pending.wrong_codes + 1
    if wrong_codes >= CODE_ATTEMPTS:
        drop_pending_sign_in(request)
        user_login_failed.send(sender=__name__, credentials={"username": pending.user.get_username()}, request=request)
        return CodeCheck.ATTEMPTS_USED_UP
    # Reassigned, not changed in place, so the session knows to save it.
    request.session[_PENDING_SIGN_IN_KEY] = {**request.session[_PENDING_SIGN_IN_KEY], "wrong_codes": wrong_codes}
    return result


def _check_code(device: TOTPDevice, code: str) -> CodeCheck:
    # The row is locked so two requests with the same code cannot both pass before the first records it as used.
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _ = locked.verify_is_allowed()
        if not allowed:
            return CodeCheck.TOO_SOON
        return CodeCheck.ACCEPTED if locked.verify_token(code) else CodeCheck.WRONG


# ---------------------------------------------------------------------------------------------------------------------
# Setting up and turning off two-factor authentication


def two_factor_setup_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The authenticator app the user has started to set up but not yet confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


def start_two_factor_setup(user: AbstractBaseUser) -> TOTPDevice:
    """Make a new secret key for the user's authenticator app, unconfirmed until they enter a code from it.

    A set-up already under way is kept, so pressing the button twice does not undo a QR code they have scanned.
    """
    return two_factor_setup_device(user) or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def cancel_two_factor_setup(user: AbstractBaseUser) -> None:
    """Throw away a set-up that was never confirmed, and its secret key."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()


def confirm_two_factor(request: HttpRequest, device: TOTPDevice, code: str) -> CodeCheck:
    """Turn two-factor authentication on, if `code` shows the signed-in user's app has the key of `device`.

    The current session counts as verified by the new device, so they are not asked for a code again today.
    """
    result = _check_code(device, code)
    if result is CodeCheck.ACCEPTED:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.refresh_from_db()
        django_otp.login(request, device)
    return result


def turn_off_two_factor(user: AbstractBaseUser, code: str) -> CodeCheck:
    """Turn two-factor authentication off, if `code` is a current code from the user's app.

    A code is asked for so that someone who finds a signed-in computer cannot quietly weaken the account. When it is
    already off there is nothing to check, and it counts as done.
    """
    device = confirmed_totp_device(user)
    if device is None:
        return CodeCheck.ACCEPTED
    result = _check_code(device, code)
    if result is CodeCheck.ACCEPTED:
        TOTPDevice.objects.filter(user=user).delete()
    return result


def secret_key_for_typing(device: TOTPDevice) -> str:
    """The device's secret key in base32, as authenticator apps take it, in groups of four to make typing easier."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// set-up address as an inline SVG QR code, made here so no other site sees the key.

    It is drawn at most 4 pixels a module and never wider than QR_CODE_MAX_PIXELS, so it fits a 320-pixel screen
    even for a long username.
    """
    qr = segno.make(device.config_url, error="m", micro=False)
    modules, _ = qr.symbol_size(scale=1, border=QR_CODE_BORDER)
    scale = max(1, min(4, QR_CODE_MAX_PIXELS // modules))
    svg = qr.svg_inline(scale=scale, border=QR_CODE_BORDER, dark="#000", light="#fff", svgclass="opencare-qr-code")
    # segno writes the SVG from the QR matrix and fixed attributes only, so there is nothing to escape.
    return mark_safe(svg)  # noqa: S308
