"""The gateway's data files: its migrations, its default policy and its committed schema.

In a checkout they are the repository's top-level folders (`migrations/`, `permissions/`,
`schema/`). A built wheel carries copies of them inside the package, under `app/_bundled/`
(see setup.py), so an installed gateway needs nothing from the repository.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
BUNDLED = PACKAGE / "_bundled"


def data_dir(name: str) -> Path:
    """The folder `name` as installed with the package, or else the checkout's own."""
    bundled = BUNDLED / name
    return bundled if bundled.is_dir() else PACKAGE.parent / name


MIGRATIONS_DIR = data_dir("migrations")
POLICY_DIR = data_dir("permissions")
SCHEMA_DIR = data_dir("schema")
