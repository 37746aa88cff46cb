"""Markdown from the catalogue, rendered so that a catalogue cannot inject anything into the site.

Raw HTML is off (it is shown as text), images are off (no request to another host), and a link
keeps its href only for http, https and mailto.
"""

from __future__ import annotations

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


def render_markdown(text: object) -> Markup:
    if not isinstance(text, str) or not text.strip():
        return Markup("")
    return Markup(_renderer().render(text))  # noqa: S704 - markdown-it escapes all text; raw HTML is off
