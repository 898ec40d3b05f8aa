"""Account pages: thin views over accounts.services. Each parses the request, calls a service and renders."""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from opencare.accounts import services
from opencare.accounts.forms import CodeForm, SignInForm
from opencare.accounts.services import CodeCheck

_WRONG_CODE = "The code is wrong, or it has already been used. Enter the newest code your app shows"
_TOO_SOON = "You entered a wrong code a moment ago. Wait a few seconds, then enter the newest code your app shows"


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Username and password; then the code page for people with two-factor authentication on."""
    next_url = services.safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        return redirect(services.sign_in_after_password(request, form.get_user(), next_url))
    # A locked-out account also lands here: AxesMiddleware then swaps this page for accounts/locked_out.html.
    # On local runs the page also lists the demo accounts to try (the demo's own template tag, demo_sign_in).
    context = {"form": form, "next": next_url, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/sign_in.html", context, status=400 if request.method == "POST" else 200)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the authenticator app."""
    pending = services.pending_sign_in(request)
    if pending is None:
        if request.method == "POST":
            messages.warning(request, "Your sign-in timed out. Sign in again with your username and password.")
        return redirect(services.sign_in_page_url())
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        result = services.sign_in_with_code(request, pending, form.cleaned_data["code"])
        if result is CodeCheck.ACCEPTED:
            return redirect(services.after_sign_in_url(pending.next_url))
        if result is CodeCheck.ATTEMPTS_USED_UP:
            messages.warning(
                request,
                f"You entered a wrong code {services.CODE_ATTEMPTS} times. "
                "To keep your account safe, sign in again with your username and password.",
            )
            return redirect(services.sign_in_page_url(pending.next_url))
        if result is CodeCheck.TOO_SOON:
            form.add_error("code", _TOO_SOON)
        else:
            left = pending.attempts_left - 1
            form.add_error("code", f"{_WRONG_CODE}. You can try {left} more time{'s' if left != 1 else ''}")
    return render(request, "accounts/sign_in_code.html", {"form": form, "pending": pending})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """A sign-out button on GET; signing out only on POST, so a link or image elsewhere cannot sign anyone out."""
    if request.method == "POST":
        auth.logout(request)
        messages.success(request, "You have signed out.")
        return redirect(services.sign_in_page_url())
    return render(request, "accounts/sign_out.html")


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Whether two-factor authentication is on; set it up, confirm it with a code, or turn it off with a code."""
    user = request.user
    device = services.confirmed_totp_device(user)
    setup = services.two_factor_setup_device(user) if device is None else None
    form = CodeForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "start" and device is None:
        services.start_two_factor_setup(user)
        return redirect("accounts:two_factor")
    if action == "cancel":
        services.cancel_two_factor_setup(user)
        return redirect("accounts:two_factor")
    if (action == "confirm" and setup is not None) or (action == "turn_off" and device is not None):
        form = CodeForm(request.POST)
        if form.is_valid():
            code = form.cleaned_data["code"]
            if action == "confirm":
                result = services.confirm_two_factor(request, setup, code)
            else:
                result = services.turn_off_two_factor(user, code)
            if result is CodeCheck.ACCEPTED:
                messages.success(request, f"Two-factor authentication is {'on' if action == 'confirm' else 'off'}.")
                return redirect("accounts:two_factor")
            form.add_error("code", _TOO_SOON if result is CodeCheck.TOO_SOON else _WRONG_CODE)
    elif action is not None:
        # A form from an older copy of the page (set-up finished or cancelled in another tab): show the page as it
        # is now.
        return redirect("accounts:two_factor")
    context = {
        "device": device,
        "setup": setup,
        "form": form,
        "secret_key": services.secret_key_for_typing(setup) if setup else "",
        "qr_code": services.qr_code_svg(setup) if setup else "",
    }
    return render(request, "accounts/two_factor.html", context)
