"""G rules that need no git: deprecation is done in steps, with a replacement."""

from __future__ import annotations

from collections.abc import Iterator

from kpigov.catalogue import Catalogue, iter_kind
from kpigov.checks.common import Options, is_invalid, missing, status
from kpigov.findings import Violation, on_document


def deprecated_without_replacement(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in iter_kind(catalogue, "kpi"):
        if (
            status(kpi) == "deprecated"
            and not is_invalid(kpi, "status")
            and missing(kpi, "replaced_by")
        ):
            yield on_document(kpi, ("status",), fingerprint_path="replaced_by")
