"""Connections from kpigov.yaml: URLs with ``${VAR}`` from the environment, DuckDB as the
embedded default, and secrets masked in every message.

``duckdb:///data/warehouse.duckdb`` is a file relative to the catalogue root (opened read-only);
``duckdb://`` or ``duckdb:///:memory:`` is an in-memory database that reads CSV and Parquet files
under the root in place. Any other URL is SQLAlchemy's (``postgresql://…``, ``snowflake://…``),
with its driver installed as an extra (``kpigov[postgres]``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT = "default"
EMBEDDED = "duckdb://"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConnectionProblem(Exception):
    """A connection that cannot be made (message already masked)."""


@dataclass(frozen=True)
class Connection:
    name: str
    url: str  # expanded: holds secrets, never shown
    root: Path
    secrets: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_duckdb(self) -> bool:
        return self.url.startswith("duckdb:")

    @property
    def dialect(self) -> str | None:
        return dialect_of(self.url)

    def mask(self, text: str) -> str:
        """``text`` with every secret of this connection replaced by ***."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret:
                text = text.replace(secret, "***")
        return text

    @property
    def shown(self) -> str:
        """The URL as it may be printed: password and expanded variables masked."""
        return self.mask(masked_url(self.url))


def masked_url(url: str) -> str:
    """A URL with its password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def dialect_of(url: str) -> str | None:
    """The sqlglot dialect for a URL's scheme (None when unknown, e.g. a bare ${VAR})."""
    scheme = url.split("://", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    return {
        "duckdb": "duckdb",
        "postgresql": "postgres",
        "postgres": "postgres",
        "snowflake": "snowflake",
        "bigquery": "bigquery",
        "trino": "trino",
        "mysql": "mysql",
        "mariadb": "mysql",
        "sqlite": "sqlite",
        "mssql": "tsql",
        "redshift": "redshift",
        "databricks": "databricks",
        "oracle": "oracle",
    }.get(scheme)


def configured_url(connections: dict[str, str] | object, name: str) -> str | None:
    """The URL as written in kpigov.yaml (``default`` is the embedded DuckDB when not set)."""
    table = dict(connections) if connections else {}  # type: ignore[call-overload]
    if name in table:
        return str(table[name])
    return EMBEDDED if name == DEFAULT else None


def resolve(connections: object, name: str, root: Path) -> Connection:
    """The connection ``name`` with its ``${VAR}``s filled in from the environment."""
    written = configured_url(connections, name)
    if written is None:
        raise ConnectionProblem(f"no connection named {name!r} in kpigov.yaml's connections (M802)")
    secrets: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = os.environ.get(match[1])
        if value is None:
            raise ConnectionProblem(
                f"connection {name!r}: the environment variable {match[1]} is not set"
            )
        secrets.append(value)
        return value

    url = _VARIABLE.sub(fill, written)
    password = re.search(r"://[^:/@]*:([^@]*)@", url)
    if password:
        secrets.append(password[1])
    return Connection(name, url, root, tuple(secrets))
