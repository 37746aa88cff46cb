"""dbt semantic-layer metric files (``metrics:`` in a dbt project's YAML, with the
``semantic_models`` whose measures they use).

Mapping: name → id (under the file's name as area), label → name, description; a simple or
cumulative metric → a formula over its measure, the input's source being the dbt measure
(``semantic_model.measure``, its aggregation and expression) and its description the measure's
description and the metric's filter; a ratio → ``numerator / denominator`` over the two metrics
as KPIs; a derived metric → its expression over the metrics it names (aliases kept, an offset
window noted in the input's description). The metric's time grain, dbt config and meta are kept
as comments. dbt states no owner, goal, target, direction or frequency: they stay absent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpigov.importers import ImportBatch, Imported, ImportProblem, load_yaml_source
from kpigov.importers.values import IdMaker, slug


def _measures(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for model in data.get("semantic_models") or []:
        if not isinstance(model, dict):
            continue
        for measure in model.get("measures") or []:
            if isinstance(measure, dict) and isinstance(measure.get("name"), str):
                found[measure["name"]] = {**measure, "_model": model.get("name", "")}
    return found


def read_dbt_files(paths: list[tuple[Path, str]], ids: IdMaker) -> ImportBatch:
    """All metric files together: a ratio or derived metric may use metrics of another file."""
    batch = ImportBatch(language="en")
    loaded: list[tuple[str, Any, Any]] = []
    measures: dict[str, dict[str, Any]] = {}
    for path, name in paths:
        for document in load_yaml_source(path, name, batch):
            if isinstance(document.data, dict):
                loaded.append((name, document, document.data))
                measures.update(_measures(document.data))
    metric_ids: dict[str, str] = {}
    planned: list[tuple[str, Any, int, dict[str, Any]]] = []
    for name, document, data in loaded:
        for index, metric in enumerate(data.get("metrics") or []):
            where = f"{name}:{document.position(('metrics', index)).line}"
            if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
                batch.problems.append(
                    ImportProblem(where, "the metric has no name; it was not imported")
                )
                continue
            area = slug(Path(name).stem) or "metrics"
            metric_ids[metric["name"]] = ids.make(area, slug(metric["name"]) or "metric")
            planned.append((name, where, index, metric))
    for name, where, _, metric in planned:
        area = slug(Path(name).stem) or "metrics"
        batch.kpis.append(_metric(metric, where, area, metric_ids, measures, batch))
    return batch


def _metric(
    metric: dict[str, Any],
    where: str,
    area: str,
    metric_ids: dict[str, str],
    measures: dict[str, dict[str, Any]],
    batch: ImportBatch,
) -> Imported:
    label = metric.get("label") if isinstance(metric.get("label"), str) else metric["name"]
    kpi: dict[str, Any] = {"kind": "kpi", "id": metric_ids[metric["name"]], "name": label}
    comments: list[str] = [f"dbt metric: {metric['name']} ({metric.get('type', 'simple')})"]
    if isinstance(metric.get("description"), str):
        kpi["description"] = " ".join(metric["description"].split())
    params = metric.get("type_params") if isinstance(metric.get("type_params"), dict) else {}
    kind = metric.get("type", "simple")
    metric_filter = " ".join(str(metric["filter"]).split()) if metric.get("filter") else ""
    formula: dict[str, Any] | None = None
    if kind in ("simple", "cumulative") and params.get("measure"):
        measure_name = params["measure"]
        measure_name = measure_name.get("name") if isinstance(measure_name, dict) else measure_name
        measure = measures.get(str(measure_name), {})
        source = f"dbt measure {measure.get('_model', '?')}.{measure_name}"
        if measure.get("agg"):
            source += f" ({measure['agg']} of {measure.get('expr', measure_name)})"
        notes = [str(measure["description"]).strip()] if measure.get("description") else []
        if metric_filter:
            notes.append(f"filter: {metric_filter}")
        if kind == "cumulative":
            window = params.get("window") or params.get("cumulative_type_params", {}).get("window")
            notes.append(f"cumulative over {window}" if window else "cumulative over all time")
        variable = slug(str(measure_name)).replace("-", "_") or "measure"
        item: dict[str, Any] = {"name": variable, "source": source}
        if notes:
            item["description"] = "; ".join(notes)
        formula = {"expression": variable, "inputs": [item]}
    elif kind == "ratio":
        inputs = []
        names = []
        for role in ("numerator", "denominator"):
            ref = params.get(role)
            ref_name = ref.get("name") if isinstance(ref, dict) else ref
            if not isinstance(ref_name, str):
                batch.problems.append(ImportProblem(where, f"the ratio metric has no {role}"))
                return Imported(kpi, area, comments)
            variable = slug(ref_name).replace("-", "_")
            names.append(variable)
            item = {"name": variable, **_metric_ref(ref_name, metric_ids, where, batch)}
            if isinstance(ref, dict) and ref.get("filter"):
                item["description"] = f"filter: {' '.join(str(ref['filter']).split())}"
            inputs.append(item)
        formula = {"expression": f"{names[0]} / {names[1]}", "inputs": inputs}
        if metric_filter:
            comments.append(f"filter: {metric_filter}")
    elif kind == "derived" and isinstance(params.get("expr"), str):
        inputs = []
        for ref in params.get("metrics") or []:
            ref_name = ref.get("name") if isinstance(ref, dict) else ref
            if not isinstance(ref_name, str):
                continue
            alias = ref.get("alias") if isinstance(ref, dict) and ref.get("alias") else ref_name
            item = {"name": str(alias), **_metric_ref(ref_name, metric_ids, where, batch)}
            if isinstance(ref, dict) and ref.get("offset_window"):
                item["description"] = f"{ref_name} {ref['offset_window']} earlier"
            inputs.append(item)
        formula = {"expression": " ".join(params["expr"].split()), "inputs": inputs}
        if metric_filter:
            comments.append(f"filter: {metric_filter}")
    else:
        batch.problems.append(
            ImportProblem(
                where,
                f"metric type {kind!r} without the parameters kpigov reads; imported without a formula",
            )
        )
    if formula is not None:
        kpi["formula"] = formula
    for key in ("time_granularity", "config", "meta"):
        if metric.get(key):
            comments.append(f"{key}: {metric[key]}")
    kpi["source_ref"] = where
    return Imported(kpi, area, comments)


def _metric_ref(
    name: str, metric_ids: dict[str, str], where: str, batch: ImportBatch
) -> dict[str, str]:
    if name in metric_ids:
        return {"kpi": metric_ids[name]}
    batch.problems.append(
        ImportProblem(
            where, f"uses metric {name!r}, which is not among the imported files; kept as a source"
        )
    )
    return {"source": f"dbt metric {name}"}
