import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from opencare.cli import main

OPENCARE = Path(sys.executable).with_name("opencare")


def test_help_lists_the_subcommands():
    result = subprocess.run([OPENCARE, "--help"], capture_output=True, text=True, check=True)
    for command in ("serve", "demo", "setup", "profile", "manage"):
        assert f"  {command} " in result.stdout


def test_the_command_starts_without_importing_django_or_rich():
    """Only the commands that need Django or rich import them, so that `opencare review` and `compile` start sooner."""
    code = "import sys, opencare.cli; print(sorted({name.split('.')[0] for name in sys.modules} & {'django', 'rich'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_loading_the_sites_addresses_imports_neither_altair_nor_vl_convert():
    """Every command, app server and task worker loads the URLs; the chart libraries wait until a chart is drawn."""
    code = (
        "import os, sys, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'opencare.config.settings_test'; "
        "django.setup(); from django.urls import get_resolver; get_resolver().url_patterns; "
        "print(sorted({name.split('.')[0] for name in sys.modules} & {'altair', 'vl_convert'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_unknown_subcommand_exits_2_with_a_message():
    result = CliRunner().invoke(main, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command 'frobnicate'" in result.output


def test_profile_writes_the_extended_schemas_codelists_and_catalogue(tmp_path, no_network):
    result = CliRunner().invoke(main, ["profile", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "release-schema.json").read_text())
    assert "targets" in schema["definitions"]["Tender"]["properties"]
    assert (tmp_path / "record-package-schema.json").exists()
    assert (tmp_path / "codelists" / "documentType.csv").read_text().startswith("Category,Section,Code")
    assert json.loads((tmp_path / "metric-catalogue.json").read_text())["metrics"]


@pytest.fixture(scope="module")
def demo_twice(tmp_path_factory) -> SimpleNamespace:
    """`opencare demo` run on a new database, then again: both tests below start from these two runs (made once)."""
    folder = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'cli.sqlite3'}", "OPENCARE_VAR_DIR": str(folder)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    first = subprocess.run([OPENCARE, "demo"], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([OPENCARE, "demo"], env=env, capture_output=True, text=True, check=True)
    return SimpleNamespace(folder=folder, env=env, first=first, second=second)


def test_demo_then_demo_again_adds_nothing_the_second_time(demo_twice):
    first, second = demo_twice.first, demo_twice.second
    assert "demo:borsetdale" in first.stdout
    added_second_time = [line for line in second.stdout.splitlines() if "demo:" in line]
    assert added_second_time
    assert all(line.split("│")[2].strip() == "0" for line in added_second_time)


def test_demo_remakes_downloads_that_no_longer_match_the_registry_and_only_those(demo_twice):
    index_path = demo_twice.folder / "bulk" / "index.json"
    made = json.loads(index_path.read_text())
    assert "Bulk downloads:" in demo_twice.first.stdout
    assert "Bulk downloads:" not in demo_twice.second.stdout  # up to date
    # Downloads made before the registry last changed (as after an upgrade's migration): the next demo remakes them.
    index_path.write_text(json.dumps({**made, "registry_version": -1}))
    stale = subprocess.run([OPENCARE, "demo"], env=demo_twice.env, capture_output=True, text=True, check=True)
    assert "Bulk downloads:" in stale.stdout
    assert json.loads(index_path.read_text())["registry_version"] == made["registry_version"]
