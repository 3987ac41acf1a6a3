"""The access policy, read from `permissions/*.toml`: one file per client.

Invariant: a client that no file names does not exist, and a client whose file does not list
the running environment does not exist there either.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.settings import Environment

DEFAULT_POLICY_DIR = Path(__file__).resolve().parents[2] / "permissions"


class PolicyError(ValueError):
    """The policy files are malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    id: str
    service: str
    environments: frozenset[str]


@dataclass(frozen=True, slots=True)
class Policy:
    clients: Mapping[str, ClientPolicy]

    def active_clients(self, env: Environment) -> list[str]:
        return sorted(c.id for c in self.clients.values() if env in c.environments)


def load_policy(folder: Path = DEFAULT_POLICY_DIR) -> Policy:
    clients: dict[str, ClientPolicy] = {}
    for path in sorted(folder.glob("*.toml")):
        client = _client(path)
        if client.id in clients:
            raise PolicyError(f"{path.name}: client {client.id} is defined twice")
        clients[client.id] = client
    if not clients:
        raise PolicyError(f"no client policy files in {folder}")
    return Policy(clients)


def _client(path: Path) -> ClientPolicy:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path.name}: {error}") from None
    table = data.get("client")
    if not isinstance(table, dict):
        raise PolicyError(f"{path.name}: a [client] table is required")
    client_id, service, environments = (table.get(k) for k in ("id", "service", "environments"))
    if not isinstance(client_id, str) or path.stem != client_id:
        raise PolicyError(f"{path.name}: client.id must match the file name")
    if not isinstance(service, str):
        raise PolicyError(f"{path.name}: client.service must be a string")
    if not isinstance(environments, list) or not set(environments) <= {
        "development",
        "production",
    }:
        raise PolicyError(f"{path.name}: client.environments lists development/production")
    return ClientPolicy(client_id, service, frozenset(environments))
