"""`opencare import`: real UK notices into the registry, idempotent, social-care only on request, nothing lost."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import orjson
import pytest
from django.db.models import Count

from opencare.ocds.readers import InputError
from opencare.registry.imports import ImportPathError, import_paths, read_page
from opencare.registry.models import ImportRun, Process, ProcessParty, Release
from opencare.registry.prepared import prepare_releases
from opencare.registry.services import get_or_create_source, store_releases

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REALDATA = FIXTURES / "realdata"


def test_every_real_notice_is_stored_and_the_scottish_releases_without_id_are_flagged_not_lost():
    run = import_paths([REALDATA])
    assert (run.releases_read, run.added, run.already_stored) == (585, 585, 0)
    assert run.finished_at is not None
    assert Release.objects.count() == 585
    scottish = Release.objects.filter(ocid__startswith="ocds-r6ebe6")
    assert scottish.count() == 90
    assert all(r.release_id == "" and r.schema_error_count >= 1 for r in scottish)
    assert any("id" in error["message"] for error in scottish.first().schema_errors)
    assert run.flagged == Release.objects.filter(schema_error_count__gt=0).count() >= 90
    assert Process.objects.count() == Release.objects.values("ocid").distinct().count()


def test_importing_the_same_files_again_adds_nothing():
    import_paths([REALDATA])
    again = import_paths([REALDATA])
    assert (again.added, again.already_stored) == (0, 585)
    assert Release.objects.count() == 585
    assert not Release.objects.values("ocid", "release_id", "sha256").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_social_care_only_keeps_the_social_care_processes():
    run = import_paths([REALDATA], social_care_only=True)
    assert (run.added, run.not_social_care) == (39, 546)
    assert Process.objects.count() == 35
    assert not Process.objects.filter(is_social_care=False).exists()
    subset = orjson.loads((FIXTURES / "social-care-subset.json").read_bytes())["releases"]
    stored = set(Release.objects.values_list("ocid", "release_id"))
    assert {(release["ocid"], release.get("id", "")) for release in subset} <= stored


def test_a_later_release_of_a_process_held_as_social_care_is_kept_though_it_names_no_service(tmp_path):
    tender = {
        "ocid": "ocds-abcdef-1",
        "id": "1",
        "date": "2025-01-01T00:00:00Z",
        "tag": ["tender"],
        "tender": {"id": "t", "title": "Domiciliary care", "classification": {"scheme": "CPV", "id": "85312400"}},
    }
    award = {"ocid": "ocds-abcdef-1", "id": "2", "date": "2025-03-01T00:00:00Z", "tag": ["award"],
             "awards": [{"id": "a", "status": "active"}]}  # fmt: skip
    other = {**award, "ocid": "ocds-abcdef-2"}
    (tmp_path / "tender.json").write_bytes(orjson.dumps({"releases": [tender]}))
    (tmp_path / "award.jsonl").write_bytes(orjson.dumps(award) + b"\n" + orjson.dumps(other) + b"\n")
    import_paths([tmp_path / "tender.json"], social_care_only=True)
    run = import_paths([tmp_path / "award.jsonl"], social_care_only=True)
    assert (run.added, run.not_social_care) == (1, 1)
    assert Process.objects.get(ocid="ocds-abcdef-1").release_count == 2


def test_folders_gzip_json_lines_and_record_packages_are_read(tmp_path):
    package = orjson.loads((REALDATA / "s2w-releases-2025-02.json").read_bytes())
    releases = package["releases"][:4]
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "a.json.gz").write_bytes(gzip.compress(orjson.dumps({"releases": releases[:2]})))
    records = {"records": [{"ocid": r["ocid"], "releases": [r]} for r in releases[2:]]}
    (tmp_path / "records.json").write_bytes(orjson.dumps(records))
    (tmp_path / "notes.txt").write_text("not data")
    run = import_paths([tmp_path])
    assert run.added == 4
    assert run.unreadable_files == []


def test_an_unreadable_file_is_reported_and_the_others_still_imported(tmp_path):
    shutil.copy(REALDATA / "fts-ocds-release-package-2026-09-03-p001-excerpt.json", tmp_path / "good.json")
    (tmp_path / "broken.json").write_bytes(b'{"releases": [{"ocid": ')
    run = import_paths([tmp_path])
    assert run.added == 5
    (unreadable,) = run.unreadable_files
    assert unreadable["path"].endswith("broken.json")
    assert "line 1" in unreadable["message"].lower()


def test_a_missing_path_is_refused_before_anything_is_stored(tmp_path):
    with pytest.raises(ImportPathError, match="no file or folder"):
        import_paths([tmp_path / "missing.json"])
    with pytest.raises(ImportPathError, match=r"has no \.json"):
        import_paths([tmp_path])
    assert ImportRun.objects.count() == 0


def _release(ocid: str, number: int, title: str) -> dict:
    return {"ocid": ocid, "id": str(number), "date": f"2025-01-{number:02d}T00:00:00Z", "tag": ["tender"],
            "tender": {"id": "t", "title": title}}  # fmt: skip


def test_a_process_whose_releases_are_far_apart_in_a_file_is_compiled_from_all_of_them(tmp_path, monkeypatch):
    """Chunks of two releases: the process's later releases come in later chunks, and are compiled with the first."""
    monkeypatch.setattr("opencare.registry.imports.CHUNK", 2)
    releases = [_release("ocds-abcdef-1", 1, "First"), _release("ocds-abcdef-2", 2, "Other"),
                _release("ocds-abcdef-3", 3, "Another"), _release("ocds-abcdef-1", 4, "Last title")]  # fmt: skip
    path = tmp_path / "package.json"
    path.write_bytes(orjson.dumps({"version": "1.1", "releases": releases}))
    run = import_paths([path])
    assert run.added == 4
    process = Process.objects.get(ocid="ocds-abcdef-1")
    assert (process.release_count, process.title) == (2, "Last title")
    assert process.compiled_release["id"] == "ocds-abcdef-1-2025-01-04T00:00:00Z"


def test_a_file_imported_through_the_second_process_gives_what_storing_its_releases_gives(tmp_path):
    """The second process (registry.imports) and store_releases make the same processes and organisations."""
    import_paths([REALDATA / "cf-releases-2025-01-to-03.json"])
    imported = {p.ocid: (p.compiled_release, p.title, p.buyer_name, p.release_count, p.is_social_care)
                for p in Process.objects.all()}  # fmt: skip
    parties = sorted(ProcessParty.objects.values_list("process__ocid", "organisation__name", "party_id"))
    Process.objects.all().delete()
    Release.objects.all().delete()
    package = orjson.loads((REALDATA / "cf-releases-2025-01-to-03.json").read_bytes())
    store_releases(releases=package["releases"], metadata={}, source=get_or_create_source(key="again", title="again"))
    assert {p.ocid: (p.compiled_release, p.title, p.buyer_name, p.release_count, p.is_social_care)
            for p in Process.objects.all()} == imported  # fmt: skip
    assert sorted(ProcessParty.objects.values_list("process__ocid", "organisation__name", "party_id")) == parties


def test_a_failure_while_preparing_a_chunk_stops_the_import_with_nothing_of_that_chunk_stored(tmp_path, monkeypatch):
    monkeypatch.setattr("opencare.registry.imports.CHUNK", 1)
    calls = []

    def prepare(releases, **details):
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError("out of memory preparing the second chunk")
        return prepare_releases(releases, **details)

    monkeypatch.setattr("opencare.registry.imports.prepare_releases", prepare)
    releases = [_release(f"ocds-abcdef-{number}", number, "A title") for number in (1, 2, 3)]
    path = tmp_path / "package.json"
    path.write_bytes(orjson.dumps({"version": "1.1", "releases": releases}))
    with pytest.raises(MemoryError, match="second chunk"):
        import_paths([path])
    assert list(Release.objects.values_list("ocid", flat=True)) == ["ocds-abcdef-1"]


OCDSKIT_1_0 = FIXTURES / "ocdskit-1.0"


def test_a_real_package_without_version_is_compiled_in_the_registry_as_ocds_1_0_exactly_as_ocdskit_does():
    run = import_paths([OCDSKIT_1_0 / "release-package-1.json"])
    assert run.added == 2
    assert set(Release.objects.values_list("ocds_version", flat=True)) == {"1.0"}
    (process,) = Process.objects.all()
    assert process.compiled_release == orjson.loads((OCDSKIT_1_0 / "compiled-release-1.json").read_bytes())
    assert len(process.compiled_release["tender"]["tenderers"]) == 2


def test_a_1_0_process_given_its_releases_in_two_imports_is_recompiled_from_both_with_1_0_rules(tmp_path):
    package = orjson.loads((OCDSKIT_1_0 / "release-package-1.json").read_bytes())
    for number, release in enumerate(package["releases"]):
        path = tmp_path / f"part-{number}.json"
        path.write_bytes(orjson.dumps(package | {"releases": [release]}))
        import_paths([path])
    (process,) = Process.objects.all()
    assert process.release_count == 2
    assert process.compiled_release == orjson.loads((OCDSKIT_1_0 / "compiled-release-1.json").read_bytes())


def test_releases_given_alone_with_no_package_are_compiled_as_ocds_1_1(tmp_path):
    package = orjson.loads((OCDSKIT_1_0 / "release-package-1.json").read_bytes())
    path = tmp_path / "releases.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(release) for release in package["releases"]))
    import_paths([path])
    assert set(Release.objects.values_list("ocds_version", flat=True)) == {"1.1"}
    (process,) = Process.objects.all()
    assert len(process.compiled_release["tender"]["tenderers"]) == 4  # no ids: OCDS 1.1 appends each release's


def _fts_page_with_1e9999() -> bytes:
    text = (REALDATA / "fts-ocds-release-package-2026-09-03-p001-excerpt.json").read_bytes()
    first = re.search(rb'"amount": ?([0-9.]+)', text)
    assert first is not None
    return text[: first.start(1)] + b"1e9999" + text[first.end(1) :]


def test_a_page_with_1e9999_is_stored_whole_with_the_error_recorded_and_the_original_text_kept(tmp_path):
    path = tmp_path / "fts.json"
    path.write_bytes(_fts_page_with_1e9999())
    run = import_paths([path])
    assert (run.added, run.unreadable_files) == (5, [])
    (stored,) = [r for r in Release.objects.all() if "1e9999" in orjson.dumps(r.data).decode()]
    assert stored.data["contracts"][0]["value"]["amount"] == "1e9999"
    assert stored.schema_errors[0]["pointer"] == "/contracts/0/value/amount"
    assert "1e9999" in stored.schema_errors[0]["message"]
    assert not any(error["message"].startswith('"1e9999" is not of type') for error in stored.schema_errors)
    assert Process.objects.count() == 5


def test_a_number_that_cannot_be_read_in_a_record_s_release_is_recorded_on_that_release(tmp_path):
    release = _release("ocds-abcdef-1", 1, "A title")
    record = {"ocid": "ocds-abcdef-1", "releases": [release]}
    body = orjson.dumps({"version": "1.1", "records": [record]}).replace(b'"tender":', b'"amount":1e9999,"tender":')
    path = tmp_path / "records.json"
    path.write_bytes(body)
    import_paths([path])
    (stored,) = Release.objects.all()
    assert stored.data["amount"] == "1e9999"
    assert stored.schema_errors[0]["pointer"] == "/amount"


def test_read_page_gives_a_harvested_page_s_releases_as_import_reads_them():
    page = read_page(_fts_page_with_1e9999())
    assert len(page.releases) == 5
    assert page.ocds_version == "1.1"
    assert page.metadata["publisher"]["name"]
    prepared = prepare_releases(page.releases, metadata=page.metadata, is_invented=False,
                                ocds_version=page.ocds_version)  # fmt: skip
    flagged = [release for release in prepared.releases if release.schema_errors
               and release.schema_errors[0]["pointer"] == "/contracts/0/value/amount"]  # fmt: skip
    assert len(flagged) == 1
    assert read_page((OCDSKIT_1_0 / "release-package-1.json").read_bytes()).ocds_version == "1.0"


def test_a_page_that_cannot_be_read_at_all_is_refused_saying_where():
    with pytest.raises(InputError, match="ends too early"):
        read_page(b'{"releases": [{"ocid": "x", ')


def test_scottish_releases_without_id_stored_twice_from_pages_add_nothing_the_second_time():
    page = read_page((REALDATA / "pcs-releases-2019-03-to-04.json").read_bytes())
    source = get_or_create_source(key="harvest:pcs", title="Public Contracts Scotland")
    first = store_releases(releases=page.releases, metadata=page.metadata, source=source)
    again = store_releases(releases=page.releases, metadata=page.metadata, source=source)
    assert (first.added, again.added, again.already_stored) == (90, 0, 90)
    assert set(Release.objects.values_list("release_id", flat=True)) == {""}
    assert all(release.schema_error_count >= 1 for release in Release.objects.all())
