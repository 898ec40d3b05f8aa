"""The links between organisations: each identifier keeps the evidence that linked it (trusted or not);
administrators see them, confirm or split them, in the audit log; old merges made by posted releases are repaired."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from tests.builders.processes import NORTH, stored_borsetdale

from opencare.publishing.models import AuditEntry, Publisher
from opencare.publishing.organisation_links import repair_posted_merges
from opencare.publishing.services import _package_metadata, _source_of
from opencare.registry import services as registry_services
from opencare.registry.models import OrganisationIdentifier, ProcessParty
from opencare.registry.selectors import parts_played_by
from opencare.registry.services import get_or_create_source, store_release_package, store_releases

pytestmark = pytest.mark.django_db

COUNCIL_KEY = ("GB-LAE", "BSD")
PROVIDER_KEY = ("GB-MPR", "IP99001")
CHANGELIST = "/admin/registry/organisationidentifier/"
OPENCARE = Path(sys.executable).with_name("opencare")


@pytest.fixture
def provider(db):
    stored_borsetdale(NORTH)  # the council and Moorside, as parties of the contract they share
    return Publisher.objects.create(
        name="Moorside Care Co-operative (invented)", kind=Publisher.Kind.PROVIDER, scheme="GB-MPR",
        identifier="IP99001", is_invented=True,
    )  # fmt: skip


@pytest.fixture
def administrator(db):
    return get_user_model().objects.create_superuser("ada.admin", "ada@example.org", "a long and unusual phrase 9")


def _now():
    return datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _row(key):
    return OrganisationIdentifier.objects.get(scheme=key[0], identifier=key[1])


def _both_named(party_id="linked-party"):
    return {
        "id": party_id, "name": "Moorside Care Co-operative (invented)",
        "identifier": {"scheme": "GB-MPR", "id": "IP99001"},
        "additionalIdentifiers": [{"scheme": "GB-LAE", "id": "BSD"}], "roles": ["supplier"],
    }  # fmt: skip


def _shared_ocid():
    supplied = {p.process.ocid for p in parts_played_by(scheme="GB-MPR", identifier="IP99001")}
    return sorted(
        p.process.ocid for p in parts_played_by(scheme="GB-LAE", identifier="BSD") if p.process.ocid in supplied
    )[0]


def _official_link():
    source = get_or_create_source(key="test:official-register", title="An official register")
    release = {"ocid": "ocds-test-linked-1", "id": "1", "date": _now(), "tag": ["tender"], "parties": [_both_named()]}
    store_release_package(package={"releases": [release]}, source=source)


def _legacy_posted_merge(provider, monkeypatch):
    """What the registry did before: a posted release whose provider party names the council's identifier too
    merged the two (posted releases were linked like official ones)."""
    with monkeypatch.context() as old_linking:
        old_linking.setattr(registry_services, "is_posted", lambda source: False)
        old_linking.setattr(registry_services, "with_posted_releases", lambda ocids: set())
        release = {"ocid": _shared_ocid(), "id": "legacy-claim", "date": _now(), "tag": ["contractUpdate"],
                   "parties": [_both_named("GB-MPR-IP99001")]}  # fmt: skip
        store_releases(releases=[release], metadata=_package_metadata(provider), source=_source_of(provider))
    assert _row(PROVIDER_KEY).organisation_id == _row(COUNCIL_KEY).organisation_id


def test_an_official_link_keeps_its_evidence_and_is_trusted(provider):
    _official_link()

    council, moorside = _row(COUNCIL_KEY), _row(PROVIDER_KEY)
    assert council.organisation_id == moorside.organisation_id
    moved = _linked_row()
    assert (moved.scheme, moved.identifier) in {COUNCIL_KEY, PROVIDER_KEY}
    assert (moved.trusted, moved.evidence_ocid, moved.evidence_party, moved.evidence_source) == (
        True, "ocds-test-linked-1", "linked-party", "test:official-register",
    )  # fmt: skip
    assert moved.linked_at is not None


def test_an_identifier_first_seen_in_a_posted_release_is_kept_as_untrusted_evidence(provider):
    release = {"ocid": "ocds-test-posted-1", "id": "p1", "date": _now(), "tag": ["tender"],
               "parties": [{"id": "GB-COH-00000001", "name": "New Care Ltd", "roles": ["tenderer"],
                            "identifier": {"scheme": "GB-COH", "id": "00000001"}}]}  # fmt: skip

    store_releases(releases=[release], metadata=_package_metadata(provider), source=_source_of(provider))

    row = _row(("GB-COH", "00000001"))
    assert (row.trusted, row.evidence_ocid, row.evidence_source) == (
        False,
        "ocds-test-posted-1",
        _source_of(provider).key,
    )


def _linked_row():
    """The identifier that the official release linked to the other organisation (moved into it)."""
    return OrganisationIdentifier.objects.get(
        evidence_ocid="ocds-test-linked-1", scheme__in=["GB-LAE", "GB-MPR"], identifier__in=["BSD", "IP99001"]
    )


def test_administrators_see_every_link_with_its_evidence(client, provider, administrator):
    _official_link()
    linked = _linked_row()
    client.force_login(administrator)

    page = client.get(CHANGELIST, {"q": linked.identifier})

    assert page.status_code == 200
    text = page.content.decode()
    assert linked.identifier in text
    assert "ocds-test-linked-1" in text
    assert "test:official-register" in text


def test_an_administrator_splits_a_wrong_link_and_the_split_is_in_the_audit_log(client, provider, administrator):
    _official_link()
    linked = _linked_row()
    own_parts = ProcessParty.objects.filter(party_id=f"{linked.scheme}-{linked.identifier}").count()
    client.force_login(administrator)

    answer = client.post(CHANGELIST, {"action": "split_off", "_selected_action": [linked.pk]})

    assert answer.status_code == 302
    assert _row(COUNCIL_KEY).organisation_id != _row(PROVIDER_KEY).organisation_id
    split_off = _row((linked.scheme, linked.identifier)).organisation
    assert split_off.process_parties.filter(party_id=f"{linked.scheme}-{linked.identifier}").count() == own_parts
    other = COUNCIL_KEY if (linked.scheme, linked.identifier) == PROVIDER_KEY else PROVIDER_KEY
    assert (
        not _row(other).organisation.process_parties.filter(party_id=f"{linked.scheme}-{linked.identifier}").exists()
    )
    entry = AuditEntry.objects.get(action="split-organisation")
    assert (entry.user, entry.via, entry.detail["identifier"]) == (
        administrator,
        "admin",
        f"{linked.scheme} {linked.identifier}",
    )
    assert entry.detail["evidence"]["ocid"] == "ocds-test-linked-1"


def test_an_administrator_confirms_a_link_and_it_is_in_the_audit_log(client, provider, administrator):
    client.force_login(administrator)
    row = _row(PROVIDER_KEY)
    OrganisationIdentifier.objects.filter(pk=row.pk).update(trusted=False)

    client.post(CHANGELIST, {"action": "confirm", "_selected_action": [row.pk]})

    row.refresh_from_db()
    assert row.trusted
    assert "confirmed by administrator ada.admin" in row.evidence_source
    assert AuditEntry.objects.filter(action="confirm-organisation-link", user=administrator).exists()


def test_setup_repairs_a_merge_made_only_by_a_posted_release_once_and_logs_it(provider, monkeypatch):
    _legacy_posted_merge(provider, monkeypatch)
    merged = _row(COUNCIL_KEY).organisation_id

    split = repair_posted_merges()

    assert split == 1
    assert _row(PROVIDER_KEY).organisation_id != _row(COUNCIL_KEY).organisation_id
    assert merged in {_row(PROVIDER_KEY).organisation_id, _row(COUNCIL_KEY).organisation_id}
    council_org = _row(COUNCIL_KEY).organisation
    assert council_org.process_parties.filter(party_id="GB-LAE-BSD").exists()
    assert not council_org.process_parties.filter(party_id="GB-MPR-IP99001").exists()
    entry = AuditEntry.objects.get(action="split-organisation")
    assert entry.via == "command"
    assert "posted" in entry.detail["reason"]
    assert repair_posted_merges() == 0  # once


def test_the_repair_leaves_a_link_made_by_official_data(provider, monkeypatch):
    _official_link()
    _legacy_posted_merge(provider, monkeypatch)

    assert repair_posted_merges() == 0
    assert _row(PROVIDER_KEY).organisation_id == _row(COUNCIL_KEY).organisation_id


def test_the_links_an_import_makes_are_in_the_audit_log_with_their_evidence(tmp_path, migrated_sqlite):
    party = {
        "id": "care-co",
        "name": "Care Co",
        "identifier": {"scheme": "GB-COH", "id": "01234567"},
        "roles": ["supplier"],
    }
    charity = party | {"additionalIdentifiers": [{"scheme": "GB-CHC", "id": "1099999"}]}
    releases = [
        {
            "ocid": f"ocds-test-import-{n}",
            "id": "1",
            "date": f"2026-01-0{n}T00:00:00Z",
            "tag": ["award"],
            "parties": [p],
        }
        for n, p in ((1, party), (2, charity))
    ]
    package = tmp_path / "official.json"
    package.write_text(json.dumps({"uri": "https://example.org/p.json", "releases": releases}))
    database = migrated_sqlite(tmp_path / "db.sqlite3")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "OPENCARE_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    done = subprocess.run([OPENCARE, "import", "--no-bulk", str(package)], env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    with sqlite3.connect(database) as db:
        entries = db.execute("SELECT via, detail FROM publishing_auditentry WHERE action = 'link-organisations'")
        (via, detail), *others = [(via, json.loads(detail)) for via, detail in entries]
    assert not others
    assert via == "command"
    assert detail["count"] == 2
    linked = {link["identifier"]: link for link in detail["links"]}
    assert set(linked) == {"GB-COH 01234567", "GB-CHC 1099999"}
    assert linked["GB-CHC 1099999"]["evidence"]["ocid"] == "ocds-test-import-2"
    assert linked["GB-CHC 1099999"]["trusted"] is True
