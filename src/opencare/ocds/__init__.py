"""The OCDS engine: the social-care profile, reading any OCDS shape, review, compile and merge, and what a contract
promised and how it is going, in plain terms (docs/architecture.md lists each module).

This package must never import Django, so that it works as a plain library and from the command line.
"""
