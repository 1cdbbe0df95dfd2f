"""No class in rnnviz/ over 400 lines and no function over 80.

A class that grows past 400 lines, or a function past 80, wants splitting
along its section banners. A piece that truly must stay whole goes in
:data:`ALLOWED` with its size as a ceiling and a one-line comment saying
why; none does today.
"""

from __future__ import annotations

import ast
from pathlib import Path


PACKAGE = Path(__file__).resolve().parent.parent / "rnnviz"
MAX_CLASS_LINES = 400
MAX_FUNCTION_LINES = 80

#: (path inside rnnviz/, qualified name) -> the most lines it may have, each with a
#: comment saying why it must stay whole.
ALLOWED: dict[tuple[str, str], int] = {}


def _sizes() -> dict[tuple[str, str], tuple[str, int]]:
    """Every class and function in rnnviz/ with its kind and length in lines (decorators excluded)."""
    found: dict[tuple[str, str], tuple[str, int]] = {}

    def visit(node: ast.AST, path: str, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                kind = "class" if isinstance(child, ast.ClassDef) else "function"
                found[(path, name)] = (kind, child.end_lineno - child.lineno + 1)
                visit(child, path, name + ".")
            else:
                visit(child, path, prefix)

    for file in sorted(PACKAGE.rglob("*.py")):
        visit(ast.parse(file.read_text(encoding="utf-8")), file.relative_to(PACKAGE).as_posix(), "")
    return found


SIZES = _sizes()


def test_the_walk_finds_the_package() -> None:
    # Guards the walk itself: a wrong folder or a broken visitor would pass everything.
    assert ("ui/files.py", "SessionFiles") in SIZES
    assert ("ui/files.py", "SessionFiles.open") in SIZES
    assert SIZES[("ui/diagram.py", "NetworkDiagram")][0] == "class"


def test_no_class_or_function_grows_past_its_limit() -> None:
    too_big = []
    for key, (kind, lines) in sorted(SIZES.items()):
        limit = MAX_CLASS_LINES if kind == "class" else MAX_FUNCTION_LINES
        ceiling = max(limit, ALLOWED.get(key, 0))
        if lines > ceiling:
            where = "its allowed size" if key in ALLOWED else f"{limit} lines"
            too_big.append(f"{key[0]}: {kind} {key[1]} has {lines} lines, more than {where}")
    assert not too_big, "split these along their section banners:\n" + "\n".join(too_big)


def test_every_allowed_entry_names_something_that_exists() -> None:
    # A renamed or moved piece must take its entry along, not leave a blank cheque behind.
    gone = [key for key in ALLOWED if key not in SIZES]
    assert not gone, f"{gone} are allowed to be large but no longer exist: delete their lines"
