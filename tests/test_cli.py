"""`specguard diff` and `specguard rules` end to end through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from specguard.cli import main

CASE = Path(__file__).resolve().parent.parent / "fixtures" / "request-parameter-required-added"
OLD, NEW = str(CASE / "basic" / "old.yaml"), str(CASE / "basic" / "new.yaml")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_breaking_change_fails_the_gate(runner: CliRunner) -> None:
    """A breaking change exits 1 and the text report names rule, operation and lines."""
    result = runner.invoke(main, ["diff", OLD, NEW])
    assert result.exit_code == 1, result.output
    assert "BREAKING request-parameter-required-added" in result.stdout
    assert "GET /orders/{orderId}" in result.stdout
    assert "new.yaml:9" in result.stdout


def test_identical_specs_pass(runner: CliRunner) -> None:
    """No change: exit 0 and a zero summary."""
    result = runner.invoke(main, ["diff", OLD, OLD])
    assert result.exit_code == 0
    assert "0 change(s)" in result.stdout


def test_fail_on_never_and_warning(runner: CliRunner) -> None:
    """--fail-on sets the threshold of the gate."""
    assert runner.invoke(main, ["diff", OLD, NEW, "--fail-on", "never"]).exit_code == 0
    assert runner.invoke(main, ["diff", NEW, OLD, "--fail-on", "breaking"]).exit_code == 0
    assert runner.invoke(main, ["diff", NEW, OLD, "--fail-on", "warning"]).exit_code == 1


def test_json_contract(runner: CliRunner) -> None:
    """--format json prints the documented, versioned object."""
    result = runner.invoke(main, ["diff", OLD, NEW, "--format", "json"])
    data = json.loads(result.stdout)
    assert data["schemaVersion"] == 1
    assert data["summary"] == {"breaking": 1, "warning": 0, "safe": 1}
    finding = next(f for f in data["findings"] if f["level"] == "breaking")
    assert set(finding) >= {"id", "level", "message", "direction", "operations", "old", "new",
                            "fingerprint", "witness", "note"}
    assert finding["operations"] == [{"method": "get", "path": "/orders/{orderId}"}]
    assert finding["old"] is None
    assert finding["new"]["line"] == 9
    assert finding["fingerprint"].startswith("request-parameter-required-added:")
    # the message's arguments, as data (the message is rendered from them)
    assert finding["args"] == {"location": "query", "name": "tenant"}
    assert "tenant" in finding["message"]


def test_level_filters_the_report_not_the_gate(runner: CliRunner) -> None:
    """--level breaking hides safe findings; the summary still counts them."""
    result = runner.invoke(main, ["diff", OLD, NEW, "--format", "json", "--level", "breaking"])
    data = json.loads(result.stdout)
    assert [f["level"] for f in data["findings"]] == ["breaking"]
    assert data["summary"]["safe"] == 1


def test_stdin_as_new(runner: CliRunner) -> None:
    """'-' reads one side from stdin."""
    result = runner.invoke(main, ["diff", OLD, "-", "--format", "json"],
                           input=Path(NEW).read_text())
    assert result.exit_code == 1
    assert json.loads(result.stdout)["new"] == "<stdin>"


def test_output_file(runner: CliRunner, tmp_path: Path) -> None:
    """-o writes the report to a file and leaves stdout empty."""
    out = tmp_path / "report.json"
    result = runner.invoke(main, ["diff", OLD, NEW, "--format", "json", "-o", str(out)])
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["summary"]["breaking"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("openapi: 3.1.0\n  bad: [\n", "invalid YAML"),
        ("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "Swagger 2.0"),
        ("- a\n- b\n", "not a mapping"),
        ("", "empty document"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    """Bad input: one line on stderr naming the file, exit 2, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    result = runner.invoke(main, ["diff", OLD, str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0] and message in lines[0]
    assert "Traceback" not in result.output


def test_missing_file(runner: CliRunner) -> None:
    """A missing file is named in the error."""
    result = runner.invoke(main, ["diff", OLD, "/nonexistent/spec.yaml"])
    assert result.exit_code == 2
    assert "/nonexistent/spec.yaml: file not found" in result.stderr


def test_rules_catalogue_as_json(runner: CliRunner) -> None:
    """`specguard rules --format json` lists every rule with level and rationale."""
    result = runner.invoke(main, ["rules", "--format", "json"])
    rules = json.loads(result.stdout)
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) > 100
    assert all(r["level"] in ("breaking", "warning", "safe") and r["rationale"] for r in rules)


def test_lazy_command_table_matches_the_modules() -> None:
    """Every command a CLI module defines is reachable by name, and nothing else is listed."""
    import importlib

    from specguard.cli import COMMAND_MODULES

    defined = {}
    for module_name in set(COMMAND_MODULES.values()):
        module = importlib.import_module(f"specguard.cli.{module_name}")
        for command in module.COMMANDS:
            defined[command.name] = module_name
    assert defined == COMMAND_MODULES
    result = CliRunner().invoke(main, ["--help"])
    for name in COMMAND_MODULES:
        assert name in result.stdout


def _closed_early(*args: str) -> int:
    """Run specguard with a reader that takes one line and closes the pipe (``| head -1``)."""
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "specguard", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    errors = process.stderr.read().decode()
    code = process.wait(timeout=60)
    assert "Traceback" not in errors and "error" not in errors, errors
    return code


def test_a_closed_stdout_ends_quietly_with_the_verdict() -> None:
    """`| head -1`: no error and no traceback; diff still exits with the gate's verdict."""
    assert _closed_early("rules") == 0
    assert _closed_early("diff", OLD, NEW) == 1


def test_output_folders_are_created(runner: CliRunner, tmp_path: Path) -> None:
    """-o into folders that do not exist yet writes the report there."""
    target = tmp_path / "reports" / "today" / "diff.json"
    result = runner.invoke(main, ["diff", OLD, NEW, "--format", "json", "-o", str(target)])
    assert result.exit_code == 1, result.output
    assert json.loads(target.read_text())["summary"]["breaking"] >= 1


def test_an_unwritable_report_is_one_line_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """A report that cannot be written (its folder is a file) is one line naming it, exit 2."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(main, ["diff", OLD, NEW, "-o", str(blocker / "r.txt")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "cannot write the report" in result.stderr and str(blocker) in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),  # not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag is explicit
        ([], {"FORCE_COLOR": "1"}, True),  # CI logs render ANSI colours
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_follows_the_flag_and_the_environment(
    runner: CliRunner, args: list[str], env: dict[str, str], coloured: bool
) -> None:
    """--color auto|always|never; in auto, NO_COLOR wins over FORCE_COLOR, a pipe is plain."""
    clean = {"NO_COLOR": "", "FORCE_COLOR": "", **env}
    result = runner.invoke(main, ["diff", OLD, NEW, *args], env=clean)
    assert result.exit_code == 1
    assert ("\x1b[31mBREAKING" in result.stdout) is coloured
    assert "\x1b[" in result.stdout or not coloured


def test_a_url_is_a_spec_input(runner: CliRunner, tmp_path: Path) -> None:
    """`specguard diff URL FILE`: the URL is fetched once (loopback here) and diffed; a
    relative $ref inside it is remote, followed only with --allow-remote-refs."""
    import functools
    import http.server
    import threading

    served = tmp_path / "served"
    served.mkdir()
    (served / "old.yaml").write_text((CASE / "basic" / "old.yaml").read_text())
    (served / "split.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    A: {$ref: 'parts.yaml#/A'}\n"
    )
    (served / "parts.yaml").write_text("A: {type: string}\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        result = runner.invoke(main, ["diff", f"{base}/old.yaml", NEW])
        assert result.exit_code == 1, result.output
        assert "request-parameter-required-added" in result.stdout
        refused = runner.invoke(main, ["diff", f"{base}/split.yaml", f"{base}/split.yaml"])
        assert refused.exit_code == 2
        assert "--allow-remote-refs" in refused.stderr
        followed = runner.invoke(
            main, ["diff", f"{base}/split.yaml", f"{base}/split.yaml", "--allow-remote-refs"]
        )
        assert followed.exit_code == 0, followed.output
        missing = runner.invoke(main, ["diff", f"{base}/nope.yaml", NEW])
        assert missing.exit_code == 2 and "cannot fetch" in missing.stderr
    finally:
        server.shutdown()


def test_progress_is_shown_on_a_terminal_only(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal stderr names each stage with the elapsed time; a pipe gets none of it."""
    import specguard.cli._diff as diff_cli

    quiet = runner.invoke(main, ["diff", OLD, NEW])
    assert "loading" not in quiet.stderr
    monkeypatch.setattr(diff_cli, "stderr_is_terminal", lambda: True)
    shown = runner.invoke(main, ["diff", OLD, NEW])
    assert shown.exit_code == 1
    for stage in ("loading", "validating, comparing and judging"):
        assert f"specguard: {stage}…" in shown.stderr
    assert "BREAKING" in shown.stdout and "specguard:" not in shown.stdout


def test_only_a_diff_process_of_its_own_turns_the_collector_off(runner: CliRunner) -> None:
    """The ``specguard`` process skips cyclic collection for ``diff`` (it ends with os._exit);
    a caller's process (here the test's, through ``main()``) keeps its collector."""
    import gc

    assert runner.invoke(main, ["diff", OLD, NEW]).exit_code == 1
    assert gc.isenabled()
    entry = type(main)(name="specguard")  # a fresh group, as the console script makes it
    entry.whole_process = True
    try:
        for name in ("rules", "check"):
            entry.get_command(click.Context(entry), name)
            assert gc.isenabled(), name
        entry.get_command(click.Context(entry), "diff")
        assert not gc.isenabled()
    finally:
        gc.enable()
