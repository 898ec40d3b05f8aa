"""The migrated database the command tests start from is a set-up site: every migration the code has applied, no
data in it, and each test's copy its own."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from django.db.migrations.loader import MigrationLoader


def test_the_copy_has_every_migration_of_the_code_applied_and_holds_no_data(tmp_path, migrated_sqlite):
    copy = migrated_sqlite(tmp_path / "site.sqlite3")
    with closing(sqlite3.connect(copy)) as connection:
        applied = set(connection.execute("SELECT app, name FROM django_migrations").fetchall())
        stored = [connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in
                  ("registry_release", "registry_process", "publishing_auditentry", "auth_user")]  # fmt: skip
    assert applied == set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert stored == [0, 0, 0, 0]


def test_what_one_copy_is_given_no_other_copy_holds(tmp_path, migrated_sqlite):
    first, second = migrated_sqlite(tmp_path / "first.sqlite3"), migrated_sqlite(tmp_path / "second.sqlite3")
    with closing(sqlite3.connect(first)) as connection, connection:  # the second `with` commits
        connection.execute("INSERT INTO auth_group (name) VALUES ('written to the first copy')")
    with closing(sqlite3.connect(first)) as connection:
        in_first = {name for (name,) in connection.execute("SELECT name FROM auth_group")}
    with closing(sqlite3.connect(second)) as connection:
        names = {name for (name,) in connection.execute("SELECT name FROM auth_group")}
    assert "written to the first copy" in in_first
    assert "written to the first copy" not in names
    with closing(sqlite3.connect(migrated_sqlite(tmp_path / "third.sqlite3"))) as connection:
        third = {name for (name,) in connection.execute("SELECT name FROM auth_group")}
    assert "written to the first copy" not in third
