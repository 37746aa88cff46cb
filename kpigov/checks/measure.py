"""M rules: a KPI's measure query can run where it is meant to (SPEC §8.7)."""

from __future__ import annotations

from kpigov.catalogue import Catalogue
from kpigov.checks.common import NOTHING, Found, Options
from kpigov.findings import on_document
from kpigov.loader import Document

# kpigov.measure is imported only for a KPI with a measure: most catalogues have none, and its
# modules cost a lint that runs these rules (a pre-commit run after an edit) about 20 ms.


def _measure(kpi: Document) -> tuple[str, str] | None:
    spec = kpi.fields.get("measure")
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("query"), str)
        or "measure" in kpi.origins
    ):
        return None
    from kpigov.measure.connections import DEFAULT

    return spec["query"], str(spec.get("connection") or DEFAULT)


def measure_query_invalid(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """M801: the SQL does not parse in the connection's dialect (sqlglot)."""
    found = _measure(kpi)
    if found is None:
        return NOTHING
    from kpigov.measure.connections import configured_url, dialect_of

    query, name = found
    url = configured_url(catalogue.config.connections, name)
    if url is None:
        return NOTHING  # M802's
    import sqlglot
    from sqlglot.errors import ParseError, TokenError

    dialect = dialect_of(url)
    try:
        parsed = sqlglot.parse(query, read=dialect)
    except (ParseError, TokenError) as error:
        first = getattr(error, "errors", None) or [{}]
        detail = str(first[0].get("description") or error).splitlines()[0][:160]
        return [
            on_document(
                kpi,
                ("measure", "query"),
                args={"dialect": dialect or "standard SQL", "problem": detail},
                fingerprint_path="measure.query",
            )
        ]
    statements = [statement for statement in parsed if statement is not None]
    if len(statements) != 1:
        return [
            on_document(
                kpi,
                ("measure", "query"),
                variant="statements",
                args={"dialect": dialect or "standard SQL", "count": len(statements)},
                fingerprint_path="measure.query",
            )
        ]
    return NOTHING


def unknown_connection(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """M802: the measure names a connection kpigov.yaml does not have."""
    found = _measure(kpi)
    if found is None:
        return NOTHING
    from kpigov.measure.connections import DEFAULT, configured_url

    _, name = found
    if configured_url(catalogue.config.connections, name) is not None:
        return NOTHING
    known = ", ".join(sorted({DEFAULT, *catalogue.config.connections}))
    return [
        on_document(
            kpi,
            ("measure", "connection"),
            args={"connection": name, "known": known},
            fingerprint_path="measure.connection",
        )
    ]


def measure_parameter_unknown(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """M803: the query uses a :name other than :period_start and :period_end."""
    found = _measure(kpi)
    if found is None:
        return NOTHING
    from kpigov.measure.runner import PARAMETERS, parameters_of

    unknown = sorted(set(parameters_of(found[0])) - set(PARAMETERS))
    if not unknown:
        return NOTHING
    return [
        on_document(
            kpi,
            ("measure", "query"),
            args={"parameter": unknown[0]},
            fingerprint_path="measure.query:parameter",
        )
    ]
