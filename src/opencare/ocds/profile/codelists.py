"""Codelists of the profile: the standard's, extended and patched by extensions."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from opencare.ocds.profile.errors import ProfileError


@dataclass
class Codelist:
    """A codelist: its file name (``documentType.csv``), rows as read from the CSV, and where it came from."""

    name: str
    rows: list[dict[str, str]]
    sources: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """The codes, in file order."""
        return [row["Code"] for row in self.rows]

    def extend(self, rows: list[dict[str, str]], source: str) -> None:
        """Add rows whose code is not already present."""
        known = set(self.codes)
        self.rows.extend(row for row in rows if row["Code"] not in known)
        self.sources.append(source)

    def remove(self, codes: list[str], source: str) -> None:
        """Remove codes (a ``-name.csv`` patch)."""
        drop = set(codes)
        self.rows = [row for row in self.rows if row["Code"] not in drop]
        self.sources.append(source)


def read_codelist_csv(text: str, *, where: str) -> list[dict[str, str]]:
    """Parse a codelist CSV, which must have a ``Code`` column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = reader.fieldnames or []
    if "Code" not in fields and "code" not in fields:
        raise ProfileError(f"{where}: codelist has no 'Code' column (columns: {reader.fieldnames}).")
    # One OCDS 1.0 codelist spells the column 'code'; everything else reads 'Code'.
    return [
        {("Code" if key == "code" else key): (value or "") for key, value in row.items() if key is not None}
        for row in reader
    ]


def apply_extension_codelist(
    codelists: dict[str, Codelist], filename: str, rows: list[dict[str, str]], *, extension: str
) -> None:
    """Apply one extension codelist file: ``+name.csv`` adds codes, ``-name.csv`` removes them, ``name.csv`` is new.

    A ``name.csv`` that another extension also defines is combined with it, code by code, so two extensions that
    share a codelist (as the EU profile and the bid extension do) give one list and not a silent overwrite.
    """
    where = f"{extension}/codelists/{filename}"
    if filename[0] in "+-":
        name = filename[1:]
        if name not in codelists:
            raise ProfileError(
                f"{where}: patches the codelist {name}, which neither the standard nor an earlier extension defines. "
                "Add the extension that defines it before this one."
            )
        if filename[0] == "+":
            codelists[name].extend(rows, extension)
        else:
            codelists[name].remove([row["Code"] for row in rows], extension)
        return
    if filename in codelists:
        codelists[filename].extend(rows, extension)
    else:
        codelists[filename] = Codelist(name=filename, rows=list(rows), sources=[extension])
