"""Review OCDS data: stream it once, validate each release with one strict schema pass, run the extra checks."""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from opencare.ocds.forked import fork
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.profile import Profile, profile_for
from opencare.ocds.readers import InputError, OcdsInput, half, read_ocds
from opencare.ocds.review.audit_schema import CompiledAudit, compile_audit
from opencare.ocds.review.checks import identifier
from opencare.ocds.review.checks.metrics import check_metrics, unit_mismatches
from opencare.ocds.review.checks.parties import check_parties
from opencare.ocds.review.checks.quality import check_quality
from opencare.ocds.review.checks.unique_ids import Tree, check_unique_ids, id_array_tree
from opencare.ocds.review.extensions import SchemaChoice, choose_schema
from opencare.ocds.review.report import Example, FindingCollector, Report
from opencare.ocds.unreadable_numbers import unreadable_numbers

OCID_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}")
#: Files at least this big are checked by two processes; smaller ones are done before a second would start.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024
MAX_ALLOWED_SHOWN = 12
MAX_DISTINCT_VALUES = 50
Progress = Callable[[int], None]
#: How many items are checked between looks at the clock.
CLOCK_EVERY = 64


@dataclass(frozen=True)
class ReviewLimits:
    """How far one review may go: at most ``max_items`` releases or records, for at most ``max_seconds``. Past
    either, it stops and reports what it checked, saying so (the check ``review.stopped-at-limit``). None: no limit.

    The web review and its API set these (one upload must not keep the workers for ever); ``opencare review`` on
    someone's own computer has none.
    """

    max_items: int | None = None
    max_seconds: float | None = None

    def deadline(self) -> float | None:
        """When a review starting now must stop, on the monotonic clock (which forked workers share)."""
        return None if self.max_seconds is None else time.monotonic() + self.max_seconds


class Validators:
    """Strict validators for one profile, each compiled the first time it is needed (a release package never
    needs the record ones)."""

    def __init__(self, profile: Profile):
        self.profile = profile

    @cached_property
    def release(self) -> CompiledAudit:
        """One release."""
        return compile_audit(self.profile.release_schema, self.profile)

    @cached_property
    def id_arrays(self) -> Tree:
        """The schema paths that lead to arrays of objects with ids."""
        return id_array_tree(self.profile.release_schema)

    @cached_property
    def linked_release(self) -> CompiledAudit:
        """A linked release in a record (url, date, tag)."""
        schema = self.profile.record_package_schema["definitions"]["record"]["properties"]["releases"]
        return compile_audit(schema["oneOf"][0]["items"], self.profile)

    @cached_property
    def record(self) -> CompiledAudit:
        """One record."""
        definitions = self.profile.record_package_schema["definitions"]
        return compile_audit({"$ref": "#/definitions/record", "definitions": definitions}, self.profile)

    @cached_property
    def release_package(self) -> CompiledAudit:
        """A release package's metadata."""
        return compile_audit(_metadata_schema(self.profile.release_package_schema, "releases"), self.profile)

    @cached_property
    def record_package(self) -> CompiledAudit:
        """A record package's metadata."""
        return compile_audit(_metadata_schema(self.profile.record_package_schema, "records"), self.profile)

    def prepare(self, kind: str, is_package: bool) -> None:
        """Compile what a review of this kind of input needs (before forking, so workers share it)."""
        if kind == "record":
            _ = self.record, self.linked_release, self.release
            if is_package:
                _ = self.record_package
        else:
            _ = self.release
            if is_package:
                _ = self.release_package
        _ = self.id_arrays


def validators_for(choice: SchemaChoice) -> Validators:
    """The strict validators for a schema choice, one set per standard and set of extensions."""
    return _validators(choice.standard, tuple(applied.name for applied in choice.applied))


@lru_cache(maxsize=16)
def _validators(standard: str, extension_names: tuple[str, ...]) -> Validators:
    return Validators(profile_for(standard, extension_names))


def _metadata_schema(package_schema: dict[str, Any], items_key: str) -> dict[str, Any]:
    """The package schema without its releases/records: those are validated one by one as they stream."""
    schema = orjson.loads(orjson.dumps(package_schema))  # a deep copy
    schema["properties"].pop(items_key, None)
    required = [name for name in schema.get("required", []) if name != items_key]
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)  # Draft 4 forbids an empty list
    return schema


def review(
    source: str | Path | BinaryIO,
    *,
    version: str | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    limits: ReviewLimits | None = None,
    max_stream_bytes: int | None = None,
) -> Report:
    """Review OCDS data from a path, ``-`` or a binary stream. Raises readers.InputError if it cannot be read.

    A large file on disk is checked by two processes (the machine's cores permitting): each parses the whole file,
    which cannot be split, and checks every other release; their findings are merged. ``limits`` stop the review
    part-way with a report of what was checked; ``max_stream_bytes`` refuses standard input or a stream longer than
    that (readers.read_ocds).
    """
    limits = limits or ReviewLimits()
    stop = _Stop(limits.max_items, limits.deadline(), limits.max_seconds)
    with read_ocds(source, max_stream_bytes=max_stream_bytes) as data:
        metadata = data.metadata
        choice = choose_schema(
            version or metadata.get("version"), metadata.get("extensions"), is_package=data.format.endswith("package")
        )
        validators_for(choice).prepare(data.kind, data.format.endswith("package"))  # before any fork, to share
        if workers is None:
            large = data.path is not None and data.path.stat().st_size >= PARALLEL_FROM_BYTES
            workers = min(2, os.cpu_count() or 1) if large else 1
        if workers <= 1:
            return Review(data, choice, progress, stop=stop).run()
        return run_in_parallel(data, choice, workers, progress, stop)


@dataclass(frozen=True)
class _Stop:
    """Where a review stops: before the item at index ``max_items``, or at the ``deadline`` (monotonic clock)."""

    max_items: int | None = None
    deadline: float | None = None
    max_seconds: float | None = None


class Review:
    """One review in progress: the findings so far and what the cross-release checks need to remember.

    ``part=(k, n)`` checks only items whose index is k modulo n; part 0 also does the identity checks (ids, dates,
    ocids, counts) for every item, since those need to see them all.
    """

    def __init__(
        self,
        data: OcdsInput,
        choice: SchemaChoice,
        progress: Progress | None,
        part: tuple[int, int] = (0, 1),
        stop: _Stop | None = None,
    ):
        self.data = data
        self.stop = stop or _Stop()
        #: Why the review stopped before the end ("items" or "time"), or "" when it checked everything.
        self.stopped = ""
        self.choice = choice
        self.progress = progress
        self.validators = validators_for(choice)
        self.catalogue = metric_catalogue()
        self.findings = FindingCollector()
        self.seen_ids: dict[tuple[Any, Any], int] = {}  # (ocid, id) -> where first seen
        self.reported_ids: set[tuple[Any, Any]] = set()  # each duplicated (ocid, id) is one occurrence
        self.dates_by_ocid: dict[Any, dict[str, int]] = {}  # ocid -> date -> where first seen
        self.units_by_ocid: dict[Any, dict[str, set[tuple[bool, str]]]] = {}
        self.ocids: set[Any] = set()
        self.count = 0
        self.is_package = data.format.endswith("package")
        self.items_key = "records" if data.kind == "record" else "releases"
        self.part, self.parts = part
        self.index = 0
        self._releases_in_records = 0

    def run(self) -> Report:
        """Check the package metadata, then every item, then what can only be seen across items."""
        self._check_package()
        self.scan()
        return self.report()

    def scan(self) -> None:
        """Check every item (or this worker's share of them)."""
        mine, parts, is_record = self.part, self.parts, self.data.kind == "record"
        max_items, deadline = self.stop.max_items, self.stop.deadline
        for index, item in enumerate(self.data.items()):
            if max_items is not None and index >= max_items:
                self.stopped = "items"
                break
            if deadline is not None and index % CLOCK_EVERY == 0 and time.monotonic() >= deadline:
                self.stopped = "time"
                break
            self.index = index
            if mine == 0:
                self.count += 1
                if is_record:
                    self._record_identity(item, index)
                else:
                    self._check_identity(item, item.get("ocid"), item.get("id"), "releases", self._pointer(index))
            if index % parts == mine:
                if is_record:
                    self._check_record(item, index)
                else:
                    self._check_release(item, index, path_prefix="releases", pointer_prefix=self._pointer(index))
            if self.progress and index % 1000 == 999:
                self.progress(index + 1)

    def merge_later_half(self, other: Review) -> None:
        """Take in the review of the items that follow this one's (from a worker given the second half).

        Its positions are shifted by this half's item count; ids, dates and ocids are checked across the halves.
        """
        offset = self.count
        self.stopped = self.stopped or other.stopped
        other.findings.shift(offset, self.items_key)
        self.merge(other)
        self.count += other.count
        self.ocids |= other.ocids
        for key, index in other.seen_ids.items():
            if key in self.seen_ids and key not in self.reported_ids:
                self.reported_ids.add(key)
                example = Example(_text(key[0]), _text(key[1]), f"/{self.items_key}/{index + offset}/id", key[1],
                                  index + offset)  # fmt: skip
                self.findings.add("ocds.duplicate-release-id", "error", f"{self.items_key}/id", example)
            self.seen_ids.setdefault(key, index + offset)
        for ocid, dates in other.dates_by_ocid.items():
            mine = self.dates_by_ocid.setdefault(ocid, {})
            for date, index in dates.items():
                if date in mine:
                    example = Example(ocid, None, f"/{self.items_key}/{index + offset}/date", date, index + offset)
                    self.findings.add("ocds.same-date-for-ocid", "warning", f"{self.items_key}/date", example)
                mine.setdefault(date, index + offset)

    def merge(self, other: Review) -> None:
        """Take in a parallel worker's findings and what the cross-release checks need."""
        self.stopped = self.stopped or other.stopped
        self.findings.merge(other.findings)
        self._releases_in_records += other._releases_in_records
        for ocid, units in other.units_by_ocid.items():
            mine = self.units_by_ocid.setdefault(ocid, {})
            for metric_id, seen in units.items():
                mine.setdefault(metric_id, set()).update(seen)

    def report(self) -> Report:
        """The report, once every item has been checked."""
        self._check_across_releases()
        self._check_shape()
        self._say_where_it_stopped()
        return Report(
            format=self.data.format,
            version=self.choice.version,
            standard=self.choice.standard,
            extensions_applied=[{"url": a.url, "name": a.name, "note": a.note} for a in self.choice.applied],
            extensions_not_applied=[{"url": n.url, "reason": n.reason} for n in self.choice.not_applied],
            releases=self.count if self.data.kind == "release" else self._releases_in_records,
            records=self.count if self.data.kind == "record" else 0,
            ocids=len(self.ocids),
            findings=self.findings.findings(),
            complete=not self.stopped,
        )

    def _say_where_it_stopped(self) -> None:
        """A review stopped at a limit is an error of its own: the report covers only the items before it."""
        if not self.stopped:
            return
        context = {"kind": self.items_key, "checked": f"{self.count:,}"}
        if self.stopped == "items":
            context["limit"] = f"{self.stop.max_items:,}"
        else:
            context["limit"] = _duration(self.stop.max_seconds or 0)
        self.findings.add(f"review.stopped-at-{'item' if self.stopped == 'items' else 'time'}-limit", "error", "",
                          Example(None, None, ""), context=context)  # fmt: skip

    def _pointer(self, index: int) -> str:
        if self.is_package:
            return f"/{self.items_key}/{index}"
        return "" if self.data.format.startswith("single") else f"/{index}"

    # -----------------------------------------------------------------------------------------------------------------
    # Package and schema

    def _check_package(self) -> None:
        if self.choice.version_missing:
            self.findings.add("ocds.version-missing", "info", "version", Example(None, None, "/version"))
        if self.choice.version_note:
            self.findings.add(
                "ocds.version-unrecognised",
                "warning",
                "version",
                Example(None, None, "/version"),
                context={"note": self.choice.version_note},
            )
        for skipped in self.choice.not_applied:
            self.findings.add(
                "ocds.extension-not-applied",
                "warning",
                "extensions",
                Example(None, None, "/extensions", skipped.url),
                context={"reason": skipped.reason},
            )
        if not self.is_package:
            return
        validator = self.validators.record_package if self.data.kind == "record" else self.validators.release_package
        for error in validator.validator.iter_errors(self.data.metadata):
            self._schema_finding(error, validator, "", "", None, None)

    def _schema_finding(
        self, error: Any, compiled: CompiledAudit, path_prefix: str, pointer_prefix: str, ocid: Any, release_id: Any
    ) -> None:
        audit = compiled.audit
        schema_path = tuple(error.schema_path)
        instance_path = list(error.instance_path)
        kind = type(error.kind).__name__

        def add(check: str, severity: str, path: list[Any], value: Any, context: dict[str, Any] | None = None,
                field: dict[str, Any] | None = None) -> None:  # fmt: skip
            self._add(check, severity, path_prefix, pointer_prefix, path, value, ocid, release_id, context, field)

        if kind == "AdditionalProperties" and schema_path in audit.additional:
            for name in getattr(error.kind, "unexpected", []) or []:
                value = error.instance.get(name) if isinstance(error.instance, dict) else None
                add("ocds.additional-field", "warning", [*instance_path, name], value)
                # No schema says anything about an unknown field, so its empty values are found here, as
                # lib-cove-ocds finds them anywhere ("buyerID": []).
                for place, empty in _empty_places(value, [*instance_path, name]):
                    add("ocds.empty-field", "warning", place, empty)
            return
        node = audit.node(schema_path[:-1]) if schema_path else {}
        if kind == "Enum" and schema_path in audit.open_codelist:
            field = audit.node(schema_path[:-2]) if schema_path[-2:-1] == ("items",) else node
            codes = [code for code in node.get("enum", []) if code is not None]
            context = {"codelist": field.get("codelist"), "allowed": _list(codes)}
            add("ocds.open-codelist-value", "info", instance_path, error.instance, context, field)
            self._note_value(("ocds.open-codelist-value", path_prefix, instance_path), error.instance)
            return
        if kind in ("Pattern", "MinItems", "MinProperties") and schema_path in audit.empty:
            add("ocds.empty-field", "warning", instance_path, error.instance, {}, node)
            return
        if kind == "Not" and schema_path in audit.deprecated:
            deprecated = node.get("deprecated")
            if not isinstance(deprecated, dict):
                deprecated = {}
            text = deprecated.get("description") or "It may be removed in a future version of OCDS."
            since = deprecated.get("deprecatedVersion")
            context = {"deprecation": f"{text} (Deprecated in OCDS {since}.)" if since else text}
            add("ocds.deprecated-field", "warning", instance_path, error.instance, context, node)
            return
        if kind == "UniqueItems" and _objects_with_ids(error.instance):
            return  # the duplicate-id check says which id repeats, which is what a person needs to fix
        if kind == "OneOfNotValid" and path_prefix == "records" and instance_path == ["releases"]:
            self._record_releases(error.instance, pointer_prefix, ocid)
            return
        if kind == "Enum" and schema_path[-2:-1] == ("items",):
            node = audit.node(schema_path[:-2])  # a codelist on an array (e.g. tag) is named on the array itself
        check, context, path, field = _schema_error(error, kind, node, instance_path)
        value = error.instance if kind != "Required" else None
        add(check, "error", path, value, context, field)
        if check == "schema.closed-codelist":
            self._note_value((check, path_prefix, instance_path), error.instance)
        empty_checked_by_audit = (*schema_path[:-1], "pattern") in audit.empty
        if (
            kind in ("MinLength", "MinItems", "MinProperties")
            and error.instance in ("", [], {})
            and not (empty_checked_by_audit)
        ):
            # The standard itself forbids this empty value; the Data Review Tool also lists it as an empty field.
            add("ocds.empty-field", "warning", instance_path, value, {}, node)

    def _note_value(self, key: tuple[str, str, list[Any]], value: Any) -> None:
        """Remember the distinct values a codelist finding has seen (shown to people, counted as lib-cove does)."""
        check, path_prefix, instance_path = key
        names = [str(part) for part in instance_path if not isinstance(part, int)]
        finding = self.findings.get(check, "/".join(filter(None, [path_prefix, *names])))
        if finding is not None and isinstance(value, str | int | float | bool):
            values = finding.context.setdefault("values", [])
            if value not in values and len(values) < MAX_DISTINCT_VALUES:
                values.append(value)

    def _record_releases(self, releases: Any, pointer_prefix: str, ocid: Any) -> None:
        """Explain a record's releases as a person needs: which shape was meant, and what is wrong with it."""
        pointer = f"{pointer_prefix}/releases"
        if releases in ([], {}, ""):
            self._add("ocds.empty-field", "warning", "records", pointer_prefix, ["releases"], releases, ocid, None)
        if not isinstance(releases, list):
            context = {"expected": "a list", "actual": _value_type(releases)}
            self._add("schema.type", "error", "records", pointer_prefix, ["releases"], releases, ocid, None, context)
            return
        if not releases:
            self._add("schema.min-items", "error", "records", pointer_prefix, ["releases"], None, ocid, None,
                      {"limit": 1})  # fmt: skip
            return
        # As the Data Review Tool decides: an item with an id is a full release, anything else a link to one.
        linked = [not (isinstance(item, dict) and "id" in item) for item in releases]
        if any(linked) and not all(linked):
            self._add("schema.one-of", "error", "records", pointer_prefix, ["releases"], None, ocid, None)
            return
        compiled = self.validators.linked_release if all(linked) else self.validators.release
        for index, item in enumerate(releases):
            release_id = item.get("id") if isinstance(item, dict) else None
            for error in compiled.validator.iter_errors(item):
                if type(error.kind).__name__ == "MinProperties" and not list(error.instance_path):
                    continue  # an empty item is reported by what it lacks (its url or id), not as empty
                self._schema_finding(error, compiled, "records/releases", f"{pointer}/{index}", ocid, release_id)

    def _add(
        self,
        check: str,
        severity: str,
        path_prefix: str,
        pointer_prefix: str,
        instance_path: list[Any],
        value: Any,
        ocid: Any,
        release_id: Any,
        context: dict[str, Any] | None = None,
        field: dict[str, Any] | None = None,
    ) -> None:
        names = [str(part) for part in instance_path if not isinstance(part, int)]
        path = "/".join(filter(None, [path_prefix, *names]))
        pointer = pointer_prefix + "".join(f"/{_escape(part)}" for part in instance_path)
        field = field or {}
        self.findings.add(
            check,
            severity,
            path,
            Example(_text(ocid), _text(release_id), pointer, value, self.index),
            context=context,
            field_title=str(field.get("title") or ""),
            field_description=str(field.get("description") or ""),
        )

    # -----------------------------------------------------------------------------------------------------------------
    # Releases and records

    def _check_release(self, release: dict[str, Any], index: int, *, path_prefix: str, pointer_prefix: str) -> None:
        ocid, release_id = release.get("ocid"), release.get("id")
        compiled = self.validators.release
        unreadable = self._unreadable_numbers(release, path_prefix, pointer_prefix, ocid, release_id)
        for error in compiled.validator.iter_errors(release):
            if unreadable and _is_unreadable_number(error, unreadable):
                continue
            self._schema_finding(error, compiled, path_prefix, pointer_prefix, ocid, release_id)
        self._extra_checks(release, ocid, release_id, path_prefix, pointer_prefix)

    def _extra_checks(
        self, release: dict[str, Any], ocid: Any, release_id: Any, path_prefix: str, pointer_prefix: str
    ) -> None:
        def emit(check: str, severity: str, path: str, pointer: str, value: Any, context: dict[str, Any]) -> None:
            example = Example(_text(ocid), _text(release_id), pointer_prefix + pointer, value, self.index)
            self.findings.add(check, severity, f"{path_prefix}/{path}", example, context=context)

        check_unique_ids(release, self.validators.id_arrays, emit)
        check_quality(release, emit)
        check_parties(release, emit)
        units = check_metrics(release, emit, self.catalogue)
        if units:
            by_metric = self.units_by_ocid.setdefault(ocid if isinstance(ocid, str) else "", {})
            for metric_id, seen in units.items():
                by_metric.setdefault(metric_id, set()).update(seen)

    def _unreadable_numbers(
        self, item: dict[str, Any], path_prefix: str, pointer_prefix: str, ocid: Any, release_id: Any
    ) -> set[str]:
        """Report each number in the item that could not be read (kept as its text) as an error at its path; the
        pointers of those values, whose being text is this error, not another."""
        found = unreadable_numbers(item)
        for number in found:
            context = {"text": number.shown, "reason": number.reason}
            parts = [_pointer_part(part) for part in number.pointer.split("/")[1:]]
            self._add("ocds.unreadable-number", "error", path_prefix, pointer_prefix, parts, number.text, ocid,
                      release_id, context)  # fmt: skip
        return {number.pointer for number in found}

    def _check_identity(
        self, release: dict[str, Any], ocid: Any, release_id: Any, path_prefix: str, pointer_prefix: str
    ) -> None:
        if isinstance(ocid, str):
            self.ocids.add(ocid)
            if not OCID_PREFIX.match(ocid):
                self.findings.add(
                    "ocds.ocid-prefix",
                    "warning",
                    f"{path_prefix}/ocid",
                    Example(ocid, _text(release_id), f"{pointer_prefix}/ocid", ocid, self.index),
                )
        release_id = identifier(release_id)
        if self.data.kind != "release" or release_id is None or not isinstance(ocid, str | None):
            return
        key = (ocid, release_id)
        if key in self.seen_ids and key not in self.reported_ids:
            self.reported_ids.add(key)
            self.findings.add(
                "ocds.duplicate-release-id",
                "error",
                f"{path_prefix}/id",
                Example(_text(ocid), _text(release_id), f"{pointer_prefix}/id", release_id, self.index),
            )
        self.seen_ids.setdefault(key, self.index)
        date = release.get("date")
        if isinstance(date, str) and isinstance(ocid, str):
            dates = self.dates_by_ocid.setdefault(ocid, {})
            if date in dates:
                self.findings.add(
                    "ocds.same-date-for-ocid",
                    "warning",
                    f"{path_prefix}/date",
                    Example(ocid, _text(release_id), f"{pointer_prefix}/date", date, self.index),
                )
            dates.setdefault(date, self.index)

    def _check_record(self, record: dict[str, Any], index: int) -> None:
        ocid = record.get("ocid")
        pointer = self._pointer(index)
        compiled = self.validators.record
        unreadable = self._unreadable_numbers(record, "records", pointer, ocid, None)
        for error in compiled.validator.iter_errors(record):
            if unreadable and _is_unreadable_number(error, unreadable):
                continue
            self._schema_finding(error, compiled, "records", pointer, ocid, None)
        releases = record.get("releases")
        if isinstance(releases, list):
            self._releases_in_records += len(releases)
        compiled_release = record.get("compiledRelease")
        if isinstance(compiled_release, dict):
            self._extra_checks(
                compiled_release,
                ocid,
                compiled_release.get("id"),
                "records/compiledRelease",
                f"{pointer}/compiledRelease",
            )

    def _check_shape(self) -> None:
        """Whole-input findings: nothing in it, or releases that are not in a package."""
        if self.data.items_not_a_list:
            context = {"expected": "a list", "actual": self.data.items_not_a_list}
            self.findings.add("schema.type", "error", self.items_key, Example(None, None, f"/{self.items_key}"),
                              context=context)  # fmt: skip
        elif self.count == 0:
            self.findings.add(
                "ocds.no-items", "error", self.items_key, Example(None, None, ""), context={"kind": self.items_key}
            )
        elif not self.is_package:
            self.findings.add(
                "ocds.not-packaged", "info", "", Example(None, None, ""), context={"format": self.data.format}
            )

    def _record_identity(self, record: dict[str, Any], index: int) -> None:
        ocid, pointer = record.get("ocid"), self._pointer(index)
        if not isinstance(ocid, str):
            return
        if ocid in self.ocids:
            self.findings.add(
                "ocds.duplicate-record-ocid",
                "error",
                "records/ocid",
                Example(ocid, None, f"{pointer}/ocid", ocid, index),
            )
        self.ocids.add(ocid)
        if not OCID_PREFIX.match(ocid):
            self.findings.add(
                "ocds.ocid-prefix", "warning", "records/ocid", Example(ocid, None, f"{pointer}/ocid", ocid, index)
            )

    def _check_across_releases(self) -> None:
        for ocid, units in self.units_by_ocid.items():
            for metric_id, seen in unit_mismatches(units):
                self.findings.add(
                    "metrics.unit-mismatch",
                    "warning",
                    f"{self.items_key}/metrics",
                    Example(ocid or None, None, "", seen),
                    context={"metric": metric_id, "units": ", ".join(seen)},
                )


def _schema_error(
    error: Any, kind: str, node: dict[str, Any], instance_path: list[Any]
) -> tuple[str, dict[str, Any], list[Any], dict[str, Any]]:
    """The check id, context, path and schema field for a real JSON Schema failure."""
    if kind == "Required":
        missing = getattr(error.kind, "property", None) or _quoted(error.message)
        field = (node.get("properties") or {}).get(missing, {})
        return "schema.required", {"missing": missing}, [*instance_path, missing], field
    if kind == "Type":
        types = getattr(error.kind, "types", None) or []
        expected = _type_words(types if isinstance(types, list) else [types])
        return "schema.type", {"expected": expected, "actual": _value_type(error.instance)}, instance_path, node
    if kind == "Enum":
        allowed = [
            code for code in (getattr(error.kind, "options", None) or node.get("enum") or []) if code is not None
        ]
        field = node
        codelist = node.get("codelist")
        check = "schema.closed-codelist" if codelist else "schema.enum"
        return check, {"codelist": codelist, "allowed": _list(allowed)}, instance_path, field
    if kind == "Format":
        fmt = str(getattr(error.kind, "format", ""))
        check = {"date-time": "schema.date-time", "uri": "schema.uri"}.get(fmt, "schema.format")
        return check, {"format": fmt}, instance_path, node
    simple = {
        "Pattern": ("schema.pattern", {"pattern": node.get("pattern")}),
        "MinItems": ("schema.min-items", {"limit": node.get("minItems")}),
        "MaxItems": ("schema.max-items", {}),
        "UniqueItems": ("schema.unique-items", {}),
        "OneOfNotValid": ("schema.one-of", {}),
        "OneOfMultipleValid": ("schema.one-of", {}),
        "Minimum": ("schema.number-range", {"detail": error.message}),
        "Maximum": ("schema.number-range", {"detail": error.message}),
        "MinLength": ("schema.string-length", {"detail": error.message}),
        "MaxLength": ("schema.string-length", {"detail": error.message}),
    }
    check, context = simple.get(kind, ("schema.other", {"keyword": kind, "detail": error.message}))
    return check, context, instance_path, node


def _pointer_part(part: str) -> str | int:
    """A JSON pointer's part as an instance path has it: list positions as numbers."""
    return int(part) if part.isdigit() else part.replace("~1", "/").replace("~0", "~")


def _is_unreadable_number(error: Any, pointers: set[str]) -> bool:
    """A type error about a value that is text only because it was a number that could not be read."""
    pointer = "".join(f"/{_escape(part)}" for part in error.instance_path)
    return type(error.kind).__name__ == "Type" and pointer in pointers


def _empty_places(value: Any, path: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """Where a value (and what is inside it) is empty: "", only spaces, [] or {}, walked as lib-cove-ocds does."""
    if isinstance(value, str):
        if not value.strip():
            yield path, value
    elif isinstance(value, dict | list) and not value:
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _empty_places(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _empty_places(item, [*path, index])


def _objects_with_ids(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) and "id" in item for item in value)


def _type_words(types: list[Any]) -> str:
    words = {
        "string": "text",
        "number": "a number",
        "integer": "a whole number",
        "array": "a list",
        "object": "an object",
        "boolean": "true or false",
        "null": "null",
    }
    named = [words.get(str(t).lower(), str(t)) for t in types if str(t).lower() != "null"]
    return " or ".join(named) or "null"


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return {str: "text", list: "a list", dict: "an object", type(None): "null"}.get(type(value), "something else")


def _list(codes: list[Any]) -> str:
    shown = ", ".join(str(code) for code in codes[:MAX_ALLOWED_SHOWN])
    return shown + (f" (and {len(codes) - MAX_ALLOWED_SHOWN} more)" if len(codes) > MAX_ALLOWED_SHOWN else "")


def _quoted(message: str) -> str:
    match = re.search(r'"([^"]+)"', message)
    return match.group(1) if match else "a field"


def _escape(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else (None if value is None else str(value))


def _duration(seconds: float) -> str:
    """A time limit in words: '90 seconds', '1 minute', '12 minutes'."""
    if seconds < 120 and seconds % 60:
        return f"{seconds:g} second{'' if seconds == 1 else 's'}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def run_in_parallel(
    data: OcdsInput, choice: SchemaChoice, workers: int, progress: Progress | None, stop: _Stop | None = None
) -> Report:
    """Review with a second process: on halves of a package when it can be split, else on alternate items."""
    stop = stop or _Stop()
    split = data.split
    if split is None:
        return _alternate_items(data, choice, workers, progress, stop)
    try:
        return _halves(data, choice, split, progress, stop)
    except InputError:
        # one pass over the whole file gives the exact line and column
        return Review(data, choice, progress, stop=stop).run()


def _halves(data: OcdsInput, choice: SchemaChoice, split: int, progress: Progress | None, stop: _Stop) -> Report:
    """This process parses and checks the first half of the file, a forked worker the second.

    Each half stops at the limits on its own; when the first half stops, the second is not wanted (the report
    covers the items before the stop, with no gap), so at most twice the item limit is checked.
    """
    worker = fork(_worker, half(data, split, first=False), choice, (0, 1), stop)
    try:
        main = Review(half(data, split, first=True), choice, progress, stop=stop)
        main.data = data  # the package metadata and format are the whole file's
        main._check_package()
        main.data = half(data, split, first=True)
        main.scan()
        outcome = None if main.stopped else worker.receiver.recv()
    finally:
        worker.stop()  # at once: after an error in the first half, the second is not wanted
    if isinstance(outcome, Exception):
        raise outcome
    if outcome is not None:
        main.merge_later_half(outcome)
    main.data = data
    return main.report()


def _alternate_items(
    data: OcdsInput, choice: SchemaChoice, workers: int, progress: Progress | None, stop: _Stop
) -> Report:
    """Fork processes that each parse everything and check a share of the items, and merge what they found."""
    done = multiprocessing.get_context("fork").Value("l", 0)
    forked = [fork(_worker, data, choice, (part, workers), stop) for part in range(1, workers)]
    try:
        main = Review(data, choice, lambda count: _progress(done, count, progress), part=(0, workers), stop=stop)
        main._check_package()
        main.scan()
        for worker in forked:
            outcome = worker.receiver.recv()
            if isinstance(outcome, Exception):
                raise outcome
            main.merge(outcome)
    finally:
        for worker in forked:
            worker.stop()
    return main.report()


def _progress(done: Any, count: int, progress: Progress | None) -> None:
    done.value = count
    if progress:
        progress(count)


def _worker(data: OcdsInput, choice: SchemaChoice, part: tuple[int, int], stop: _Stop, sender: Any) -> None:
    """Check this share of the input in a forked process and send the review (or the error) to the parent."""
    try:
        worker = Review(data, choice, None, part=part, stop=stop)
        worker.scan()
        worker.data = worker.validators = worker.catalogue = worker.choice = None  # type: ignore[assignment]
        sender.send(worker)
    except BrokenPipeError:
        raise  # the parent has gone: forked.fork ends this process
    except Exception as error:  # sent to the parent, which raises it
        sender.send(error)
