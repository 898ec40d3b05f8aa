"""The registry keeps each process's service type, prices, signal and comparison rows up to date."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.builders.processes import DALES, SOUTH, stored_borsetdale

from opencare.registry.models import ContractMetric, Process
from opencare.registry.services import get_or_create_source, recompile_processes, store_release_package


@pytest.mark.django_db
def test_demo_processes_get_service_type_prices_signal_and_one_row_per_contract_metric():
    stored_borsetdale(SOUTH, DALES)
    south = Process.objects.get(ocid="ocds-bdemo1-hc-south")
    assert south.service_type == "home-care"
    assert south.price_per_hour is not None
    assert south.worker_pay_per_hour is not None
    assert (south.signal, south.targets_below) == ("below", ["Missed visits", "Visits on time"])
    rows = ContractMetric.objects.filter(process=south)
    assert rows.filter(metric_id="sc-missed-visits").count() == 1
    dales = ContractMetric.objects.filter(process__ocid="ocds-bdemo1-hc-dales", metric_id="sc-missed-visits")
    assert sorted(dales.values_list("buyer_name", flat=True)) == [
        "Borsetdale Council (invented sample)", "NHS Borsetdale Integrated Care Board (invented)",
    ]  # fmt: skip


@pytest.mark.django_db
def test_recompiling_replaces_comparison_rows_instead_of_adding_more():
    stored_borsetdale(SOUTH, DALES)
    before = ContractMetric.objects.count()
    assert before
    recompile_processes(ocids=list(Process.objects.values_list("ocid", flat=True)), is_invented=False)
    assert ContractMetric.objects.count() == before


@pytest.mark.django_db
def test_a_new_release_with_figures_updates_the_latest_figure_and_the_signal():
    source = get_or_create_source(key="test:figures", title="Figures")
    percent = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}
    base = {
        "ocid": "ocds-fig-1", "initiationType": "tender", "tender": {"id": "t", "title": "Home care in Testshire"},
        "awards": [{"id": "a", "suppliers": [{"name": "P"}],
                    "agreedMetrics": [{"id": "sc-missed-visits", "observations": [{"id": "t", "measure": 2}]}]}],
    }  # fmt: skip

    def figures(release_id: str, month: int, measure: float) -> dict:
        period = {"startDate": f"2025-{month:02d}-01T00:00:00Z", "endDate": f"2025-{month:02d}-28T00:00:00Z"}
        metric = {"id": "sc-missed-visits", "observations": [{"id": str(month), "period": period,
                                                               "measure": measure, "unit": percent}]}  # fmt: skip
        contract = {"id": "c", "awardID": "a", "implementation": {"metrics": [metric]}}
        return base | {"id": release_id, "date": f"2025-{month:02d}-28T00:00:00Z", "tag": ["implementation"],
                       "contracts": [contract]}  # fmt: skip

    store_release_package(package={"releases": [figures("r1", 1, 1.0)]}, source=source)
    assert Process.objects.get(ocid="ocds-fig-1").signal == "meeting"
    store_release_package(package={"releases": [figures("r2", 2, 3.5)]}, source=source)
    process = Process.objects.get(ocid="ocds-fig-1")
    assert process.signal == "below"
    row = ContractMetric.objects.get(process=process)
    assert (row.latest_amount, row.periods_met, row.periods_below) == (Decimal("3.5"), 1, 1)


@pytest.mark.django_db
def test_the_migration_fills_the_facts_of_processes_stored_before_they_existed():
    import importlib

    from django.apps import apps

    stored_borsetdale(SOUTH)
    expected = Process.objects.get(ocid="ocds-bdemo1-hc-south")
    rows = ContractMetric.objects.count()
    ContractMetric.objects.all().delete()
    Process.objects.update(service_type="not-social-care", signal="no-figures", price_per_hour=None,
                           is_social_care=False, targets_below=[])  # fmt: skip
    migration = importlib.import_module("opencare.registry.migrations.0007_performance_and_search")
    migration.fill_performance_facts(apps, None)
    south = Process.objects.get(ocid="ocds-bdemo1-hc-south")
    assert (south.service_type, south.signal, south.price_per_hour, south.is_social_care, south.targets_below) == (
        expected.service_type, expected.signal, expected.price_per_hour, True, expected.targets_below,
    )  # fmt: skip
    assert ContractMetric.objects.count() == rows
