"""``specguard fuzz``, ``specguard verify`` and ``specguard traffic``: the dynamic half.

Exit codes: 0 clean, 1 failures found, 2 bad input or the service could not be reached (one
line on stderr naming the URL and how it failed). Reports go to stdout or ``--output``;
progress goes to stderr (a bar on a terminal, plain lines otherwise).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from specguard.cli._diff import write_output
from specguard.cli._formats import ResultKind, format_choice, render
from specguard.fuzz import (
    ALL_PHASES,
    FuzzOptions,
    Phase,
    Target,
    check_traffic,
    load_app,
    progress_for,
    run_fuzz,
    run_verify,
)
from specguard.load import Spec, load_spec
from specguard.report import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])


def _cache_dir() -> Path:
    """Where Hypothesis keeps its caches, so runs do not litter the checkout."""
    explicit = os.environ.get("SPECGUARD_CACHE_DIR")
    if explicit:
        return Path(explicit) / "hypothesis"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "specguard" / "hypothesis"


def _headers(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for raw in values:
        name, sep, value = raw.partition(":")
        if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
            raise click.BadParameter(f"expected 'Name: value', got {raw!r}", ctx, param)
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


def _auth(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise click.BadParameter("expected USER:PASSWORD", ctx, param)
    return user, password


def _phases(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[Phase, ...]:
    if value is None:
        return ALL_PHASES
    chosen = []
    for name in (part.strip() for part in value.split(",")):
        try:
            chosen.append(Phase(name))
        except ValueError:
            known = ", ".join(p.value for p in Phase)
            raise click.BadParameter(f"unknown phase {name!r} (choose from {known})") from None
    return tuple(p for p in ALL_PHASES if p in chosen)


def _checks(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(part.strip() for part in value.split(",") if part.strip())
    if not names:
        raise click.BadParameter("name at least one check, or 'all'", ctx, param)
    return names


def _run_options(kind: ResultKind) -> Callable[[F], F]:
    """Options shared by ``fuzz`` and ``verify``: target, volume, network, report (in the
    formats of ``kind``)."""
    return lambda command: _with_run_options(command, kind)


def _with_run_options(command: F, kind: ResultKind) -> F:
    decorators = [
        click.option("--url", help="Base URL of the running service (include any base path)."),
        click.option(
            "--app",
            "app_ref",
            metavar="MODULE:ATTR",
            help="Test an ASGI app in-process instead of a URL.",
        ),
        click.option(
            "--app-dir",
            default=None,
            type=click.Path(file_okay=False),
            help="Folder to import --app from (default: the current folder).",
        ),
        click.option(
            "--checks", callback=_checks, help="Comma-separated schemathesis checks, or 'all'."
        ),
        click.option(
            "--max-examples",
            "-n",
            type=click.IntRange(min=1),
            help="Examples per operation and phase (schemathesis default: 100).",
        ),
        click.option("--max-time", type=click.IntRange(min=1), help="Stop after SECONDS."),
        click.option(
            "--phases",
            callback=_phases,
            help="Comma-separated: examples,coverage,fuzzing,stateful (default: all).",
        ),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            help="Seed to reproduce a run (printed in every report).",
        ),
        click.option(
            "--workers",
            "-w",
            type=click.IntRange(1, 64),
            default=1,
            show_default=True,
            help="Operations tested in parallel.",
        ),
        click.option(
            "--header",
            "-H",
            "headers",
            multiple=True,
            callback=_headers,
            help="'Name: value' sent with every request; redacted in reports.",
        ),
        click.option(
            "--auth",
            "-a",
            "basic_auth",
            callback=_auth,
            metavar="USER:PASSWORD",
            help="HTTP basic auth; redacted in reports.",
        ),
        click.option("--rate-limit", help="Request budget, e.g. 100/s or 1000/m."),
        click.option(
            "--include-operation",
            "include",
            multiple=True,
            help="Only this operation ('METHOD /path' or operationId); repeatable.",
        ),
        click.option(
            "--request-timeout",
            type=click.FloatRange(min=0.1),
            default=10.0,
            show_default=True,
            help="Seconds to wait for each response.",
        ),
        click.option(
            "--max-failures", type=click.IntRange(min=1), help="Stop after this many failures."
        ),
        click.option(
            "--root",
            type=click.Path(file_okay=False),
            default=None,
            help="Folder $refs may not leave (default: the spec's folder).",
        ),
        click.option(
            "--format",
            "fmt",
            type=format_choice(kind),
            default="text",
            show_default=True,
            help="Report format.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the report to a file instead of stdout.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress on stderr."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _target(url: str | None, app_ref: str | None, app_dir: str | None) -> Target:
    if (url is None) == (app_ref is None):
        raise click.UsageError("give exactly one of --url and --app")
    if url is not None:
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--url")
        return Target.from_url(url)
    assert app_ref is not None
    return Target.from_app(load_app(app_ref, app_dir), app_ref)


def _options(params: dict[str, Any]) -> FuzzOptions:
    headers = params["headers"]
    if params["basic_auth"] is not None and any(n.lower() == "authorization" for n, _ in headers):
        raise click.UsageError(
            "--auth and -H 'Authorization: ...' both set the Authorization header"
        )
    return FuzzOptions(
        checks=params["checks"],
        max_examples=params["max_examples"],
        max_time=params["max_time"],
        phases=params["phases"],
        seed=params["seed"],
        workers=params["workers"],
        headers=headers,
        basic_auth=params["basic_auth"],
        rate_limit=params["rate_limit"],
        include_operations=tuple(params["include"]),
        request_timeout=params["request_timeout"],
        max_failures=params["max_failures"],
    )


def _load(location: str, root: str | None) -> Spec:
    return load_spec(location, root=root)


def _finish(ok: bool, unreachable: str | None, abandoned: bool = False) -> None:
    if unreachable is not None:
        click.echo(f"specguard: error: {unreachable}", err=True)
        code = 2
    else:
        code = 0 if ok else 1
    if abandoned:
        # a request is still hanging in an engine thread the interpreter would wait for at
        # exit: the report is written, so leave now
        click.echo("specguard: --max-time reached with a request still unanswered", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


@click.command()
@click.argument("spec")
@_run_options(ResultKind.FUZZ)
def fuzz(spec: str, **params: Any) -> None:
    """Property-test a running service (or an ASGI app) against contract SPEC.

    Every failure is reported with its operation, check, response status and body excerpt,
    a runnable curl command and the seed. Exit codes: 0 clean, 1 failures, 2 bad input or
    service unreachable.
    """
    target = _target(params["url"], params["app_ref"], params["app_dir"])
    options = _options(params)
    loaded = _load(spec, params["root"])
    report = run_fuzz(
        loaded,
        target,
        options,
        progress=progress_for(sys.stderr, quiet=params["quiet"]),
        cache_dir=_cache_dir(),
    )
    write_output(render(ResultKind.FUZZ, report, OutputFormat(params["fmt"])), params["output"])
    _finish(report.ok, report.unreachable, report.abandoned)


@click.command()
@click.option("--old", "old", required=True, help="The contract old clients were built against.")
@click.option(
    "--new",
    "new",
    default=None,
    help="The new contract: join the run with the static diff OLD→NEW.",
)
@click.option(
    "--changed-only", is_flag=True, help="Fuzz only operations the diff touched (needs --new)."
)
@_run_options(ResultKind.VERIFY)
def verify(old: str, new: str | None, changed_only: bool, **params: Any) -> None:
    """Send requests valid under the OLD contract to the running (new) service.

    Fails when a valid old request is rejected (a 5xx, an undocumented status, or a 4xx
    other than 401/403/404/409/429, even a documented 400) or a response no longer matches
    the old contract. With --new, each breaking finding of
    the diff is marked confirmed or not-observed, and each failure no finding predicts is
    an undocumented-behaviour-change. Exit codes: 0 clean, 1 failures, 2 bad input or
    service unreachable.
    """
    if changed_only and new is None:
        raise click.UsageError("--changed-only needs --new (it fuzzes what the diff touched)")
    target = _target(params["url"], params["app_ref"], params["app_dir"])
    options = _options(params)
    old_spec = _load(old, params["root"])
    diff = None
    if new is not None:
        from specguard import diff_specs

        diff = diff_specs(old_spec, _load(new, params["root"]))
    report = run_verify(
        old_spec,
        target,
        options,
        diff=diff,
        new_spec=new,
        changed_only=changed_only,
        progress=progress_for(sys.stderr, quiet=params["quiet"]),
        cache_dir=_cache_dir(),
    )
    write_output(
        render(ResultKind.VERIFY, report, OutputFormat(params["fmt"])), params["output"]
    )
    _finish(report.ok, report.run.unreachable, report.run.abandoned)


@click.command()
@click.argument("spec")
@click.option(
    "--har",
    "hars",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="A HAR file of recorded traffic; repeatable. Large files are streamed.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder $refs may not leave (default: the spec's folder).",
)
@click.option(
    "--format",
    "fmt",
    type=format_choice(ResultKind.TRAFFIC),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to a file instead of stdout.",
)
def traffic(
    spec: str, hars: tuple[str, ...], root: str | None, fmt: str, output: Path | None
) -> None:
    """Validate recorded traffic (HAR) against contract SPEC with openapi-core.

    Per operation: how many recorded requests and responses the contract would reject, with
    the first few examples and the reason. Paths the contract does not know are counted,
    not fatal. Exit codes: 0 all matched traffic valid, 1 invalid exchanges, 2 bad input.
    """
    report = check_traffic(_load(spec, root), hars)
    write_output(render(ResultKind.TRAFFIC, report, OutputFormat(fmt)), output)
    sys.exit(0 if report.ok else 1)


COMMANDS: list[click.Command] = [fuzz, verify, traffic]
