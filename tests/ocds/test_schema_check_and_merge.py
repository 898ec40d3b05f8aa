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


#: Run before the engine is imported: Django (and django-ninja) cannot be imported, as if not installed.
WITHOUT_DJANGO = """
import importlib.abc, sys
class NoDjango(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"django", "ninja"}:
            raise ImportError(f"{name} is not installed here")
sys.meta_path.insert(0, NoDjango())
"""


def test_every_module_of_the_engine_works_where_django_is_not_installed():
    # lint-imports (pyproject.toml) checks the engine's own import lines; this imports every module of the engine and
    # the demo generator for real, with Django unimportable, so an import hidden from it (in a string, or by a library
    # that needs Django) fails here. flatten-tool tries Django for its language, and does without it.
    code = WITHOUT_DJANGO + (
        "import importlib, pkgutil, opencare.ocds, opencare.demo.borsetdale\n"
        "names = [m.name for m in pkgutil.walk_packages(opencare.ocds.__path__, 'opencare.ocds.')]\n"
        "assert len(names) > 40, names\n"
        "for name in names:\n    importlib.import_module(name)\n"
        "opencare.ocds.profile.social_care_profile()\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in {'django', 'ninja'}]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
