"""Numbers that cannot be read (``1e9999``, `` 000,``, ``1 000``) no longer make a file unreadable: each is kept as its
text and reported at its path, and everything else is read and checked as usual."""

from __future__ import annotations

import gzip
import io
import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from opencare.ocds import item_stream, shape_detection, unreadable_numbers
from opencare.ocds.byte_layout import ITEMS_CHUNK
from opencare.ocds.compile import compile_package
from opencare.ocds.key_facts import gather_key_facts
from opencare.ocds.readers import InputError, read_ocds
from opencare.ocds.review import review
from opencare.ocds.unreadable_numbers import NumberRepairingReader, restore

REALDATA = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
FTS = REALDATA / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"


def fts_page_with_unreadable_numbers() -> bytes:
    """The real Find a Tender page with its first amount written as 1e9999 (as the FTS API has published) and its
    third as 000 (the pattern Kingfisher Collect patches)."""
    text = FTS.read_bytes()
    amounts = list(re.finditer(rb'"amount": ?([0-9.]+)', text))
    first, third = amounts[0], amounts[2]
    return text[: first.start(1)] + b"1e9999" + text[first.end(1) : third.start(1)] + b"000" + text[third.end(1) :]


def unreadable_findings(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        (finding["path"], example["pointer"], example["value"])
        for finding in report["findings"]
        if finding["check"] == "ocds.unreadable-number"
        for example in finding["examples"]
    ]


@pytest.mark.parametrize("given_as", ["file", "stream", "gzip"])
def test_a_real_page_with_1e9999_and_000_is_reviewed_with_each_an_error_at_its_path(tmp_path: Path, given_as: str):
    page = fts_page_with_unreadable_numbers()
    if given_as == "file":
        path = tmp_path / "page.json"
        path.write_bytes(page)
        report = review(path).as_json()
    elif given_as == "stream":
        report = review(io.BytesIO(page)).as_json()
    else:
        report = review(io.BytesIO(gzip.compress(page))).as_json()
    assert sorted(unreadable_findings(report)) == [
        ("releases/contracts/value/amount", "/releases/0/contracts/0/value/amount", "1e9999"),
        ("releases/tender/value/amount", "/releases/2/tender/value/amount", "000"),
    ]
    assert report["counts"]["releases"] == 5
    assert report["valid"] is False
    checks = {(finding["check"], finding["path"]) for finding in report["findings"]}
    assert ("ocds.additional-field", "releases/buyerID") in checks  # the rest was checked as before
    assert not any(check == "schema.type" and "amount" in path for check, path in checks)  # not reported twice
    messages = [finding for finding in report["findings"] if finding["check"] == "ocds.unreadable-number"]
    assert any("beyond the largest number" in finding["message"] for finding in messages)
    assert any("starts with a zero" in finding["message"] for finding in messages)
    assert all(finding["how_to_fix"] for finding in messages)


def test_digits_with_spaces_inside_are_an_error_with_the_text_kept():
    body = b'{"version": "1.1", "releases": [{"ocid": "ocds-b5fd17-1", "id": "1", "date": "2024-01-01T00:00:00Z", '
    body += b'"tag": ["tender"], "initiationType": "tender", "tender": {"id": "t", "value": {"amount": 1 000 000}}}]}'
    report = review(io.BytesIO(body)).as_json()
    assert unreadable_findings(report) == [("releases/tender/value/amount", "/releases/0/tender/value/amount",
                                            "1 000 000")]  # fmt: skip
    (finding,) = [f for f in report["findings"] if f["check"] == "ocds.unreadable-number"]
    assert "spaces inside it" in finding["message"]


def test_compile_keeps_the_text_of_a_number_that_cannot_be_read(tmp_path: Path):
    path = tmp_path / "page.json"
    path.write_bytes(fts_page_with_unreadable_numbers())
    out = io.BytesIO()
    result = compile_package(path, out)
    assert result.records == 5
    assert b'"amount":"1e9999"' in out.getvalue()


def test_the_items_say_which_numbers_could_not_be_read_and_survive_being_sent_to_another_process():
    with read_ocds(io.BytesIO(fts_page_with_unreadable_numbers())) as data:
        items = list(data.items())
    numbers = [unreadable_numbers.unreadable_numbers(item) for item in items]
    assert [[(n.pointer, n.text) for n in found] for found in numbers] == [
        [("/contracts/0/value/amount", "1e9999")], [], [("/tender/value/amount", "000")], [], []
    ]  # fmt: skip
    again = pickle.loads(pickle.dumps(items[0]))
    assert again == items[0]
    assert unreadable_numbers.unreadable_numbers(again) == numbers[0]


def test_a_file_with_no_such_number_never_goes_through_the_repairing_reader(tmp_path: Path, monkeypatch):
    def refuse(*arguments: Any) -> None:
        raise AssertionError("the repairing reader is only for input the parsers refuse")

    monkeypatch.setattr(shape_detection, "NumberRepairingReader", refuse)
    monkeypatch.setattr(item_stream, "NumberRepairingReader", refuse)
    path = tmp_path / "page.json"
    path.write_bytes(FTS.read_bytes())
    with read_ocds(path) as data:
        assert len(list(data.items())) == 5
    with read_ocds(io.BytesIO(FTS.read_bytes())) as data:
        assert len(list(data.items())) == 5


def test_broken_json_after_a_number_that_cannot_be_read_is_still_unreadable_saying_what_is_broken():
    body = b'{"releases": [{"ocid": "x", "value": 1e9999},\n{"ocid": "y", "title": "cut short'
    with pytest.raises(InputError, match="ends too early") as raised, read_ocds(io.BytesIO(body)) as data:
        list(data.items())
    assert raised.value.line == 2


def test_broken_json_before_any_such_number_keeps_its_exact_line_and_column():
    body = b'{"releases": [\n{"ocid": "x", "value": tru},\n{"value": 1e9999}]}'
    with pytest.raises(InputError, match="not valid JSON") as raised, read_ocds(io.BytesIO(body)) as data:
        list(data.items())
    assert (raised.value.line, raised.value.column) == (2, 24)


REPAIRED = (
    b'{"releases": [{"a": 1e9999, "b": "x 000, 1e9999 \\" 12", "c": [ 000, 1 000 000, -1e400, 12, -3.5e2, 0.5, '
    b'123456789012345678901234, 1e-9999, 7], "d": {"e": -0, "f": 01}}]}'
)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13, 64, 65, 1 << 16])
def test_repairing_gives_the_same_whatever_the_size_of_each_read(size: int):
    class Trickle:
        def __init__(self) -> None:
            self.stream = io.BytesIO(REPAIRED)

        def read(self, _: int = -1) -> bytes:
            return self.stream.read(size)

    reader = NumberRepairingReader(Trickle())  # type: ignore[arg-type]
    repaired = b""
    while chunk := reader.read(size):
        repaired += chunk
    item = restore(json.loads(repaired)["releases"][0])
    assert item["a"] == "1e9999"
    assert item["b"] == 'x 000, 1e9999 " 12'  # text is never touched
    assert item["c"] == ["000", "1 000 000", "-1e400", 12, -350.0, 0.5, 1.2345678901234568e23, 0.0, 7]
    assert item["d"] == {"e": 0, "f": "01"}
    assert [(n.pointer, n.text) for n in unreadable_numbers.unreadable_numbers(item)] == [
        ("/a", "1e9999"), ("/c/0", "000"), ("/c/1", "1 000 000"), ("/c/2", "-1e400"), ("/d/f", "01")
    ]  # fmt: skip


def test_json_with_nothing_to_repair_passes_through_unchanged():
    body = FTS.read_bytes()
    reader = NumberRepairingReader(io.BytesIO(body))
    repaired = b""
    while chunk := reader.read(4096):
        repaired += chunk
    assert repaired == body
    assert reader.repaired is False


def test_a_large_file_read_in_chunks_gives_every_item_once_in_order_around_a_number_that_cannot_be_read(
    tmp_path: Path,
):
    releases = [{"ocid": f"ocds-abcdef-{number}", "id": "1", "description": "x" * 300, "amount": 7}
                for number in range(3000)]  # fmt: skip
    body = json.dumps({"version": "1.1", "releases": releases}).encode()
    late = body.index(b'"ocid": "ocds-abcdef-2500"')
    at = body.index(b'"amount": 7', late)
    path = tmp_path / "large.json"
    path.write_bytes(body[:at] + b'"amount": 1e9999' + body[at + len(b'"amount": 7') :])
    assert path.stat().st_size > 3 * ITEMS_CHUNK  # several chunks parsed by orjson before the refused one
    with read_ocds(path) as data:
        items = list(data.items())
    assert [item["ocid"] for item in items] == [release["ocid"] for release in releases]
    assert items[2500]["amount"] == "1e9999"
    assert [n.pointer for n in unreadable_numbers.unreadable_numbers(items[2500])] == ["/amount"]
    assert items[2499]["amount"] == 7


def test_key_facts_leave_out_a_value_that_could_not_be_read_rather_than_add_1e9999_to_a_total(tmp_path: Path):
    path = tmp_path / "page.json"
    path.write_bytes(fts_page_with_unreadable_numbers())
    (values,) = gather_key_facts(path).as_json()["contract_values"]
    assert (values["contracts"], values["total"], values["largest"]) == (1, "0.01", "0.01")


@pytest.mark.parametrize(
    ("body", "expected_format"),
    [
        (b'{"ocid": "ocds-abcdef-1", "id": "1", "amount": 1e9999}', "single release"),
        (b'{"ocid": "ocds-abcdef-1", "id": "1", "amount": 000}\n{"ocid": "ocds-abcdef-2", "id": "1"}\n',
         "JSON Lines or concatenated JSON"),
        (b'{"uri": "x", "x_size": 1e9999, "releases": [{"ocid": "ocds-abcdef-1", "id": "1", "amount": 1e9999}]}',
         "release package"),
    ],
    ids=["release alone", "JSON Lines", "package metadata"],
)  # fmt: skip
def test_a_number_that_cannot_be_read_in_the_first_object_does_not_stop_the_shape_being_found(
    body: bytes, expected_format: str
):
    with read_ocds(io.BytesIO(body)) as data:
        assert data.format == expected_format
        items = list(data.items())
    assert [(n.pointer, n.text) for n in unreadable_numbers.unreadable_numbers(items[0])] == [
        ("/amount", "000" if b"000" in body else "1e9999")
    ]
