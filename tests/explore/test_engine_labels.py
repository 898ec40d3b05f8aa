from opencare.explore.engine_labels import LABELS, engine_labels


def test_every_label_the_engine_shows_is_marked_for_translation():
    assert engine_labels() - set(LABELS) == set()
