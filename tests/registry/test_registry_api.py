"""The OCDS API: packages by ocid, paged and filtered lists with links.next, organisations, ETags."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.builders.shared_data import shared_data

from opencare.registry.imports import import_paths
from opencare.registry.models import Organisation, Process, Release
from opencare.registry.search import matching_words

pytestmark = pytest.mark.django_db

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"


@pytest.fixture(scope="class")
def registry(django_db_setup, django_db_blocker):
    """Every real notice, imported once for the tests of a class and rolled back after them."""
    with shared_data(django_db_blocker, lambda: import_paths([REALDATA])):
        yield


def test_the_openapi_schema_lists_every_registry_endpoint(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/releases", "/api/releases/{ocid}", "/api/records", "/api/records/{ocid}",
                 "/api/organisations", "/api/organisations/{pk}"):  # fmt: skip
        assert path in paths


def test_cached_answers_are_reused_until_new_data_arrives(client, settings):
    from django.core.cache import cache

    from opencare.registry import selectors

    settings.OPENCARE_API_CACHE_SECONDS = 60
    cache.clear()
    selectors.forget_registry_version()
    import_paths([REALDATA / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"])
    first = client.get("/api/records?limit=1000")
    Process.objects.update(title="changed behind the cache's back")
    again = client.get("/api/records?limit=1000")
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    import_paths([REALDATA / "s2w-releases-2025-02.json"])
    selectors.forget_registry_version()  # a second later, the version is read again
    fresh = client.get("/api/records?limit=1000").json()["records"]
    assert len(fresh) == Process.objects.count() > len(first.json()["records"])


class TestOnTheRealNotices:
    """Read-only tests of the API over the real notices in tests/fixtures/realdata, imported once for them all."""

    def test_releases_are_paged_with_links_next_until_every_release_is_seen(self, client, registry, settings):
        seen, url = [], "/api/releases?limit=200"
        while url:
            package = client.get(url).json()
            assert package["version"] == "1.1"
            seen += package["releases"]
            url = package.get("links", {}).get("next", "").replace(settings.OPENCARE_SITE_URL, "")
        assert len(seen) == Release.objects.count() == 585

    def test_a_release_package_and_a_record_package_by_ocid(self, client, registry):
        process = Process.objects.filter(release_count__gt=1).first()
        releases = client.get(f"/api/releases/{process.ocid}").json()["releases"]
        assert len(releases) == process.release_count
        (record,) = client.get(f"/api/records/{process.ocid}").json()["records"]
        assert record["ocid"] == process.ocid
        assert record["compiledRelease"] == process.compiled_release
        assert len(record["releases"]) == process.release_count

    def test_an_unknown_ocid_is_404(self, client, registry):
        assert client.get("/api/releases/ocds-nothing").status_code == 404
        assert client.get("/api/records/ocds-nothing").status_code == 404

    @pytest.mark.parametrize(
        ("query", "check"),
        [
            ("cpv=853", lambda p: any(code.startswith("853") for code in p.cpv_codes)),
            ("social_care=true", lambda p: p.is_social_care),
            ("buyer=council", lambda p: "council" in p.buyer_name.lower()),
            # Words are the search page's (tests/explore/test_one_search_and_json_twins.py): substrings on SQLite,
            # English full-text search on PostgreSQL.
            (
                "q=care",
                lambda p: (
                    Process.objects.filter(pk=p.pk)
                    .filter(pk__in=matching_words(Process.objects.all(), "care"))
                    .exists()
                ),
            ),
        ],
    )
    def test_record_filters_return_exactly_the_matching_processes(self, client, registry, query, check):
        records = client.get(f"/api/records?limit=1000&{query}").json()["records"]
        expected = {p.ocid for p in Process.objects.all() if check(p)}
        assert {record["ocid"] for record in records} == expected
        assert expected

    def test_release_date_filters_and_updated_since(self, client, registry):
        releases = client.get("/api/releases?limit=1000&date_from=2025-01-01&date_to=2025-02-01").json()["releases"]
        assert releases
        assert all("2025-01-01" <= release["date"][:10] <= "2025-02-01" for release in releases)
        assert client.get("/api/releases?updated_since=2999-01-01").json()["releases"] == []

    def test_supplier_filter_finds_releases_of_processes_the_supplier_won(self, client, registry):
        process = Process.objects.exclude(supplier_names=[]).first()
        supplier = process.supplier_names[0]
        releases = client.get("/api/releases", {"supplier": supplier, "limit": 1000}).json()["releases"]
        assert process.ocid in {release["ocid"] for release in releases}

    @pytest.mark.parametrize(
        "query", ["limit=0", "limit=5000", "cpv=abc", "date_from=yesterday", "cursor=x", "social_care=perhaps"]
    )
    def test_bad_filters_are_refused_with_a_4xx_and_a_message(self, client, registry, query):
        response = client.get(f"/api/releases?{query}")
        assert 400 <= response.status_code < 500
        assert response.json()

    def test_sql_in_a_filter_is_just_text(self, client, registry):
        response = client.get("/api/records", {"buyer": "x' OR '1'='1", "q": "'; DROP TABLE registry_release; --"})
        assert response.status_code == 200
        assert response.json()["records"] == []
        assert Release.objects.count() == 585

    def test_answers_carry_an_etag_and_a_matching_request_gets_304(self, client, registry):
        first = client.get("/api/records?limit=5")
        assert first["Cache-Control"] == "public, max-age=60"
        again = client.get("/api/records?limit=5", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    def test_organisations_list_and_detail(self, client, registry):
        page = client.get("/api/organisations?q=council&limit=1000").json()
        assert page["results"]
        assert all("council" in org["name"].lower() for org in page["results"])
        busiest = max(page["results"], key=lambda org: org["processes"])
        detail = client.get(f"/api/organisations/{busiest['id']}").json()
        assert len({part["ocid"] for part in detail["processes"]}) == busiest["processes"]
        assert client.get(f"/api/organisations/{Organisation.objects.count() + 1000}").status_code == 404

    def test_a_record_with_its_versioned_release_on_demand(self, client, registry):
        process = Process.objects.filter(release_count__gt=1).first()
        (plain,) = client.get(f"/api/records/{process.ocid}").json()["records"]
        assert "versionedRelease" not in plain
        (record,) = client.get(f"/api/records/{process.ocid}?versioned=true").json()["records"]
        versioned = record["versionedRelease"]
        assert versioned["ocid"] == process.ocid
        first = record["releases"][0]
        (history_start, *_) = versioned["initiationType"]  # each field's history starts at the release that set it
        assert history_start == {"releaseID": first["id"], "releaseDate": first["date"], "releaseTag": first["tag"],
                                 "value": first["initiationType"]}  # fmt: skip

    def test_a_nul_character_in_a_text_filter_is_ignored_not_a_server_error(self, client, registry):
        # PostgreSQL cannot compare text holding NUL; found by schemathesis on the PostgreSQL run.
        assert client.get("/api/releases", {"buyer": "\x00council"}).status_code == 200
        assert client.get("/api/organisations", {"q": "coun\x00cil"}).json()["results"]
        assert client.get("/feeds/processes.atom", {"supplier": "\x00"}).status_code == 200
