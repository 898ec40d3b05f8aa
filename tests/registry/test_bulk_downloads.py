"""Bulk downloads: every format readable, the same data in each, with sizes, SHA-256 and licences; served safely."""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import orjson
import pyarrow.parquet as pq
import pytest
from tests.builders.shared_data import shared_data

from opencare.registry.bulk import download_path, read_index, write_bulk_downloads
from opencare.registry.imports import import_paths
from opencare.registry.models import Process, Release

pytestmark = pytest.mark.django_db

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"


@pytest.fixture(scope="module")
def made_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two real publishers' notices imported, and the downloads made from them, once for the module."""
    folder = tmp_path_factory.mktemp("bulk")

    def build() -> None:
        import_paths([REALDATA / "s2w-releases-2025-02.json", REALDATA / "cf-releases-2025-01-to-03.json"])
        write_bulk_downloads(folder)

    with shared_data(django_db_blocker, build):
        yield folder


@pytest.fixture
def bulk(made_once, settings, tmp_path):
    """The downloads in a folder of the test's own (a copy), so what a test changes there no other test sees."""
    settings.OPENCARE_BULK_DIR = tmp_path / "bulk"
    shutil.copytree(made_once, settings.OPENCARE_BULK_DIR)
    return read_index()


def test_each_dataset_lists_its_files_with_size_sha256_and_the_ogl(bulk, settings):
    for name, dataset in bulk["datasets"].items():
        assert dataset["licences"] == ["Open Government Licence v3.0"], name
        assert {file["format"] for file in dataset["files"]} == {"jsonl.gz", "json.gz", "xlsx", "csv.zip", "parquet"}
        for file in dataset["files"]:
            data = download_path(file["name"]).read_bytes()
            assert len(data) == file["bytes"]
            assert hashlib.sha256(data).hexdigest() == file["sha256"]
    assert bulk["datasets"]["all"]["releases"] == Release.objects.count() == 290
    assert bulk["datasets"]["social-care"]["processes"] == Process.objects.filter(is_social_care=True).count() > 0


def test_json_lines_release_package_and_parquet_hold_the_same_processes(bulk):
    lines = gzip.decompress(download_path("opencare-all-compiled-releases.jsonl.gz").read_bytes()).splitlines()
    compiled = {orjson.loads(line)["ocid"] for line in lines}
    package = orjson.loads(gzip.decompress(download_path("opencare-all-releases.json.gz").read_bytes()))
    table = pq.read_table(download_path("opencare-all-processes.parquet"))
    assert compiled == {release["ocid"] for release in package["releases"]} == set(table.column("ocid").to_pylist())
    assert len(package["releases"]) == 290
    row = table.slice(0, 1).to_pylist()[0]
    assert orjson.loads(row["compiled_release"])["ocid"] == row["ocid"]


def test_the_spreadsheets_open(bulk):
    assert openpyxl.load_workbook(
        download_path("opencare-social-care-compiled-releases.xlsx"), read_only=True
    ).sheetnames
    names = zipfile.ZipFile(download_path("opencare-social-care-compiled-releases-csv.zip")).namelist()
    assert "releases.csv" in names


def test_remaking_the_downloads_leaves_no_partial_files(bulk, settings):
    write_bulk_downloads()
    assert not [path for path in settings.OPENCARE_BULK_DIR.rglob("*") if path.name.endswith(".partial")]


def test_the_downloads_page_lists_every_file_and_serves_only_listed_names(client, bulk, settings):
    html = client.get("/downloads/").content.decode()
    assert bulk["datasets"]["all"]["files"]
    for file in bulk["datasets"]["all"]["files"]:
        assert file["name"] in html
        assert file["sha256"] in html
    response = client.get("/downloads/opencare-all-releases.json.gz")
    assert response.status_code == 200
    assert gzip.GzipFile(fileobj=io.BytesIO(b"".join(response.streaming_content))).read(1) == b"{"
    (settings.OPENCARE_BULK_DIR / "secret.txt").write_text("not listed")
    assert client.get("/downloads/secret.txt").status_code == 404
    assert client.get("/downloads/..%2Fsettings.py").status_code == 404
    assert client.get("/downloads/index.json").json()["datasets"]["all"]["releases"] == 290


def test_the_downloads_page_before_any_downloads_says_so(client, settings, tmp_path):
    settings.OPENCARE_BULK_DIR = tmp_path / "empty"
    assert "have not been made yet" in client.get("/downloads/").content.decode()
    assert client.get("/downloads/index.json").status_code == 404
