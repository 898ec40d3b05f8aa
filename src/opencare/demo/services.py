"""Load the demo data into the registry: real social-care notices and the invented Borsetdale council."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.registry.services import StoreResult, get_or_create_source, store_release_package

OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


@dataclass(frozen=True)
class DemoSource:
    """One demo dataset: where it comes from, its licence, and how to get its release package."""

    key: str
    title: str
    publisher_name: str
    url: str
    licence_name: str
    licence_url: str
    attribution: str
    is_invented: bool
    package: Callable[[], dict[str, Any]]


def _packaged_notices(filename: str) -> Callable[[], dict[str, Any]]:
    def read() -> dict[str, Any]:
        return json.loads(files("opencare.demo").joinpath("data", filename).read_text(encoding="utf-8"))

    return read


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource(
        key="demo:contracts-finder",
        title="Contracts Finder: social care notices (a sample)",
        publisher_name="Cabinet Office",
        url="https://www.contractsfinder.service.gov.uk/",
        licence_name=OGL_NAME,
        licence_url=OGL_URL,
        attribution=OGL_ATTRIBUTION,
        is_invented=False,
        package=_packaged_notices("contracts-finder-social-care.json"),
    ),
    DemoSource(
        key="demo:sell2wales",
        title="Sell2Wales: social care notices (a sample)",
        publisher_name="Welsh Government",
        url="https://www.sell2wales.gov.wales/",
        licence_name=OGL_NAME,
        licence_url=OGL_URL,
        attribution=OGL_ATTRIBUTION,
        is_invented=False,
        package=_packaged_notices("sell2wales-social-care.json"),
    ),
    DemoSource(
        key="demo:borsetdale",
        title="Borsetdale Council: invented sample home care contracts",
        publisher_name="opencare demo data (invented)",
        url="",
        licence_name="Creative Commons Attribution 4.0",
        licence_url="https://creativecommons.org/licenses/by/4.0/",
        attribution="Invented for demonstration; any likeness to a real council or provider is coincidental.",
        is_invented=True,
        package=borsetdale_release_package,
    ),
)


def load_demo() -> dict[str, StoreResult]:
    """Store every demo dataset; running it again adds nothing. Returns what each source added."""
    results = {}
    for demo in DEMO_SOURCES:
        source = get_or_create_source(
            key=demo.key,
            title=demo.title,
            publisher_name=demo.publisher_name,
            url=demo.url,
            licence_name=demo.licence_name,
            licence_url=demo.licence_url,
            attribution=demo.attribution,
            is_invented=demo.is_invented,
        )
        results[demo.key] = store_release_package(package=demo.package(), source=source)
    return results
