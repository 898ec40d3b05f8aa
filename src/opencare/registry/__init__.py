"""The registry: an append-only store of OCDS releases and the compiled state of each contracting process."""
