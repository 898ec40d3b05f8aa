"""A file uploaded on a form with errors elsewhere is kept for the account that uploaded it, said so on the page,
and used on the next valid submit; another account can neither use nor see it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencare.publishing.models import Draft, Membership, StoredDocument

from .conftest import signed_in
from .test_publishing_flows import PDF, PROCESS_ANSWERS

KEPT_SENTENCE = "You uploaded spec.pdf (240 KB). It will be kept. Choose another file to replace it."
SPEC_240_KB = PDF + b"0" * (240 * 1024 - len(PDF))


def _post_with_an_error(client, council):
    url = reverse("publishing:new_process", args=[council.pk])
    spec = SimpleUploadedFile("spec.pdf", SPEC_240_KB, content_type="application/pdf")
    return client.post(url, PROCESS_ANSWERS | {"end": "not a date", "spec_file": spec})


def test_the_uploaded_specification_is_kept_and_said_so_after_an_error_elsewhere(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    response = _post_with_an_error(client, council)
    page = response.content.decode()
    assert response.status_code == 400
    assert KEPT_SENTENCE in page
    assert "Upload the service specification" not in page
    assert StoredDocument.objects.filter(publisher=council, filename="spec.pdf").count() == 1


def test_the_kept_file_is_used_on_the_next_valid_submit(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    response = _post_with_an_error(client, council)
    kept_key = str(StoredDocument.objects.get(publisher=council, filename="spec.pdf").key)
    assert f'value="{kept_key}"' in response.content.decode()

    answers = PROCESS_ANSWERS | {"spec_document": kept_key}  # what the page sends back: no file chosen again
    saved = client.post(reverse("publishing:new_process", args=[council.pk]), answers)
    assert saved.status_code == 302
    draft = Draft.objects.get(publisher=council, kind="create-process")
    assert draft.answers["spec_document"] == kept_key
    check = client.get(saved["Location"]).content.decode()
    assert "Uploaded" in check
    published = client.post(saved["Location"])
    assert published.status_code == 302


def test_a_file_refused_for_its_type_is_not_kept(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    spec = SimpleUploadedFile("spec.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    url = reverse("publishing:new_process", args=[council.pk])
    response = client.post(url, PROCESS_ANSWERS | {"end": "not a date", "spec_file": spec})
    assert response.status_code == 400
    assert "does not look like a .pdf file" in response.content.decode()
    assert not StoredDocument.objects.filter(publisher=council).exists()


def test_another_account_can_neither_use_nor_see_the_kept_file(client, demo_publishing):
    council = demo_publishing["council"]
    signed_in(client, "commissioner")
    _post_with_an_error(client, council)
    kept_key = str(StoredDocument.objects.get(publisher=council, filename="spec.pdf").key)

    colleague = get_user_model().objects.create_user("another-commissioner")
    Membership.objects.create(user=colleague, publisher=council, role=Membership.Role.PUBLISHER)
    client.force_login(colleague)
    url = reverse("publishing:new_process", args=[council.pk])
    assert "spec.pdf" not in client.get(url).content.decode()

    response = client.post(url, PROCESS_ANSWERS | {"spec_document": kept_key})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Upload the service specification or give its web address." in page
    assert "spec.pdf" not in page
    assert kept_key not in page
    assert not Draft.objects.filter(publisher=council, kind="create-process").exists()
