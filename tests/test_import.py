"""`kpigov import` on real, public sources (tests/importers/README.md names them) and on hostile
ones: nothing invented, nothing dropped silently, nothing overwritten, formatted as fmt would."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kpigov import api
from kpigov.loader import load_text
from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "importers"
TODAY = dt.date(2026, 11, 23)


def _kpis(root: Path) -> dict[str, dict]:
    out = {}
    for path in sorted((root / "kpis").rglob("*.yaml")):
        for document in load_text(path.name, path.read_text(encoding="utf-8")).documents:
            out[document.data["id"]] = document.data
    return out


def _import(fmt: str, sources: list[Path], into: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(
        "import", fmt, *map(str, sources), "--into", str(into), "--today", "2026-11-23", *args
    )


def _clean_catalogue(root: Path) -> None:
    """What import writes lints without a K rule and is already formatted."""
    result = api.lint(root, today=TODAY, use_cache=False)
    assert not [f for f in result.findings if f.rule.startswith("K")], [
        (f.rule, f.file, f.message) for f in result.findings if f.rule.startswith("K")
    ]
    code, out, err = run_cli("fmt", "--root", str(root), "--check")
    assert code == 0, out + err


def test_gitlab_handbook_indicators(tmp_path: Path) -> None:
    sources = sorted((FIXTURES / "gitlab").glob("*.yml"))
    code, out, err = _import("gitlab", sources, tmp_path / "cat")
    assert code == 0, err
    assert "Imported 10 KPIs" in out and "Lint of the result, per rule" in out
    kpis = _kpis(tmp_path / "cat")
    availability = kpis["infrastructure-department.gitlab-com-availability"]
    assert availability["tier"] == "kpi"
    assert availability["target"] == {"note": "equal or greater than 99.95%"}
    assert availability["assessment"]["level"] == "on-track"
    assert availability["source_ref"] == "infrastructure_department.yml:27"
    breakdown = kpis["infrastructure-department.infrastructure-mr-rate"]
    assert breakdown["parent"] == "engineering-function.engineering-mr-rate"
    assert breakdown["breakdown"] == "Infrastructure Department"
    hosting = kpis[
        "infrastructure-department.gitlab-com-hosting-cost-per-gitlab-com-unique-monthly-active-users"
    ]
    assert hosting["visibility"] == "internal" and hosting["assessment"]["level"] == "unknown"
    # nothing invented: the source states no unit, direction or frequency
    assert not {"unit", "direction", "frequency"} & set(availability)
    maturity = next(p for p in (tmp_path / "cat" / "kpis").rglob("*service-maturity.yaml"))
    text = maturity.read_text()
    assert "sisense_data: chart: 13259679" in text  # kept as a comment, not dropped
    _clean_catalogue(tmp_path / "cat")
    findings = api.lint(tmp_path / "cat", today=TODAY, use_cache=False).findings
    assert any(
        f.rule == "S145"
        and f.object == "infrastructure-department.gitlab-com-individual-service-maturity"
        for f in findings
    )


def test_dbt_semantic_layer_metrics(tmp_path: Path) -> None:
    code, out, err = _import("dbt", sorted((FIXTURES / "dbt").glob("*.yml")), tmp_path / "cat")
    assert code == 0, err
    kpis = _kpis(tmp_path / "cat")
    ratio = kpis["order-items.food-revenue-pct"]
    assert ratio["name"] == "Food Revenue %"
    assert ratio["formula"]["expression"] == "food_revenue / revenue"
    assert [i["kpi"] for i in ratio["formula"]["inputs"]] == [
        "order-items.food-revenue",
        "order-items.revenue",
    ]
    derived = kpis["order-items.revenue-growth-mom"]
    assert derived["formula"]["inputs"][1] == {
        "name": "revenue_prev_month",
        "kpi": "order-items.revenue",
        "description": "revenue 1 month earlier",
    }
    large = kpis["orders.large-order"]["formula"]["inputs"][0]
    assert large["source"] == "dbt measure orders.order_count (sum of 1)"
    assert "order__order_total_dim" in large["description"]
    cumulative = kpis["order-items.cumulative-revenue"]["formula"]["inputs"][0]
    assert "cumulative over all time" in cumulative["description"]
    # a metric of one file may use a measure of another
    assert kpis["order-items.order-cost"]["formula"]["inputs"][0]["source"].startswith(
        "dbt measure orders.order_cost"
    )
    _clean_catalogue(tmp_path / "cat")


def test_dutch_register_from_excel(tmp_path: Path) -> None:
    source = FIXTURES / "csv" / "provincie-utrecht-indicatoren.csv"
    code, out, err = _import("csv", [source], tmp_path / "cat")
    assert code == 0
    assert "provincie-utrecht-indicatoren.csv:10: the row has no KPI name" in err
    assert (tmp_path / "cat" / "kpigov.yaml").read_text().count("language: nl") == 1
    kpis = _kpis(tmp_path / "cat")
    first = kpis["provincie-utrecht-indicatoren.overzicht-kwaliteit-naleving-medebewindstaken"]
    assert first["target"] == {"value": 100} and first["unit"] == "percent"
    assert first["frequency"] == "yearly" and first["goals"] == ["goed-openbaar-bestuur"]
    assert first["source_ref"] == "provincie-utrecht-indicatoren.csv:4"
    accents = kpis["provincie-utrecht-indicatoren.beoordelen-en-intervenieren"]
    assert accents["name"] == "Beoordelen en interveniëren"  # cp1252 read as such
    voting = next((tmp_path / "cat" / "kpis").rglob("*opkomst*.yaml")).read_text()
    assert "frequency (as written in the register): per verkiezing" in voting
    assert "2018: 55%" in voting
    goals = (tmp_path / "cat" / "imported-goals.yaml").read_text()
    assert "name: Goed openbaar bestuur" in goals
    _clean_catalogue(tmp_path / "cat")


def test_english_register_with_a_byte_order_mark(tmp_path: Path) -> None:
    source = FIXTURES / "csv" / "infrastructure-register.csv"
    assert _import("csv", [source], tmp_path / "cat")[0] == 0
    kpis = _kpis(tmp_path / "cat")
    mttp = kpis["infrastructure-register.mean-time-to-production-mttp"]
    assert mttp["direction"] == "lower-is-better" and mttp["unit"] == "hours"
    assert mttp["target"] == {"value": 12}
    assert kpis["infrastructure-register.gitlab-com-individual-service-maturity"]["target"] == {
        "note": "TBD"
    }
    _clean_catalogue(tmp_path / "cat")


def _workbook(path: Path, *, header_row: int = 3, formula: bool = True, rows: int = 0) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Indicatoren"
    sheet["A1"] = "Begroting 2018 — indicatoren"
    sheet.merge_cells("A1:F1")
    header = ["Naam indicator", "Omschrijving", "Streefwaarde", "Eenheid", "Frequentie", "Doel"]
    for column, heading in enumerate(header, 1):
        sheet.cell(header_row, column, heading)
    data = [
        [
            "Opkomst bij verkiezingen",
            "Opkomst in procenten van de stemgerechtigden",
            0.55,
            "%",
            "per jaar",
            "Goed openbaar bestuur",
        ],
        [
            "Opkomst bij verkiezingen",
            "Tweede regel met dezelfde naam",
            "60%",
            "%",
            "per jaar",
            None,
        ],
        ["!!!", "Een naam zonder letters", 1, "aantal", "maandelijks", None],
    ]
    data += [
        [f"Indicator {n}", f"Omschrijving {n}", n, "aantal", "maandelijks", None]
        for n in range(rows)
    ]
    for offset, values in enumerate(data, header_row + 1):
        for column, value in enumerate(values, 1):
            sheet.cell(offset, column, value)
    # the goal, merged over the three rows, as registers do
    sheet.merge_cells(
        start_row=header_row + 1, start_column=6, end_row=header_row + 3, end_column=6
    )
    if formula:
        sheet.cell(header_row + 3, 3, "=1+1")  # a formula with no stored value
    book.create_sheet("Leeg")
    book.save(path)
    return path


def test_xlsx_register_with_merged_cells_formulas_and_duplicates(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "register.xlsx")
    code, out, err = _import("xlsx", [source], tmp_path / "cat")
    assert code == 0, err
    assert (
        "register.xlsx Indicatoren!C6: the cell holds a formula whose value was never computed"
        in err
    )
    assert "register.xlsx Indicatoren!6: the name '!!!' gives no id" in err
    kpis = _kpis(tmp_path / "cat")
    assert {
        "register.opkomst-bij-verkiezingen",
        "register.opkomst-bij-verkiezingen-2",
        "register.row-6",
    } <= set(kpis)
    # the merged goal cell counts for every row it spans
    assert kpis["register.opkomst-bij-verkiezingen-2"]["goals"] == ["goed-openbaar-bestuur"]
    assert kpis["register.opkomst-bij-verkiezingen"]["source_ref"] == "register.xlsx Indicatoren!4"
    empty = _import("xlsx", [source], tmp_path / "other", "--sheet", "Leeg")
    assert empty[0] == 0 and "no header row found" in empty[2]
    missing = _import("xlsx", [source], tmp_path / "other2", "--sheet", "Nope")
    assert missing[0] == 2 and "no sheet named 'Nope'" in missing[2]
    not_excel = tmp_path / "fake.xlsx"
    not_excel.write_text("name,target\n")
    assert _import("xlsx", [not_excel], tmp_path / "other3")[0] == 2


def test_many_rows(tmp_path: Path) -> None:
    source = _workbook(tmp_path / "big.xlsx", formula=False, rows=2000)
    code, out, err = _import("xlsx", [source], tmp_path / "cat")
    assert code == 0, err
    assert "Imported 2003 KPIs" in out
    assert len(list((tmp_path / "cat" / "kpis").rglob("*.yaml"))) == 2003


def test_never_overwrites_and_names_the_conflicts(tmp_path: Path) -> None:
    source = FIXTURES / "csv" / "infrastructure-register.csv"
    assert _import("csv", [source], tmp_path / "cat")[0] == 0
    before = {p: p.read_bytes() for p in (tmp_path / "cat").rglob("*") if p.is_file()}
    code, out, err = _import("csv", [source], tmp_path / "cat")
    assert code == 1
    assert (
        "kpis/infrastructure-register/infrastructure-register.gitlab-com-availability.yaml" in err
    )
    after = {p: p.read_bytes() for p in (tmp_path / "cat").rglob("*") if p.is_file()}
    assert after == before


def test_adding_to_an_existing_catalogue(tmp_path: Path) -> None:
    root = shutil.copytree(Path(__file__).parent / "context", tmp_path / "cat")
    (root / "register.csv").write_text("name;goal;owner\nWin rate Benelux;grow-revenue;a.jansen\n")
    code, out, err = _import("csv", [root / "register.csv"], root, "--lang", "en")
    assert code == 0, err
    assert not (root / "imported-goals.yaml").exists()  # the goal and owner exist already
    assert not (root / "imported-owners.yaml").exists()
    assert "Imported 1 KPIs, 0 goals and 0 owners" in out


def test_mapping_columns_and_mixed_encodings(tmp_path: Path) -> None:
    source = tmp_path / "mixed.csv"
    source.write_bytes(
        b"KPI-nummer;Naam;Streefwaarde\n"
        + "K1;Tevredenheid café;8,5\n".encode()
        + "K2;Reactietijd één dag;2\n".encode("cp1252", errors="replace").replace(
            b"\xe9\xe9n", b"\xe9\xe9n"
        )
    )
    code, out, err = _import("csv", [source], tmp_path / "cat", "--map", "KPI-nummer=area")
    assert code == 0, err
    assert "mixed.csv:3: the file mixes encodings" in err
    kpis = _kpis(tmp_path / "cat")
    assert kpis["k1.tevredenheid-cafe"]["name"] == "Tevredenheid café"
    assert kpis["k1.tevredenheid-cafe"]["target"] == {"value": 8.5}
    assert "k2.reactietijd-een-dag" in kpis
    bad = _import("csv", [source], tmp_path / "c2", "--map", "KPI-nummer=budget")
    assert bad[0] == 2 and "'budget' is not a register field" in bad[2]


@pytest.mark.parametrize("fmt", ["csv", "gitlab", "dbt"])
def test_unreadable_sources_are_reported_not_raised(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "broken.yml"
    source.write_bytes(b"\x00\x01 not: [a register\n")
    code, out, err = _import(fmt, [source], tmp_path / "cat")
    assert code in (0, 2) and "Traceback" not in err
    assert "broken.yml" in err
