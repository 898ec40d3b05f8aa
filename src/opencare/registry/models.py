"""Stored releases, where they came from, and each contracting process's compiled state."""

from __future__ import annotations

from django.db import models

from opencare.registry.json_field import FastJSONField


class Source(models.Model):
    """Where releases came from: a publisher's file or feed, the demo data, or publishing through opencare."""

    key = models.TextField(unique=True, help_text="Stable identifier, e.g. 'demo:borsetdale'.")
    title = models.TextField()
    publisher_name = models.TextField(blank=True)
    url = models.TextField(blank=True)
    licence_name = models.TextField(blank=True)
    licence_url = models.TextField(blank=True)
    attribution = models.TextField(blank=True)
    is_invented = models.BooleanField(default=False, help_text="Invented sample data, labelled as such on every page.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class ImportRun(models.Model):
    """One run of `opencare import`: what it was given and what it did. A run with no finish time was interrupted."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    paths = models.JSONField(default=list)
    social_care_only = models.BooleanField(default=False)
    releases_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_stored = models.PositiveIntegerField(default=0)
    not_social_care = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0, help_text="Releases added with schema errors.")
    unreadable_files = models.JSONField(default=list, help_text="Files that could not be read, with the reason.")

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class Release(models.Model):
    """One OCDS release exactly as published. Never changed or deleted: a correction is a new release."""

    # No index of its own: the (ocid, date) index and the unique (ocid, release_id, sha256) one both lead with it, and
    # each index is work for every release an import stores.
    ocid = models.TextField()
    release_id = models.TextField(blank=True)
    date = models.DateTimeField(null=True)
    tags = models.JSONField(default=list)
    data = FastJSONField()
    package_metadata = FastJSONField(default=dict)
    ocds_version = models.CharField(
        max_length=3,
        default="1.1",
        db_default="1.1",  # rows inserted in bulk with only some columns (registry.bulk_insert) are 1.1
        help_text="1.0 for a release from a package that declared 1.0 or no version: its process is then compiled "
        "with OCDS 1.0's merge rules.",
    )
    # Not indexed: releases are never looked up by source or run, and sources and runs are never deleted.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="releases", db_index=False)
    import_run = models.ForeignKey(
        ImportRun, null=True, on_delete=models.PROTECT, related_name="releases", db_index=False
    )
    sha256 = models.TextField(help_text="SHA-256 of the release's canonical JSON: the same release is stored once.")
    schema_error_count = models.PositiveIntegerField(default=0)
    schema_errors = models.JSONField(default=list, help_text="The first schema errors found when it was stored.")
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ocid", "release_id", "sha256"], name="release_stored_once")]
        indexes = [models.Index(fields=["ocid", "date"])]

    def __str__(self) -> str:
        return f"{self.ocid} {self.release_id}"


class Process(models.Model):
    """A contracting process: its compiled release and a light summary for lists and search."""

    ocid = models.TextField()  # unique by a constraint: unique=True would add a second index for LIKE on PostgreSQL
    compiled_release = FastJSONField(default=dict)
    compile_error = models.TextField(blank=True)
    title = models.TextField(blank=True)
    description = models.TextField(blank=True)
    buyer_name = models.TextField(blank=True)
    supplier_names = models.JSONField(default=list)
    status = models.TextField(blank=True)
    value_amount = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    value_currency = models.TextField(blank=True)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    cpv_codes = models.JSONField(default=list)
    metric_ids = models.JSONField(default=list)
    release_count = models.PositiveIntegerField(default=0)
    schema_error_count = models.PositiveIntegerField(default=0)
    last_release_date = models.DateTimeField(null=True)
    is_invented = models.BooleanField(default=False)
    is_social_care = models.BooleanField(default=False, help_text="By CPV or words: opencare.ocds.social_care.")
    service_type = models.TextField(default="not-social-care", help_text="A code of opencare.ocds.service_types.")
    price_per_hour = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    worker_pay_per_hour = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    signal = models.TextField(default="no-figures", help_text="no-figures, meeting or below (ocds.performance).")
    targets_measured = models.PositiveIntegerField(default=0)
    targets_met = models.PositiveIntegerField(default=0)
    targets_below = models.JSONField(default=list, help_text="Titles of the metrics below target in the last year.")
    search_words = models.TextField(
        blank=True, help_text="Places it names and its providers, for search (ocds.everyday_words.search_words)."
    )
    search_tags = models.TextField(
        blank=True, help_text="Its measures and service type as tags, for search (ocds.everyday_words.search_tags)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_release_date", "ocid"]
        constraints = [models.UniqueConstraint(fields=["ocid"], name="process_ocid_once")]
        indexes = [
            models.Index(fields=["-last_release_date", "ocid"], name="process_newest_first"),
            models.Index(fields=["service_type", "-last_release_date"], name="process_by_service_type"),
            # Search lists social care by default: on PostgreSQL its count, facets and first page are index-only
            # scans of this (the included columns are the facets; SQLite keeps the partial index without them).
            models.Index(
                fields=["-last_release_date", "ocid"],
                name="social_care_newest_first",
                condition=models.Q(is_social_care=True),
                include=["service_type", "status", "signal", "buyer_name"],
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.ocid


class ContractMetric(models.Model):
    """One metric of one contract, summarised for comparisons: the target, the latest figure, periods met."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contract_metrics")
    contract_id = models.TextField(blank=True)
    contract_title = models.TextField(blank=True)
    buyer_name = models.TextField(blank=True)
    supplier_name = models.TextField(blank=True)
    metric_id = models.TextField()
    title = models.TextField()
    unit_id = models.TextField(blank=True)
    unit_name = models.TextField(blank=True)
    currency = models.TextField(blank=True)
    target = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    latest_amount = models.DecimalField(max_digits=20, decimal_places=4, null=True)
    latest_period_end = models.DateField(null=True)
    latest_classification = models.TextField(blank=True)
    periods_met = models.PositiveIntegerField(default=0)
    periods_below = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["metric_id", "unit_id"])]

    def __str__(self) -> str:
        return f"{self.process_id} {self.contract_id} {self.metric_id}"


class Organisation(models.Model):
    """A council, NHS body or provider, one whatever the number of processes it appears in.

    Parties are linked by identifier (scheme and id, main and additional); a party with no identifier is linked by
    its normalised name only (``matched_by_name``), which is weaker and shown as such.
    """

    name = models.TextField()
    matched_by_name = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class OrganisationIdentifier(models.Model):
    """One identifier of an organisation: e.g. GB-COH 01234567, or ('name', 'borsetdale council')."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.TextField()
    identifier = models.TextField()
    # The evidence that links this identifier to its organisation (registry/organisations.py): a party of a process
    # whose releases all came from official sources (import, harvest, demo), an administrator's confirmation, or,
    # untrusted, a party of a process that has releases posted by a publisher (which never joins organisations).
    trusted = models.BooleanField(default=True, help_text="Linked on trusted evidence: official data or an admin.")
    evidence_ocid = models.TextField(blank=True, help_text="The process whose party gave this identifier.")
    evidence_party = models.TextField(blank=True, help_text="The id of that party in the process.")
    evidence_source = models.TextField(blank=True, help_text="The key of the source whose releases linked it.")
    linked_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "identifier"], name="identifier_names_one_organisation")
        ]
        indexes = [models.Index(fields=["identifier"])]  # parties are looked up by id across schemes

    def __str__(self) -> str:
        return f"{self.scheme} {self.identifier}"


class ProcessParty(models.Model):
    """An organisation's part in one process, as its compiled release names it."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="process_parties")
    party_id = models.TextField(blank=True)
    name = models.TextField(blank=True)
    roles = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.name} in {self.process_id}"


class CqcLocation(models.Model):
    """A place the Care Quality Commission regulates (e.g. a home care agency's branch) and its latest rating."""

    location_id = models.TextField(unique=True, help_text="CQC's location id, like 1-123456789.")
    rating = models.TextField(blank=True, help_text="Outstanding, Good, Requires improvement or Inadequate.")
    report_date = models.DateField(null=True)
    ownership = models.TextField(blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.location_id}: {self.rating}"


class CqcCrosswalk(models.Model):
    """A reviewed link from an organisation identifier (e.g. GB-COH 01234567) to a CQC location."""

    scheme = models.TextField()
    identifier = models.TextField()
    location_id = models.TextField()
    note = models.TextField(blank=True, help_text="Who reviewed the link, and how it was matched.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "identifier", "location_id"], name="crosswalk_row_once")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.identifier} -> {self.location_id}"


class RegistryVersion(models.Model):
    """A number that goes up with every change the public pages and API show, in the same transaction as the change.

    Kept answers (answer_cache) are keyed by it, so every server renews them as soon as a change is committed. The
    newest release's key alone is not enough: a long import that took its keys first but commits after a quick
    publish would not change it.
    """

    name = models.CharField(max_length=40, unique=True)
    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} version {self.number}"


class BulkRebuild(models.Model):
    """One row: whether the bulk downloads are due to be remade, and since when (registry.bulk).

    Set when a change is committed, if it is not set already, and cleared when a rebuild starts: many changes
    before then cost one rebuild, and a change during a rebuild sets it again, so it is never missed.
    """

    due_since = models.DateTimeField(null=True, help_text="When the first change not yet in the downloads came.")

    def __str__(self) -> str:
        return f"bulk downloads due since {self.due_since}" if self.due_since else "bulk downloads up to date"
