"""Backups of a whole site: `opencare export-all FILE` writes one archive of every table and uploaded file, and
`opencare restore FILE` reads it into a new, empty database (docs/backups.md, docs/decisions/0017-backups.md).

- ``archive``: the archive itself (a tar of gzipped JSON Lines parts, the files, and a manifest with SHA-256s); no
  Django.
- ``tables``: which tables a backup holds, which it leaves out and why, the load order, the migration state, and
  what an empty database is.
- ``rows``: rows to JSON lines (Django's serializer, exact to the microsecond) and back (batched inserts).
- ``services``: ``export_all`` and ``restore``.
"""
