"""`kpigov measure` against real databases, no mocks: a DuckDB file and CSV read in place, and a
PostgreSQL server these tests start themselves (Debian's postgresql: initdb into a temporary
folder, a free local port, stopped at the end)."""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kpigov.measure.periods import last_complete, period, period_ends
from tests.conftest import catalogue_in_context, run_cli

TODAY = dt.date(2026, 11, 23)  # a Monday
KPI = """kind: kpi
id: {id}
name: {name}
frequency: {frequency}
measure:
  {connection}query: "{query}"
"""


def _kpi(kpi_id: str, query: str, frequency: str = "daily", connection: str = "") -> str:
    line = f"connection: {connection}\n  " if connection else ""
    return KPI.format(
        id=kpi_id, name=kpi_id.title(), frequency=frequency, connection=line, query=query
    )


def test_periods_end_on_the_measurement_date() -> None:
    d = dt.date(2026, 10, 31)
    assert period("daily", d) == (d, dt.date(2026, 11, 1))
    assert period("weekly", dt.date(2026, 11, 22)) == (dt.date(2026, 11, 16), dt.date(2026, 11, 23))
    assert period("monthly", d) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    assert period("quarterly", dt.date(2026, 9, 30)) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert period("yearly", dt.date(2025, 12, 31)) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert period("hourly", d) == period("daily", d)  # recorded once a day in 0.2
    assert last_complete("daily", TODAY) == dt.date(2026, 11, 22)
    assert last_complete("weekly", TODAY) == dt.date(2026, 11, 22)  # last Sunday
    assert last_complete("weekly", dt.date(2026, 11, 22)) == dt.date(2026, 11, 15)
    assert last_complete("monthly", TODAY) == dt.date(2026, 10, 31)
    assert last_complete("quarterly", TODAY) == dt.date(2026, 9, 30)
    assert last_complete("yearly", TODAY) == dt.date(2025, 12, 31)
    ends = list(period_ends("monthly", dt.date(2026, 1, 15), dt.date(2026, 4, 30)))
    assert ends == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A catalogue with a DuckDB file of tickets and a CSV of visits read in place."""
    import duckdb

    root = catalogue_in_context(tmp_path / "cat", {})
    (root / "data").mkdir()
    database = duckdb.connect(str(root / "data" / "warehouse.duckdb"))
    database.execute(
        "create table tickets (id integer, opened_at date, minutes double, team varchar)"
    )
    rows = []
    start = dt.date(2026, 9, 1)
    for number in range(400):
        day = start + dt.timedelta(days=number % 90)
        rows.append((number, day, 30 + number % 17, "north" if number % 3 else "south"))
    database.executemany("insert into tickets values (?, ?, ?, ?)", rows)
    database.close()
    (root / "data" / "visits.csv").write_text(
        "day,visits\n" + "".join(f"2026-11-{d:02},{100 + d}\n" for d in range(1, 23))
    )
    (root / "kpigov.yaml").write_text(
        "version: 1\nconnections:\n  default: {url: 'duckdb:///data/warehouse.duckdb'}\n"
        "  files: {url: 'duckdb://'}\n"
    )
    files = {
        "kpis/opened.yaml": _kpi(
            "service.tickets-opened",
            "select count(*) from tickets where opened_at >= :period_start and opened_at < :period_end",
        ),
        "kpis/minutes.yaml": _kpi(
            "service.handling-minutes",
            "select avg(minutes), 'all teams' from tickets where opened_at >= :period_start and opened_at < :period_end",
            frequency="monthly",
        ),
        "kpis/visits.yaml": _kpi(
            "web.visits",
            "select sum(visits) from read_csv('data/visits.csv') where day >= :period_start and day < :period_end",
            frequency="weekly",
            connection="files",
        ),
    }
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def _measure(root: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("measure", "--root", str(root), "--today", TODAY.isoformat(), *args)


def test_measure_records_the_last_complete_periods(warehouse: Path) -> None:
    code, out, err = _measure(warehouse)
    assert code == 0, out + err
    opened = (warehouse / "history" / "service.tickets-opened.csv").read_text()
    assert opened == "date,value\n2026-11-22,0\n" or opened.startswith("date,value\n2026-11-22,")
    minutes = (warehouse / "history" / "service.handling-minutes.csv").read_text()
    assert minutes.startswith("date,value,note\n2026-10-31,") and minutes.rstrip().endswith(
        "all teams"
    )
    visits = (warehouse / "history" / "web.visits.csv").read_text()
    # the week 16-22 November: 116 + … + 122
    assert visits == f"date,value\n2026-11-22,{sum(100 + d for d in range(16, 23))}\n"
    # the next night: nothing new, nothing changed
    code, out, _ = _measure(warehouse)
    assert code == 0 and "unchanged" in out
    code, out, _ = run_cli(
        "lint",
        "--root",
        str(warehouse),
        "--select",
        "T6,M8",
        "--today",
        "2026-11-23",
        "--format",
        "json",
    )
    assert not [
        f for f in json.loads(out)["findings"] if f["rule"] in ("T603", "M801", "M802", "M803")
    ]


def test_backfill_dry_run_and_selection(warehouse: Path) -> None:
    code, out, _ = _measure(
        warehouse,
        "service.tickets-opened",
        "--from",
        "2026-09-01",
        "--to",
        "2026-09-05",
        "--dry-run",
    )
    assert code == 0 and "would-record" in out and "dry run" in out
    assert not (warehouse / "history" / "service.tickets-opened.csv").exists()
    code, out, _ = _measure(
        warehouse, "service.*", "--from", "2026-09-01", "--to", "2026-09-05", "--format", "json"
    )
    outcomes = {o["kpi"]: o for o in json.loads(out)["outcomes"]}
    assert set(outcomes) == {"service.tickets-opened", "service.handling-minutes"}
    assert [r["date"] for r in outcomes["service.tickets-opened"]["rows"]] == [
        f"2026-09-0{d}" for d in range(1, 6)
    ]
    assert outcomes["service.handling-minutes"]["rows"] == []  # no month ends in that range
    lines = (warehouse / "history" / "service.tickets-opened.csv").read_text().splitlines()
    assert lines[0] == "date,value" and len(lines) == 6
    # an earlier date cannot be added after later ones: history stays in date order
    code, out, err = _measure(warehouse, "service.tickets-opened", "--date", "2026-08-31")
    assert code == 1 and "comes before the last recorded date" in err
    assert _measure(warehouse, "nothing.like.this")[0] == 2


def test_append_only_refuses_a_changed_value_and_keeps_the_file(warehouse: Path) -> None:
    history = warehouse / "history" / "service.tickets-opened.csv"
    history.parent.mkdir(exist_ok=True)
    history.write_text(
        "date,value,note\n2026-11-21,3,typed by hand\n2026-11-22,999,typed by hand\n"
    )
    before = history.read_bytes()
    code, out, err = _measure(warehouse)
    assert code == 1
    assert "2026-11-22 is recorded as 999 and now measures" in err
    assert "kpis/opened.yaml:6:" in err  # located at the KPI's measure
    assert history.read_bytes() == before
    # the other KPIs were still measured
    assert (warehouse / "history" / "web.visits.csv").exists()


def test_two_processes_on_one_kpi_leave_a_valid_file(warehouse: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "kpigov",
        "measure",
        "--root",
        str(warehouse),
        "service.tickets-opened",
        "--from",
        "2026-09-01",
        "--to",
        "2026-10-31",
        "--today",
        TODAY.isoformat(),
    ]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [first.communicate(timeout=120), second.communicate(timeout=120)]
    assert first.returncode == 0 and second.returncode == 0, results
    lines = (warehouse / "history" / "service.tickets-opened.csv").read_text().splitlines()
    dates = [line.split(",")[0] for line in lines[1:]]
    assert len(dates) == 61 and dates == sorted(set(dates))  # each date once, in order
    assert any("unchanged" in out for out, _ in results)  # the second waited, then found them


def test_a_failing_kpi_is_reported_and_the_others_measured(warehouse: Path) -> None:
    (warehouse / "kpis" / "broken.yaml").write_text(
        _kpi("service.broken", "select count(*) from no_such_table")
        + "---\n"
        + _kpi("service.text", "select 'many'")
        + "---\n"
        + _kpi("service.nothing", "select count(*) from tickets where false group by team")
        + "---\n"
        + _kpi("service.two", "select 1 union all select 2")
        + "---\n"
        + _kpi("service.null", "select null")
        + "---\n"
        + _kpi("service.huge", "select 1e300")
        + "---\n"
        + _kpi("service.slow", "select count(*) from range(10000000000)")
    )
    code, out, err = _measure(warehouse, "--timeout", "1", "--format", "json")
    outcomes = {o["kpi"]: o for o in json.loads(out)["outcomes"]}
    assert code == 1
    assert "no_such_table" in outcomes["service.broken"]["message"]
    assert "not a number" in outcomes["service.text"]["message"]
    assert "no row" in outcomes["service.nothing"]["message"]
    assert "2 rows" in outcomes["service.two"]["message"]
    assert "NULL" in outcomes["service.null"]["message"]
    assert "below 10^15" in outcomes["service.huge"]["message"]
    assert "longer than 1 s" in outcomes["service.slow"]["message"]
    assert outcomes["service.tickets-opened"]["status"] == "recorded"
    assert all(o["file"] and o["line"] for o in outcomes.values())


# -- PostgreSQL ---------------------------------------------------------------------------------


def _postgres_bin() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, object]]:
    """A real PostgreSQL server on a free local port, with a password, stopped at the end."""
    bindir = _postgres_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (Debian package postgresql) is missing; .ci/run installs it")
        pytest.skip("PostgreSQL is not installed")
    base = Path(tempfile.mkdtemp(prefix="kpigov-pg-"))
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:  # PostgreSQL refuses to run as root
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    password = "s3cret-Pa55word"
    (base / "pw").write_text(password)
    if as_root:
        os.chown(base / "pw", user.pw_uid, user.pw_gid)
    port = _free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    run(
        str(bindir / "initdb"),
        "-D",
        str(base / "data"),
        "-U",
        "kpigov",
        "--auth=scram-sha-256",
        f"--pwfile={base / 'pw'}",
        "-E",
        "UTF8",
    )
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(base / "data"),
        "-l",
        str(base / "log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
        "start",
    )
    import psycopg

    def connect(dbname: str) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=port,
            user="kpigov",
            password=password,
            dbname=dbname,
            autocommit=True,
        )

    try:
        with connect("postgres") as connection:
            connection.execute("create database crm")
        with connect("crm") as connection:
            connection.execute("create table deals (id int, closed_at date, amount numeric(12,2))")
            connection.execute(
                "insert into deals select n, date '2026-10-01' + (n % 31), 1000 + n from generate_series(1, 200) n"
            )
        yield {"port": port, "password": password}
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def _crm_catalogue(tmp_path: Path, port: int) -> Path:
    root = catalogue_in_context(tmp_path / "cat", {})
    (root / "kpigov.yaml").write_text(
        "version: 1\nconnections:\n"
        f"  crm: {{url: 'postgresql+psycopg://kpigov:${{CRM_PASSWORD}}@127.0.0.1:{port}/crm'}}\n"
        f"  down: {{url: 'postgresql+psycopg://kpigov:${{CRM_PASSWORD}}@127.0.0.1:{_free_port()}/crm'}}\n"
    )
    (root / "kpis" / "crm.yaml").write_text(
        _kpi(
            "sales.won-amount",
            "select sum(amount) from deals where closed_at >= :period_start and closed_at < :period_end",
            "monthly",
            "crm",
        )
        + "---\n"
        + _kpi(
            "sales.deals-won",
            "select count(*)::int, 'from the CRM' from deals where closed_at >= :period_start and closed_at < :period_end",
            "monthly",
            "crm",
        )
        + "---\n"
        + _kpi("sales.slow", "select count(*) from pg_sleep(5)", "daily", "crm")
        + "---\n"
        + _kpi("sales.bad-sql", "select count(* from deals", "daily", "crm")
        + "---\n"
        + _kpi("sales.refused", "select 1", "daily", "down")
    )
    return root


def test_postgresql_measures_and_never_shows_the_password(
    postgres: dict[str, object], tmp_path: Path
) -> None:
    root = _crm_catalogue(tmp_path, int(postgres["port"]))  # type: ignore[call-overload]
    env = {"CRM_PASSWORD": str(postgres["password"])}
    code, out, err = run_cli(
        "measure", "--root", str(root), "--today", "2026-11-23", "--timeout", "2", env=env
    )
    assert code == 1  # the slow, broken and refused ones
    assert str(postgres["password"]) not in out + err
    won = (root / "history" / "sales.won-amount.csv").read_text()
    # every deal closed in October: 200 x 1,000 plus 1 + 2 + … + 200
    assert won == f"date,value\n2026-10-31,{200 * 1000 + 200 * 201 // 2}\n"
    deals = (root / "history" / "sales.deals-won.csv").read_text()
    assert deals == "date,value,note\n2026-10-31,200,from the CRM\n"
    assert "sales.slow" in err and "longer than 2 s" in err
    assert "sales.bad-sql" in err and "syntax error" in err
    assert "sales.refused" in err
    # lint reads the SQL in PostgreSQL's dialect
    code, out, _ = run_cli(
        "lint", "--root", str(root), "--select", "M8", "--format", "json", env=env
    )
    m801 = [f for f in json.loads(out)["findings"] if f["rule"] == "M801"]
    assert [f["object"] for f in m801] == ["sales.bad-sql"]


def test_a_wrong_password_is_masked(postgres: dict[str, object], tmp_path: Path) -> None:
    root = _crm_catalogue(tmp_path, int(postgres["port"]))  # type: ignore[call-overload]
    code, out, err = run_cli(
        "measure",
        "--root",
        str(root),
        "sales.won-amount",
        "--today",
        "2026-11-23",
        env={"CRM_PASSWORD": "wrong-but-secret-Value"},
    )
    assert code == 1 and "sales.won-amount" in err
    assert "wrong-but-secret-Value" not in out + err
    missing = run_cli(
        "measure", "--root", str(root), "sales.won-amount", "--today", "2026-11-23", env={}
    )
    assert missing[0] == 1 and "CRM_PASSWORD is not set" in missing[2]


def test_the_postgres_server_is_real(postgres: dict[str, object]) -> None:
    import psycopg

    started = time.monotonic()
    with psycopg.connect(
        host="127.0.0.1",
        port=postgres["port"],
        user="kpigov",
        password=postgres["password"],
        dbname="crm",
    ) as connection:
        assert connection.execute("select count(*) from deals").fetchone() == (200,)
    assert time.monotonic() - started < 30


def test_the_example_catalogue_measures_its_warehouse(tmp_path: Path) -> None:
    from tests.conftest import REPO

    root = shutil.copytree(
        REPO / "examples" / "acme",
        tmp_path / "acme",
        ignore=shutil.ignore_patterns(".kpigov_cache"),
    )
    before = (root / "history" / "it.uptime.csv").read_text()
    code, out, err = run_cli("measure", "--root", str(root), "--today", "2026-11-24")
    assert code == 0, out + err
    assert "Measured 3 of 3 KPIs" in out
    after = (root / "history" / "it.uptime.csv").read_text()
    assert after.startswith(before) and after.count("\n") == before.count("\n") + 1
    code, out, _ = run_cli("lint", "--root", str(root), "--today", "2026-11-24")
    assert code == 0, out
    # the generator is deterministic: the shipped data is what it writes
    generated = tmp_path / "generated"
    shutil.copytree(REPO / "examples" / "acme" / "data", generated)
    subprocess.run([sys.executable, str(generated / "generate.py")], check=True)
    for name in ("tickets.csv", "uptime.csv"):
        assert (generated / name).read_bytes() == (
            REPO / "examples" / "acme" / "data" / name
        ).read_bytes()
