import importlib

from opencare.registry.search import SEARCH_DOCUMENT


def test_the_search_index_is_on_the_expression_search_queries():
    # PostgreSQL only uses the GIN index when the query's expression is exactly the indexed one.
    migration = importlib.import_module("opencare.registry.migrations.0017_search_in_everyday_words")
    assert migration.SEARCH_DOCUMENT == SEARCH_DOCUMENT
