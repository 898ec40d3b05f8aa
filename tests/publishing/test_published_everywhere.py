"""One release, published through the publishing service the forms use, reaches every channel: the contract page,
the easy read page, the API record, the Atom feed and, once the background rebuild has run, the bulk downloads."""

from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal

import orjson
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from opencare.ocds import release_builder as rb
from opencare.publishing import services
from opencare.registry.bulk import download_path, read_index, write_bulk_downloads
from opencare.registry.models import Process, Release

TITLE = "Home care in Saltmarsh Quay (one truth)"


@pytest.mark.django_db
def test_a_published_release_shows_on_every_page_the_api_the_feed_and_the_downloads(
    client, settings, tmp_path, demo_publishing, django_capture_on_commit_callbacks
):
    settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
    write_bulk_downloads()  # the downloads as they were before the publish
    settings.OPENCARE_BULK_REBUILD = True
    council = demo_publishing["council"]
    user = get_user_model().objects.get(username="commissioner")
    facts = rb.ProcessFacts(TITLE, "Care and support at home in Saltmarsh Quay.", "85312400", "Home care",
                            "Saltmarsh Quay", "GBP", Decimal(750000), date(2026, 4, 1), date(2029, 3, 31))  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):  # the rebuild is queued when the publish commits
        published = services.publish(
            user=user,
            publisher=council,
            action="create-process",
            build=lambda header: rb.tender_release(header, facts),
        )
    ocid = published.ocid

    assert TITLE in client.get(reverse("explore:contract", args=[ocid])).content.decode()
    assert TITLE in client.get(reverse("explore:contract_easy_read", args=[ocid])).content.decode()
    (record,) = client.get(f"/api/records/{ocid}").json()["records"]
    assert [release["id"] for release in record["releases"]] == [published.release_id]
    assert record["compiledRelease"]["tender"]["title"] == TITLE
    feed = client.get(reverse("explore:feed")).content.decode()
    assert f"/contracts/{ocid}/" in feed
    assert TITLE in feed

    index = read_index()
    assert index["datasets"]["all"]["releases"] == Release.objects.count()
    assert index["datasets"]["all"]["processes"] == Process.objects.count()
    package = orjson.loads(gzip.decompress(download_path("opencare-all-releases.json.gz").read_bytes()))
    assert published.release_id in {release["id"] for release in package["releases"] if release["ocid"] == ocid}
    lines = gzip.decompress(download_path("opencare-all-compiled-releases.jsonl.gz").read_bytes()).splitlines()
    assert any(orjson.loads(line)["ocid"] == ocid for line in lines)
    page = client.get(reverse("explore:downloads")).content.decode()
    assert "being remade" not in page
    assert "has changed since" not in page
