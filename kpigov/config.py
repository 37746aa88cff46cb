"""The frozen Config: defaults < [tool.kpigov] in pyproject.toml < kpigov.yaml < CLI flags."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from kpigov.findings import Span

CONFIG_FILE = "kpigov.yaml"
CACHE_DIR = ".kpigov_cache"

DEFAULT_LIMITS: Mapping[str, float] = MappingProxyType(
    {
        "key_kpis": 10,
        "kris": 10,
        "pis": 80,
        "total": 100,
        "kpis_per_goal": 5,
        "kpis_per_owner": 7,
        "kpis_per_team": 15,
        "formula_inputs": 4,
        "review_ratio": 100,
    }
)
DEFAULT_FINEST_FREQUENCY: Mapping[str, str] = MappingProxyType(
    {
        "financial": "weekly",
        "customer": "daily",
        "internal-process": "hourly",
        "learning-growth": "weekly",
    }
)


class ConfigError(Exception):
    """A usage or configuration error (exit 2), located in a file when it comes from one."""

    def __init__(
        self,
        message: str,
        file: Path | None = None,
        span: Span | None = None,
        setting: tuple[str | int, ...] = (),
    ):
        super().__init__(message)
        self.message = message
        self.file = file
        self.span = span
        self.setting = setting  # the configuration key at fault, for Config.locate

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = f"{self.file}:{self.span.line}:{self.span.column}" if self.span else str(self.file)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Config:
    root: Path
    config_file: Path | None = None
    name: str = "KPI handbook"
    language: str = "en"
    include: tuple[str, ...] = ("**/*.yaml", "**/*.yml")
    exclude: tuple[str, ...] = ()
    history: str = "history"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    custom_rules: tuple[str, ...] = ()
    limits: Mapping[str, float] = field(default_factory=lambda: DEFAULT_LIMITS)
    finest_frequency: Mapping[str, str] = field(default_factory=lambda: DEFAULT_FINEST_FREQUENCY)
    warnings: tuple[str, ...] = ()
    # Packed positions of kpigov.yaml's nodes by YAML path (for findings placed on the config).
    positions: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)
    # `defaults`: (files glob, fields) in order; later entries win.
    defaults: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    units: tuple[str, ...] = ()  # unit words allowed besides the built-in ones
    handle_pattern: str | None = None  # replaces the schema's handle pattern when set
    connections: Mapping[str, str] = field(default_factory=dict)  # name -> URL (with ${VAR}s)

    def locate(self, error: ConfigError) -> ConfigError:
        """The error placed at its configuration key (the nearest one written), when it has none."""
        if error.file is not None or not error.setting or self.config_file is None:
            return error
        span: Span | None
        if self.config_file.name == CONFIG_FILE:
            from kpigov.loader import to_span

            path = tuple(error.setting)
            while path and path not in self.positions:
                path = path[:-1]
            span = to_span(self.positions[path]) if path else Span(1, 1, 1, 1)
        else:
            span = _pyproject_span(self.config_file, error.setting)
        return ConfigError(error.message, self.config_file, span, error.setting)


# Fields a `defaults` entry may not set: they make a document what it is.
_IDENTITY = ("kind", "id", "name")


def _defaults(
    entries: Any, locate: Callable[..., ConfigError]
) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """The `defaults` entries, each `set` checked against the KPI schema at its own key."""
    from kpigov.schema import validate

    out = []
    for index, entry in enumerate(entries):
        values = dict(entry["set"])
        for key in _IDENTITY:
            if key in values:
                raise locate(
                    f"defaults[{index}].set.{key}: a default cannot set {key}; each KPI states its own",
                    "defaults",
                    index,
                    "set",
                    key,
                )
        for error in validate("kpi", {"kind": "kpi", "id": "default", "name": "Default", **values}):
            raise locate(
                f"defaults[{index}].set.{error.message}",
                "defaults",
                index,
                "set",
                *error.path,
            )
        out.append((str(entry["files"]), MappingProxyType(values)))
    return tuple(out)


def _handle_pattern(pattern: Any, locate: Callable[..., ConfigError]) -> str | None:
    """The configured handle pattern, checked to be one RE2 (linear time) accepts."""
    if pattern is None:
        return None
    from kpigov.custom import linear_regex

    if linear_regex(str(pattern)) is None:
        raise locate(
            "handle_pattern: not a regular expression RE2 accepts (no back-references or "
            "look-arounds)",
            "handle_pattern",
        )
    return str(pattern)


def find_root(start: Path) -> Path:
    """The nearest folder, from ``start`` upward, with kpigov.yaml (or a [tool.kpigov] table)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / CONFIG_FILE).is_file() or _pyproject_table(candidate) is not None:
            return candidate
    raise ConfigError(
        f"no {CONFIG_FILE} found in {folder} or any folder above it; "
        "run `kpigov init` to create a catalogue, or pass --root"
    )


def _pyproject_table(folder: Path) -> dict[str, Any] | None:
    path = folder / "pyproject.toml"
    if not path.is_file():
        return None
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read pyproject.toml: {error}", path) from None
    table = data.get("tool", {}).get("kpigov")
    return table if isinstance(table, dict) else None


def _pyproject_span(path: Path, error_path: Sequence[str | int] = ()) -> Span:
    """Where in pyproject.toml a key of [tool.kpigov] sits: the line of the longest prefix of
    ``error_path`` that a table header or a ``key =`` line names; the table's header otherwise.

    tomllib gives no positions, so the lines are read: headers ``[tool.kpigov.x]`` and
    ``key = value`` (dotted keys too) cover how people write this table."""
    wanted = tuple(str(part) for part in error_path)
    best: tuple[int, Span] = (-1, Span(1, 1, 1, 1))
    table: tuple[str, ...] | None = None
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("["):
                name = stripped.strip("[]").split("]")[0].strip()
                parts = tuple(part.strip().strip("\"'") for part in name.split("."))
                table = parts[2:] if parts[:2] == ("tool", "kpigov") else None
                if table is not None:
                    found = (table, Span(number, 1, number, len(line) + 1))
                else:
                    continue
            elif table is not None and "=" in stripped and not stripped.startswith("#"):
                key = stripped.split("=", 1)[0]
                parts = tuple(part.strip().strip("\"'") for part in key.split("."))
                column = len(line) - len(line.lstrip()) + 1
                found = (table + parts, Span(number, column, number, column + len(key.rstrip())))
            else:
                continue
            named, span = found
            if wanted[: len(named)] == named and len(named) > best[0]:
                best = (len(named), span)
    return best[1]


def _read_yaml_config(path: Path) -> tuple[dict[str, Any], Any]:
    from kpigov.loader import load_bytes

    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read the configuration: {error.strerror}", path) from None
    result = load_bytes(CONFIG_FILE, raw)
    first = result.first_problem()
    if first is not None:
        problem, text = first
        raise ConfigError(f"{text}; fix kpigov.yaml", path, problem.span)
    if not result.documents:
        return {}, None
    document = result.documents[0]
    if document.data is None:
        return {}, document
    if not isinstance(document.data, dict):
        from kpigov.loader import to_span

        raise ConfigError(
            "kpigov.yaml must be a mapping of settings (key: value lines)",
            path,
            to_span(document.root),
        )
    return document.data, document


def _check(data: dict[str, Any], path: Path, document: Any) -> None:
    from kpigov.schema import validate

    errors = validate("config", data)
    if errors:
        first = errors[0]
        span = (
            document.position(first.path, first.on_key)
            if document
            else _pyproject_span(path, first.path)
        )
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{first.message}{more}", path, span)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def load_config(
    root: Path,
    *,
    select: Sequence[str] | None = None,
    extend_ignore: Sequence[str] = (),
) -> Config:
    """The effective configuration of the catalogue at ``root`` with CLI overrides applied."""
    root = root.resolve()
    merged: dict[str, Any] = {}
    warnings: list[str] = []
    config_file: Path | None = None
    yaml_document: Any = None
    positions: Mapping[tuple[str | int, ...], int] = {}
    table = _pyproject_table(root)
    if table is not None:
        _check(table, root / "pyproject.toml", None)
        merged = _merge(merged, table)
        config_file = root / "pyproject.toml"
    yaml_path = root / CONFIG_FILE
    if yaml_path.is_file():
        data, document = _read_yaml_config(yaml_path)
        _check(data, yaml_path, document)
        if table is not None:
            warnings.append(
                "both kpigov.yaml and [tool.kpigov] in pyproject.toml configure kpigov; "
                "kpigov.yaml wins where they differ — keep one"
            )
        merged = _merge(merged, data)
        config_file, yaml_document = yaml_path, document
        positions = document.values if document is not None else {}
    rules = merged.get("rules", {})
    selected = tuple(select) if select is not None else tuple(rules.get("select", ()))
    limits = {**DEFAULT_LIMITS, **merged.get("limits", {})}
    finest = {**DEFAULT_FINEST_FREQUENCY, **merged.get("finest_frequency", {})}

    def locate(message: str, *key: str | int) -> ConfigError:
        span = None
        if yaml_document is not None and config_file == yaml_path:
            span = yaml_document.position(tuple(key))
        elif config_file is not None:
            span = _pyproject_span(config_file, key)
        return ConfigError(message, config_file, span, tuple(key))

    def inside(value: Any, *key: str | int) -> str:
        """A folder setting as a path relative to the root; refused when it leaves the root."""
        text = str(value)
        parts = Path(text).parts
        if not text.strip() or os.path.isabs(text) or ".." in parts or text.startswith("~"):
            raise locate(
                f"{'.'.join(map(str, key))}: {text!r} must be a folder inside the catalogue, "
                "written relative to kpigov.yaml (e.g. history)",
                *key,
            )
        return text.strip("/")

    history = inside(merged.get("history", "history"), "history")
    custom_rules = tuple(
        inside(folder, "custom_rules", index)
        for index, folder in enumerate(merged.get("custom_rules", ()))
    )
    return Config(
        root=root,
        config_file=config_file,
        name=merged.get("name", "KPI handbook"),
        language=merged.get("language", "en"),
        include=tuple(merged.get("include", Config.include)),
        exclude=tuple(merged.get("exclude", ())),
        history=history,
        select=selected,
        ignore=tuple(rules.get("ignore", ())) + tuple(extend_ignore),
        severity=MappingProxyType(dict(rules.get("severity", {}))),
        options=MappingProxyType(
            {k: MappingProxyType(dict(v)) for k, v in rules.get("options", {}).items()}
        ),
        per_file_ignores=MappingProxyType(
            {k: tuple(v) for k, v in merged.get("per_file_ignores", {}).items()}
        ),
        custom_rules=custom_rules,
        limits=MappingProxyType(limits),
        finest_frequency=MappingProxyType(finest),
        warnings=tuple(warnings),
        positions=MappingProxyType(dict(positions)),
        defaults=_defaults(merged.get("defaults", ()), locate),
        units=tuple(merged.get("units", ())),
        handle_pattern=_handle_pattern(merged.get("handle_pattern"), locate),
        connections=MappingProxyType(
            {name: str(spec["url"]) for name, spec in merged.get("connections", {}).items()}
        ),
    )
