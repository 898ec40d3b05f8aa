"""The metric catalogue's titles and questions in Welsh: every metric has both, and nothing else changes."""

from opencare.ocds.metric_catalogue import metric_catalogue, metric_words


def test_every_catalogue_metric_has_a_welsh_title_and_question():
    english = metric_catalogue()
    welsh = metric_words("cy")
    assert sorted(welsh) == sorted(english.metrics)
    for metric_id, words in welsh.items():
        assert words["title"].strip(), metric_id
        assert words["question"].strip(), metric_id
        assert words["title"] != english.metrics[metric_id].title, metric_id


def test_the_welsh_catalogue_changes_only_titles_and_questions():
    english, welsh = metric_catalogue(), metric_catalogue("cy")
    missed = welsh.get("sc-missed-visits")
    assert missed is not None
    assert missed.title == "Ymweliadau a gollwyd"
    assert missed.question == "Pa mor aml nad yw ymweliad a gynlluniwyd yn digwydd?"
    assert missed.better == english.metrics["sc-missed-visits"].better
    assert missed.benchmarks == english.metrics["sc-missed-visits"].benchmarks


def test_a_language_without_a_translation_gets_the_english_catalogue():
    assert metric_catalogue("fr").metrics["sc-missed-visits"].title == "Missed visits"
    assert metric_catalogue("en-gb").metrics["sc-missed-visits"].title == "Missed visits"
