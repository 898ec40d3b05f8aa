"""Test data built through the product's own code paths: releases, processes stored by the registry's services (so
their compiled state is real), organisations and memberships, accounts, feedback; and data shared read-only by the
tests of a module or class (``shared_data``).
"""
