"""Markdown from the catalogue, rendered so that a catalogue cannot inject anything into the site.

Raw HTML is off (it is shown as text), images are off (no request to another host), and a link
keeps its href only for http, https and mailto.
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = ("http://", "https://", "mailto:")


def is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SAFE_SCHEMES)


@cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")
    md.validateLink = is_safe_link
    return md


# One line of words and plain punctuation, starting with a letter and indented less than a code
# block: no character Markdown gives a meaning to and none that needs escaping, so the paragraph
# is the text itself. Most catalogue descriptions are such a line; a property test checks that
# markdown-it renders them the same.
_PLAIN_START = re.compile(r" {0,3}[^\W\d_]")
_NOT_PLAIN = re.compile(r"[^\w ,.;:'()%/?-]")  # and no "_" or "  ", checked apart (faster)


def render_markdown(text: object) -> Markup:
    if not isinstance(text, str) or not text.strip():
        return Markup("")
    line = text.strip()
    if (
        _PLAIN_START.match(text)
        and "_" not in line
        and "  " not in line
        and not _NOT_PLAIN.search(line)
    ):
        return Markup(f"<p>{line}</p>\n")  # noqa: S704 - letters, digits, plain punctuation
    return Markup(_renderer().render(text))  # noqa: S704 - markdown-it escapes all text; raw HTML is off
