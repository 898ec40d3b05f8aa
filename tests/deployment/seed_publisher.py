"""Put one contracting process in the registry, and a council that may publish to it with an API token.

Run by the deployment tests as a separate process, against the database the servers use:
    python seed_publisher.py OCID   → prints {"token": ..., "username": ..., "password": ...} as JSON
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from opencare.publishing.models import Membership, Publisher  # noqa: E402
from opencare.publishing.tokens import create_token  # noqa: E402
from opencare.registry.services import get_or_create_source, store_release_package  # noqa: E402

COUNCIL = {"id": "GB-LAE-BSD", "name": "Borsetdale Council", "identifier": {"scheme": "GB-LAE", "id": "BSD"}}
PASSWORD = "a long and unusual passphrase 7"  # a throwaway test database


def main(ocid: str) -> None:
    source = get_or_create_source(key="deployment-test", title="Deployment test")
    release = {
        "ocid": ocid, "id": "tender-1", "date": "2026-01-05T09:00:00Z", "tag": ["tender"], "initiationType": "tender",
        "language": "en", "parties": [{**COUNCIL, "roles": ["buyer"]}],
        "buyer": {"id": COUNCIL["id"], "name": COUNCIL["name"]},
        "tender": {"id": "home-care", "title": "Home care in Borsetdale", "status": "active",
                   "description": "Visits to help people live at home."},
    }  # fmt: skip
    store_release_package(package={"version": "1.1", "releases": [release]}, source=source)
    council, _ = Publisher.objects.get_or_create(
        scheme="GB-LAE", identifier="BSD", defaults={"name": COUNCIL["name"], "kind": Publisher.Kind.COUNCIL}
    )
    user = get_user_model().objects.create_user(username=f"cleo-{ocid[-6:]}", password=PASSWORD)
    Membership.objects.create(user=user, publisher=council, role=Membership.Role.PUBLISHER)
    _, token = create_token(user=user, publisher=council, name="care system", scopes=["releases"])
    print(json.dumps({"token": token, "username": user.username, "password": PASSWORD}))


if __name__ == "__main__":
    main(sys.argv[1])
