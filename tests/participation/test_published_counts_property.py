"""For any feedback at all, nothing published (the record, the API, the performance CSV, the contract page, the
stories export) holds an individual answer or a count under 5."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from opencare.ocds.feedback_counts import MIN_COUNT, QUESTIONS, RESPONDENT_TYPES
from opencare.participation import services
from opencare.participation.models import Feedback
from opencare.registry.models import Process

ANSWERS = {metric_id: [code for code, _ in answers] for metric_id, (_, answers) in QUESTIONS.items()}
one_feedback = st.fixed_dictionaries({
    "respondent_type": st.sampled_from(sorted(RESPONDENT_TYPES)),
    "answers": st.fixed_dictionaries({}, optional={m: st.sampled_from(codes) for m, codes in ANSWERS.items()}),
    "month": st.sampled_from([date(2026, 4, 1), date(2026, 5, 1), date(2026, 7, 1)]),
    "status": st.sampled_from(["answers-only", "published", "rejected", "pending"]),
})  # fmt: skip


class _RolledBack(Exception):
    """Raised to undo one example's writes."""


def _feedback_observations(compiled: dict) -> list[dict]:
    return [
        observation
        for contract in compiled.get("contracts", [])
        for metric in contract.get("implementation", {}).get("metrics", [])
        if metric["id"].startswith("sc-feedback-")
        for observation in metric["observations"]
    ]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(one_feedback, max_size=40))
@example(
    [
        {
            "respondent_type": "careWorker",
            "answers": {"sc-feedback-recommend": "yes"},
            "month": date(2026, 5, 1),
            "status": "answers-only",
        }
    ]
    * 7
)
def test_nothing_published_holds_an_individual_answer_or_a_count_under_5(client, contract_ocid, django_user_model,
                                                                          given_feedback):  # fmt: skip
    moderator = django_user_model.objects.get(username="administrator")
    contract_id = Process.objects.get(ocid=contract_ocid).compiled_release["contracts"][0]["id"]
    try:
        with transaction.atomic():
            counted = 0
            for number, item in enumerate(given_feedback):
                feedback = Feedback.objects.create(
                    ocid=contract_ocid, contract_id=contract_id, respondent_type=item["respondent_type"],
                    answers=item["answers"], about_month=item["month"], story=f"Story {number}",
                    fingerprint=str(number), address_hash=str(number),
                )  # fmt: skip
                if item["status"] != "pending":
                    story = "A published story." if item["status"] == "published" else ""
                    decision = "answers-only" if item["status"] == "published" and not story else item["status"]
                    services.moderate(feedback=feedback, moderator=moderator, decision=decision, reason="test",
                                      published_story=story)  # fmt: skip
                counted += item["status"] in ("answers-only", "published") and len(item["answers"])
            services.publish_ended_quarters(today=date(2026, 11, 1))

            compiled = Process.objects.get(ocid=contract_ocid).compiled_release
            published = _feedback_observations(compiled)
            assert all(observation["measure"] >= MIN_COUNT for observation in published)
            same = Counter(
                (i["respondent_type"], i["month"], m, a)
                for i in given_feedback
                if i["status"] in ("answers-only", "published")
                for m, a in i["answers"].items()
            )
            if any(n >= MIN_COUNT and month != date(2026, 7, 1) for (_, month, _, _), n in same.items()):
                assert published  # counts that are safe are published, not just withheld
            assert sum(observation["measure"] for observation in published) <= counted
            record = client.get(f"/api/records/{contract_ocid}").json()
            assert all(
                o["measure"] >= MIN_COUNT for o in _feedback_observations(record["records"][0]["compiledRelease"])
            )
            rows = csv.DictReader(
                io.StringIO(client.get(f"/contracts/{contract_ocid}/performance.csv").content.decode())
            )
            figures = [float(row["figure"]) for row in rows if row["metric_id"].startswith("sc-feedback-")]
            assert all(figure >= MIN_COUNT for figure in figures)
            assert len(figures) == len(published)
            page = client.get(f"/contracts/{contract_ocid}/").content.decode()
            assert "Story 0" not in page  # only moderated stories, as the moderator wrote them
            exported = client.get("/feedback/stories.csv").content.decode() + client.get("/api/feedback/stories").text
            assert not re.search(r"sc-feedback-|\"answers\"|respondentType", exported)
            raise _RolledBack
    except _RolledBack:
        pass
