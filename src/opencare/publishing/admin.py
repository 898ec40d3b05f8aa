"""The admin site, for site administrators: organisations and who belongs to them; the audit log, read only; the
links between registry organisations, with their evidence, to confirm or split."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from opencare.publishing.models import AuditEntry, Membership, Publisher
from opencare.publishing.organisation_links import LinkRefused, confirm_link, split_link
from opencare.registry.models import OrganisationIdentifier


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "scheme", "identifier", "is_invented"]
    search_fields = ["name", "identifier"]
    inlines = [MembershipInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "publisher", "action", "ocid", "release_id", "via"]
    list_filter = ["action", "via"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OrganisationIdentifier)
class OrganisationLinkAdmin(admin.ModelAdmin):
    """Every identifier of every organisation, with the evidence that linked it: the links between organisations.

    An organisation with two or more identifiers is linked by them; an administrator confirms a right link (trusted
    evidence from then on) or splits a wrong one. Both go in the audit log.
    """

    list_display = [
        "organisation_name", "organisation_id", "scheme", "identifier", "trusted", "evidence_ocid", "evidence_party",
        "evidence_source", "linked_at",
    ]  # fmt: skip
    list_filter = ["trusted", "scheme"]
    search_fields = ["organisation__name", "identifier", "evidence_ocid"]
    list_select_related = ["organisation"]
    ordering = ["organisation_id", "scheme", "identifier"]
    actions = ["split_off", "confirm"]

    @admin.display(description="Organisation", ordering="organisation__name")
    def organisation_name(self, row: OrganisationIdentifier) -> str:
        return row.organisation.name

    @admin.action(description="Split the selected identifiers off into organisations of their own")
    def split_off(self, request: HttpRequest, queryset: QuerySet[OrganisationIdentifier]) -> None:
        for row in queryset.select_related("organisation"):
            try:
                new = split_link(user=request.user, identifier=row)
            except LinkRefused as refused:
                self.message_user(request, f"Not split: {refused}", level=messages.WARNING)
                continue
            self.message_user(request, f"{row.scheme} {row.identifier} is now organisation {new.pk}, on its own.")

    @admin.action(description="Confirm the selected identifiers as their organisation's (trusted)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[OrganisationIdentifier]) -> None:
        for row in queryset.select_related("organisation"):
            confirm_link(user=request.user, identifier=row)
        self.message_user(request, f"Confirmed {queryset.count()} identifiers.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
