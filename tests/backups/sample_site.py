"""A site with rows in every kind of table a backup holds, and a fingerprint of everything a restore must bring back.

The tests use it in their own process; the command tests run it as a script in databases of their own:
``python tests/backups/sample_site.py build|fingerprint|add-rows`` (DJANGO_SETTINGS_MODULE and DATABASE_URL set),
printing JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CQC_SAMPLE = ROOT / "tests" / "fixtures" / "cqc-ratings-sample.csv"
NOTICES = ROOT / "tests" / "fixtures" / "realdata" / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SPEC = b"Specification of home care in Saltmarsh.\nVisits are at least 30 minutes.\n"
PUBLISHED_DATE = re.compile(rb'"publishedDate":\s*"[^"]*"')


def build_site() -> dict[str, Any]:
    """Demo data and accounts, then a publish with an uploaded document, a draft, an API token, a two-factor device,
    a catalogue change, an import, CQC ratings, feedback that is moderated, replied to and rated, counts published,
    a wrong and a right sign-in, and an admin log entry. Returns what the checks need to know."""
    from django.conf import settings
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth import authenticate, get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import signing
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from opencare.demo.accounts import DEMO_PASSWORD, create_demo_accounts
    from opencare.demo.borsetdale import COUNCIL, MOORSIDE
    from opencare.demo.services import load_demo
    from opencare.participation import services as participation
    from opencare.participation.submission_checks import form_stamp
    from opencare.publishing.catalogue import retire_metric
    from opencare.publishing.documents import store_upload
    from opencare.publishing.models import Publisher
    from opencare.publishing.services import save_draft
    from opencare.publishing.tokens import create_token
    from opencare.registry.cqc import import_ratings
    from opencare.registry.imports import import_paths
    from opencare.registry.models import Process
    from opencare.registry.selectors import parts_played_by

    assert settings.OPENCARE_DEMO_ACCOUNTS
    load_demo()
    create_demo_accounts()
    users = {user.username: user for user in get_user_model().objects.all()}
    council = Publisher.objects.get(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
    provider = Publisher.objects.get(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)

    # A commissioner publishes a new process with an uploaded specification, through the forms.
    client = Client(SERVER_NAME="localhost")
    client.force_login(users["commissioner"])
    answers = {
        "title": "Home care in Saltmarsh (backup test)",
        "description": "Care and support at home for adults in Saltmarsh.",
        "service": "home-care",
        "place": "Saltmarsh",
        "value": "900000",
        "start": "2026-04-01",
        "end": "2029-03-31",
        "lots": "",
        "options": "One extension of 24 months",
        "award_criteria": "Quality 70%, price 30%",
        "spec_pages": "6-9",
        "outcomes_url": "https://borsetdale.example.org/outcomes.pdf",
        "outcomes_pages": "1",
        "spec_file": SimpleUploadedFile("Service spec.pdf", PDF, content_type="application/pdf"),
    }
    check = client.post(reverse("publishing:new_process", args=[council.pk]), answers)
    assert check.status_code == 302, check.content.decode()[:2000]
    published = client.post(check["Location"])
    assert published.status_code == 302, published.content.decode()[:2000]
    new_ocid = published["Location"].rstrip("/").rsplit("/", 1)[-1]
    store_upload(
        user=users["commissioner"],
        publisher=council,
        upload=SimpleUploadedFile("Outcomes.txt", SPEC, content_type="text/plain"),
    )
    save_draft(user=users["commissioner"], publisher=council, kind="update-process", ocid=new_ocid,
               answers={"title": "Home care in Saltmarsh (draft)"})  # fmt: skip
    _, token_text = create_token(
        user=users["commissioner"], publisher=council, name="care system", scopes=["releases"]
    )
    device = TOTPDevice.objects.create(user=users["provider"], name="Phone", confirmed=True)
    retire_metric(user=users["administrator"], metric_id="sc-continuity-of-carer", asked_for_by="Backup test",
                  reason="To have a catalogue change in the backup.")  # fmt: skip
    import_paths([NOTICES])
    import_ratings(CQC_SAMPLE)

    # Feedback on the provider's contract: moderated, published, replied to and rated.
    ocid = next(part.process.ocid for part in parts_played_by(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident))
    contract_id = Process.objects.get(ocid=ocid).compiled_release["contracts"][0]["id"]
    feedback = participation.submit_feedback(
        participation.Submission(
            ocid=ocid,
            contract_id=contract_id,
            respondent_type="personGettingSupport",
            answers={"sc-feedback-on-time": "mostly", "sc-feedback-recommend": "yes"},
            about_month=(date.today() - timedelta(days=200)).replace(day=1),  # a quarter that has ended
            story="My care workers are kind but often rushed in the mornings.",
            email="person@example.org",
            honeypot="",
            stamp=form_stamp(time.time() - 10),
        ),
        sender_address="10.0.0.1",
    )
    participation.moderate(feedback=feedback, moderator=users["administrator"], decision="published",
                           reason="Nothing identifying.", published_story=feedback.story)  # fmt: skip
    answer = participation.reply(feedback=feedback, user=users["provider"], publisher=provider,
                                 text="Thank you: we have added time to morning visits.")  # fmt: skip
    participation.rate_reply(token=signing.dumps({"reply": answer.pk}, salt=participation.RATING_SALT),
                             rating="helpful")  # fmt: skip
    participation.publish_ended_quarters()

    # Sign-in attempts (django-axes keeps them), a permission given to a person and to a group, an admin log entry.
    # (A wrong password through authenticate(), not the sign-in page: the page needs collected static files, which
    # the command tests' sites do not have.)
    sign_in = reverse("accounts:sign_in")
    assert (
        authenticate(RequestFactory().post(sign_in, REMOTE_ADDR="10.0.0.2"), username="viewer", password="no") is None
    )
    visitor = Client(SERVER_NAME="localhost")
    assert visitor.post(sign_in, {"username": "viewer", "password": DEMO_PASSWORD}).status_code == 302
    users["viewer"].user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    Group.objects.get(name="moderators").permissions.add(Permission.objects.get(codename="view_feedback"))
    LogEntry.objects.create(
        user=users["administrator"],
        content_type=ContentType.objects.get_for_model(Publisher),
        object_id=str(provider.pk),
        object_repr=str(provider),
        action_flag=CHANGE,
        change_message="Checked the address.",
    )
    return {"ocid": new_ocid, "token": token_text, "device": device.pk}


def fingerprint() -> dict[str, Any]:
    """Everything a restore must bring back, comparable across processes: every row of every table a backup holds,
    the OCDS API's answers byte for byte (but the time they were made) with their ETags, and the stored files'
    SHA-256s."""
    from django.test import Client

    from opencare.backups.tables import backed_up_models, label
    from opencare.publishing.models import StoredDocument
    from opencare.registry.models import Process

    rows = {}
    for model in backed_up_models():
        columns = [field.attname for field in model._meta.local_concrete_fields]
        values = model._base_manager.order_by("pk").values_list(*columns)
        # Exact for every value (datetimes to the microsecond, decimals as stored); JSON objects with their keys
        # sorted, as PostgreSQL's jsonb keeps them in an order of its own.
        rows[label(model)] = [json.dumps(row, sort_keys=True, default=str, ensure_ascii=False) for row in values]
    client = Client(SERVER_NAME="localhost")
    paths = ["/api/records", "/api/releases", "/api/organisations", "/api/feedback/stories", "/feedback/stories.csv"]
    for ocid in Process.objects.order_by("pk").values_list("ocid", flat=True):
        paths += [f"/api/records/{ocid}", f"/api/records/{ocid}?versioned=true", f"/api/releases/{ocid}"]
    answers = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = PUBLISHED_DATE.sub(b'"publishedDate":"(the time of the answer)"', response.content)
        answers[path] = {"etag": response.get("ETag", ""), "body": body.decode()}
    files = {}
    for document in StoredDocument.objects.order_by("pk"):
        with document.file.open("rb") as stream:
            files[document.file.name] = hashlib.sha256(stream.read()).hexdigest()
    return {"rows": rows, "answers": answers, "files": files}


def signs_in(username: str, password: str) -> bool:
    """Whether the person can sign in with that password (the stored hash checks it)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username).check_password(password)


def add_rows() -> dict[str, list[int]]:
    """Add a row to a few tables and say whether each new primary key is past the restored ones: on PostgreSQL
    only if the restore set the sequences."""
    from django.contrib.auth import get_user_model

    from opencare.registry.models import Organisation, Source

    made = {}
    for model, values in (
        (get_user_model(), {"username": "after-the-restore"}),
        (Source, {"key": "after-the-restore", "title": "After the restore"}),
        (Organisation, {"name": "After the restore"}),
    ):
        before = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        made[model._meta.label_lower] = [before, model.objects.create(**values).pk]
    return made


if __name__ == "__main__":
    import django

    django.setup()
    task = sys.argv[1]
    if task == "build":
        print(json.dumps(build_site()))
    elif task == "fingerprint":
        from opencare.demo.accounts import DEMO_PASSWORD

        print(json.dumps({**fingerprint(), "commissioner signs in": signs_in("commissioner", DEMO_PASSWORD)}))
    elif task == "add-rows":
        print(json.dumps(add_rows()))
    else:
        raise SystemExit(f"unknown task {task!r}: build, fingerprint or add-rows")
