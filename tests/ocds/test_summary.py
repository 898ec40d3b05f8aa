from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from opencare.ocds.summary import ProcessSummary, summarise

COMPILED = {
    "ocid": "ocds-bdemo1-x",
    "title": "Home care in the north",
    "buyer": {"id": "GB-LAE-BSD", "name": "Borsetdale Council"},
    "tender": {"classification": {"scheme": "CPV", "id": "85312400"}, "value": {"amount": 1, "currency": "GBP"}},
    "awards": [{"id": "a1", "status": "active", "suppliers": [{"name": "Moorside"}], "value": {"amount": 900}}],
    "contracts": [
        {
            "id": "c1",
            "status": "active",
            "value": {"amount": 800.5, "currency": "GBP"},
            "period": {"startDate": "2024-04-01T00:00:00Z", "endDate": "2028-03-31T23:59:59Z"},
            "agreedMetrics": [{"id": "sc-price-per-hour"}],
            "implementation": {"metrics": [{"id": "sc-missed-visits"}, {"id": "sc-price-per-hour"}]},
        }
    ],
}


def test_summary_takes_the_most_settled_figures():
    summary = summarise(COMPILED)
    assert summary.title == "Home care in the north"
    assert summary.buyer_name == "Borsetdale Council"
    assert summary.supplier_names == ["Moorside"]
    assert summary.value_amount == Decimal("800.5")
    assert summary.value_currency == "GBP"
    assert summary.period_start == date(2024, 4, 1)
    assert summary.status == "active"
    assert summary.cpv_codes == ["85312400"]
    assert summary.metric_ids == ["sc-price-per-hour", "sc-missed-visits"]


def test_buyer_name_falls_back_to_the_party_with_the_buyer_role():
    summary = summarise({"parties": [{"name": "A council", "roles": ["buyer"]}]})
    assert summary.buyer_name == "A council"


def test_tender_value_is_used_when_nothing_is_awarded():
    summary = summarise({"tender": {"value": {"amount": "12.50", "currency": "GBP"}}})
    assert summary.value_amount == Decimal("12.50")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["title", "tender", "awards", "contracts", "buyer", "parties", "value", "period", "amount"])


@given(st.dictionaries(keys, json_values, max_size=6))
def test_summary_never_fails_on_malformed_data(compiled):
    assert isinstance(summarise(compiled), ProcessSummary)
