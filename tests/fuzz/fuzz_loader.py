"""atheris fuzz target: any bytes given to the loader (and the schema check of what it reads)
must give documents or located problems, never an exception.

    python tests/fuzz/fuzz_loader.py -max_total_time=60 CORPUS_DIR
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["kpigov"]):
    from kpigov.catalogue import _validate
    from kpigov.loader import load_bytes


def test_one_input(data: bytes) -> None:
    result = load_bytes("fuzz.yaml", data)
    for problems in result.problems.values():
        for problem in problems:
            assert problem.span is not None and problem.span.line >= 1 and problem.span.column >= 1
    for document in result.documents:
        for violation in _validate(document):
            assert violation.args.get("message")
        document.position(("id",))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
