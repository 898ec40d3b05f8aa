"""`opencare export-all` and `opencare restore` as an operator runs them: a site built in one new database is
restored into another, set up with `opencare manage migrate`, and is the same site; a second restore, a damaged
archive and a database at another migration state are refused with exit status 2 and a message, no traceback.

The site is built in an SQLite file; it is restored into another SQLite file, or, on the PostgreSQL pass
(DATABASE_URL set), into a database made on that server: the move from SQLite to PostgreSQL. (PostgreSQL to
PostgreSQL is tests/backups/test_restore_is_identical.py on that pass.)"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest

SAMPLE_SITE = Path(__file__).with_name("sample_site.py")
SERVER = os.environ.get("DATABASE_URL", "")


@pytest.fixture(scope="module")
def new_database(tmp_path_factory) -> Iterator[Callable[[str], SimpleNamespace]]:
    """Make a new, empty database and a folder for its site (documents, bulk downloads); dropped afterwards."""
    made: list[str] = []
    connection = None
    if SERVER.startswith("postgres"):
        import psycopg

        connection = psycopg.connect(SERVER, autocommit=True)

    def make(name: str, *, sqlite: bool = False) -> SimpleNamespace:
        folder = tmp_path_factory.mktemp(name)
        sqlite_file = folder / "opencare.sqlite3" if connection is None or sqlite else None
        if sqlite_file is not None:
            url = f"sqlite:///{sqlite_file}"
        else:
            database = f"opencare_backup_{name}_{secrets.token_hex(4)}"
            connection.execute(f'CREATE DATABASE "{database}"')
            made.append(database)
            url = urlunsplit(urlsplit(SERVER)._replace(path=f"/{database}"))
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "opencare.config.settings",
            "DATABASE_URL": url,
            "SECRET_KEY": "backup-command-tests-" + "x" * 40,
            "OPENCARE_VAR_DIR": str(folder),
            "OPENCARE_DOCUMENT_DIR": str(folder / "documents"),
            "OPENCARE_DEMO_ACCOUNTS": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        return SimpleNamespace(folder=folder, environment=environment, engine=urlsplit(url).scheme,
                               sqlite_file=sqlite_file)  # fmt: skip

    yield make
    if connection is not None:
        for database in made:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.close()


def run(site: SimpleNamespace, *arguments: str) -> subprocess.CompletedProcess:
    """Run `opencare ARGUMENTS` for the site."""
    return subprocess.run([sys.executable, "-m", "opencare", *arguments], env=site.environment, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def sample(site: SimpleNamespace, task: str):
    """Run a task of sample_site.py for the site and return what it printed (JSON)."""
    done = subprocess.run([sys.executable, SAMPLE_SITE, task], env=site.environment, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def releases_stored(site: SimpleNamespace) -> int:
    script = (
        "import django; django.setup(); from opencare.registry.models import Release; print(Release.objects.count())"
    )
    done = subprocess.run([sys.executable, "-c", script], env=site.environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout)


def parsed(answers: dict) -> dict:
    return {path: json.loads(a["body"]) if path.startswith("/api/") else a["body"] for path, a in answers.items()}


def refused_cleanly(done: subprocess.CompletedProcess, message: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert message in " ".join(done.stderr.split()), done.stderr
    assert "How to fix it:" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.fixture(scope="module")
def exported(new_database, migrated_sqlite):
    """A site built in a new database (migrated; the restores below are into databases each set up by the command)
    and exported by the command."""
    site = new_database("source", sqlite=True)
    migrated_sqlite(site.sqlite_file)
    sample(site, "build")
    archive = site.folder / "backup.tar"
    done = run(site, "export-all", str(archive))
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout
    return SimpleNamespace(site=site, archive=archive)


@pytest.mark.django_db
def test_a_site_exported_by_the_command_is_restored_into_a_new_database_as_it_was(exported, new_database):
    target = new_database("target")
    assert run(target, "manage", "migrate", "-v0").returncode == 0
    done = run(target, "restore", "--no-bulk", str(exported.archive))
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout
    before, after = sample(exported.site, "fingerprint"), sample(target, "fingerprint")
    assert after["rows"] == before["rows"]
    if target.engine == exported.site.engine:
        assert after["answers"] == before["answers"]
    else:  # the same JSON, but PostgreSQL's jsonb keeps object keys in an order of its own
        assert parsed(after["answers"]) == parsed(before["answers"])
    assert after["files"] == before["files"]
    assert len(after["files"]) == 2
    assert after["commissioner signs in"]
    for table, (last_restored, new) in sample(target, "add-rows").items():
        assert new > last_restored, f"{table}: a new row took key {new}, not past the restored {last_restored}"
    refused_cleanly(run(target, "restore", "--no-bulk", str(exported.archive)), "This database is not empty")


@pytest.mark.django_db
def test_the_restore_command_refuses_a_damaged_archive_and_a_database_at_another_migration_state(
    exported, new_database
):
    target = new_database("older")
    assert run(target, "manage", "migrate", "registry", "0007", "-v0").returncode == 0
    cut = target.folder / "cut.tar"
    cut.write_bytes(exported.archive.read_bytes()[: exported.archive.stat().st_size // 2])
    refused_cleanly(run(target, "restore", str(cut)), "is damaged or truncated")
    refused_cleanly(run(target, "restore", str(exported.archive)), "The backup is of a database at another migration")
    assert releases_stored(target) == 0
    assert not (target.folder / "documents").exists() or not any((target.folder / "documents").rglob("*.*"))
    refused_cleanly(run(target, "export-all", str(exported.archive)), "already exists")
