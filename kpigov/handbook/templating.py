"""The jinja2 environment of the handbook, tuned for rendering tens of thousands of pages."""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.ext import Extension
from markupsafe import escape

from kpigov.forked import can_fork
from kpigov.resources import data_dir

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


def handbook_environment(
    templates: Path, labels: Mapping[str, str], compiled: BytecodeCache | None = None
) -> HandbookEnvironment:
    env = HandbookEnvironment(
        loader=FileSystemLoader(str(templates)),
        bytecode_cache=compiled,
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[FixedLabels],
    )
    env.extend(handbook_labels=labels)
    return env


class CompiledInAdvance(BytecodeCache):
    """The handbook's templates, compiled by a forked process while the build does its other
    work (a tenth of a second that the build would otherwise wait for when it renders its first
    pages). Its code comes through a pipe from that process, never from a file: nothing another
    user could leave in a folder is loaded as code. A template whose source differs from the
    one compiled, or any failure, leaves jinja2 to compile it as usual.

    Used as a context manager: leaving the block waits for the process, whatever happened."""

    def __init__(self, templates: Path, labels: Mapping[str, str]) -> None:
        self._codes: dict[str, tuple[str, bytes]] | None = {}
        self._pipe: int | None = None
        self._pid = 0
        if not can_fork():
            return
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(marshal.dumps(self._compile_all(templates, labels)))
            finally:
                os._exit(0)
        os.close(write_end)
        self._codes, self._pipe, self._pid = None, read_end, pid

    def _compile_all(
        self, templates: Path, labels: Mapping[str, str]
    ) -> dict[str, tuple[str, bytes]]:
        """Each template's code, marshalled, by the key and checksum jinja2 gives its bucket
        (what :meth:`load_bytecode` is asked for)."""
        env = handbook_environment(templates, labels)
        assert env.loader is not None
        codes = {}
        for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
            source, filename, _ = env.loader.get_source(env, name)
            code = env.compile(source, name, filename)
            key = self.get_cache_key(name, filename)
            codes[key] = (self.get_source_checksum(source), marshal.dumps(code))
        return codes

    def __enter__(self) -> CompiledInAdvance:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wait()  # the process ends, whatever happened in the block

    def wait(self) -> dict[str, tuple[str, bytes]]:
        """The compiled templates, once the process has sent them (and ended). Called before the
        build forks any other process, which would share the pipe."""
        if self._codes is None:
            assert self._pipe is not None
            with os.fdopen(self._pipe, "rb") as pipe:
                data = pipe.read()
            os.waitpid(self._pid, 0)
            try:
                codes = marshal.loads(data)
            except (EOFError, ValueError, TypeError):
                codes = {}  # the process failed before it wrote them all
            self._codes = codes if isinstance(codes, dict) else {}
        return self._codes

    def load_bytecode(self, bucket: Bucket) -> None:
        entry = self.wait().get(bucket.key)
        if entry is not None and entry[0] == bucket.checksum:
            bucket.code = marshal.loads(entry[1])

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Nothing is kept of a template jinja2 compiled itself: it serves this build only, and
        nothing is ever written to disk (see the class's description)."""


def handbook_templates() -> Path:
    """The folder of the handbook's templates."""
    return data_dir("templates") / "handbook"
