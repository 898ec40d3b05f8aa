"""The README stays true: every setting the code reads and every command it offers is documented."""

import re
from pathlib import Path

from click.testing import CliRunner

from opencare.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_the_settings_read_is_in_the_readme():
    settings = (ROOT / "src" / "opencare" / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'(?:os\.getenv|os\.environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings))
    assert names, "the pattern found no settings: update this test"
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert missing == []


def test_every_cli_subcommand_is_in_the_readme():
    assert main.commands
    missing = sorted(name for name in main.commands if f"`opencare {name}" not in README)
    assert missing == []


def test_readme_shows_the_two_commands():
    assert "make run" in README
    assert "make test" in README


def test_every_decision_record_is_listed_in_the_index():
    decisions = ROOT / "docs" / "decisions"
    index = (decisions / "README.md").read_text(encoding="utf-8")
    records = sorted(path.name for path in decisions.glob("0*.md"))
    assert records
    assert [name for name in records if f"({name})" not in index] == []


def test_help_output_matches_the_commands_listed():
    output = CliRunner().invoke(main, ["--help"]).output
    assert main.commands
    for name in main.commands:
        assert name in output


def test_every_review_check_is_documented_in_the_report_contract():
    from opencare.ocds.review.messages import TEXTS

    contract = (ROOT / "docs" / "review-json.md").read_text(encoding="utf-8")
    assert [check for check in TEXTS if f"`{check}`" not in contract] == []


def test_the_index_says_which_records_update_each_decision_record():
    decisions = ROOT / "docs" / "decisions"
    index = (decisions / "README.md").read_text(encoding="utf-8")
    updated = {}
    for path in sorted(decisions.glob("0*.md")):
        headers = re.findall(r"^\*\*Update \(([\d, ]+)\)\.\*\*", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        updated[path.name] = sorted(number for header in headers for number in re.findall(r"\d{4}", header))
    assert any(updated.values())
    in_index = {}
    for name in updated:
        (row,) = [line for line in index.splitlines() if f"({name})" in line]
        said = re.search(r"\(updated by ([\d, ]+)\) \|$", row)
        in_index[name] = sorted(re.findall(r"\d{4}", said.group(1))) if said else []
    assert in_index == updated
