"""The Welsh catalogues, for translators: what still needs translating, out as JSON; translations, back in.

    .venv/bin/python tools/welsh_catalogues.py export OUT.json  # every untranslated or fuzzy message
    .venv/bin/python tools/welsh_catalogues.py apply IN.json    # {"msgid": "Welsh"} (plurals: a list of 4 forms)
    .venv/bin/python tools/welsh_catalogues.py headers          # each catalogue's header (after makemessages)

Then `make messages` compiles them. Welsh has four plural forms in Django's catalogue (n == 1, n == 2, n not 8 or 11,
and 8 or 11), so a plural message takes a list of four.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from opencare.config.language import TRANSLATED_PACKAGES  # noqa: E402

HEADER = {
    "Project-Id-Version": "opencare",
    "Language": "cy",
    "Language-Team": "Welsh (docs/welsh.md says who reviews the translations)",
    "Last-Translator": "opencare developers",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;",
}


def catalogues() -> list[Path]:
    """Every Welsh catalogue, one per translated package."""
    return [ROOT / "src" / "opencare" / package / "locale" / "cy" / "LC_MESSAGES" / "django.po" for package in
            TRANSLATED_PACKAGES]  # fmt: skip


def needs_translating(entry: polib.POEntry) -> bool:
    """Untranslated, partly translated (a plural form missing) or fuzzy."""
    return entry.fuzzy or not entry.translated()


def export(out: Path) -> None:
    """Every message that needs translating, with where it is used, as a JSON list."""
    items = []
    for path in catalogues():
        for entry in polib.pofile(str(path)):
            if needs_translating(entry):
                where = [file for file, _ in entry.occurrences]
                items.append({"catalogue": path.relative_to(ROOT).as_posix(), "msgctxt": entry.msgctxt,
                              "msgid": entry.msgid, "msgid_plural": entry.msgid_plural or None,
                              "where": where, "comment": entry.comment or None})  # fmt: skip
    out.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(items)} messages to translate: {out}")


def apply(source: Path) -> None:
    """Put translations into every catalogue that has the message; clear their fuzzy flags."""
    translations = json.loads(source.read_text(encoding="utf-8"))
    used = 0
    for path in catalogues():
        catalogue = polib.pofile(str(path), wrapwidth=79)
        for entry in catalogue:
            welsh = translations.get(entry.msgid)
            if welsh is None:
                continue
            if entry.msgid_plural:
                forms = welsh if isinstance(welsh, list) else [welsh] * 4
                entry.msgstr_plural = dict(enumerate(forms))
            else:
                entry.msgstr = welsh if isinstance(welsh, str) else welsh[0]
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            used += 1
        catalogue.save()
    print(f"Applied {used} translations.")


def headers() -> None:
    """The same header on every catalogue (makemessages writes a template's placeholders into a new one)."""
    for path in catalogues():
        catalogue = polib.pofile(str(path), wrapwidth=79)
        catalogue.metadata.update(HEADER)
        for unused in ("Report-Msgid-Bugs-To", "PO-Revision-Date"):
            catalogue.metadata.pop(unused, None)
        catalogue.metadata_is_fuzzy = False
        catalogue.header = "Welsh translations of opencare's pages. See docs/welsh.md."
        catalogue.save()


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "export" and len(sys.argv) == 3:
        export(Path(sys.argv[2]))
    elif command == "apply" and len(sys.argv) == 3:
        apply(Path(sys.argv[2]))
    elif command == "headers":
        headers()
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
