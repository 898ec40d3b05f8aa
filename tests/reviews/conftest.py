"""Each review test gets its own review store and upload folder."""

from __future__ import annotations

import gzip
import io

import orjson
import pytest

from opencare.demo.borsetdale import borsetdale_release_package


@pytest.fixture(autouse=True)
def review_store(settings, tmp_path):
    settings.OPENCARE_REVIEW_DIR = tmp_path / "reviews"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path / "incoming"
    settings.OPENCARE_REVIEW_DIR.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR.mkdir()
    return settings.OPENCARE_REVIEW_DIR


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
