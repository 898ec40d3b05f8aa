"""A site exported and restored into an empty database is the same site: every row, every API answer byte for
byte, every document, the passwords, two-factor devices and API tokens still work, and new rows get new keys."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencare.backups.services import export_all, restore
from opencare.demo.accounts import DEMO_PASSWORD
from opencare.publishing.models import StoredDocument
from opencare.publishing.tokens import token_for

from .sample_site import add_rows, build_site, fingerprint


def empty_the_site() -> None:
    """What a new database is after `opencare setup`, and an empty document storage: flush every table (migrate's
    content types and permissions come back, with new keys), make the groups migration 0001 makes, delete the
    documents' files."""
    names = list(StoredDocument.objects.values_list("file", flat=True))
    storage = StoredDocument._meta.get_field("file").storage
    call_command("flush", interactive=False, verbosity=0)
    for name in ("moderators", "administrators"):
        Group.objects.create(name=name)
    for name in names:
        storage.delete(name)


@pytest.mark.django_db(transaction=True)
def test_a_restored_site_is_identical_to_the_one_exported(client, settings, tmp_path):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    made = build_site()
    before = fingerprint()
    assert len(before["files"]) == 2
    assert all(before["rows"][table] for table in ("participation.reply", "otp_totp.totpdevice", "auth.user_groups"))
    archive = tmp_path / "site.tar"

    exported = export_all(archive)
    empty_the_site()
    assert not StoredDocument.objects.exists()
    restored = restore(archive)

    assert restored.rows == exported.rows
    assert restored.files_written == 2
    after = fingerprint()
    assert after["rows"] == before["rows"]
    assert after["answers"] == before["answers"]
    assert after["files"] == before["files"]
    sign_in = client.post(reverse("accounts:sign_in"), {"username": "commissioner", "password": DEMO_PASSWORD})
    assert sign_in.status_code == 302
    device = TOTPDevice.objects.get(pk=made["device"])
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    assert device.verify_token(f"{code:0{device.digits}d}")
    assert token_for(made["token"]) is not None
    for table, (last_restored, new) in add_rows().items():
        assert new > last_restored, f"{table}: a new row took key {new}, not past the restored {last_restored}"
