"""Shared by the review tests: each gets its own review store, and the demo data to upload."""

from __future__ import annotations

import gzip
import io

import orjson
import pytest

from opencare.demo.borsetdale import borsetdale_release_package


@pytest.fixture(autouse=True)
def own_review_store(review_store):
    """Every test here gets its own review store (tests/conftest.py)."""
    return review_store


@pytest.fixture(scope="session")
def demo_package() -> dict:
    return borsetdale_release_package()


@pytest.fixture
def demo_bytes(demo_package) -> bytes:
    return orjson.dumps(demo_package)


def upload(name: str, data: bytes) -> io.BytesIO:
    """A file for the test client to upload."""
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)
