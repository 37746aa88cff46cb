"""Memory per history row (SPEC §8.8: at most 40 bytes): every history file of a catalogue
parsed, everything the parsed histories hold counted (tracemalloc), divided by the rows.

    python bench/history_memory.py /tmp/kpigov-bench/kpis-10000/history
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

from kpigov.history import parse_history


def bytes_per_row(folder: Path) -> float:
    files = [(path, path.read_bytes()) for path in sorted(folder.glob("*.csv"))]
    tracemalloc.start()
    histories = [parse_history(path.stem, f"history/{path.name}", raw) for path, raw in files]
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = sum(len(history) for history in histories)
    return held / max(rows, 1)


if __name__ == "__main__":
    print(f"{bytes_per_row(Path(sys.argv[1])):.1f}")
