"""Pay is now judged against every promise and the legal minimum, not only its target
(docs/decisions/0021-judged-against-every-promise.md): processes with pay figures get their signal, missed
measures and comparison rows worked out again, so search and compare agree with the contract page."""

from django.db import migrations

from opencare.registry.performance_facts import PROCESS_FACT_FIELDS, process_facts

PAY = "sc-worker-pay-per-hour"


def judge_pay_again(apps, schema_editor):
    """Each process with pay figures: its performance facts and comparison rows, worked out again."""
    Process = apps.get_model("registry", "Process")
    ContractMetric = apps.get_model("registry", "ContractMetric")
    batch = []
    for process in (
        Process.objects.exclude(metric_ids=[])
        .only("pk", "compiled_release", "is_social_care", "metric_ids")
        .iterator(1000)
    ):
        if PAY not in (process.metric_ids or []):
            continue
        facts = process_facts(process.compiled_release, social_care=process.is_social_care, has_metrics=True)
        rows = facts.pop("contract_metrics")
        for name, value in facts.items():
            setattr(process, name, value)
        ContractMetric.objects.filter(process_id=process.pk).delete()
        ContractMetric.objects.bulk_create([ContractMetric(process_id=process.pk, **row) for row in rows])
        batch.append(process)
        if len(batch) == 1000:
            Process.objects.bulk_update(batch, PROCESS_FACT_FIELDS)
            batch = []
    Process.objects.bulk_update(batch, PROCESS_FACT_FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(judge_pay_again, migrations.RunPython.noop),
    ]
