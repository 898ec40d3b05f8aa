"""CQC ratings: loaded from CQC's CSV shape, linked to providers by GB-CQC identifier or a reviewed crosswalk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from opencare.registry.cqc import CqcFileError, import_ratings
from opencare.registry.models import CqcLocation, Organisation
from opencare.registry.services import get_or_create_source, store_release_package

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "cqc-ratings-sample.csv"
HEADER = (
    '"","reportdate","overall","ownership","locationid","location_start_2025","location_end_2025","good","rating"\n'
)


def ratings_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "ratings.csv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows))
    return path


def contract_with_supplier(ocid: str, supplier: dict) -> None:
    source = get_or_create_source(key="test:cqc", title="Test")
    release = {"ocid": ocid, "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["award"],
               "parties": [{"id": "S", "roles": ["supplier"], **supplier}]}  # fmt: skip
    store_release_package(package={"releases": [release]}, source=source)


def test_the_real_extract_loads_one_rating_per_location():
    result = import_ratings(SAMPLE)
    assert result.rows == 299
    assert result.locations == CqcLocation.objects.count() > 0
    assert set(CqcLocation.objects.values_list("rating", flat=True)) <= {
        "Outstanding", "Good", "Requires improvement", "Inadequate", ""
    }  # fmt: skip


def test_the_latest_report_wins(tmp_path):
    import_ratings(ratings_file(
        tmp_path,
        '"1",2019-01-01,"Good","For-profit","1-100",1,2,1,"Good"',
        '"2",2023-06-01,"Inadequate","For-profit","1-100",1,2,0,"Inadequate"',
        '"3",2021-01-01,"Good","For-profit","1-100",1,2,1,"Good"',
    ))  # fmt: skip
    assert CqcLocation.objects.get(location_id="1-100").rating == "Inadequate"


def test_a_provider_with_a_cqc_identifier_shows_its_rating_on_the_contract_page(client, tmp_path):
    import_ratings(ratings_file(tmp_path, '"1",2024-05-01,"Good","For-profit","1-200",1,2,1,"Good"'))
    supplier = {
        "name": "Brightwater Care",
        "identifier": {"scheme": "GB-COH", "id": "9"},
        "additionalIdentifiers": [{"scheme": "GB-CQC", "id": "1-200"}],
    }
    contract_with_supplier("ocds-abcdef-1", supplier)
    html = client.get("/contracts/ocds-abcdef-1/").content.decode()
    assert "Who is involved" in html
    assert "Brightwater Care" in html
    assert ">Good</strong>" in html


def test_a_reviewed_crosswalk_links_a_provider_known_only_by_company_number(client, tmp_path):
    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_text("scheme,identifier,location_id,note\nGB-COH,777,1-300,matched by name and postcode (AB)\n")
    import_ratings(
        ratings_file(
            tmp_path, '"1",2024-05-01,"Requires improvement","Third sector","1-300",1,2,0,"Requires improvement"'
        ),
        crosswalk,
    )
    contract_with_supplier("ocds-abcdef-2", {"name": "Fellside CIC", "identifier": {"scheme": "GB-COH", "id": "777"}})
    html = client.get("/contracts/ocds-abcdef-2/").content.decode()
    assert "Requires improvement" in html
    assert "1-300" in html


def test_a_provider_not_linked_to_cqc_says_so(client):
    contract_with_supplier("ocds-abcdef-3", {"name": "Moorside Co-op", "identifier": {"scheme": "GB-COH", "id": "5"}})
    assert "Not linked to CQC" in client.get("/contracts/ocds-abcdef-3/").content.decode()
    assert Organisation.objects.count() == 1


def test_a_file_without_the_columns_is_refused_clearly(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name,score\nA,1\n")
    with pytest.raises(CqcFileError, match="no locationid column"):
        import_ratings(wrong)


def test_the_command_exits_2_on_a_bad_file_and_loads_a_good_one(tmp_path, migrated_sqlite):
    migrated_sqlite(tmp_path / "db.sqlite3")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "OPENCARE_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = Path(sys.executable).with_name("opencare")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("name\nA\n")
    bad = subprocess.run([command, "import-cqc", str(wrong)], env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "no locationid column" in bad.stderr
    assert "Traceback" not in bad.stderr
    good = subprocess.run([command, "import-cqc", str(SAMPLE)], env=env, capture_output=True, text=True, check=False)
    assert good.returncode == 0
    assert "CQC locations" in good.stdout
