"""The handbook's jinja2 environment renders exactly what plain jinja2 renders, only faster."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined, UndefinedError

from kpigov.handbook.templating import handbook_environment

TEMPLATE = (
    "<p>{{ labels.plain }}|{{ labels.markup }}|{{ labels.braces }}|{{ labels['plain'] }}</p>"
    "{{ view.name }}|{{ view.items }}|{{ view.get('name') }}|{{ view.keys() | list | length }}"
)
LABELS = {"plain": "Owner", "markup": "R&D <team>", "braces": "{{ not code }}"}


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    (tmp_path / "page.html").write_text(TEMPLATE)
    return tmp_path


def test_renders_as_plain_jinja2(templates: Path) -> None:
    context = {"labels": LABELS, "view": {"name": "a<b", "items": "listed"}}
    plain = Environment(
        loader=FileSystemLoader(str(templates)), autoescape=True, undefined=StrictUndefined
    )
    expected = plain.get_template("page.html").render(context)
    ours = handbook_environment(templates, LABELS).get_template("page.html").render(context)
    assert ours == expected
    assert "R&amp;D &lt;team&gt;" in ours and "{{ not code }}" in ours


def test_labels_are_written_into_the_template(templates: Path) -> None:
    env = handbook_environment(templates, LABELS)
    source = env.preprocess(TEMPLATE, "page.html")
    assert "Owner|R&amp;D &lt;team&gt;|{{ labels.braces }}" in source


def test_a_missing_field_is_still_an_error(templates: Path) -> None:
    (templates / "bad.html").write_text("{{ view.nope }}")
    env = handbook_environment(templates, LABELS)
    with pytest.raises(UndefinedError):
        env.get_template("bad.html").render(view={"name": "x"})
