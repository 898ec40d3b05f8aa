"""Who publishes for which organisation, their drafts and documents, the audit log, API tokens, and the metric
catalogue's co-designed changes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models


class Publisher(models.Model):
    """A council, NHS body or provider that publishes through opencare, identified as OCDS parties are."""

    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS body"
        PROVIDER = "provider", "Care provider"

    name = models.TextField()
    kind = models.TextField(choices=Kind.choices)
    scheme = models.TextField(help_text="The org-id scheme of its identifier, e.g. GB-LAE, GB-NHS, GB-COH, GB-CHC.")
    identifier = models.TextField(help_text="Its identifier in that scheme, e.g. a company number.")
    street = models.TextField(blank=True)
    locality = models.TextField(blank=True)
    postcode = models.TextField(blank=True)
    contact_name = models.TextField(blank=True, help_text="A team, not a person: it is published.")
    email = models.EmailField(blank=True, help_text="A team's address: it is published.")
    is_invented = models.BooleanField(default=False, help_text="A demo organisation: what it publishes is invented.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "identifier"], name="publisher_identified_once")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def party_id(self) -> str:
        """The id its party has in every release: scheme and identifier."""
        return f"{self.scheme}-{self.identifier}"

    @property
    def is_buyer_kind(self) -> bool:
        """Councils and NHS bodies buy care; providers supply it."""
        return self.kind in (self.Kind.COUNCIL, self.Kind.NHS)


class Membership(models.Model):
    """A person's role in one publishing organisation: publishers publish, viewers only see drafts and history."""

    class Role(models.TextChoices):
        PUBLISHER = "publisher", "Publisher"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="memberships")
    role = models.TextField(choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "publisher"], name="one_role_per_organisation")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.publisher}"


class Draft(models.Model):
    """Answers saved on the way to a publish, seen only by the organisation's members."""

    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="drafts")
    ocid = models.TextField(blank=True, help_text="Empty for a new process.")
    kind = models.TextField(help_text="What is being published: a key of publishing.permissions.ACTIONS.")
    answers = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["publisher", "kind", "ocid"], name="one_draft_per_action")]

    def __str__(self) -> str:
        return f"{self.kind} draft of {self.publisher} for {self.ocid or 'a new process'}"


def document_storage():  # noqa: ANN201 (a Storage)
    """The storage that keeps uploaded documents: settings.STORAGES["documents"] (Django calls this once, when the
    model is defined; being a callable keeps the storage's settings out of the migrations)."""
    return storages["documents"]


class StoredDocument(models.Model):
    """A document a publisher uploaded: kept by the site's document storage and served as a download only."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(storage=document_storage, upload_to="%Y/%m/")
    filename = models.TextField(help_text="A safe version of the name it was uploaded with.")
    content_type = models.TextField()
    size = models.PositiveBigIntegerField()
    sha256 = models.TextField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class AuditEntry(models.Model):
    """Who did what, when: every publish, refusal, upload, token and catalogue change. Never edited."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    publisher = models.ForeignKey(Publisher, null=True, on_delete=models.PROTECT, related_name="audit_entries")
    action = models.TextField()
    ocid = models.TextField(blank=True)
    release_id = models.TextField(blank=True)
    via = models.TextField(default="web", help_text="web, api (with the token's name) or command")
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.ocid}"


class ApiToken(models.Model):
    """A token a publisher's own system uses to post releases or actuals. Only its SHA-256 is kept."""

    class Scope(models.TextChoices):
        RELEASES = "releases", "Post releases (JSON)"
        ACTUALS = "actuals", "Post actuals (CSV)"

    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.TextField(help_text="What uses it, e.g. 'care management system'.")
    scopes = models.JSONField(default=list)
    prefix = models.TextField(help_text="The token's first characters, to tell tokens apart.")
    token_sha256 = models.TextField(unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True)
    revoked_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.publisher}"


class CatalogueChange(models.Model):
    """One version of one metric of the catalogue: added, changed or retired by an administrator, and why."""

    class Change(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        RETIRED = "retired", "Retired"

    metric_id = models.TextField(db_index=True)
    version = models.PositiveIntegerField()
    change = models.TextField(choices=Change.choices)
    metric = models.JSONField(help_text="The metric as the catalogue file has it, after this change.")
    asked_for_by = models.TextField(help_text="Who asked for the change, e.g. 'care workers at the Moorside forum'.")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["metric_id", "version"], name="metric_version_once")]
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.metric_id} v{self.version} ({self.change})"


class ProviderClaim(models.Model):
    """Someone from a provider asks for its account: the provider a contract names by its register number.

    A claim gives nothing until an administrator approves it; approving makes (or finds) the publishing organisation
    with that scheme and identifier and makes the person who asked its publisher (publishing.claims)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an administrator"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.TextField(help_text="The provider's name, as the person gave it.")
    scheme = models.TextField(help_text="The org-id scheme of its register, e.g. GB-COH.")
    identifier = models.TextField(help_text="Its number on that register.")
    note = models.TextField(blank=True, help_text="Who the person is at the provider, and how to check it.")
    status = models.TextField(choices=Status.choices, default=Status.PENDING)
    publisher = models.ForeignKey(Publisher, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why the administrator decided as they did.")
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.requested_by} claims {self.name} ({self.scheme} {self.identifier}): {self.status}"
