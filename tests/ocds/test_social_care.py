"""The social-care rule: CPV 853 tree and related codes, or social-care words when the CPV is broad."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from opencare.ocds.social_care import cpv_codes, is_social_care, social_care_reason

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def notice(title: str = "A service", cpv: str | None = None, **tender) -> dict:
    if cpv is not None:
        tender["classification"] = {"scheme": "CPV", "id": cpv}
    return {"ocid": "ocds-x-1", "id": "1", "tender": {"title": title, **tender}}


@pytest.mark.parametrize("cpv", ["85312400", "85300000", "85311100", "85323000", "85144100", "55521100"])
def test_a_cpv_in_the_853_tree_or_a_related_code_is_social_care(cpv):
    assert social_care_reason(notice(cpv=cpv)) == f"cpv {cpv}"


@pytest.mark.parametrize(
    ("title", "cpv"),
    [
        ("Domiciliary care for adults", "85000000"),
        ("Short Breaks and Homecare for children", "98000000"),
        ("Day Opportunities for older people", None),
        ("Supported Living framework", "75000000"),
        ("Gofal Cartref / Home care", "85000000"),
    ],
)
def test_social_care_words_count_when_the_cpv_is_broad_or_missing(title, cpv):
    assert is_social_care(notice(title, cpv))


def test_words_in_an_unrelated_division_do_not_count():
    assert not is_social_care(notice("Kitchen refit for the care home", "45000000"))


def test_school_transport_is_not_social_care_even_under_a_transport_code_from_the_related_list():
    assert not is_social_care(notice("Home to school transport", "60130000"))


def test_words_are_found_in_lots_items_and_descriptions():
    release = notice("Lot tender", "85000000", lots=[{"id": "1", "title": "Reablement service"}])
    assert social_care_reason(release) == 'words "reablement"'


def test_cpv_codes_come_from_items_and_additional_classifications():
    release = notice(
        "x", "85000000",
        items=[{"id": "1", "classification": {"scheme": "CPV", "id": "85312400-7"},
                "additionalClassifications": [{"scheme": "CPV", "id": "85311000"}]}],
    )  # fmt: skip
    assert cpv_codes(release) == ["85000000", "85312400", "85311000"]


def test_malformed_notices_are_simply_not_social_care():
    assert not is_social_care({"tender": "nope", "awards": [1, None]})


def test_on_the_real_notices_the_rule_keeps_every_release_of_the_researchers_subset():
    subset = orjson.loads((FIXTURES / "social-care-subset.json").read_bytes())["releases"]
    wanted = {(release["ocid"], release.get("id"), release.get("date")) for release in subset}
    kept, total = set(), 0
    for path in sorted((FIXTURES / "realdata").glob("*.json")):
        for release in orjson.loads(path.read_bytes())["releases"]:
            total += 1
            if is_social_care(release):
                kept.add((release["ocid"], release.get("id"), release.get("date")))
    assert total == 585
    assert wanted <= kept
    assert len(kept) == 39  # the subset's 37, plus a mental health and autism service and residential recovery
