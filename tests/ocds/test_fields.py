import csv
import io

from opencare.ocds.profile import social_care_profile
from opencare.ocds.profile.fields import fields_csv, schema_definitions


def _definitions():
    return {d.name: d for d in schema_definitions(social_care_profile())}


def test_release_comes_first_and_every_definition_is_listed():
    definitions = schema_definitions(social_care_profile())
    assert definitions[0].name == "Release"
    assert len(definitions) == len(social_care_profile().release_schema["definitions"]) + 1


def test_fields_say_which_extension_added_them():
    observation = {f.name: f for f in _definitions()["Observation"].fields}
    assert observation["measureClassification"].source == "ocds_uk_extension"
    assert observation["measure"].source == "ocds_metrics_extension"
    tender = {f.name: f for f in _definitions()["Tender"].fields}
    assert tender["title"].source == "OCDS 1.1.5"


def test_inline_objects_are_listed_with_their_path_and_arrays_name_their_items():
    observation = {f.name: f for f in _definitions()["Observation"].fields}
    assert "unit/id" in observation
    tender = {f.name: f for f in _definitions()["Tender"].fields}
    assert tender["targets"].types == "array of Metric"
    assert tender["targets"].refers_to == "Metric"


def test_codelists_and_openness_are_reported():
    award = {f.name: f for f in _definitions()["Award"].fields}
    assert award["status"].codelist == "awardStatus.csv"
    assert not award["status"].open_codelist


def test_fields_csv_has_a_row_per_field():
    definitions = schema_definitions(social_care_profile())
    rows = list(csv.DictReader(io.StringIO(fields_csv(definitions))))
    assert len(rows) == sum(len(d.fields) for d in definitions)
