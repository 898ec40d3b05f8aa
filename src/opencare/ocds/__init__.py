"""The OCDS engine: the social-care profile, and later readers, review and merge.

This package must never import Django, so that it works as a plain library and from the command line.
"""
