"""A review with limits stops at them and reports what it checked, saying so; without limits it checks everything."""

from __future__ import annotations

import itertools

import orjson

from opencare.ocds.review import engine
from opencare.ocds.review.engine import ReviewLimits, review


def releases_file(tmp_path, count: int, *, padding: int = 0):
    releases = [{"ocid": f"ocds-213czf-{i}", "id": f"{i}-1", "date": "2024-01-01T00:00:00Z", "tag": ["planning"],
                 "initiationType": "tender", "description": "x" * padding} for i in range(count)]  # fmt: skip
    path = tmp_path / "releases.json"
    path.write_bytes(orjson.dumps({"version": "1.1", "releases": releases}))
    return path


def stopped_finding(report):
    return next(f for f in report.findings if f.check.startswith("review.stopped-at"))


def test_a_review_past_its_item_limit_stops_there_and_says_so(tmp_path):
    report = review(releases_file(tmp_path, 50), limits=ReviewLimits(max_items=10))
    assert report.releases == 10
    assert not report.complete
    assert not report.valid
    finding = stopped_finding(report)
    assert finding.severity == "error"
    assert finding.message.startswith("This file has more than 10 releases, the most one review checks; the review "
                                      "stopped there. The report covers the first 10 releases only.")  # fmt: skip
    assert "opencare review FILE" in finding.how_to_fix
    assert report.as_json()["complete"] is False


def test_a_review_within_its_limits_is_complete_and_has_no_stop_finding(tmp_path):
    report = review(releases_file(tmp_path, 50), limits=ReviewLimits(max_items=50, max_seconds=3600))
    assert report.releases == 50
    assert report.complete
    assert report.as_json()["complete"] is True
    assert not [f for f in report.findings if f.check.startswith("review.stopped-at")]


def test_a_review_past_its_time_limit_stops_part_way_and_says_so(tmp_path, monkeypatch):
    ticks = itertools.count()  # a clock that moves on a second each time it is read: no waiting in the test

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return float(next(ticks))

    monkeypatch.setattr(engine, "time", Clock)
    monkeypatch.setattr(engine, "CLOCK_EVERY", 1)
    report = review(releases_file(tmp_path, 200), limits=ReviewLimits(max_seconds=90))
    assert 0 < report.releases < 200
    assert not report.complete
    assert stopped_finding(report).message.startswith("Checking this file took longer than 90 seconds, the most one")
    assert f"the first {report.releases:,} releases only" in stopped_finding(report).message


def test_two_processes_stop_at_the_item_limit_with_no_gap_in_what_they_checked(tmp_path):
    workers = 2
    path = releases_file(tmp_path, 400, padding=200)
    whole = review(path, workers=1)
    limited = review(path, workers=workers, limits=ReviewLimits(max_items=100))
    assert not limited.complete
    assert 100 <= limited.releases <= 200  # each process stops at the limit; the second is dropped if the first does
    assert whole.releases == 400
    unlimited = review(path, workers=workers, limits=ReviewLimits(max_items=1000))
    assert unlimited.complete
    assert unlimited.releases == 400
