"""ARCHITECTURE.md stays true: every import between stages is one its table allows.

The table's "may import" column is read as data (the backticked names); each module of
``src/specguard`` is parsed, and every ``specguard.*`` import it makes, at the top or inside a
function, must name its own stage or one the table lists for it. A stage that the table does
not list fails too, so a new sub-package cannot appear without its row.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "specguard"
_ROW = re.compile(r"^\| `(?P<stage>[\w.]+)`[^|]* \|.*\| (?P<allowed>[^|]*) \|$")
EVERYTHING = "everything"


def allowed_imports() -> dict[str, frozenset[str] | None]:
    """Stage -> the stages it may import (None: everything), from ARCHITECTURE.md's table."""
    table: dict[str, frozenset[str] | None] = {}
    for line in (ROOT / "ARCHITECTURE.md").read_text().splitlines():
        match = _ROW.match(line.strip())
        if match is None:
            continue
        cell = match["allowed"].split("(")[0]  # parenthesised remarks are prose
        names = frozenset(re.findall(r"`([\w.]+)`", cell))
        table[match["stage"]] = None if EVERYTHING in cell else names
    # Leaves (rows that import nothing of ours) may be imported by every stage.
    leaves = {stage for stage, names in table.items() if names == frozenset()}
    return {stage: None if names is None else names | leaves for stage, names in table.items()}


def stage_of(module: str) -> str:
    """``specguard.diff._schema`` -> ``diff``; ``specguard.api`` -> ``api``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "specguard"


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts)
        yield name.removesuffix(".__init__"), path


def imports_of(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """Every ``specguard`` module ``path`` imports, with its line (relative imports resolved)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "specguard":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] == "specguard":
                if target == "specguard":  # `from specguard import x`: x may be a stage
                    for alias in node.names:
                        yield f"specguard.{alias.name}", node.lineno
                else:
                    yield target, node.lineno


def _stage_name(module: str) -> str:
    stage = stage_of(module)
    return "specguard" if stage in ("__init__", "__main__") else stage


def test_every_stage_has_a_row() -> None:
    table = allowed_imports()
    missing = sorted({_stage_name(m) for m, _ in modules()} - table.keys())
    assert not missing, f"stages without a row in ARCHITECTURE.md: {missing}"


@pytest.mark.parametrize("module", [m for m, _ in modules()])
def test_imports_follow_the_table(module: str) -> None:
    table = allowed_imports()
    path = dict(modules())[module]
    stage = _stage_name(module)
    allowed = table.get(stage, frozenset())
    if allowed is None:
        return
    wrong = [
        f"{module}:{line} imports {target}"
        for target, line in imports_of(path, module)
        if (other := _stage_name(target)) != stage and other not in allowed
        and not (stage == "specguard" and other in ("specguard",))
    ]
    assert not wrong, f"imports ARCHITECTURE.md does not allow for `{stage}`:\n" + "\n".join(wrong)


def test_stages_form_no_cycle() -> None:
    """What the code imports, stage to stage, is a directed acyclic graph."""
    edges: dict[str, set[str]] = {}
    for module, path in modules():
        stage = _stage_name(module)
        for target, _ in imports_of(path, module):
            other = _stage_name(target)
            if other != stage and stage != "specguard" and other != "specguard":
                edges.setdefault(stage, set()).add(other)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle between stages: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for stage in sorted(edges):
        if stage not in state:
            visit(stage, [])


def test_the_table_is_read() -> None:
    """A guard on the parser: a few rows as the document states them."""
    table = allowed_imports()
    assert table["model"] is not None and "diff" not in table["model"]
    assert table["cli"] is None
    assert table["diff"] is not None and "load" in table["diff"]
