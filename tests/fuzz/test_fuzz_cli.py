"""`specguard fuzz | verify | traffic` end to end: exit codes, stdout, stderr, formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette

from specguard.cli import main
from tests.fuzz import fuzz_orders_app as apps
from tests.fuzz.conftest import APP_MODULE, EXAMPLES, HERE, REPO, V1, V2, free_port

Serve = Callable[[Starlette], AbstractContextManager[str]]

RUN = ["--seed", "42", "-n", str(EXAMPLES)]
APP = ["--app-dir", str(REPO)]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_fuzz_buggy_service_exits_1_with_json_failures(runner: CliRunner, service: Serve) -> None:
    """Failures: exit 1; JSON names operation, check, status, body excerpt, curl and seed."""
    with service(apps.make_app(crash=True, drop_note=True)) as url:
        result = runner.invoke(main, ["fuzz", str(V1), "--url", url, *RUN, "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["schemaVersion"] == 1 and data["command"] == "fuzz" and data["seed"] == 42
    by_code = {f["code"]: f for f in data["failures"]}
    crash = by_code["ST101"]
    assert crash["operation"] == {"method": "post", "path": "/orders"}
    assert crash["check"] == "not_a_server_error"
    assert crash["response"]["status"] == 500
    assert crash["curl"].startswith("curl -X POST") and crash["seed"] == 42
    assert by_code["ST108"]["response"]["bodyExcerpt"].startswith("{")
    assert data["summary"]["failures"] == len(data["failures"])
    assert data["summary"]["firstFailureSeconds"] is not None


def test_fuzz_correct_service_exits_0_with_plain_progress(
    runner: CliRunner, service: Serve
) -> None:
    """Clean run: exit 0, a text verdict on stdout, plain progress lines on stderr."""
    with service(apps.make_app()) as url:
        result = runner.invoke(main, ["fuzz", str(V1), "--url", url, *RUN])
    assert result.exit_code == 0, result.output
    assert "no failures: the service kept its contract" in result.stdout
    assert "specguard: coverage: 2/2 GET /orders/{orderId} (failures so far: 0)" in result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr


def test_fuzz_quiet_prints_no_progress(runner: CliRunner) -> None:
    """--quiet: stderr stays empty on a clean in-process run."""
    result = runner.invoke(
        main, ["fuzz", str(V1), "--app", f"{APP_MODULE}:correct", *APP, *RUN, "-q"]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_fuzz_unreachable_service_exits_2_with_one_line(runner: CliRunner) -> None:
    """Nothing listening: exit 2 and exactly one stderr line naming the URL and the cause."""
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(main, ["fuzz", str(V1), "--url", url, *RUN])
    assert result.exit_code == 2
    assert result.stderr == f"specguard: error: cannot reach {url}: connection refused\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--url", "http://x", "--app", "m:a"], "exactly one of --url", id="both"),
        pytest.param([], "exactly one of --url", id="neither"),
        pytest.param(["--url", "ftp://x"], "is not an http(s) URL", id="scheme"),
        pytest.param(["--app", "nomodule"], "module:attribute", id="app-form"),
        pytest.param(["--app", "no_such_module_xyz:app"], "cannot import", id="app-import"),
        pytest.param(["--app", f"{APP_MODULE}:missing", *APP], "has no attribute", id="app-attr"),
        pytest.param(["--url", "http://x", "-H", "NoColon"], "Name: value", id="header"),
        pytest.param(["--url", "http://x", "--phases", "warmup"], "unknown phase", id="phase"),
    ],
)
def test_fuzz_bad_usage_exits_2(runner: CliRunner, args: list[str], message: str) -> None:
    """Usage mistakes: exit 2 and a message that says what is wrong, no traceback."""
    result = runner.invoke(main, ["fuzz", str(V1), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_fuzz_missing_spec_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    """A spec that does not exist is one line naming it."""
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(main, ["fuzz", str(missing), "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "nope.yaml" in result.stderr


def test_fuzz_report_formats_and_output_file(runner: CliRunner, tmp_path: Path) -> None:
    """Markdown fences the curl; JUnit parses and fails the operation; --output writes files."""
    base = ["fuzz", str(V1), "--app", f"{APP_MODULE}:buggy", *APP, *RUN, "-q"]
    markdown = tmp_path / "report.md"
    result = runner.invoke(main, [*base, "--format", "markdown", "--output", str(markdown)])
    assert result.exit_code == 1 and result.stdout == ""
    text = markdown.read_text()
    assert text.startswith("## specguard fuzz: ")
    assert "```sh\ncurl -X POST" in text
    junit = tmp_path / "report.xml"
    result = runner.invoke(main, [*base, "--format", "junit", "-o", str(junit)])
    assert result.exit_code == 1
    root = ET.parse(junit).getroot()
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert set(cases) == {"POST /orders", "GET /orders/{orderId}"}
    failure = cases["POST /orders"].find("failure")
    assert failure is not None and "ST101" in (failure.get("message") or "")
    assert "curl -X POST" in (failure.text or "")
    assert root.get("failures") == "2"


def test_verify_with_new_spec_joins_the_diff(runner: CliRunner) -> None:
    """verify --new: confirmed / not-observed findings and an undocumented change, exit 1."""
    result = runner.invoke(
        main,
        [
            "verify",
            "--old",
            str(V1),
            "--new",
            str(V2),
            "--app",
            f"{APP_MODULE}:v2_drifted",
            *APP,
            *RUN,
            "--format",
            "json",
            "-q",
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["command"] == "verify" and data["newSpec"] == str(V2)
    observed = {f["id"]: f["observation"] for f in data["findings"]}
    assert observed == {
        "request-max-length-tightened": "confirmed",
        "request-parameter-required-added": "not-observed",
    }
    rules = {(f["code"], f["ruleId"]) for f in data["failures"]}
    assert ("ST108", "undocumented-behaviour-change") in rules
    assert ("ST202", None) in rules
    assert data["summary"]["confirmed"] == 1 and data["summary"]["undocumentedChanges"] == 1


def test_verify_v2_against_unchanged_contract_over_http(runner: CliRunner, service: Serve) -> None:
    """The v2 service breaks old clients although the spec did not change: exit 1, text report."""
    with service(apps.make_app(strict_item=True)) as url:
        result = runner.invoke(main, ["verify", "--old", str(V1), "--url", url, *RUN, "-q"])
    assert result.exit_code == 1, result.output
    assert "POST /orders: ST202 Schema-valid request rejected" in result.stdout
    assert "item must be at most 20 characters" in result.stdout


def test_verify_changed_only_needs_new(runner: CliRunner) -> None:
    """--changed-only without --new is a usage error."""
    result = runner.invoke(
        main, ["verify", "--old", str(V1), "--changed-only", "--url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    assert "--changed-only needs --new" in result.stderr


def test_traffic_exit_codes(runner: CliRunner, tmp_path: Path) -> None:
    """Invalid exchanges exit 1; a clean HAR exits 0; a broken HAR exits 2 with one line."""
    recorded = HERE / "har" / "schemathesis-buggy.har"
    result = runner.invoke(main, ["traffic", str(V1), "--har", str(recorded)])
    assert result.exit_code == 1
    assert "POST /orders: 4 exchange(s), 1 invalid request(s), 1 invalid response(s)" in (
        result.stdout
    )
    clean = tmp_path / "clean.har"
    clean.write_text(json.dumps({"log": {"entries": []}}))
    assert runner.invoke(main, ["traffic", str(V1), "--har", str(clean)]).exit_code == 0
    broken = tmp_path / "broken.har"
    broken.write_text('{"log": ')
    result = runner.invoke(main, ["traffic", str(V1), "--har", str(broken)])
    assert result.exit_code == 2
    assert result.stderr.startswith("specguard: error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "junit"])
def test_traffic_every_format_renders(runner: CliRunner, fmt: str) -> None:
    """All four formats work for traffic reports and carry the invalid count."""
    recorded = HERE / "har" / "schemathesis-buggy.har"
    result = runner.invoke(main, ["traffic", str(V1), "--har", str(recorded), "--format", fmt])
    assert result.exit_code == 1
    if fmt == "json":
        assert json.loads(result.stdout)["summary"]["invalidResponses"] == 1
    elif fmt == "junit":
        assert ET.fromstring(result.stdout).get("failures") == "2"
    else:
        assert "POST /orders" in result.stdout


def test_the_readme_app_example_runs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README's in-process example: the inventory reference service keeps its contract."""
    monkeypatch.setenv("SHOP_DATA_DIR", str(tmp_path))
    result = runner.invoke(
        main,
        ["fuzz", str(REPO / "specs" / "inventory-service.yaml"), "--app", "shop.asgi:inventory",
         "--app-dir", str(REPO / "src"), *RUN],
    )
    assert result.exit_code == 0, result.output
    assert "no failures" in result.stdout


@pytest.mark.timeout(120)
def test_max_time_stops_a_run_against_a_dripping_service(tmp_path: Path) -> None:
    """A service that answers one byte every 0.3 s never trips a read timeout; --max-time 2
    still ends the whole run within seconds, with the report written."""
    import os
    import subprocess
    import sys
    import time

    from tests.dripping import dripping_server

    spec = tmp_path / "slow.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: slow, version: '1'}\npaths:\n  /slow:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n"
        "          content: {application/json: {schema: {type: object}}}\n"
    )
    started = time.monotonic()
    with dripping_server(delay=0.3) as url:
        proc = subprocess.run(
            [sys.executable, "-m", "specguard", "fuzz", str(spec), "--url", url,
             "--max-time", "2", "--request-timeout", "5", "--format", "json"],
            capture_output=True, text=True, timeout=90,
            env={**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path)},
            cwd=tmp_path,
        )
    elapsed = time.monotonic() - started
    assert elapsed < 30, (elapsed, proc.stderr[-500:])
    assert json.loads(proc.stdout)["summary"]["stopReason"] == "max-time", proc.stdout[-500:]
