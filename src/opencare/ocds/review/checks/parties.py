"""Do organisation identifiers look like the register they name? Wrong ones break linking providers and councils."""

from __future__ import annotations

import re
from typing import Any

from opencare.ocds.review.checks import Emit, listed, objects

#: Identifier shapes of the UK registers care data uses, with a plain description for the message.
SCHEME_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "GB-COH": (
        re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$"),
        "8 characters: 8 digits, or 2 letters and 6 digits, e.g. 01234567 or SC123456 (pad with leading zeros)",
    ),
    "GB-CHC": (re.compile(r"^\d{6,7}(-\d+)?$"), "a charity number of 6 or 7 digits, e.g. 1123456"),
    "GB-SC": (re.compile(r"^SC\d{6}$"), "SC and 6 digits, e.g. SC012345"),
    "GB-NIC": (re.compile(r"^NIC?\d{5,6}$"), "NIC and 5 or 6 digits"),
    "GB-PPON": (
        re.compile(r"^[A-Z]{4}-\d{4}-[A-Z]{4}$"),
        "four letters, four digits, four letters, e.g. ABCD-1234-EFGH",
    ),
    "GB-MPR": (re.compile(r"^[A-Z0-9]+$"), "the Mutuals Public Register number, letters and digits only, e.g. 4453"),
    "GB-CQC": (re.compile(r"^1-\d{6,12}$"), "a CQC id: 1- and digits, e.g. 1-123456789"),
    "GB-NHS": (re.compile(r"^[A-Z0-9]{3,6}$"), "an NHS ODS code of 3 to 6 letters and digits, e.g. RX1"),
    "GB-LAE": (re.compile(r"^[A-Z]{3,4}$"), "a 3 or 4 letter local authority code, e.g. CLD"),
}


def check_parties(release: dict[str, Any], emit: Emit) -> None:
    """Check every party's identifier and additional identifiers against the register's pattern."""
    for i, party in enumerate(objects(release.get("parties"))):
        identifiers: list[tuple[str, tuple[str | int, ...], Any]] = [
            ("parties/identifier", (i, "identifier"), party.get("identifier"))
        ]
        for j, extra in enumerate(listed(party.get("additionalIdentifiers"))):
            identifiers.append(("parties/additionalIdentifiers", (i, "additionalIdentifiers", j), extra))
        for path, parts, identifier in identifiers:
            if type(identifier) is not dict:
                continue
            scheme, value = identifier.get("scheme"), identifier.get("id")
            rule = SCHEME_PATTERNS.get(scheme) if isinstance(scheme, str) else None
            if rule is None or value is None or rule[0].match(str(value)):
                continue
            pointer = "/parties" + "".join(f"/{part}" for part in parts) + "/id"
            emit("parties.identifier-pattern", "warning", f"{path}/id", pointer, value,
                 {"scheme": scheme, "expected": rule[1]})  # fmt: skip
