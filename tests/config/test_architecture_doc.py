"""docs/architecture.md stays true: its layers, diagram and package table agree with the code and the import rules.

Everything here is found from the source tree and pyproject.toml, never from a list kept in this file, so a module
added or split later must be given its place in the document before the suite passes again.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "opencare"
DOC = ROOT / "docs" / "architecture.md"
#: Modules of a Django package that Django itself finds by name, so their row need not name them.
DJANGO_NAMED = {"apps", "urls", "admin", "views", "forms", "models", "migrations", "templatetags", "management"}
#: Parts of a package that are not its modules.
NOT_MODULES = {"__init__", "__main__", "__pycache__"}


@dataclass(frozen=True)
class Row:
    """One row of the Packages table: the package or module it is about, what it owns, and whether it uses Django."""

    name: str
    owns: str
    django: str

    def names_module(self, module: str) -> bool:
        """Whether this row names `module` in backticks: alone, as `module.py`, or as `module.something`."""
        return any(
            span == module or span.startswith((f"{module}.", f"{module}/"))
            for span in re.findall(r"`([^`]+)`", self.owns)
        )


def sections(text: str) -> dict[str, str]:
    """The document's text under each second-level heading, by heading."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {heading.strip(): body for heading, body in zip(parts[1::2], parts[2::2], strict=True)}


def table_rows(text: str) -> list[Row]:
    """The rows of the Packages table."""
    rows = []
    for line in sections(text)["Packages"].splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, f"a row of the Packages table has {len(cells)} cells, not 3: {line}"
        name = re.match(r"`(opencare(?:\.\w+)*)`", cells[0])
        assert name, f"a row of the Packages table names no opencare package first: {line}"
        rows.append(Row(name.group(1), cells[1], cells[2]))
    return rows


def doc_layers(text: str) -> list[set[str]]:
    """The numbered list of layers in the Layers section, top first, each as the set of packages named on it."""
    items = re.findall(r"^\d+\. (.+)$", sections(text)["Layers"], flags=re.MULTILINE)
    return [set(re.findall(r"`(opencare\.\w+)`", item)) for item in items]


def mermaid(text: str) -> str:
    """The document's one mermaid diagram."""
    (diagram,) = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    return diagram


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def contract_layers() -> list[set[str]]:
    (layers,) = [contract["layers"] for contract in contracts() if contract["type"] == "layers"]
    return [{name.strip() for name in layer.split("|")} for layer in layers]


def children(package: Path) -> list[str]:
    """The modules and subpackages directly in a package folder (a folder counts when it holds Python or data that
    the package ships; templates, static files and Sass are not parts of the Python package)."""
    names = []
    for path in sorted(package.iterdir()):
        if path.stem in NOT_MODULES:
            continue
        if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
            names.append(path.stem)
    return names


def exists(name: str, source: Path) -> bool:
    """Whether `opencare.x.y` is a module or a folder in this source tree."""
    path = source.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def missing_rows(text: str, source: Path = SOURCE) -> list[str]:
    """Top-level parts of opencare, and modules and subpackages of the engine, that have no row of their own."""
    named = {row.name for row in table_rows(text)}
    wanted = [f"opencare.{name}" for name in children(source)]
    wanted += [f"opencare.ocds.{name}" for name in children(source / "ocds")]
    wanted += [f"opencare.ocds.{path.name}" for path in (source / "ocds").iterdir() if path.name == "data"]
    return [name for name in wanted if name not in named]


def rows_naming_nothing(text: str, source: Path = SOURCE) -> list[str]:
    return [row.name for row in table_rows(text) if not exists(row.name, source)]


def modules_unnamed_in_their_row(text: str, source: Path = SOURCE) -> list[str]:
    """Modules of each Django package (every package but the engine) that no row of their package names."""
    rows = table_rows(text)
    unnamed = []
    for package in children(source):
        if package == "ocds" or not (source / package).is_dir():
            continue
        own_rows = [row for row in rows if row.name == f"opencare.{package}"]
        for module in children(source / package):
            if module not in DJANGO_NAMED and not any(row.names_module(module) for row in own_rows):
                unnamed.append(f"opencare.{package}.{module}")
    return unnamed


def layers_out_of_step(text: str) -> bool:
    """Whether the document's layers differ from the import rules' in any layer or in their order."""
    return doc_layers(text) != contract_layers()


def packages_missing_from_the_diagram(text: str) -> list[str]:
    layered = {name for layer in contract_layers() for name in layer}
    return sorted(name for name in layered if not re.search(rf"{re.escape(name)}(?!\w)", mermaid(text)))


def diagram_names_that_do_not_exist(text: str, source: Path = SOURCE) -> list[str]:
    return sorted(name for name in set(re.findall(r"opencare\.\w+", mermaid(text))) if not exists(name, source))


def test_every_part_of_opencare_and_every_module_of_the_engine_has_a_row():
    assert missing_rows(DOC.read_text(encoding="utf-8")) == []


def test_every_row_of_the_packages_table_names_a_package_or_module_that_exists():
    text = DOC.read_text(encoding="utf-8")
    assert len(table_rows(text)) > 20
    assert rows_naming_nothing(text) == []


def test_every_module_of_each_django_package_is_named_in_its_packages_row():
    assert modules_unnamed_in_their_row(DOC.read_text(encoding="utf-8")) == []


def test_the_layers_in_the_document_are_the_layers_of_the_import_rules_in_order():
    text = DOC.read_text(encoding="utf-8")
    assert len(doc_layers(text)) == len(contract_layers()) > 1
    assert not layers_out_of_step(text), doc_layers(text)


def test_the_diagram_shows_every_package_on_a_layer_and_no_package_that_does_not_exist():
    text = DOC.read_text(encoding="utf-8")
    assert packages_missing_from_the_diagram(text) == []
    assert diagram_names_that_do_not_exist(text) == []


def test_the_engine_rule_forbids_django_and_every_other_part_of_opencare():
    (engine_rule,) = [contract for contract in contracts() if contract["type"] == "forbidden"]
    assert engine_rule["source_modules"] == ["opencare.ocds"]
    assert {"django", "ninja"} <= set(engine_rule["forbidden_modules"])
    others = {f"opencare.{name}" for name in children(SOURCE)} - {"opencare.ocds"}
    assert sorted(others - set(engine_rule["forbidden_modules"])) == []


def test_the_django_column_says_no_for_the_engine_and_agrees_with_what_each_part_imports():
    rows = table_rows(DOC.read_text(encoding="utf-8"))
    engine_rows = [row for row in rows if row.name == "opencare.ocds" or row.name.startswith("opencare.ocds.")]
    assert len(engine_rows) > 10
    # The engine's Python is "no" (the rule above holds it to that); only its folder of data files is "data".
    assert [row.name for row in engine_rows if row.django not in {"no", "data"}] == []
    data_rows = [row.name for row in engine_rows if row.django == "data"]
    assert [name for name in data_rows if (SOURCE.parent / name.replace(".", "/") / "__init__.py").exists()] == []

    graph = grimp.build_graph("opencare", include_external_packages=True, cache_dir=None)
    said_no = [row.name for row in rows if row.django == "no"]
    said_yes = [row.name for row in rows if row.django == "yes"]
    assert said_no
    assert said_yes
    assert [name for name in said_no if graph.find_shortest_chains(name, "django", as_packages=True)] == []
    assert [name for name in said_yes if not graph.find_shortest_chains(name, "django", as_packages=True)] == []


# The checks themselves, shown to catch what they are for.


def copy_of_the_source(tmp_path: Path) -> Path:
    """opencare's modules and folders, without the files they hold (the checks read only names)."""
    source = tmp_path / "src" / "opencare"
    shutil.copytree(SOURCE, source, ignore=shutil.ignore_patterns("templates", "static", "scss", "*.json", "*.md"))
    return source


def test_the_checks_catch_a_module_without_a_row_or_a_mention_and_a_row_for_a_module_gone(tmp_path):
    source = copy_of_the_source(tmp_path)
    (source / "ocds" / "shapes.py").write_text('"""A new engine module."""\n')
    (source / "registry" / "exports.py").write_text('"""A new registry module."""\n')
    (source / "storage_limits.py").rename(source / "disk_space.py")
    (source / "ocds" / "summary.py").unlink()
    text = DOC.read_text(encoding="utf-8")
    assert missing_rows(text, source) == ["opencare.disk_space", "opencare.ocds.shapes"]
    assert modules_unnamed_in_their_row(text, source) == ["opencare.registry.exports"]
    assert sorted(rows_naming_nothing(text, source)) == ["opencare.ocds.summary", "opencare.storage_limits"]


def test_the_checks_catch_layers_out_of_order_and_a_package_left_out_of_the_diagram():
    text = DOC.read_text(encoding="utf-8")
    layers = sections(text)["Layers"]
    first, second = re.findall(r"^[12]\. .+$", layers, flags=re.MULTILINE)
    swapped = layers.replace(first, "1. " + second[3:]).replace(second, "2. " + first[3:])
    assert layers_out_of_step(text.replace(layers, swapped))
    assert layers_out_of_step(text.replace(layers, layers.replace("`opencare.registry`, ", "")))
    without_harvest = text.replace("opencare.harvest", "the harvester")
    assert packages_missing_from_the_diagram(without_harvest) == ["opencare.harvest"]
    assert diagram_names_that_do_not_exist(text.replace("opencare.harvest", "opencare.harvester")) == [
        "opencare.harvester"
    ]
