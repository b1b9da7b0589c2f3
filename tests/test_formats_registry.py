"""One report stage: one vocabulary of output formats and one registry of renderers.

Every command's ``--format`` choices are its result kind's rows in
``specguard.cli._formats.RENDERERS``, and every command renders through that module's
``render``; no stage keeps an enum of formats of its own.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import click
import pytest

from specguard.cli import COMMAND_MODULES, main
from specguard.cli._check import parse_formats
from specguard.cli._formats import (
    COMMAND_KINDS,
    RENDERERS,
    ResultKind,
    formats_for,
    render,
)
from specguard.report import FORMATS, OutputFormat

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "specguard"
_ENUM_CLASS = re.compile(r"^class (\w*Format\w*)\((?:str, )?enum\.\w*Enum\)", re.MULTILINE)


def _format_option(name: str) -> click.Parameter | None:
    command = main.get_command(click.Context(main), name)
    assert command is not None, name
    return next((p for p in command.params if "--format" in getattr(p, "opts", ())), None)


def test_one_output_format_enum() -> None:
    """The formats are one closed vocabulary: `specguard.report.OutputFormat`, and no other
    enum of formats anywhere in the package."""
    found = [
        (path.relative_to(PACKAGE).as_posix(), name)
        for path in sorted(PACKAGE.rglob("*.py"))
        for name in _ENUM_CLASS.findall(path.read_text(encoding="utf-8"))
    ]
    assert found == [("report/__init__.py", "OutputFormat")]


def test_no_command_lists_its_formats_by_hand() -> None:
    """No `click.Choice` of literal format names is left in the CLI."""
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"Choice\(\[\s*\"(text|json)\"", text), path.name


@pytest.mark.parametrize("name", sorted(COMMAND_MODULES))
def test_format_choices_come_from_the_registry(name: str) -> None:
    """A command with --format has a result kind and offers exactly that kind's formats."""
    option = _format_option(name)
    if option is None:
        assert name not in COMMAND_KINDS
        return
    kind = COMMAND_KINDS[name]
    if isinstance(option.type, click.Choice):
        assert list(option.type.choices) == [fmt.value for fmt in formats_for(kind)]
    else:  # `check --format FORMAT[=FILE]`, repeatable, parsed by the command
        assert name == "check"
        for fmt in formats_for(kind):
            assert parse_formats((f"{fmt.value}=x",), None) == [(fmt, Path("x"))]
            assert fmt.value in (option.help or "")
        with pytest.raises(click.BadParameter):
            parse_formats(("yaml",), None)


def test_every_kind_has_commands_and_formats() -> None:
    """No kind is orphaned: each is some command's, and each writes at least one format."""
    assert set(COMMAND_KINDS.values()) == set(ResultKind)
    for kind in ResultKind:
        assert formats_for(kind), kind
    assert formats_for(ResultKind.DIFF) == tuple(FORMATS)
    assert {fmt for _, fmt in RENDERERS} == set(OutputFormat)


@pytest.mark.parametrize(
    ("kind", "fmt"), list(RENDERERS), ids=lambda v: v.value if hasattr(v, "value") else str(v)
)
def test_every_renderer_resolves(kind: ResultKind, fmt: OutputFormat) -> None:
    """Each registered renderer names a function that exists (they are imported lazily)."""
    renderer = RENDERERS[kind, fmt]
    assert callable(getattr(importlib.import_module(renderer.module), renderer.function))


def test_an_unsupported_pair_is_an_error() -> None:
    """The registry is the whole statement of support: no row, no report."""
    with pytest.raises(ValueError, match="no html report of lint results"):
        render(ResultKind.LINT, object(), OutputFormat.HTML)


def test_commands_render_through_the_registry() -> None:
    """No CLI module imports a `render` other than the registry's."""
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and any(a.name == "render" for a in node.names):
                assert node.module == "specguard.cli._formats", f"{path.name}:{node.lineno}"
