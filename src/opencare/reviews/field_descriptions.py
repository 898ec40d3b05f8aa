"""The schema's field descriptions as the report page shows them: Markdown rendered to safe HTML with working links.

The standard writes its descriptions in Markdown, with links to its documentation that carry ``{{version}}`` and
``{{lang}}`` placeholders (the documentation site fills them in). The page fills them with the OCDS version the data
was checked against and "en" (the descriptions are in English, as in the standard), then renders the Markdown with
markdown-it-py, raw HTML off: any HTML in the schema is shown as text, never run, and its own link check refuses
javascript: and data: addresses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

#: The documentation's languages; descriptions are English, so their links go to the English pages.
DOCS_LANGUAGE = "en"
_PLACEHOLDER = re.compile(r"\{\{\s*(version|lang)\s*\}\}")
_VERSION = re.compile(r"^\d+\.\d+")


@cache
def _markdown() -> MarkdownIt:
    # "commonmark" with html off: raw HTML in the source is escaped. Links get GOV.UK's link style.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

    def link_open(
        renderer: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
    ) -> str:
        tokens[index].attrSet("class", "govuk-link")
        return renderer.renderToken(tokens, index, options, env)

    parser.add_render_rule("link_open", link_open)
    return parser


def filled(text: str, version: str | None) -> str:
    """The description with {{version}} (major.minor of the data's OCDS version, else 1.1) and {{lang}} filled."""
    match = _VERSION.match(version or "")
    values = {"version": match.group(0) if match else "1.1", "lang": DOCS_LANGUAGE}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def description_html(text: str, version: str | None) -> SafeString:
    """A field description as safe HTML: placeholders filled, Markdown rendered, no raw HTML from the schema."""
    if not text:
        return mark_safe("")
    html = _markdown().render(filled(text, version)).strip()
    # A description of one paragraph sits in a summary list's cell: no paragraph margins around it.
    if html.count("<p>") == 1 and html.startswith("<p>") and html.endswith("</p>"):
        html = html[3:-4]
    return mark_safe(html.replace("<p>", '<p class="govuk-body">'))  # noqa: S308 - markdown-it escaped the source
