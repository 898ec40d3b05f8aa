"""A refusal (403) is logged as one line, not as a traceback: it is an answer, not a fault."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import path

from opencare.config import urls as site_urls


def _forbidden(request):
    raise PermissionDenied("You are not a member of Borsetdale Council.")


urlpatterns = [path("forbidden-for-the-test/", _forbidden), *site_urls.urlpatterns]
handler403 = site_urls.handler403


@pytest.mark.urls(__name__)
def test_a_403_is_logged_as_one_line_without_a_traceback(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/forbidden-for-the-test/")
    assert response.status_code == 403
    assert "You are not a member of Borsetdale Council" in response.content.decode()
    refusals = [record for record in caplog.records if record.name == "django.request"]
    assert len(refusals) == 1
    assert refusals[0].exc_info is None
    assert "Forbidden" in refusals[0].getMessage()
    formatted = logging.Formatter().format(refusals[0])
    assert "Traceback" not in formatted
    assert len(formatted.splitlines()) == 1
