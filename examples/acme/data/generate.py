"""Write ACME's small example warehouse: support tickets and uptime per day, as CSV files that
`kpigov measure` reads in place with its embedded DuckDB (connection `default`).

Deterministic (a fixed seed), so the files only change when this script does:

    python examples/acme/data/generate.py
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).parent
FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 12, 31)


def main() -> None:
    draw = random.Random(2026)
    tickets = ["ticket_id,opened_at,first_response_hours"]
    uptime = ["day,minutes_up"]
    number = 0
    day = FIRST
    while day <= LAST:
        weekend = day.isoweekday() >= 6
        for _ in range(8 if weekend else 20):
            number += 1
            hours = round(draw.lognormvariate(1.35, 0.55), 2)
            if draw.random() < 0.03:
                hours = round(24 + draw.random() * 30, 2)  # a few wait more than a day
            tickets.append(f"T{number:05},{day.isoformat()},{hours}")
        down = 0 if draw.random() < 0.85 else draw.randint(1, 45)
        uptime.append(f"{day.isoformat()},{1440 - down}")
        day += dt.timedelta(days=1)
    (HERE / "tickets.csv").write_text("\n".join(tickets) + "\n")
    (HERE / "uptime.csv").write_text("\n".join(uptime) + "\n")


if __name__ == "__main__":
    main()
