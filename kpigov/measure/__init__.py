"""`kpigov measure`: compute each KPI's value in the organisation's database and keep it.

A value that is not stored when it is measured can later no longer be known ("how many requests
were open at the end of last week?"), so kpigov runs each KPI's ``measure.query`` for its period
and appends ``date,value[,note]`` to ``history/<id>.csv`` — append-only: a date already recorded
with the same value is skipped, with another value the KPI is refused.

- ``periods``: the calendar period that ends on a measurement date, and which dates to measure;
- ``connections``: connection URLs from kpigov.yaml, ``${VAR}`` expansion, masking of secrets;
- ``record``: the append-only, atomic, locked history write;
- ``runner``: runs the queries (concurrently, each with a time limit) and records the results.
"""
