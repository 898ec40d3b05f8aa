import pytest

from opencare.demo.services import DEMO_SOURCES, load_demo
from opencare.ocds.schema_check import release_schema_errors
from opencare.registry.models import Process, Release, Source


@pytest.mark.parametrize("demo", DEMO_SOURCES, ids=lambda demo: demo.key)
def test_every_demo_release_validates_against_the_profile_with_no_errors(demo, no_network):
    releases = demo.package()["releases"]
    assert releases
    failures = {release["id"]: errors for release in releases if (errors := release_schema_errors(release))}
    assert failures == {}


def test_demo_includes_real_notices_and_at_least_three_invented_home_care_contracts():
    real = [d for d in DEMO_SOURCES if not d.is_invented]
    invented = [d for d in DEMO_SOURCES if d.is_invented]
    assert sum(len(d.package()["releases"]) for d in real) >= 30
    ocids = {release["ocid"] for d in invented for release in d.package()["releases"]}
    assert len(ocids) >= 3


def test_real_notices_carry_their_publishers_open_government_licence():
    for demo in DEMO_SOURCES:
        if not demo.is_invented:
            assert "open-government-licence/version/3" in demo.package()["license"]
            assert demo.licence_name == "Open Government Licence v3.0"


@pytest.mark.django_db
def test_loading_the_demo_twice_stores_everything_once():
    first = load_demo()
    counts = (Release.objects.count(), Process.objects.count(), Source.objects.count())
    second = load_demo()
    assert sum(result.added for result in first.values()) == counts[0]
    assert sum(result.added for result in second.values()) == 0
    assert (Release.objects.count(), Process.objects.count(), Source.objects.count()) == counts
    assert not Release.objects.exclude(schema_error_count=0).exists()
    assert Process.objects.filter(is_invented=True).count() >= 3
    assert not Process.objects.exclude(compile_error="").exists()
