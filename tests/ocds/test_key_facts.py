"""Key facts: one streaming pass that counts each process once, whatever the number of releases."""

from __future__ import annotations

import io

import orjson

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.ocds.key_facts import SHOWN, facts_of_releases, gather_key_facts


def release(ocid: str, release_id: str, **fields) -> dict:
    return {"ocid": ocid, "id": release_id, "date": "2025-01-01T00:00:00Z", **fields}


def test_a_single_release_gives_its_buyer_supplier_value_and_date():
    facts = facts_of_releases([
        release(
            "ocds-a-1", "1",
            buyer={"name": "Borsetdale Council"},
            awards=[{"id": "a", "suppliers": [{"name": "Brightwater"}]}],
            contracts=[{"id": "c", "value": {"amount": 1000, "currency": "GBP"}}],
        )
    ])  # fmt: skip
    assert facts.buyers == [("Borsetdale Council", 1)]
    assert facts.suppliers == [("Brightwater", 1)]
    assert facts.contract_values == [
        {"currency": "GBP", "contracts": 1, "total": "1000", "smallest": "1000", "largest": "1000"}
    ]
    assert (facts.first_date, facts.last_date) == ("2025-01-01", "2025-01-01")


def test_a_contract_updated_in_a_later_release_is_counted_once_at_its_latest_value():
    first = release("ocds-a-1", "1", contracts=[{"id": "c", "value": {"amount": 1000, "currency": "GBP"}}])
    later = release("ocds-a-1", "2", contracts=[{"id": "c", "value": {"amount": 1500, "currency": "GBP"}}])
    facts = facts_of_releases([first, later])
    assert facts.contract_values[0]["contracts"] == 1
    assert facts.contract_values[0]["total"] == "1500"
    assert facts.processes == 1
    assert facts.releases == 2


def test_buyers_are_counted_by_process_not_by_release():
    releases = [release("ocds-a-1", str(n), buyer={"name": "Council"}) for n in range(5)]
    assert facts_of_releases(releases).buyers == [("Council", 1)]


def test_long_name_lists_show_the_most_frequent_and_count_the_rest():
    releases = [release(f"ocds-a-{n}", "1", buyer={"name": f"Council {n % 15}"}) for n in range(100)]
    facts = facts_of_releases(releases)
    assert len(facts.buyers) == SHOWN
    assert facts.buyers_total == 15


def test_metrics_and_document_types_are_found_wherever_the_profile_puts_them():
    facts = facts_of_releases([
        release(
            "ocds-a-1", "1",
            tender={"targets": [{"id": "sc-punctuality"}], "documents": [{"id": "d", "documentType": "tenderNotice"}]},
            contracts=[{"id": "c", "implementation": {"metrics": [{"id": "sc-missed-visits"}],
                                                       "documents": [{"id": "r"}]}}],
        )
    ])  # fmt: skip
    assert dict(facts.metrics) == {"sc-punctuality": 1, "sc-missed-visits": 1}
    assert dict(facts.documents) == {"tenderNotice": 1, "(no type given)": 1}


def test_malformed_values_are_ignored_not_fatal():
    facts = facts_of_releases(
        [release("x", "1", buyer="not an object", awards="nope", contracts=[{"value": {"amount": "lots"}}], date=5)]
    )
    assert facts.releases == 1
    assert facts.contract_values == []


def test_the_demo_package_gives_its_four_contracts_and_their_metrics():
    package = borsetdale_release_package()
    facts = gather_key_facts(io.BytesIO(orjson.dumps(package)))
    assert facts.processes == 4  # three in Borsetdale, one in Wendmoor
    assert facts.releases == len(package["releases"])
    assert ("sc-punctuality", 4) in facts.metrics
    assert facts.as_json()["buyers"]["total"] >= 1


def test_record_packages_use_the_compiled_release():
    compiled = release("ocds-a-1", "c", buyer={"name": "Council"})
    package = {"records": [{"ocid": "ocds-a-1", "releases": [], "compiledRelease": compiled}]}
    facts = gather_key_facts(io.BytesIO(orjson.dumps(package)))
    assert facts.buyers == [("Council", 1)]
