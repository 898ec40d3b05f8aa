import subprocess
import sys

from opencare.ocds.merge import compile_releases, versioned_release
from opencare.ocds.schema_check import release_schema_errors

RELEASE = {
    "ocid": "ocds-bdemo1-t",
    "id": "1",
    "date": "2024-01-01T00:00:00Z",
    "tag": ["tender"],
    "initiationType": "tender",
    "tender": {"id": "t", "targets": [{"id": "sc-missed-visits", "observations": [{"id": "o1", "measure": 2}]}]},
}


def test_a_valid_release_has_no_schema_errors():
    assert release_schema_errors(RELEASE) == []


def test_schema_errors_say_where_and_what():
    errors = release_schema_errors({**RELEASE, "date": "yesterday", "tag": ["tenderish"]})
    assert {(e.pointer, e.keyword) for e in errors} == {("/date", "format"), ("/tag/0", "enum")}


def test_extension_closed_codes_are_checked():
    bad = {**RELEASE, "tender": {"id": "t", "targets": [{"id": "m", "observations": [{"id": "o", "unit": 5}]}]}}
    assert [e.pointer for e in release_schema_errors(bad)] == ["/tender/targets/0/observations/0/unit"]


def test_compile_merges_metric_observations_by_id_across_releases():
    later = {
        **RELEASE,
        "id": "2",
        "date": "2024-02-01T00:00:00Z",
        "tender": {"id": "t", "targets": [{"id": "sc-missed-visits", "observations": [{"id": "o2", "measure": 3}]}]},
    }
    compiled = compile_releases([later, RELEASE])  # out of order on purpose: compile sorts by date
    observations = compiled["tender"]["targets"][0]["observations"]
    assert [o["id"] for o in observations] == ["o1", "o2"]
    assert compiled["tag"] == ["compiled"]
    assert versioned_release([RELEASE])["tender"]["id"][0]["releaseID"] == "1"


def test_the_ocds_engine_never_imports_django():
    code = (
        "import sys, opencare.ocds.profile, opencare.ocds.schema_check, opencare.ocds.merge, opencare.ocds.summary, "
        "opencare.ocds.metric_catalogue, opencare.ocds.profile.fields, opencare.demo.borsetdale;"
        "opencare.ocds.profile.social_care_profile();"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'));"
        "sys.exit(bad[0] if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
