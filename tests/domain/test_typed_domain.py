"""The domain works on typed records: no annotation in `app/domain` is a name-keyed map of
anything (`Mapping[str, Any]`, `dict[str, Any]`, ...). What the OPG store's JSON held is read
into records of its own (`app.domain.held`), not kept as a map by field name."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"
MAPS = {"Mapping", "MutableMapping", "dict", "Dict"}


def _untyped_maps(source: str) -> list[int]:
    """Lines of the annotations that are a map to Any."""
    found = []
    for node in ast.walk(ast.parse(source)):
        annotation: ast.expr | None = None
        if isinstance(node, (ast.AnnAssign, ast.arg)):
            annotation = node.annotation
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotation = node.returns
        for sub in ast.walk(annotation) if annotation is not None else ():
            if (
                isinstance(sub, ast.Subscript)
                and ast.unparse(sub.value).split(".")[-1] in MAPS
                and isinstance(sub.slice, ast.Tuple)
                and ast.unparse(sub.slice.elts[-1]).split(".")[-1] == "Any"
            ):
                found.append(sub.lineno)
    return sorted(found)


def test_the_domain_holds_no_map_of_anything() -> None:
    wrong = {
        str(path.relative_to(DOMAIN)): lines
        for path in sorted(DOMAIN.rglob("*.py"))
        if (lines := _untyped_maps(path.read_text()))
    }
    assert wrong == {}


def test_the_check_sees_every_spelling() -> None:
    source = (
        "import typing\n"
        "held: Mapping[str, Any]\n"
        "def keep(held: dict[str, typing.Any]) -> None: ...\n"
        "def made() -> list[typing.MutableMapping[str, Any]]: ...\n"
        "fine: Mapping[str, object]\n"
        "also_fine: dict[str, int]\n"
    )
    assert _untyped_maps(source) == [2, 3, 4]
