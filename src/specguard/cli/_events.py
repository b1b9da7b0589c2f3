"""``specguard events``: validate the recent entries of a Redis stream against its AsyncAPI
channel (the event twin of ``specguard traffic``).

Exit codes: 0 every entry valid, 1 some rejected, 2 bad input or Redis could not be read (one
line naming the URL). The report goes to stdout or ``--output``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from specguard.cli._diff import write_output
from specguard.cli._formats import ResultKind, format_choice, render
from specguard.errors import LoadError
from specguard.report import OutputFormat

DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


@click.command("events")
@click.argument("spec")
@click.option("--redis", "url", default=DEFAULT_REDIS, show_default=True,
              help="Redis URL to read from (redis://, rediss:// or unix://).")
@click.option("--stream", required=True, help="The stream to read: a channel address of SPEC.")
@click.option("--count", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Read at most this many of the most recent entries.")
@click.option("--max-time", type=click.FloatRange(0.1, 3600), default=30.0, show_default=True,
              help="Stop reading after this many seconds and report what was read.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Folder $refs may not leave (default: the spec's folder).")
@click.option("--format", "fmt", type=format_choice(ResultKind.EVENTS), default="text",
              show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to this file instead of stdout.")
def events(spec: str, url: str, stream: str, count: int, max_time: float, root: str | None,
           fmt: str, output: Path | None) -> None:
    """Validate the recent entries of a Redis stream against the AsyncAPI channel SPEC gives
    that address: per message type, how many were rejected, with examples.

    Read-only (XLEN, XREVRANGE), bounded by --count and --max-time.
    """
    try:
        import redis  # noqa: F401
    except ImportError:
        raise LoadError(
            "specguard events needs the Redis client",
            hint="pip install 'specguard[events]'",
        ) from None
    from specguard.events import check_stream
    from specguard.load import load_spec

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise click.BadParameter(
            "expected a redis://, rediss:// or unix:// URL", param_hint="--redis"
        )
    loaded = load_spec(spec, root=root)
    if not loaded.is_asyncapi:
        raise LoadError("not an AsyncAPI document", file=loaded.root.name,
                        hint="specguard events reads AsyncAPI 2.6/3.0 event contracts")
    report = check_stream(loaded, url, stream, count=count, max_time=max_time)
    write_output(render(ResultKind.EVENTS, report, OutputFormat(fmt)), output)
    click.echo(
        f"specguard events: {report.read} entries, {report.rejected} rejected", err=True
    )
    sys.exit(1 if report.rejected else 0)


COMMANDS = [events]
