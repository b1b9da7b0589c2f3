"""Command line: thin click wrappers over the stages. Exit codes: 0 ok, 1 gate failed, 2 bad input.

Every subcommand lives in its own module and is attached here; errors derived from
:class:`~specguard.errors.SpecguardError` become one line on stderr and exit code 2.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
from typing import Any

import click

from specguard._inert import unprintable
from specguard.errors import SpecguardError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class _Group(click.Group):
    """Loads commands lazily; turns specguard's errors (and any crash) into one line, exit 2."""

    whole_process = False  # invoked as the process entry, not by a test's main()

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The process entry (the ``specguard`` script, ``python -m specguard``); tests call
        :meth:`main` instead, which this leaves alone.

        After ``diff`` and ``check`` the process ends without tearing down what the OS
        reclaims anyway (documents of millions of objects, validator caches): 0.2 s on a
        12 MB pair. Output is flushed first, so nothing written is lost.
        """
        self.whole_process = True
        try:
            return self.main(*args, **kwargs)
        except SystemExit as exc:
            if _FAST_EXIT & _invoked:
                _exit_now(exc.code)
            raise

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        _invoked.add(cmd_name)
        if cmd_name in _NO_COLLECTOR and self.whole_process:
            # One pair, then os._exit: the documents live to the end and the differ and judge
            # leave no cycles worth collecting; each collection rescans both documents.
            gc.disable()
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"specguard.cli.{module_name}")
        commands: list[click.Command] = module.COMMANDS
        return next((c for c in commands if c.name == cmd_name), None)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SpecguardError as exc:
            _fail(exc.one_line())
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader closed stdout (``| head``): nothing is wrong with the input
            silence_stdout()
            sys.exit(EXIT_OK)
        except RecursionError:
            _fail("input nested too deeply to process")
        except MemoryError:
            _fail("out of memory while processing the input")
        except Exception as exc:
            if os.environ.get("SPECGUARD_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} "
                  "(set SPECGUARD_DEBUG=1 for details)")


# Commands whose process may end with os._exit once their output is flushed.
_FAST_EXIT = frozenset({"diff", "check"})
# ... and that need no cyclic garbage collector on the way (check runs many services).
_NO_COLLECTOR = frozenset({"diff"})
_invoked: set[str] = set()


def _exit_now(code: object) -> None:
    """Flush what was written and end the process at once with ``code`` (SystemExit's)."""
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message") prints it and exits 1
        print(code, file=sys.stderr)
        status = EXIT_FAILED
    for stream in (sys.stdout, sys.stderr):
        # a reader that went away (BrokenPipeError) or a closed stream: the verdict stands
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(status)


def silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of a closed pipe is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _fail(message: str) -> None:
    # Messages quote spec text (keys, refs, validator output): it must not drive the terminal.
    text = unprintable(" ".join(message.split()))
    click.echo(f"specguard: error: {text}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="specguard")
def main() -> None:
    """Keep OpenAPI contracts honest: diff, gate, fuzz and verify."""


# Command name -> module that defines it. Modules are imported only when their command runs:
# the fuzz stage pulls in schemathesis and openapi-core, which `specguard diff` never needs.
COMMAND_MODULES: dict[str, str] = {
    "diff": "_diff",
    "rules": "_diff",
    "check": "_check",
    "ack": "_check",
    "changelog": "_check",
    "fuzz": "_fuzz",
    "verify": "_fuzz",
    "traffic": "_fuzz",
    "lint": "_lint",
    "events": "_events",
}
