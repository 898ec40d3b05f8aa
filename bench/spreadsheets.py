"""Spreadsheets read and written by opencare beside flatten-tool, in the same run.

Usage: .venv/bin/python bench/spreadsheets.py [--mb 40] [--big-mb 100] [--work DIR] [--writing-only | --reading-only]
       [--runs N]

Makes the invented sample release package (`../shared/tools/make_samples.py --large OUT --mb 40`, about 40 MB), has
flatten-tool flatten it to XLSX against the social-care release schema (about 6 MB: the workbook issue 18 names),
then times, each step in a process of its own (peak memory is that process's maximum resident set size):

- reading the workbook: `opencare review WORKBOOK.xlsx` (read, convert and check) and opencare's
  spreadsheet_to_json alone, against flatten-tool's `unflatten` of the same workbook;
- writing: opencare's json_to_spreadsheet of the package to XLSX (which also checks the JSON and writes the Meta
  sheet), against flatten-tool's `flatten` of the same package against the same schema; with --runs N, each N times,
  taking turns, and the best of each (the machine may be shared). `--writing-only` stops after this step;
- memory: opencare reading a workbook of about --big-mb MB, made by repeating the workbook's rows with new ocids.

``--reading-only`` runs the reading steps alone. With ``--work DIR``, files already there from an earlier run
(sample.json, sample.xlsx, big.xlsx) are used again instead of being made anew (making big.xlsx takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SAMPLES = ROOT.parent / "shared" / "tools" / "make_samples.py"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

#: Run in a fresh process: the step's code, then its wall time, CPU time and peak memory as JSON on the last line.
STEP = """
import json, resource, sys, time
started = time.perf_counter()
{code}
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": usage.ru_utime + usage.ru_stime,
                  "mb": usage.ru_maxrss / 1024}}))
"""


def step(code: str) -> dict[str, float]:
    """Run code in a new Python process; its wall time, CPU time and peak memory."""
    done = subprocess.run([PYTHON, "-c", STEP.format(code=code)], env=ENV, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def command(args: list[str]) -> dict[str, float]:
    """Run a command; its wall time and peak memory (of its own process, from wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: the data has errors, which is a finished review
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return {"seconds": seconds, "mb": usage.ru_maxrss / 1024}


def write_schema(folder: Path) -> Path:
    """The social-care release schema, as a file for flatten-tool."""
    schema = folder / "release-schema.json"
    step(
        "from opencare.ocds.profile import social_care_profile\n"
        f"open({str(schema)!r}, 'w').write(json.dumps(social_care_profile().release_schema))"
    )
    return schema


def flatten_tool_flatten(package: Path, schema: Path, output: Path) -> dict[str, float]:
    """flatten-tool's public flatten: JSON to XLSX."""
    return step(
        "import flattentool, warnings\nwarnings.simplefilter('ignore')\n"
        f"flattentool.flatten({str(package)!r}, schema={str(schema)!r}, output_name={str(output)!r}, "
        "output_format='xlsx', main_sheet_name='releases', root_list_path='releases', root_id='ocid', "
        "id_name='id', remove_empty_schema_columns=True)"
    )


def repeat_rows(workbook: Path, output: Path, target_mb: float) -> None:
    """A workbook of about target_mb MB: every sheet's rows repeated with new ocids and ids, streamed by openpyxl."""
    step(
        "import python_calamine, openpyxl, os\n"
        f"source = python_calamine.CalamineWorkbook.from_path({str(workbook)!r})\n"
        "sheets = {name: source.get_sheet_by_name(name).to_python() for name in source.sheet_names}\n"
        f"times = max(1, round({target_mb} * 1024 * 1024 / os.path.getsize({str(workbook)!r})))\n"
        "book = openpyxl.Workbook(write_only=True)\n"
        "for name, rows in sheets.items():\n"
        "    sheet = book.create_sheet(name)\n"
        "    sheet.append(rows[0])\n"
        "    columns = [i for i, h in enumerate(rows[0]) if h in ('ocid', 'id')]\n"
        "    for copy in range(times):\n"
        "        for row in rows[1:]:\n"
        "            row = list(row)\n"
        "            for i in columns:\n"
        "                row[i] = f'{row[i]}-{copy}' if row[i] not in ('', None) else row[i]\n"
        "            sheet.append(row)\n"
        f"book.save({str(output)!r})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=40, help="Size of the JSON sample package (MB).")
    parser.add_argument("--big-mb", type=float, default=100, help="Size of the workbook for the memory test (MB).")
    parser.add_argument("--work", type=Path, help="Folder for the files (default: a temporary one).")
    parser.add_argument("--writing-only", action="store_true", help="Time only JSON to XLSX, opencare's and theirs.")
    parser.add_argument("--runs", type=int, default=1, help="Time each writing step this many times; the best counts.")
    parser.add_argument("--reading-only", action="store_true", help="Run only the reading steps.")
    args = parser.parse_args()
    if not SAMPLES.exists():
        raise SystemExit(f"{SAMPLES} is needed to make the sample package")
    folder = args.work or Path(tempfile.mkdtemp(prefix="opencare-bench-sheets-"))
    folder.mkdir(parents=True, exist_ok=True)
    package = folder / "sample.json"
    if not package.exists():
        subprocess.run([PYTHON, str(SAMPLES), "--large", str(package), "--mb", str(args.mb)], check=True,
                       capture_output=True)  # fmt: skip
    schema = write_schema(folder)
    workbook = folder / "sample.xlsx"
    print("| Step | opencare | flatten-tool | Ratio |\n| --- | --- | --- | --- |", flush=True)
    if not args.reading_only:
        theirs_runs, ours_runs = [], []
        for _ in range(max(1, args.runs)):
            theirs_runs.append(flatten_tool_flatten(package, schema, workbook))
            ours_runs.append(
                step(
                    "from pathlib import Path\nfrom opencare.ocds.spreadsheets import json_to_spreadsheet\n"
                    f"json_to_spreadsheet(Path({str(package)!r}), Path({str(folder / 'ours.xlsx')!r}), 'xlsx')"
                )
            )
        row("Write the package to XLSX", best(ours_runs), best(theirs_runs))
        if args.writing_only:
            sizes = [path.stat().st_size / 2**20 for path in (package, workbook, folder / "ours.xlsx")]
            loads = " ".join(f"{load:.1f}" for load in os.getloadavg())
            print(f"Package {sizes[0]:.1f} MB; workbooks: flatten-tool's {sizes[1]:.1f} MB, opencare's "
                  f"{sizes[2]:.1f} MB; load average (1, 5, 15 min) {loads}; files in {folder}")  # fmt: skip
            return
    elif not workbook.exists():
        flatten_tool_flatten(package, schema, workbook)
    theirs_unflatten = step(
        "import flattentool, warnings\nwarnings.simplefilter('ignore')\n"
        f"flattentool.unflatten({str(workbook)!r}, input_format='xlsx', output_name={str(folder / 'theirs.json')!r}, "
        f"root_list_path='releases', root_id='ocid', id_name='id', schema={str(schema)!r})"
    )
    ours_read = step(
        "from pathlib import Path\nfrom opencare.ocds.spreadsheets import spreadsheet_to_json\n"
        f"spreadsheet_to_json(Path({str(workbook)!r}), 'xlsx', Path({str(folder / 'ours.json')!r}))"
    )
    row("Read the workbook (spreadsheet_to_json alone)", ours_read, theirs_unflatten)
    ours_review = command([str(Path(PYTHON).with_name("opencare")), "review", "--json", str(workbook)])
    row("Read the workbook (`opencare review`: read, convert and check)", ours_review, theirs_unflatten)
    big = folder / "big.xlsx"
    if not big.exists():
        repeat_rows(workbook, big, args.big_mb)
    ours_big = step(
        "from pathlib import Path\nfrom opencare.ocds.spreadsheets import spreadsheet_to_json\n"
        f"spreadsheet_to_json(Path({str(big)!r}), 'xlsx', Path({str(folder / 'big.json')!r}))"
    )
    mb = 1024 * 1024
    print(f"| Read a {big.stat().st_size / mb:.0f} MB workbook (peak memory) | {ours_big['seconds']:.1f} s, "
          f"{ours_big['mb']:.0f} MB | | |")  # fmt: skip
    print(f"Package {package.stat().st_size / mb:.1f} MB; workbook {workbook.stat().st_size / mb:.1f} MB; "
          f"files in {folder}")  # fmt: skip


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest of several runs of a step (by wall time)."""
    return min(runs, key=lambda run: run["seconds"])


def row(name: str, ours: dict[str, float], theirs: dict[str, float]) -> None:
    """One line of the table, printed as soon as it is measured: wall time, CPU time where known, peak memory."""
    print(f"| {name} | {_figures(ours)} | {_figures(theirs)} | {theirs['seconds'] / ours['seconds']:.1f} times "
          f"faster{_cpu_ratio(ours, theirs)} |", flush=True)  # fmt: skip


def _figures(run: dict[str, float]) -> str:
    cpu = f" ({run['cpu']:.1f} s CPU)" if "cpu" in run else ""
    return f"{run['seconds']:.1f} s{cpu}, {run['mb']:.0f} MB"


def _cpu_ratio(ours: dict[str, float], theirs: dict[str, float]) -> str:
    return f" ({theirs['cpu'] / ours['cpu']:.1f} times less CPU)" if "cpu" in ours and "cpu" in theirs else ""


if __name__ == "__main__":
    main()
