"""The jinja2 environment of the handbook, tuned for rendering tens of thousands of pages."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from markupsafe import escape

# What getattr finds on a plain dict: its methods and special attributes.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class HandbookEnvironment(Environment):
    """Reads ``view.name`` on a plain dict without the exception jinja2 raises and catches first.

    jinja2 looks ``view.name`` up as an attribute, then as an item. On a dict the attribute
    lookup fails for every name but the dict's own methods, and the exception costs more than
    the rest of rendering the expression; the view model is all dicts, read hundreds of times per
    page. The result is the same as jinja2's: dict methods stay methods, other names are items,
    and a missing one is undefined.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if obj.__class__ is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_LABEL = re.compile(r"\{\{ labels\.(\w+) \}\}")
# Characters that could start template syntax, or be read as it, once written into a template.
_TEMPLATE_SYNTAX = re.compile(r"[{}%#]")


class FixedLabels(Extension):
    """Writes ``{{ labels.name }}`` into the template source as its text, escaped: the labels of
    one build never change, so they need not be looked up and escaped again on every page.
    A label that could read as template syntax stays an expression."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        labels: Mapping[str, str] = self.environment.handbook_labels  # type: ignore[attr-defined]

        def fixed(match: re.Match[str]) -> str:
            text = labels.get(match.group(1))
            if not isinstance(text, str) or _TEMPLATE_SYNTAX.search(text):
                return match.group(0)
            return str(escape(text))

        return _LABEL.sub(fixed, source)


def handbook_environment(templates: Path, labels: Mapping[str, str]) -> HandbookEnvironment:
    env = HandbookEnvironment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[FixedLabels],
    )
    env.extend(handbook_labels=labels)
    return env
