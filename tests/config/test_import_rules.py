"""The import rules in pyproject.toml ([tool.importlinter]), checked by lint-imports in `make test` and here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
#: Parts of opencare in no layer, and why.
OUTSIDE_THE_LAYERS = {
    "__init__": "the package itself",
    "__main__": "`python -m opencare`: only calls the CLI",
    "frontend": "Sass and JavaScript; no Python imports it or is imported by it",
}


def lint_imports(source: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports with the project's contracts, over the opencare package found in this source folder."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_import_rule_is_kept():
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in result.stdout


def test_every_part_of_opencare_is_on_a_layer():
    (layers,) = [contract["layers"] for contract in contracts() if contract["type"] == "layers"]
    on_a_layer = {name.strip().removeprefix("opencare.") for layer in layers for name in layer.split("|")}
    parts = {path.stem for path in (ROOT / "src" / "opencare").iterdir() if path.suffix == ".py" or path.is_dir()}
    parts -= {"__pycache__"}
    assert parts - set(OUTSIDE_THE_LAYERS) == on_a_layer


def copy_of_the_source(tmp_path: Path) -> Path:
    """The Python files of opencare, to break on purpose (the data and templates are not needed)."""
    source = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "opencare",
        source / "opencare",
        ignore=lambda folder, names: [n for n in names if not n.endswith(".py") and not Path(folder, n).is_dir()],
    )
    return source


def test_the_rules_catch_the_engine_importing_django_a_layer_importing_upwards_and_a_cycle(tmp_path):
    source = copy_of_the_source(tmp_path)
    with (source / "opencare/ocds/summary.py").open("a") as summary:
        summary.write("\nimport django  # noqa\n")
    with (source / "opencare/registry/selectors.py").open("a") as selectors:
        selectors.write("\nfrom opencare.publishing import models  # noqa\n")
    with (source / "opencare/reviews/services/uploads.py").open("a") as services:
        services.write("\nfrom opencare.reviews import tasks  # noqa\n")
    result = lint_imports(source)
    assert result.returncode == 1
    assert f"Contracts: 0 kept, {len(contracts())} broken." in result.stdout
    assert "opencare.ocds.summary -> django" in result.stdout
    assert "opencare.registry.selectors -> opencare.publishing.models" in result.stdout
    assert "No cycles are allowed in opencare.reviews" in result.stdout
