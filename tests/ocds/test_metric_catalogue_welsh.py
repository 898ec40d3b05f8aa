"""The metric catalogue in Welsh: every metric's words are translated, and no id, code or figure changes."""

from opencare.ocds.metric_catalogue import metric_catalogue, metric_words


def test_every_catalogue_metric_has_a_welsh_title_and_question():
    english = metric_catalogue()
    welsh = metric_words("cy")
    assert sorted(welsh) == sorted(english.metrics)
    for metric_id, words in welsh.items():
        assert words["title"].strip(), metric_id
        assert words["question"].strip(), metric_id
        assert words["title"] != english.metrics[metric_id].title, metric_id


def test_the_welsh_catalogue_changes_only_words_never_ids_codes_or_figures():
    english, welsh = metric_catalogue(), metric_catalogue("cy")
    missed = welsh.get("sc-missed-visits")
    assert missed is not None
    assert missed.title == "Ymweliadau a gollwyd"
    assert missed.question == "Pa mor aml nad yw ymweliad a gynlluniwyd yn digwydd?"
    same = english.metrics["sc-missed-visits"]
    assert missed.better == same.better
    assert missed.unit["id"] == same.unit["id"]
    assert [d["key"] for d in missed.dimensions] == [d["key"] for d in same.dimensions]
    assert [(b["value"], b["source"], b["url"]) for b in missed.benchmarks] == [
        (b["value"], b["source"], b["url"]) for b in same.benchmarks
    ]
    assert missed.benchmarks[0]["title"].startswith("Targed gofal cartref Dyfnaint")


def test_every_welsh_metric_has_its_description_why_it_matters_and_breakdowns_in_welsh():
    english, welsh = metric_catalogue(), metric_catalogue("cy")
    for metric_id, metric in welsh.metrics.items():
        original = english.metrics[metric_id]
        assert metric.description != original.description, metric_id
        assert metric.why_it_matters != original.why_it_matters, metric_id
        for translated, source in zip(metric.dimensions, original.dimensions, strict=True):
            assert translated["title"] != source["title"], (metric_id, source["key"])
    assert welsh.description != english.description


def test_a_language_without_a_translation_gets_the_english_catalogue():
    assert metric_catalogue("fr").metrics["sc-missed-visits"].title == "Missed visits"
    assert metric_catalogue("en-gb").metrics["sc-missed-visits"].title == "Missed visits"
