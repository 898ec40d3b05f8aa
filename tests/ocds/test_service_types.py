"""The service type rule: words in titles first, CPV codes that name a service next, never descriptions."""

from __future__ import annotations

import pytest

from opencare.ocds.service_types import service_type


def _release(title: str = "", description: str = "", cpv: str = "", lots: tuple[str, ...] = ()) -> dict:
    tender = {
        "title": title,
        "description": description,
        "lots": [{"id": str(i), "title": t} for i, t in enumerate(lots)],
    }
    if cpv:
        tender["classification"] = {"scheme": "CPV", "id": cpv}
    return {"tender": tender}


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        (_release("Home care and reablement in the Dales"), "home-care"),
        (_release("Domiciliary Care Framework"), "home-care"),
        (_release("Respite for carers"), "carers-support"),
        (_release("Supported Living for adults with learning disabilities"), "supported-living"),
        (_release("Framework", lots=("Lot 2: Day opportunities",)), "day-opportunities"),
        (_release("Emergency residential placements for children"), "residential"),
        (_release("Services", cpv="85312100"), "day-opportunities"),
        (_release("Services", cpv="85311100"), "residential"),
    ],
)
def test_service_type_from_title_lot_titles_or_a_specific_cpv_code(release, expected):
    assert service_type(release, social_care=True).code == expected


def test_a_word_in_the_description_alone_does_not_set_the_type():
    release = _release("Substance use alliance", description="Support for carers and day care for families")
    assert service_type(release, social_care=True).code == "other-social-care"


def test_the_broad_welfare_code_implies_no_type():
    assert service_type(_release("Housing First", cpv="85312400"), social_care=True).code == "other-social-care"


def test_a_process_that_is_not_social_care_has_that_type_whatever_its_title():
    assert service_type(_release("Home care kitchen fitting"), social_care=False).code == "not-social-care"
