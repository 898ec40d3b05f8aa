"""The OCDS extension registry as vendored, and which snapshot stands for an extension address a publisher declares.

The registry (open-contracting/extension_registry: ``extensions.csv`` and ``extension_versions.csv``, copied into
``data/extensions/_registry/``) names each registered extension by an id and gives each version a Base URL and a
Download URL. Publishers declare an extension by any of those, by a raw file on GitHub, GitLab or Bitbucket, by a
repository page or archive, or by its page on the registry's site (``extensions.open-contracting.org/<lang>/
extensions/<id>/<version>/``). Every such address comes down to a repository and a ref, or a registry id and a
version, and so to a vendored snapshot. Nothing here fetches anything.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from opencare.ocds.profile.builder import data_root, read_sources

#: The folder, among the snapshots, that holds the registry's own files (not an extension).
REGISTRY_FOLDER = "_registry"
#: The registry's site; its extension pages are ``/<lang>/extensions/<id>/[<version>/]``.
REGISTRY_SITE = "extensions.open-contracting.org"
#: Repository, ref and id names: letters, digits, '_', '-' and '.', never '.' or '..' (nothing that leaves a folder).
SAFE_NAME = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$")
_ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
#: A tagged release of an extension (``v1.1.4``), as opposed to a branch (``master``, ``1.1``).
_VERSION_TAG = re.compile(r"^v\d+(\.\d+)*$")
#: Files named at the end of an address, after the version (``.../1.1/extension.json``).
_FILE_SUFFIXES = (".json", ".html", ".md", *_ARCHIVE_SUFFIXES)


@dataclass(frozen=True)
class RegistryVersion:
    """One row of the registry's ``extension_versions.csv``."""

    id: str
    date: str
    version: str
    base_url: str
    download_url: str


@dataclass(frozen=True)
class ExtensionAddress:
    """What an extension address names: a repository and a ref, or an id on the registry's site and a version."""

    repository: str = ""
    ref: str = ""
    registry_id: str = ""


def snapshot_names() -> tuple[str, ...]:
    """Every vendored snapshot folder, tag-pinned copies (``name@ref``) included; the registry's folder is not one."""
    return _snapshot_folders()


@cache
def _snapshot_folders() -> tuple[str, ...]:
    folder = data_root().joinpath("extensions")
    return tuple(sorted(node.name for node in folder.iterdir() if node.is_dir() and node.name != REGISTRY_FOLDER))


@cache
def registry_versions() -> tuple[RegistryVersion, ...]:
    """Every row of the vendored ``extension_versions.csv``, in its order."""
    text = data_root().joinpath("extensions", REGISTRY_FOLDER, "extension_versions.csv").read_text(encoding="utf-8")
    return tuple(
        RegistryVersion(
            id=row["Id"],
            date=row["Date"],
            version=row["Version"],
            base_url=row["Base URL"],
            download_url=row["Download URL"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@cache
def registry_ids() -> tuple[str, ...]:
    """The id of every extension in the vendored ``extensions.csv``."""
    text = data_root().joinpath("extensions", REGISTRY_FOLDER, "extensions.csv").read_text(encoding="utf-8")
    return tuple(row["Id"] for row in csv.DictReader(io.StringIO(text)))


def address_of(host: str, segments: list[str]) -> ExtensionAddress | None:
    """What an address (its host and the non-empty segments of its path) names, or None when it is not an
    extension address we understand."""
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].lower().removeprefix("www.")  # no user or port
    if host == REGISTRY_SITE:
        return _registry_page(segments)
    if host == "raw.githubusercontent.com" and len(segments) >= 3:
        return ExtensionAddress(repository=segments[1], ref=segments[2])
    if host == "api.github.com" and len(segments) >= 3 and segments[0] == "repos":
        ref = segments[4] if len(segments) >= 5 and segments[3] in ("zipball", "tarball") else ""
        return ExtensionAddress(repository=segments[2], ref=ref)
    if host in ("github.com", "gitlab.com", "bitbucket.org") and len(segments) >= 2:
        return ExtensionAddress(repository=segments[1].removesuffix(".git"), ref=_forge_ref(segments[2:]))
    if len(segments) >= 2 and segments[-1] == "extension.json" and segments[-2].startswith("ocds_"):
        return ExtensionAddress(repository=segments[-2])
    return None


def _registry_page(segments: list[str]) -> ExtensionAddress | None:
    """``/<lang>/extensions/<id>/[<version>/][extension.json]`` on the registry's site."""
    if "extensions" not in segments:
        return None
    rest = segments[segments.index("extensions") + 1 :]
    rest = [segment for segment in rest if not segment.endswith(_FILE_SUFFIXES)]
    if not rest:
        return None
    return ExtensionAddress(registry_id=rest[0], ref=rest[1] if len(rest) > 1 else "")


def _forge_ref(rest: list[str]) -> str:
    """The ref in the rest of a GitHub, GitLab or Bitbucket path, after ``owner/repository``.

    ``archive/<ref>.zip``, ``archive/refs/tags/<ref>.zip``, ``-/archive/<ref>/<file>.zip``, ``-/raw/<ref>/...``,
    ``raw/<ref>/...``, ``get/<ref>.zip``, ``tree/<ref>``, ``blob/<ref>/...``; none of these: no ref.
    """
    if rest and rest[0] == "-":  # GitLab puts its actions after a '-' segment
        rest = rest[1:]
    if len(rest) < 2 or rest[0] not in ("archive", "raw", "get", "tree", "blob", "src"):
        return ""
    after = rest[1:]
    if after[:2] in (["refs", "tags"], ["refs", "heads"]):
        after = after[2:]
    if not after:
        return ""
    ref = after[0]
    for suffix in _ARCHIVE_SUFFIXES:
        ref = ref.removesuffix(suffix)
    return ref


def snapshot_for_address(address: ExtensionAddress) -> str | None:
    """The vendored snapshot for an address: the tag-pinned copy for its ref where we hold one, else the main copy
    of its repository (matched without regard to case, as GitHub matches names), else the snapshot that stands for
    its registry extension (a renamed repository)."""
    names = _names_by_lower()
    repository = address.repository
    if address.registry_id:
        repository = _repository_of_registry_id(address.registry_id)
        if not repository:
            return _snapshot_documenting(address.registry_id)
    if not SAFE_NAME.match(repository) or (address.ref and not SAFE_NAME.match(address.ref)):
        return None
    if address.ref and (pinned := names.get(f"{repository}@{address.ref}".lower())):
        return pinned
    if main := names.get(repository.lower()):
        return main
    registry_id = registry_id_of_repository(repository)
    return _snapshot_documenting(registry_id) if registry_id else None


def registry_id_of(address: ExtensionAddress) -> str:
    """The registry id of the extension an address names, or "" when it names none in the registry."""
    if address.registry_id:
        return _registry_id_spelled(address.registry_id)
    return registry_id_of_repository(address.repository)


def registry_id_of_repository(repository: str) -> str:
    """The registry id whose Base URL is in this repository, or ""."""
    return _ids_by_repository().get(repository.lower(), "")


def _repository_of_registry_id(registry_id: str) -> str:
    spelled = _registry_id_spelled(registry_id)
    return next((repo for repo, ident in _ids_by_repository().items() if ident == spelled), "")


def _registry_id_spelled(registry_id: str) -> str:
    """The registry's own spelling of an id given in any case, or ""."""
    return next((ident for ident in registry_ids() if ident.lower() == registry_id.lower()), "")


@cache
def _ids_by_repository() -> dict[str, str]:
    """Each registry repository's name (lower case) and its registry id, from the Base URLs."""
    found: dict[str, str] = {}
    for row in registry_versions():
        address = address_of(*_host_and_segments(row.base_url))
        if address is not None and address.repository:
            found.setdefault(address.repository.lower(), row.id)
    return found


def _host_and_segments(url: str) -> tuple[str, list[str]]:
    without_scheme = url.split("://", 1)[-1]
    host, _, path = without_scheme.partition("/")
    return host, [segment for segment in path.split("/") if segment]


@cache
def _names_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in snapshot_names()}


def _snapshot_documenting(registry_id: str) -> str | None:
    """The main snapshot whose extension.json says its documentation is the registry page of this id: how a
    repository renamed since we copied it (frameworkAgreement_DPS, now techniques) is still found."""
    return _snapshots_by_documented_id().get(registry_id.lower())


@cache
def _snapshots_by_documented_id() -> dict[str, str]:
    found: dict[str, str] = {}
    extensions = data_root().joinpath("extensions")
    for name in snapshot_names():
        node = extensions.joinpath(name, "extension.json")
        if "@" in name or not node.is_file():
            continue
        documentation = json.loads(node.read_text(encoding="utf-8")).get("documentationUrl")
        url = documentation.get("en", "") if isinstance(documentation, dict) else str(documentation or "")
        address = address_of(*_host_and_segments(url))
        if address is not None and address.registry_id:
            found.setdefault(address.registry_id.lower(), name)
    return found


def substitute_note(url: str, snapshot: str) -> str:
    """Why a snapshot stands in for another version, when the address names a tagged version we hold no copy of
    (``v1.1.4`` checked against the copy of ``master``); "" otherwise."""
    parts = urlsplit(url.strip())
    address = address_of(parts.netloc, [segment for segment in parts.path.split("/") if segment])
    if address is None or not _VERSION_TAG.match(address.ref) or "@" in snapshot:
        return ""
    held = read_sources(data_root().joinpath("extensions")).get(snapshot, {}).get("ref", "")
    if not held or held == address.ref:
        return ""
    return f"opencare has no copy of {address.ref} of this extension, so it was checked against its copy of {held}"
