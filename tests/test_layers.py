"""Imports point one way: http -> graphql -> domain, with authz beside graphql (graphql may
use authz, authz nothing of graphql), and db -> domain: the database layer maps the domain's
records to tables, so it depends on the domain and never the reverse. graphql reaches the
database only through the repository object of its request context: it imports neither the
modules that run statements (the repository's own modules, prepared statements, the engine)
nor the database libraries, but for SQLAlchemy's exceptions. `app.settings` sits below
everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
RANK = {"settings": 0, "domain": 1, "db": 2, "authz": 3, "graphql": 4, "http": 5, "cli": 6}
FRAMEWORKS = ("strawberry", "starlette", "graphql", "uvicorn", "httpx")
# What runs statements of its own; `app.db.repository` itself (the package) is the way in.
DATA_PATH = (
    "app.db.repository.",
    "app.db.prepared",
    "app.db.engine",
    "app.db.fees",
    "app.db.idempotency",
    "app.db.history",
)
DATABASE_LIBRARIES = ("sqlalchemy", "asyncpg", "aiosqlite")


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path, root: Path = APP) -> list[str]:
    names: list[str] = []
    package = "app." + ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rstrip(".").split(".")
                base = base[: len(base) - (node.level - 1)]
                names.append(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.append(node.module)
    return names


def _modules(root: Path = APP) -> list[tuple[str, Path]]:
    found = []
    for path in root.rglob("*.py"):
        module = "app." + ".".join(path.relative_to(root).with_suffix("").parts)
        found.append((module.removesuffix(".__init__"), path))
    return found


def upward_imports(root: Path = APP) -> list[str]:
    wrong = []
    for module, path in _modules(root):
        own = RANK.get(_layer(module))
        if own is None:
            continue
        for name in _imports(path, root):
            if not name.startswith("app."):
                continue
            other = RANK.get(_layer(name))
            if other is not None and other > own:
                wrong.append(f"{module} imports {name}")
    return wrong


def data_path_imports(root: Path = APP) -> list[str]:
    """Imports by which graphql would reach the database other than through the repository."""
    wrong = []
    for module, path in _modules(root):
        if _layer(module) != "graphql":
            continue
        for name in _imports(path, root):
            library = name.split(".")[0] in DATABASE_LIBRARIES
            if name.startswith(DATA_PATH) or (library and not name.startswith("sqlalchemy.exc")):
                wrong.append(f"{module} imports {name}")
    return wrong


def test_no_layer_imports_a_higher_one() -> None:
    assert upward_imports() == []


def test_domain_and_db_know_nothing_of_graphql_or_http() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) in ("domain", "db")
        for name in _imports(path)
        if name.split(".")[0] in FRAMEWORKS
    ]
    assert wrong == []


def test_the_checker_sees_upward_imports(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "domain").mkdir()
    (tmp_path / "db" / "leak.py").write_text("from app.http.app import create_app\n")
    (tmp_path / "domain" / "rel.py").write_text("from ..graphql import schema\n")
    (tmp_path / "authz").mkdir()
    (tmp_path / "db" / "fine.py").write_text("from app.domain.records import Lpa\n")
    (tmp_path / "domain" / "store.py").write_text("from app.db.models import Lpa\n")
    (tmp_path / "authz" / "cycle.py").write_text("from app.graphql.errors import Forbidden\n")
    assert sorted(upward_imports(tmp_path)) == [
        "app.authz.cycle imports app.graphql.errors",
        "app.db.leak imports app.http.app",
        "app.domain.rel imports app.graphql",
        "app.domain.store imports app.db.models",
    ]


def test_the_domain_imports_no_framework_or_database() -> None:
    wrong = [
        f"{module} imports {name}"
        for module, path in _modules()
        if _layer(module) == "domain"
        for name in _imports(path)
        if name.split(".")[0] in ("sqlalchemy", "asyncpg", "strawberry", "pydantic")
    ]
    assert wrong == []


def test_graphql_reaches_the_database_only_through_the_repository() -> None:
    assert data_path_imports() == []


def test_the_checker_sees_graphql_going_round_the_repository(tmp_path: Path) -> None:
    (tmp_path / "graphql").mkdir()
    (tmp_path / "graphql" / "fine.py").write_text(
        "from app.db.repository import CallerRepository\n"
        "from sqlalchemy.exc import IntegrityError\n"
    )
    (tmp_path / "graphql" / "around.py").write_text(
        "from app.db.repository.reads import status_row\n"
        "from app.db.prepared import Statements\n"
        "from sqlalchemy.ext.asyncio import AsyncConnection\n"
    )
    assert sorted(data_path_imports(tmp_path)) == [
        "app.graphql.around imports app.db.prepared",
        "app.graphql.around imports app.db.repository.reads",
        "app.graphql.around imports sqlalchemy.ext.asyncio",
    ]
