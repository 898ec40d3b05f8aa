"""The publishing home page offers the social-care template before the full-profile one."""

from __future__ import annotations

from django.urls import reverse

from .conftest import signed_in


def test_the_publish_page_offers_the_care_template(client, demo_publishing):
    signed_in(client, "administrator")
    page = client.get(reverse("publishing:home")).content.decode()
    assert reverse("reviews:care_template", args=["xlsx"]) in page
    assert page.index(reverse("reviews:care_template", args=["xlsx"])) < page.index(
        reverse("reviews:template", args=["xlsx"])
    )
