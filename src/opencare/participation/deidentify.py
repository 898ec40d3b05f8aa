"""Flags for the moderator: things in a story that could identify someone (names, dates of birth, phone numbers,
addresses, postcodes, email addresses), and words that suggest a safeguarding concern.

These are aids, not filters: the moderator reads every story, removes what identifies anyone, and decides. They err
towards flagging too much, since a missed name does more harm than a moderator's extra glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Capitalised words that are not names, so a sentence like "The Council said on Monday" is not flagged.
NOT_NAMES = frozenset(
    [
        "I",
        "I'm",
        "I've",
        "I'd",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Council",
        "NHS",
        "GP",
        "CQC",
        "Care",
        "Home",
        "Mum",
        "Dad",
        "Mother",
        "Father",
        "Christmas",
        "Easter",
        "England",
        "Wales",
        "Scotland",
        "Britain",
        "UK",
        "The",
        "A",
        "An",
        "My",
        "Our",
        "Their",
        "His",
        "Her",
        "It",
        "They",
        "We",
        "You",
        "He",
        "She",
        "This",
        "That",
        "Thank",
        "Thanks",
        "Yes",
        "No",
        "OK",
        "Ltd",
    ]
)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("phone number", re.compile(r"(?<!\d)(?:\+44\s?\(?0?\)?\s?|0)(?:\d[\s-]?){9,10}(?!\d)")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    (
        "address",
        re.compile(
            r"\b\d+[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
            r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Way|Court|Crescent|Place|Gardens|Terrace|Grove)\b"
        ),
    ),
    ("date", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
    ("date of birth", re.compile(r"\b(?:born|date of birth|dob|d\.o\.b\.?)\b[^.]{0,30}", re.IGNORECASE)),
    ("age", re.compile(r"\b\d{2,3}[- ]year[- ]old\b|\baged \d{2,3}\b", re.IGNORECASE)),
    ("name", re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Nurse)\.?\s+[A-Z][a-z'-]+")),
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z'-]{1,}\b")
SAFEGUARDING_WORDS = re.compile(
    r"\b(?:abus\w*|hit (?:me|him|her|them)|hits (?:me|him|her)|slap\w*|punch\w*|bruis\w*|neglect\w*|sto(?:le|len)|"
    r"steal\w*|took (?:my|his|her) money|threat\w*|scared of|afraid of|locked (?:me|him|her|them) in|suicid\w*|"
    r"kill (?:my|him|her)self|sexual\w*|touched (?:me|him|her) inappropriately|left (?:alone|on the floor) all|"
    r"not (?:been )?fed|no food for|withheld|refused (?:my|his|her) medic\w*|harm\w*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Flag:
    """Something the moderator should look at: what kind, the text and where it is."""

    kind: str
    text: str
    start: int
    end: int


def identifying_flags(story: str) -> list[Flag]:
    """Everything in the story that could identify someone, in order, without overlaps."""
    flags = [Flag(kind, m.group(0), m.start(), m.end()) for kind, pattern in PATTERNS for m in pattern.finditer(story)]
    flags += [
        Flag("possible name", m.group(0), m.start(), m.end())
        for m in _CAPITALISED.finditer(story)
        if m.group(0) not in NOT_NAMES
    ]
    kept: list[Flag] = []
    for flag in sorted(flags, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or flag.start >= kept[-1].end:
            kept.append(flag)
    return kept


def safeguarding_words(story: str) -> list[str]:
    """Words in the story that suggest someone may be at risk of harm (the story is then held, never published)."""
    return sorted({match.group(0).lower() for match in SAFEGUARDING_WORDS.finditer(story)})
