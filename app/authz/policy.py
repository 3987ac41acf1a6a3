"""The access policy, read from `permissions/*.toml`: one file per client.

Invariant: anything a file does not grant is denied. A client that no file names does not
exist, and a client whose file does not list the running environment does not exist there.
The vocabulary is documented in `permissions/README.md`; `check_against` ties every name in
the policy to the schema, so a typo is a start-up error that names the file and line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.db.visibility import RowRule
from app.settings import DEFAULT_POLICY_DIR, Environment, Settings

DEVELOPER = "developer"
ENVIRONMENTS = frozenset({"development", "production"})
LIMIT_NAMES = ("depth", "aliases", "directives", "tokens", "cost")
DEFAULT_LIMITS = {"depth": 6, "aliases": 15, "directives": 50, "tokens": 1000, "cost": 5000}
GRANT_KINDS = ("operations", "fields", "arguments", "inputs")
RATE_NAMES = ("per_second", "burst")
MAX_RATE = 1_000_000  # per second, and a burst: beyond it a bucket's arithmetic gets coarse
# `trusted`: only the documents in schema/documents/<client>.json; `any`: ad-hoc ones too.
DOCUMENT_MODES = ("trusted", "any")


class PolicyError(ValueError):
    """The policy is malformed or names something that does not exist; says file and line."""


@dataclass(frozen=True, slots=True)
class Limits:
    depth: int
    aliases: int
    directives: int
    tokens: int
    cost: int


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Requests a client may send, across every worker and host: `per_second` sustained, up
    to `burst` at once after a quiet spell (a token bucket; app/http/rate_limiter.py)."""

    per_second: float
    burst: int


@dataclass(frozen=True, slots=True)
class Grants:
    """Schema coordinates: `Query.op`, `Type.field`, `Type.field.argument`, `Input.field`."""

    operations: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    arguments: frozenset[str] = frozenset()
    inputs: frozenset[str] = frozenset()
    everything: bool = False

    @property
    def readable(self) -> frozenset[str]:
        return self.operations | self.fields


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    id: str
    service: str
    environments: frozenset[str]
    introspection: bool
    documents: str  # one of DOCUMENT_MODES; a file that does not say is `trusted`
    rows: RowRule
    limits: Limits
    grants: Grants
    source: Path = field(compare=False)
    rate: RateLimit

    def line_of(self, name: str) -> int | None:
        for number, line in enumerate(self.source.read_text().splitlines(), start=1):
            if f'"{name}"' in line:
                return number
        return None


@dataclass(frozen=True, slots=True)
class Policy:
    clients: Mapping[str, ClientPolicy]
    withheld: frozenset[str] = frozenset()  # coordinates deliberately granted to no client

    def active_clients(self, env: Environment, allow_developer: bool = False) -> list[str]:
        """Clients that exist in `env`. In production the `developer` client exists only
        when the operator switched it on explicitly (LPA_GATEWAY_ALLOW_DEVELOPER_CLIENT)."""
        return sorted(
            c.id
            for c in self.clients.values()
            if env in c.environments or (c.id == DEVELOPER and allow_developer)
        )

    def for_settings(self, settings: Settings) -> list[ClientPolicy]:
        ids = self.active_clients(settings.env, settings.allow_developer_client)
        return [self.clients[c] for c in ids]


WITHHELD_FILE = "_withheld.toml"


def load_policy(folder: Path = DEFAULT_POLICY_DIR) -> Policy:
    clients: dict[str, ClientPolicy] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name != WITHHELD_FILE:
            client = _client(path)
            clients[client.id] = client
    if not clients:
        raise PolicyError(f"no client policy files in {folder}")
    return Policy(clients, _withheld(folder / WITHHELD_FILE))


def _withheld(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path.name}: {error}") from None
    names = data.get("withheld", [])
    if set(data) - {"withheld"} or not isinstance(names, list):
        raise PolicyError(f"{path.name}: expected only `withheld = [...]`")
    if not all(isinstance(n, str) for n in names):
        raise PolicyError(f"{path.name}: withheld lists coordinates as strings")
    return frozenset(names)


def _client(path: Path) -> ClientPolicy:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path.name}: {error}") from None
    unknown = set(data) - {"client", "limits", "rate", "grants"}
    if unknown:
        raise PolicyError(f"{path.name}: unknown table(s) {sorted(unknown)}")
    table = _table(path, data, "client")
    client_id = table.get("id")
    if not isinstance(client_id, str) or path.stem != client_id:
        raise PolicyError(f"{path.name}: client.id must match the file name")
    environments = table.get("environments")
    if (
        not isinstance(environments, list)
        or not environments
        or not set(environments) <= ENVIRONMENTS
    ):
        raise PolicyError(f"{path.name}: client.environments lists development and/or production")
    try:
        rows = RowRule(str(table.get("rows")))
    except ValueError:
        choices = ", ".join(r.value for r in RowRule)
        raise PolicyError(f"{path.name}: client.rows must be one of {choices}") from None
    documents = table.get("documents", "trusted")
    if documents not in DOCUMENT_MODES:
        choices = ", ".join(DOCUMENT_MODES)
        raise PolicyError(f"{path.name}: client.documents must be one of {choices}")
    grants = _grants(path, _table(path, data, "grants"))
    if grants.everything and set(environments) != {"development"}:
        raise PolicyError(f"{path.name}: grants.everything is for development-only clients")
    return ClientPolicy(
        id=client_id,
        service=str(table.get("service", "")),
        environments=frozenset(environments),
        introspection=table.get("introspection", False) is True,
        documents=documents,
        rows=rows,
        limits=_limits(path, data.get("limits", {})),
        grants=grants,
        source=path,
        rate=_rate(path, _table(path, data, "rate")),
    )


def _table(path: Path, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise PolicyError(f"{path.name}: a [{name}] table is required")
    return table


def _limits(path: Path, table: Any) -> Limits:
    if not isinstance(table, dict) or set(table) - set(LIMIT_NAMES):
        raise PolicyError(f"{path.name}: [limits] takes only {', '.join(LIMIT_NAMES)}")
    values = {**DEFAULT_LIMITS, **table}
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise PolicyError(f"{path.name}: limits.{name} must be a positive whole number")
        if value > DEFAULT_LIMITS[name]:
            raise PolicyError(f"{path.name}: limits.{name} may only tighten the default")
    return Limits(**values)


def _rate(path: Path, table: Mapping[str, Any]) -> RateLimit:
    """Every client has a rate limit: the [rate] table is required, both keys in it."""
    if set(table) != set(RATE_NAMES):
        raise PolicyError(f"{path.name}: [rate] takes exactly {', '.join(RATE_NAMES)}")
    per_second, burst = table["per_second"], table["burst"]
    if isinstance(per_second, bool) or not isinstance(per_second, int | float):
        raise PolicyError(f"{path.name}: rate.per_second must be a positive number")
    if not 0 < per_second <= MAX_RATE:
        raise PolicyError(f"{path.name}: rate.per_second must be above 0 and at most {MAX_RATE}")
    if isinstance(burst, bool) or not isinstance(burst, int) or not 0 < burst <= MAX_RATE:
        raise PolicyError(f"{path.name}: rate.burst must be a whole number from 1 to {MAX_RATE}")
    return RateLimit(float(per_second), burst)


def _grants(path: Path, table: Mapping[str, Any]) -> Grants:
    unknown = set(table) - {*GRANT_KINDS, "everything"}
    if unknown:
        raise PolicyError(f"{path.name}: unknown grant kind(s) {sorted(unknown)}")
    lists: dict[str, frozenset[str]] = {}
    for kind in GRANT_KINDS:
        names = table.get(kind, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise PolicyError(f"{path.name}: grants.{kind} must be a list of strings")
        if len(set(names)) != len(names):
            raise PolicyError(f"{path.name}: grants.{kind} names something twice")
        lists[kind] = frozenset(names)
    return Grants(**lists, everything=table.get("everything", False) is True)


def coordinates_named(policy: Policy) -> Iterable[tuple[ClientPolicy, str, str]]:
    for client in policy.clients.values():
        grants = client.grants
        for kind in GRANT_KINDS:
            for name in sorted(getattr(grants, kind)):
                yield client, kind, name
