"""The floor: libyaml's C composer alone over every KPI file (no conversion, no rules)."""

from __future__ import annotations

import sys
from pathlib import Path

from ruamel.yaml.cyaml import CParser
from ruamel.yaml.resolver import BaseResolver


class _Composer(CParser, BaseResolver):  # type: ignore[misc]
    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        BaseResolver.__init__(self)


def main() -> None:
    nodes = 0
    for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
        composer = _Composer(path.read_text(encoding="utf-8"))
        while composer.check_node():
            composer.get_node()
            nodes += 1
        composer.dispose()
    print(nodes)


if __name__ == "__main__":
    main()
