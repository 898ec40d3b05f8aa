"""The API tokens page: members see their organisation's tokens; publishers create and revoke them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from opencare.publishing.models import ApiToken, Membership, Publisher
from opencare.publishing.permissions import role_in
from opencare.publishing.services import NotAllowed
from opencare.publishing.tokens import create_token, revoke_token, tokens_of


class TokenForm(forms.Form):
    """What a new token is for and what it may post."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, for example 'care management system'. Only your organisation sees this.",
        error_messages={"required": "Enter a name for the token"},
    )
    scopes = forms.MultipleChoiceField(
        label="What it may post",
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select what the token may post"},
    )


@login_required
@never_cache  # the page may show a new token's text: no browser or proxy should keep a copy
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, publisher_pk: int) -> HttpResponse:
    """List the organisation's API tokens; publishers create one (its text shown once) or revoke one."""
    publisher = get_object_or_404(Publisher, pk=publisher_pk)
    role = role_in(request.user, publisher)
    if not role:
        raise PermissionDenied(f"You are not a member of {publisher.name}.")
    can_manage = role == Membership.Role.PUBLISHER
    form, created, status = TokenForm(), None, 200
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(
                f"You can see {publisher.name}'s API tokens, but only its publishers can change them."
            )
        if "revoke" in request.POST:
            return _revoke(request, publisher)
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                created = create_token(
                    user=request.user,
                    publisher=publisher,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                )
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            form = TokenForm()
        else:
            status = 400
    context = {
        "publisher": publisher,
        "tokens": tokens_of(publisher),
        "can_manage": can_manage,
        "form": form,
        "created_token": created[0] if created else None,
        "created_text": created[1] if created else "",
    }
    return render(request, "publishing/tokens.html", context, status=status)


def _revoke(request: HttpRequest, publisher: Publisher) -> HttpResponse:
    token_id = request.POST.get("revoke", "")
    token = ApiToken.objects.filter(publisher=publisher, pk=int(token_id)).first() if token_id.isdigit() else None
    if token is None:
        raise Http404("This organisation has no such API token.")
    try:
        revoke_token(user=request.user, token=token)
    except NotAllowed as error:
        raise PermissionDenied(str(error)) from error
    messages.success(request, f"Revoked the token '{token.name}' ({token.prefix}…). It no longer works.")
    # Post/redirect/get, so refreshing the page does not send the form again.
    return redirect("publishing:tokens", publisher_pk=publisher.pk)
