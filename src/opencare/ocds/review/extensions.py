"""Which extensions to apply: declared extension URLs mapped to vendored snapshots. Nothing is ever fetched."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from opencare.ocds.profile import Profile, ProfileError, data_root, profile_for
from opencare.ocds.profile.extension_registry import (
    SAFE_NAME,
    address_of,
    registry_id_of,
    snapshot_for_address,
    snapshot_names,
    substitute_note,
)

#: Versions we validate against, by the package's ``version``. A package without one is OCDS 1.0, as the standard
#: says (``version`` came in 1.1); releases and records given alone, with no package, are taken as 1.1.
STANDARD_FOR_VERSION = {"1.0": "1.0.3", "1.1": "1.1.5"}
_MISSING_DEFINITION = re.compile(r"#/definitions/([A-Za-z0-9_]+)")
NEVER_DOWNLOADS = (
    "opencare never downloads extensions from addresses in data, so the fields it adds are reported as "
    "additional fields."
)


@dataclass(frozen=True)
class AppliedExtension:
    """A declared (or needed) extension and the snapshot used for it."""

    url: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class NotApplied:
    """A declared extension that was not applied, and why."""

    url: str
    reason: str


@dataclass(frozen=True)
class SchemaChoice:
    """The profile chosen for some data: standard version, applied and not-applied extensions."""

    version: str
    standard: str
    profile: Profile
    applied: tuple[AppliedExtension, ...] = ()
    not_applied: tuple[NotApplied, ...] = field(default_factory=tuple)
    version_note: str = ""
    #: True for a package without ``version``, checked as OCDS 1.0 (the review says so).
    version_missing: bool = False


def snapshot_for_url(url: str) -> tuple[str | None, str]:
    """The vendored snapshot that a declared extension URL names, or None and the reason there is none.

    Understands every address the OCDS extension registry gives (Base URL, Download URL), raw files and archives on
    GitHub, GitLab and Bitbucket (any owner, any ref; a ref of v1.1.5 picks the tag-pinned copy where we have one),
    the registry site's extension pages, and the standard site's EU profile URL (extension_registry).
    """
    if not isinstance(url, str) or not url.strip():
        return None, f"The extensions list has an entry that is not a web address. {NEVER_DOWNLOADS}"
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return None, f"'{url}' is not a web address (it should start with https://). {NEVER_DOWNLOADS}"
    segments = [segment for segment in parts.path.split("/") if segment]
    if parts.netloc.endswith("open-contracting.org") and "profiles" in segments and "eu" in segments:
        return "eu-profile", ""
    address = address_of(parts.netloc, segments)
    if address is None or not SAFE_NAME.match(address.repository or address.registry_id):
        return None, f"opencare does not recognise this address as an OCDS extension. {NEVER_DOWNLOADS}"
    if (snapshot := snapshot_for_address(address)) is not None:
        return snapshot, ""
    if registry_id := registry_id_of(address):
        reason = f"'{registry_id}' is in the OCDS extension registry, but opencare has no copy of it yet."
    else:
        reason = f"opencare has no copy of the extension '{address.repository or address.registry_id}'."
    return None, f"{reason} {NEVER_DOWNLOADS}"


def choose_schema(version: object, extension_urls: object, *, is_package: bool = True) -> SchemaChoice:
    """The profile to check data against: its declared version and extensions, mapped to what we hold.

    A package without ``version`` is OCDS 1.0 (``version_note`` says so); data that is not in a package has no
    version to read and is taken as 1.1.
    """
    version_note = ""
    version_missing = version is None and is_package
    if version is None:
        version = "1.0" if is_package else "1.1"
    if not isinstance(version, str) or version not in STANDARD_FOR_VERSION:  # a list or object is not hashable
        version_note = f"The package says version {version!r}; opencare checked it as OCDS 1.1 (use '1.1' or '1.0')."
        version = "1.1"
    urls = extension_urls if isinstance(extension_urls, list) else []
    applied: list[AppliedExtension] = []
    not_applied: list[NotApplied] = []
    for url in urls:
        name, reason = snapshot_for_url(url)
        if name is None:
            not_applied.append(NotApplied(url=str(url), reason=reason))
        elif name not in {a.name for a in applied}:
            applied.append(AppliedExtension(url=str(url), name=name, note=substitute_note(str(url), name)))
    standard = STANDARD_FOR_VERSION[str(version)]
    profile, built, broken = _build(standard, tuple(applied))  # the extensions the profile was built with
    return SchemaChoice(
        version=str(version),
        standard=standard,
        profile=profile,
        applied=built,
        not_applied=(*not_applied, *broken),
        version_note=version_note,
        version_missing=version_missing,
    )


def _build(
    standard: str, applied: tuple[AppliedExtension, ...]
) -> tuple[Profile, tuple[AppliedExtension, ...], tuple[NotApplied, ...]]:
    """Build the profile; add snapshots that define missing $refs; drop (and report) extensions that still break."""
    broken: list[NotApplied] = []
    current = list(applied)
    for _ in range(len(applied) + 5):
        try:
            return profile_for(standard, tuple(a.name for a in current)), tuple(current), tuple(broken)
        except ProfileError as error:
            helper = _provider_of_missing_definition(str(error), {a.name for a in current})
            if helper is not None:
                current.append(AppliedExtension(url="", name=helper[0], note=helper[1]))
                continue
            culprit = _culprit(standard, current)
            broken.append(NotApplied(url=culprit.url, reason=f"The extension is broken: {error}"))
            current.remove(culprit)
    raise ProfileError("could not build a profile from the declared extensions")


def _provider_of_missing_definition(message: str, present: set[str]) -> tuple[str, str] | None:
    missing = set(_MISSING_DEFINITION.findall(message))
    if not missing:
        return None
    # The smallest extension that defines what is missing, so no unrelated fields come with it.
    candidates = [name for name in _vendored_names() if name not in present and missing & _definitions_of(name)]
    if not candidates:
        return None
    name = min(candidates, key=lambda candidate: (len(_definitions_of(candidate)), candidate))
    wanted = ", ".join(sorted(missing & _definitions_of(name)))
    return name, f"Added because a declared extension uses {wanted}, which this extension defines."


def _culprit(standard: str, current: list[AppliedExtension]) -> AppliedExtension:
    """The first extension whose addition breaks the build."""
    for index in range(len(current)):
        try:
            profile_for(standard, tuple(a.name for a in current[: index + 1]))
        except ProfileError:
            return current[index]
    return current[-1]


@lru_cache(maxsize=1)
def _vendored_names() -> tuple[str, ...]:
    return tuple(name for name in snapshot_names() if "@" not in name)


@lru_cache(maxsize=64)
def _definitions_of(name: str) -> frozenset[str]:
    node = data_root().joinpath("extensions", name, "release-schema.json")
    if not node.is_file():
        return frozenset()
    return frozenset((json.loads(node.read_text(encoding="utf-8")).get("definitions") or {}).keys())
