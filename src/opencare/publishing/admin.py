"""The admin site, for site administrators: organisations and who belongs to them; the audit log, read only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from opencare.publishing.models import AuditEntry, Membership, Publisher


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
