from datetime import UTC, datetime, timedelta, timezone

import pytest

from opencare.registry.bulk_insert import insert_rows
from opencare.registry.json_field import JsonText
from opencare.registry.models import Process, Release
from opencare.registry.services import get_or_create_source, recompile_process, store_release_package


def _release(release_id: str, date: str, **extra) -> dict:
    return {
        "ocid": "ocds-bdemo1-test",
        "id": release_id,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        "title": "Home care test",
        **extra,
    }


@pytest.fixture
def source(db):
    return get_or_create_source(key="test:source", title="Test source")


@pytest.mark.django_db
def test_storing_a_package_stores_each_release_and_compiles_the_process(source):
    package = {"version": "1.1", "publisher": {"name": "Test"}, "releases": [_release("1", "2024-01-01T00:00:00Z")]}
    result = store_release_package(package=package, source=source)
    assert (result.added, result.already_stored) == (1, 0)
    release = Release.objects.get()
    assert release.package_metadata == {"version": "1.1", "publisher": {"name": "Test"}}
    process = Process.objects.get()
    assert process.title == "Home care test"
    assert process.compiled_release["tag"] == ["compiled"]
    assert process.release_count == 1


@pytest.mark.django_db
def test_storing_the_same_package_twice_adds_nothing(source):
    package = {"releases": [_release("1", "2024-01-01T00:00:00Z"), _release("2", "2024-02-01T00:00:00Z")]}
    store_release_package(package=package, source=source)
    again = store_release_package(package=package, source=source)
    assert (again.added, again.already_stored, again.ocids) == (0, 2, set())
    assert Release.objects.count() == 2


@pytest.mark.django_db
def test_a_changed_release_with_the_same_id_is_kept_beside_the_original_never_overwriting_it(source):
    store_release_package(package={"releases": [_release("1", "2024-01-01T00:00:00Z")]}, source=source)
    corrected = _release("1", "2024-01-01T00:00:00Z", title="Corrected title")
    store_release_package(package={"releases": [corrected]}, source=source)
    assert sorted(Release.objects.values_list("data__title", flat=True)) == ["Corrected title", "Home care test"]


@pytest.mark.django_db
def test_an_invalid_release_is_stored_and_flagged_not_dropped(source):
    invalid = {"ocid": "ocds-r6ebe6-x", "date": "2019-03-28T00:00:00Z", "tag": ["tender"], "initiationType": "tender"}
    store_release_package(package={"releases": [invalid]}, source=source)
    release = Release.objects.get()
    assert release.schema_error_count == 1
    assert release.schema_errors[0]["message"] == '"id" is a required property'
    assert Process.objects.get().schema_error_count == 1


@pytest.mark.django_db
def test_a_process_that_cannot_be_compiled_records_why(source):
    undated = {"ocid": "ocds-x-nodate", "id": "1"}
    dated = {"ocid": "ocds-x-nodate", "id": "2", "date": "2024-01-01T00:00:00Z"}
    store_release_package(package={"releases": [undated, dated]}, source=source)
    process = Process.objects.get()
    assert "date" in process.compile_error.lower()
    assert process.compiled_release == {}


@pytest.mark.django_db
def test_recompiling_uses_every_stored_release_in_date_order(source):
    store_release_package(package={"releases": [_release("2", "2024-02-01T00:00:00Z", title="Later")]}, source=source)
    store_release_package(
        package={"releases": [_release("1", "2024-01-01T00:00:00Z", title="Earlier")]}, source=source
    )
    process = recompile_process(ocid="ocds-bdemo1-test")
    assert process.title == "Later"
    assert process.release_count == 2


@pytest.mark.django_db
def test_rows_inserted_in_bulk_read_back_as_the_orm_stores_them(source):
    """insert_rows (executemany or COPY) and the ORM give the same values back: times, JSON, text, nulls."""
    when = datetime(2024, 3, 31, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    values = {"ocid": "ocds-bdemo1-bulk", "release_id": "é'\"\\,\n", "date": when, "tags": ["tender", "award"],
              "data": {"a": [1, 2.5, None, "ü"], "nested": {"b": True}}, "package_metadata": {},
              "sha256": "x" * 64, "schema_error_count": 3, "schema_errors": [{"pointer": "/a", "message": "m"}],
              "stored_at": when}  # fmt: skip
    fields = ["source", "import_run", *values]
    insert_rows(Release, fields, [[source.pk, None, *values.values()]])
    as_text = {**values, "ocid": "ocds-bdemo1-text", "data": JsonText('{"given":"as text"}'), "date": None}
    insert_rows(Release, fields, [[source.pk, None, *as_text.values()]])
    Release.objects.create(source=source, **{**values, "ocid": "ocds-bdemo1-orm"})
    bulk, text, orm = (Release.objects.get(ocid=ocid) for ocid in ("ocds-bdemo1-bulk", "ocds-bdemo1-text",
                                                                     "ocds-bdemo1-orm"))  # fmt: skip
    for name in values:
        if name not in {"ocid", "stored_at"}:
            assert getattr(bulk, name) == getattr(orm, name), name
    assert bulk.date == when.astimezone(UTC)
    assert bulk.stored_at == when
    assert (text.data, text.date) == ({"given": "as text"}, None)
