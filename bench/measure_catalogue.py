"""A catalogue of N KPIs, each with a measure query on one DuckDB file of events, for the
`kpigov measure` row of bench/run.py.

    python bench/measure_catalogue.py ROOT [N]
"""

from __future__ import annotations

import sys
from pathlib import Path


def make(root: Path, size: int) -> None:
    import duckdb

    (root / "kpis").mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    database = duckdb.connect(str(root / "data" / "events.duckdb"))
    database.execute(
        "create or replace table events as select (i % 1000) as kpi, "
        "date '2026-01-01' + ((i // 1000) % 330)::int as day, (i * 7919 % 1000) / 10.0 as amount "
        "from range(2000000) t(i)"
    )
    database.close()
    (root / "kpigov.yaml").write_text(
        "version: 1\nconnections:\n  default: {url: 'duckdb:///data/events.duckdb'}\n"
    )
    for number in range(size):
        (root / "kpis" / f"k{number:05}.yaml").write_text(
            f"kind: kpi\nid: bench.k{number:05}\nname: Bench {number}\nfrequency: daily\n"
            "measure:\n  query: |\n"
            f"    select sum(amount) from events where kpi = {number % 1000}\n"
            "    and day >= :period_start and day < :period_end\n"
        )


if __name__ == "__main__":
    make(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
