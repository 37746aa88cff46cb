"""Packed KPIs (kpigov/packing.py): a lint that packs its KPIs reports exactly what one that keeps
them whole does, on real catalogues (the public definitions of tests/importers, the bench's
realistic mix and the examples), and a packed KPI gives back its data, fields and positions."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import kpigov.catalogue
import kpigov.engine
import kpigov.packing
from kpigov import api
from kpigov.catalogue import _validate
from kpigov.config import load_config
from kpigov.files import read_files
from kpigov.incremental import DERIVED, summary_data
from kpigov.loader import Document, load_bytes
from kpigov.packing import pack, present_fields, unpacked, whole_data
from tests.conftest import catalogue_in_context
from tests.test_effective import CHILD, PARENT
from tests.test_forked import multicore, parsing_processes
from tests.test_incremental import CATALOGUES, TODAY, _catalogue, _report


def _lint(root: Path, monkeypatch: pytest.MonkeyPatch, packed: bool, **options: Any) -> str:
    monkeypatch.setattr(kpigov.packing, "PACK_FROM", 0 if packed else 10**9)
    return _report(api.lint(root, today=options.pop("today", TODAY), **options))


@pytest.mark.parametrize("name", list(CATALOGUES))
def test_a_lint_with_packed_kpis_reports_what_one_with_whole_kpis_does(
    name: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _catalogue(name, tmp_path_factory)
    packs = []
    real_pack = kpigov.packing.pack

    def counting(document: Document, **kwargs: Any) -> None:
        packs.append(document.file)
        real_pack(document, **kwargs)

    monkeypatch.setattr(kpigov.packing, "pack", counting)
    packed = _lint(root, monkeypatch, True, use_cache=False)
    whole = _lint(root, monkeypatch, False, use_cache=False)
    assert packed == whole
    config = load_config(root)
    # Packed unless the configuration has defaults or house rules (kpigov.api._packer).
    assert bool(packs) == (not config.defaults and not config.custom_rules)


@pytest.mark.parametrize("name", ["imported", "bench-mix"])
def test_the_cache_entries_of_a_packed_lint_hold_whole_documents(
    name: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _catalogue(name, tmp_path_factory)
    _lint(root, monkeypatch, True)  # fills the cache from packed documents
    # Another date: the state does not serve, so the lint is cold and reads every file's entry.
    later = TODAY + dt.timedelta(days=1)
    from_entries = _lint(root, monkeypatch, False, today=later)
    assert from_entries == _lint(root, monkeypatch, False, today=later, use_cache=False)


@multicore
def test_packed_kpis_are_loaded_and_checked_on_several_cores(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = _catalogue("bench-mix", tmp_path_factory)
    whole = _lint(root, monkeypatch, False, use_cache=False)
    parsers = parsing_processes(monkeypatch, tmp_path / "parsers")
    # Workers load and pack (their packed documents are pickled back), and the rules about one
    # KPI unpack them in chunks spread over the processes.
    monkeypatch.setattr(kpigov.catalogue, "PARALLEL_SHARE", 1)
    monkeypatch.setattr(kpigov.engine, "PARALLEL_SHARE", 1)
    monkeypatch.setattr(kpigov.engine, "KPI_CHUNKS", 3)
    assert _lint(root, monkeypatch, True, use_cache=False) == whole
    assert parsers() >= 2  # the workers really parsed
    # The entries the workers leave in the cache hold whole documents.
    _lint(root, monkeypatch, True)
    later = TODAY + dt.timedelta(days=1)
    monkeypatch.setattr(kpigov.catalogue, "PARALLEL_SHARE", 10**9)
    from_entries = _lint(root, monkeypatch, False, today=later)
    assert from_entries == _lint(root, monkeypatch, False, today=later, use_cache=False)


def _loaded_kpis(roots: list[Path]) -> list[Document]:
    """The KPIs of catalogues' files, loaded and validated as a lint does."""
    kpis = []
    for root in roots:
        for path in sorted((root / "kpis").rglob("*.yaml")):
            rel = path.relative_to(root).as_posix()
            for document in load_bytes(rel, path.read_bytes()).documents:
                _validate(document)
                if document.kind == "kpi":
                    kpis.append(document)
    return kpis


def _all_paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            paths += _all_paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += _all_paths(value, (*path, index))
    return paths


def test_a_packed_document_gives_back_its_data_fields_and_positions(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    roots = [_catalogue(name, tmp_path_factory) for name in ("imported", "bench-mix", "messy")]
    documents = _loaded_kpis(roots)
    assert len(documents) > 100
    checked = 0
    for document in documents:
        original = copy.deepcopy(document.data)
        paths = _all_paths(original)
        spans = [(document.position(p), document.position(p, on_key=True)) for p in paths]
        encoded = document.encoded_positions()
        pack(document, summary=summary_data, derive=DERIVED)
        if document.packed is None:
            continue
        checked += 1
        assert document.data == summary_data(document)
        assert whole_data(document) == original
        assert list(whole_data(document)) == list(original)  # in the file's order
        whole = unpacked(document)
        assert whole.data == original
        assert whole.fields == present_fields(original, document.invalid)
        assert [(document.position(p), document.position(p, on_key=True)) for p in paths] == spans
        assert [(whole.position(p), whole.position(p, on_key=True)) for p in paths] == spans
        assert document.encoded_positions() == encoded
        assert set(document.derived or {}) == set(DERIVED)
    assert checked > 100


def test_a_breakdown_takes_its_packed_parents_whole_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The child stays whole; the parent is packed, so the description and formula the child
    # takes from it lie in the parent's blob (a summary leaves them out).
    root = catalogue_in_context(tmp_path, {"kpis/eng.yaml": PARENT, "kpis/dev.yaml": CHILD})
    monkeypatch.setattr(kpigov.packing, "PACK_FROM", 0)
    checked, _ = api._checked_catalogue(
        api.load_settings(root), TODAY, read_files(load_config(root)), None, None, None, None
    )
    parent, child = checked.kpis["eng.mr-rate"], checked.kpis["dev.mr-rate"]
    assert parent.packed is not None and child.packed is None
    assert "description" not in parent.data
    assert child.fields["description"] == whole_data(parent)["description"]
    assert child.fields["formula"] == whole_data(parent)["formula"]
    assert child.origins["formula"] == "parent eng.mr-rate"
    assert _lint(root, monkeypatch, True, use_cache=False) == _lint(
        root, monkeypatch, False, use_cache=False
    )


def test_a_kpi_with_a_parent_stays_whole() -> None:
    loaded = load_bytes(
        "kpis/x.yaml",
        b"kind: kpi\nid: x.child\nname: Child\nparent: x.parent\nowner: p\n",
    ).documents[0]
    _validate(loaded)
    assert not kpigov.packing.packable(loaded)


def test_a_value_marshal_cannot_hold_leaves_the_document_whole() -> None:
    document = Document(
        file="kpis/x.yaml", data={"kind": "kpi", "id": "x", "odd": object()}, root=0
    )
    document.kind, document.id = "kpi", "x"
    data = document.data
    pack(document, summary=summary_data, derive={})
    assert document.packed is None
    assert document.data is data
    assert document.fields == {}
