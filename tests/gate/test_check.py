"""`specguard check` end to end on a real git repository: exit codes, policy and acks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from specguard.cli import main
from tests.gate.support import (
    AFTER_SUNSET,
    BEFORE_SUNSET,
    GATEWAY,
    ORDERS_V1,
    ORDERS_V2,
    SERVICES,
    STOCK_V1,
    STOCK_V2,
    GitRepo,
    shop_repo,
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitRepo]:
    """v1 committed as HEAD~1, v2 as HEAD, and the working folder inside the repository."""
    built = shop_repo(tmp_path / "shop")
    monkeypatch.chdir(built.path)
    yield built


def check(*args: str, today: str = AFTER_SUNSET) -> Result:
    """Run `specguard check --base HEAD~1` in-process (one worker: fast and deterministic)."""
    return CliRunner().invoke(
        main, ["check", "--base", "HEAD~1", "--today", today, "-j", "1", *args]
    )


def findings(result: Result) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    assert data["schemaVersion"] == 1
    found: list[dict[str, Any]] = data["findings"]
    return found


def only(found: list[dict[str, Any]], rule_id: str, service: str) -> dict[str, Any]:
    matches = [f for f in found if f["id"] == rule_id and f.get("service") == service]
    assert len(matches) == 1, [(f["id"], f.get("service")) for f in found]
    return matches[0]


def ack_file(repo: GitRepo, entries: list[tuple[str, str]]) -> None:
    """Write specguard-ack.yaml with (fingerprint, expires) entries."""
    lines = ["acks:"]
    for fingerprint, expires in entries:
        lines += [
            f"  - fingerprint: {fingerprint}",
            "    reason: clients migrated",
            "    approved-by: alice",
            f"    expires: {expires}",
        ]
    repo.write("specguard-ack.yaml", "\n".join(lines) + "\n")


def test_breaking_changes_fail_the_gate(repo: GitRepo) -> None:
    """Breaking changes in two services exit 1; the summary goes to stderr, the report to stdout."""
    result = check("--format", "json")
    assert result.exit_code == 1, result.output
    found = findings(result)
    assert {f["service"] for f in found} == {"orders", "stock"}
    only(found, "request-parameter-required-added", "orders")
    only(found, "request-max-length-tightened", "stock")
    assert "3 service(s) compared with HEAD~1" in result.stderr
    assert "gate failed" in result.stderr


def test_unchanged_repository_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With no contract change between base and head, the gate passes with exit 0."""
    unchanged = shop_repo(tmp_path / "same", change=False)
    unchanged.write("README.md", "docs only\n")
    unchanged.commit("docs")
    monkeypatch.chdir(unchanged.path)
    result = check("--format", "json")
    assert result.exit_code == 0, result.output
    assert findings(result) == []
    assert "gate passed" in result.stderr


def test_version_rule_fires_only_without_major_bump(repo: GitRepo) -> None:
    """orders broke without a major bump (version-not-bumped); stock went to 2.0.0 (fine)."""
    found = findings(check("--format", "json"))
    version = only(found, "version-not-bumped", "orders")
    assert version["level"] == "breaking"
    assert "1.0.0 -> 1.1.0" in version["message"]
    assert version["new"]["pointer"] == "/info/version"
    assert not [f for f in found if f["id"] == "version-not-bumped" and f["service"] == "stock"]


def test_version_rule_level_is_configurable(repo: GitRepo) -> None:
    """Per-rule levels in pyproject.toml switch the version rule off or downgrade it."""
    repo.write("pyproject.toml", '[tool.specguard.levels]\n"version-not-bumped" = "off"\n')
    found = findings(check("--format", "json", "--policy", "head"))
    assert not [f for f in found if f["id"] == "version-not-bumped"]
    repo.write("pyproject.toml", '[tool.specguard.levels]\n"version-not-bumped" = "warning"\n')
    found = findings(check("--format", "json", "--policy", "head"))
    assert only(found, "version-not-bumped", "orders")["level"] == "warning"


def test_removal_after_sunset_is_safe_and_before_it_breaking(repo: GitRepo) -> None:
    """Removing a deprecated operation is safe once its x-sunset passed, breaking before
    (operation-removed-before-sunset)."""
    after = findings(check("--format", "json", today=AFTER_SUNSET))
    assert only(after, "operation-sunset-removed", "orders")["level"] == "safe"
    before = findings(check("--format", "json", today=BEFORE_SUNSET))
    removed = only(before, "operation-removed-before-sunset", "orders")
    assert removed["level"] == "breaking"
    assert removed["operations"] == [{"method": "get", "path": "/orders/legacy"}]
    assert only(after, "operation-deprecated", "orders")["level"] == "safe"


def test_consumer_impact_lists_only_callers_that_use_the_operation(repo: GitRepo) -> None:
    """gateway uses getOrder (listed); nobody uses getStock or listLegacyOrders (none listed)."""
    found = findings(check("--format", "json", today=BEFORE_SUNSET))
    assert only(found, "request-parameter-required-added", "orders")["consumers"] == ["gateway"]
    assert "consumers" not in only(found, "request-max-length-tightened", "stock")
    assert "consumers" not in only(found, "operation-removed-before-sunset", "orders")


def test_unconsumed_breaks_can_be_downgraded(repo: GitRepo) -> None:
    """With downgrade-unconsumed, a break no known consumer uses is a warning, reason shown."""
    repo.write("specguard.yaml", "downgrade-unconsumed: true\n")
    result = check("--format", "json", "--policy", "head")
    stock = only(findings(result), "request-max-length-tightened", "stock")
    assert stock["level"] == "warning"
    assert "no known consumer uses GET /stock/{sku}" in stock["note"]
    assert "orders uses reserveStock" in stock["note"]
    used = only(findings(result), "request-parameter-required-added", "orders")
    assert used["level"] == "breaking"


def test_excluded_operations_are_not_reported(repo: GitRepo) -> None:
    """x-internal operations are skipped; exclude-paths and exclude-operations globs too."""
    found = findings(check("--format", "json"))
    assert not [f for f in found if "/internal/stats" in json.dumps(f["operations"])]
    repo.write("specguard.yaml", 'exclude-paths: ["/stock/*"]\nexclude-operations: ["getO*"]\n')
    found = findings(check("--format", "json", "--policy", "head"))
    assert not [f for f in found if f["id"] == "request-max-length-tightened"]
    assert not [f for f in found if f["id"] == "request-parameter-required-added"]


def _blocking_fingerprints(repo: GitRepo) -> list[str]:
    found = findings(check("--format", "json"))
    return [f["fingerprint"] for f in found if f["level"] == "breaking"]


def test_valid_acks_pass_the_gate_and_show_as_acknowledged(repo: GitRepo) -> None:
    """Acknowledging every breaking fingerprint turns exit 1 into 0; findings stay visible."""
    fingerprints = _blocking_fingerprints(repo)
    assert len(fingerprints) == 3
    ack_file(repo, [(fp, "2026-01-01") for fp in fingerprints])
    result = check("--format", "json")
    assert result.exit_code == 0, result.output
    acked = [f for f in findings(result) if f["level"] == "breaking"]
    assert len(acked) == 3
    assert all(
        f["acknowledged"] == "clients migrated (approved by alice, until 2026-01-01)" for f in acked
    )


def test_expired_ack_fails_the_gate(repo: GitRepo) -> None:
    """An expired ack acknowledges nothing and is itself a breaking ack-expired finding."""
    fingerprints = _blocking_fingerprints(repo)
    ack_file(
        repo, [(fingerprints[0], "2025-06-30")] + [(fp, "2026-01-01") for fp in fingerprints[1:]]
    )
    result = check("--format", "json")
    assert result.exit_code == 1
    found = findings(result)
    expired = [f for f in found if f["id"] == "ack-expired"]
    assert len(expired) == 1
    assert expired[0]["new"] == {"file": "specguard-ack.yaml", "pointer": "/acks/0", "line": 2}
    target = next(f for f in found if f["fingerprint"] == fingerprints[0])
    assert "acknowledged" not in target
    assert "expired on 2025-06-30" in target["note"]


def test_unused_ack_is_a_warning(repo: GitRepo) -> None:
    """An ack matching no finding is reported as ack-unused (warning) and does not fail alone."""
    fingerprints = _blocking_fingerprints(repo)
    unused = "operation-removed:0123456789abcdef"
    ack_file(repo, [(fp, "2026-01-01") for fp in fingerprints] + [(unused, "2026-01-01")])
    result = check("--format", "json")
    assert result.exit_code == 0, result.output
    stale = [f for f in findings(result) if f["id"] == "ack-unused"]
    assert len(stale) == 1 and stale[0]["level"] == "warning"
    assert unused in stale[0]["message"]
    assert check("--format", "json", "--fail-on", "warning").exit_code == 1


def test_ack_command_appends_an_entry_that_the_gate_honours(repo: GitRepo) -> None:
    """`specguard ack` writes specguard-ack.yaml (keeping comments); the gate then passes."""
    repo.write("specguard-ack.yaml", "# team acks\n")
    for fingerprint in _blocking_fingerprints(repo):
        result = CliRunner().invoke(
            main,
            [
                "ack",
                fingerprint,
                "--reason",
                "planned",
                "--approved-by",
                "bob",
                "--expires",
                "2099-01-01",
            ],
        )
        assert result.exit_code == 0, result.output
    text = (repo.path / "specguard-ack.yaml").read_text()
    assert text.startswith("# team acks\n")
    assert text.count("approved-by: bob") == 3
    assert check().exit_code == 0
    again = CliRunner().invoke(
        main, ["ack", _blocking_fingerprints(repo)[0], "--reason", "x", "--approved-by", "bob"]
    )
    assert again.exit_code == 2
    assert "already acknowledged" in again.stderr


def test_services_added_and_removed(repo: GitRepo) -> None:
    """A service only at the head is service-added (safe); one only at the base is removed."""
    services = [s for s in SERVICES if s["name"] != "stock"]
    services.append({"name": "billing", "spec": "specs/billing.yaml"})
    repo.inventory(services)
    repo.remove("specs/stock.yaml")
    repo.write("specs/billing.yaml", GATEWAY.replace("gateway", "billing"))
    found = findings(check("--format", "json"))
    assert only(found, "service-added", "billing")["level"] == "safe"
    removed = only(found, "service-removed", "stock")
    assert removed["level"] == "breaking"
    assert removed["consumers"] == ["orders"]


def test_head_revision_instead_of_worktree(repo: GitRepo) -> None:
    """--head REV reads the new side from git, ignoring the working tree."""
    repo.write("specs/orders.yaml", ORDERS_V1)
    repo.write("specs/stock.yaml", STOCK_V1)
    assert check().exit_code == 0
    result = check("--head", "HEAD", "--format", "json")
    assert result.exit_code == 1
    assert {f["new"]["file"] for f in findings(result) if f["new"]} >= {"HEAD:specs/stock.yaml"}


def test_every_format_in_one_run(repo: GitRepo, tmp_path: Path) -> None:
    """One run writes each format to its own file and text to stdout."""
    out = tmp_path / "out"
    out.mkdir()
    names = {
        "json": "r.json",
        "markdown": "r.md",
        "html": "r.html",
        "sarif": "r.sarif",
        "junit": "r.xml",
        "github": "r.txt",
    }
    args = [a for fmt, name in names.items() for a in ("--format", f"{fmt}={out / name}")]
    result = check("--format", "text", *args)
    assert result.exit_code == 1
    assert "BREAKING request-parameter-required-added" in result.stdout
    assert json.loads((out / "r.json").read_text())["summary"]["breaking"] == 3
    assert "<!-- specguard-report -->" in (out / "r.md").read_text()
    assert "<html" in (out / "r.html").read_text()
    assert json.loads((out / "r.sarif").read_text())["version"] == "2.1.0"
    assert "<testsuites" in (out / "r.xml").read_text()
    assert "::error file=specs/orders.yaml,line=22" in (out / "r.txt").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base", "no-such-rev"], "unknown revision 'no-such-rev'"),
        (["--base", "HEAD~1", "--format", "pdf"], "unknown format 'pdf'"),
        (["--base", "HEAD~1", "--format", "json", "--format", "text"], "only one format"),
    ],
    ids=["unknown-revision", "unknown-format", "two-formats-on-stdout"],
)
def test_bad_input_exits_2_with_one_line(repo: GitRepo, args: list[str], message: str) -> None:
    """Usage and input errors exit 2 with one line on stderr and no traceback."""
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("specguard.yaml", "fail-onn: warning\n", "unknown configuration key 'fail-onn'"),
        ("specguard.yaml", "levels: {operation-remove: warning}\n", "did you mean"),
        ("specguard-ack.yaml", "acks:\n  - fingerprint: nope\n", "missing reason"),
        ("specs/service-inventory.json", '{"services": [{"name": "x"}]}', "has no 'spec'"),
    ],
    ids=["config-key", "rule-id", "ack-entry", "inventory"],
)
def test_bad_files_exit_2_naming_the_file(
    repo: GitRepo, file: str, content: str, message: str
) -> None:
    """Broken config, ack or inventory files give exit 2 and a line naming the file."""
    repo.write(file, content)
    result = check()
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert Path(file).name in result.stderr


def _specguard() -> list[str]:
    script = shutil.which("specguard", path=os.path.dirname(sys.executable))
    if script is not None:
        return [script]
    return [sys.executable, "-c", "import sys; from specguard.cli import main; sys.exit(main())"]


def test_check_as_a_subprocess_with_a_process_pool(repo: GitRepo) -> None:
    """The installed command with two workers: exit 1, the report on stdout, summary on stderr."""
    proc = subprocess.run(
        [
            *_specguard(),
            "check",
            "--base",
            "HEAD~1",
            "--today",
            AFTER_SUNSET,
            "-j",
            "2",
            "--format",
            "github",
        ],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.count("::error ") == 3
    # safe changes are counted, not annotated, unless --level safe asks for them
    assert "::notice file=specs/orders.yaml" not in proc.stdout
    assert "3 service(s) compared" in proc.stderr
    ack_file(
        repo,
        [
            (line.rsplit("fingerprint ", 1)[1], "2026-01-01")
            for line in proc.stdout.splitlines()
            if line.startswith("::error ")
        ],
    )
    again = subprocess.run(
        [*_specguard(), "check", "--base", "HEAD~1", "--today", AFTER_SUNSET],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert again.returncode == 0, again.stdout + again.stderr


def test_changelog_groups_by_service_and_operation(repo: GitRepo) -> None:
    """`specguard changelog --base` lists every change under service and operation headings."""
    result = CliRunner().invoke(
        main, ["changelog", "--base", "HEAD~1", "--today", AFTER_SUNSET, "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("## orders") < text.index("### `GET /orders/{id}`") < text.index("## stock")
    assert "**Breaking:** new required query parameter 'tenant'" in text
    assert "Unchanged: gateway." in text
    pair = CliRunner().invoke(main, ["changelog", "HEAD~1:specs/stock.yaml", "specs/stock.yaml"])
    assert pair.exit_code == 0, pair.output
    assert "maxLength tightened" in pair.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_broken_spec_exits_2_naming_it_even_from_a_worker(repo: GitRepo, jobs: str) -> None:
    """An unparsable contract stops the gate with one line naming file and line (exit 2)."""
    repo.write("specs/stock.yaml", "openapi: 3.1.0\ninfo: [unclosed\n")
    result = CliRunner().invoke(main, ["check", "--base", "HEAD~1", "-j", jobs])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("specguard: error: specs/stock.yaml:")
    assert "Traceback" not in result.stderr


def test_unchanged_services_are_not_diffed_but_shared_refs_are_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte-identical, self-contained contract is skipped (not even validated); one that
    $refs a shared file is diffed, so a change in the shared file is still caught."""
    repo = GitRepo(tmp_path / "refs")
    invalid_but_unchanged = GATEWAY.replace(
        "      operationId: placeOrder\n", "      parameters: [{name: no-in}]\n"
    )
    repo.write("specs/gateway.yaml", invalid_but_unchanged)
    repo.write("specs/common.yaml", "components:\n  schemas:\n    Sku: {type: string}\n")
    repo.write(
        "specs/stock.yaml",
        STOCK_V1.replace(
            "schema: {type: string}}", "schema: {$ref: 'common.yaml#/components/schemas/Sku'}}"
        ),
    )
    repo.inventory(
        [
            {"name": "gateway", "spec": "specs/gateway.yaml"},
            {"name": "stock", "spec": "specs/stock.yaml"},
        ]
    )
    repo.commit("v1")
    repo.write(
        "specs/common.yaml", "components:\n  schemas:\n    Sku: {type: string, maxLength: 8}\n"
    )
    monkeypatch.chdir(repo.path)
    result = CliRunner().invoke(main, ["check", "--base", "HEAD", "-j", "1", "--format", "json"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)["findings"]
    assert [(f["service"], f["id"]) for f in found if f["level"] == "breaking"] == [
        ("stock", "request-max-length-tightened"),
        ("stock", "version-not-bumped"),
    ]
    repo.write("specs/gateway.yaml", invalid_but_unchanged + "# changed\n")
    changed = CliRunner().invoke(main, ["check", "--base", "HEAD", "-j", "1", "--format", "json"])
    # changed, it is validated: invalid on both sides at the same place, so one warning that
    # it is still invalid, not a break this change made (issue 12, item 10)
    assert changed.exit_code == 1, changed.output  # the stock service's break
    gateway = {(f["id"], f["level"]) for f in json.loads(changed.stdout)["findings"]
               if f["service"] == "gateway"}
    assert gateway == {("contract-still-invalid", "warning")}


def test_paths_outside_the_repository_are_refused(repo: GitRepo) -> None:
    """An inventory (part of the pull request) cannot make the gate read files elsewhere."""
    services = [dict(SERVICES[2], spec="../../etc/passwd")]
    repo.inventory(services)
    result = check()
    assert result.exit_code == 2
    assert "outside the repository" in result.stderr


def test_the_verdict_survives_a_report_that_cannot_be_written(repo: GitRepo) -> None:
    """One report's folder is a file: that report fails with one line, the others are
    written, and the exit code is still the gate's (1), not the writer's."""
    repo.write("blocker", "not a folder\n")
    result = check("--format", "json=blocker/report.json", "--format", "markdown=out/pr.md")
    assert result.exit_code == 1, result.output
    assert "blocker/report.json" in result.stderr and "cannot write the report" in result.stderr
    assert (repo.path / "out" / "pr.md").read_text().strip()
    assert "gate failed" in result.stderr


@pytest.mark.parametrize(
    ("root_name", "escaped_ref"),
    [("api.json", '"\\u0024ref"'), ("api.yaml", '"\\x24ref"')],
    ids=["json-unicode-escape", "yaml-hex-escape"],
)
def test_an_escaped_ref_key_does_not_hide_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root_name: str, escaped_ref: str
) -> None:
    """The root file is unchanged but spells `$ref` with an escape; the file it refers to
    gains a required request property. The gate must see the break (it once skipped the
    service as "unchanged and self-contained", judging refs from the text)."""
    repo = GitRepo(tmp_path / "escaped")
    body = f'{{{escaped_ref}: "parts.yaml#/Order"}}'
    root = (
        '{"openapi": "3.1.0", "info": {"title": "x", "version": "1.0.0"}, "paths": {"/o": '
        '{"post": {"requestBody": {"content": {"application/json": {"schema": ' + body + "}}}, "
        '"responses": {"200": {"description": "ok"}}}}}}\n'
    )
    repo.write(f"specs/{root_name}", root)
    repo.write("specs/parts.yaml", "Order:\n  type: object\n  properties:\n    a: {type: string}\n")
    repo.inventory([{"name": "x", "spec": f"specs/{root_name}"}])
    repo.commit("v1")
    repo.write(
        "specs/parts.yaml",
        "Order:\n  type: object\n  required: [a]\n  properties:\n    a: {type: string}\n",
    )
    repo.commit("v2")
    monkeypatch.chdir(repo.path)
    result = check("--format", "json")
    assert result.exit_code == 1, result.output
    assert any(f["id"] == "request-property-became-required" for f in findings(result))


@pytest.mark.parametrize("target", ["../outside-acks.yaml", "/tmp/specguard-outside-acks.yaml"])
def test_ack_never_writes_outside_the_repository(repo: GitRepo, target: str) -> None:
    """A pull request's config pointing the acknowledgement file outside the repository is
    refused in one line (exit 2), and nothing is written there."""
    repo.write("specguard.yaml", f"acks: {target}\n")
    result = CliRunner().invoke(main, ["ack", "x:1", "--reason", "r", "--approved-by", "bob"])
    assert result.exit_code == 2
    assert "inside the repository" in result.stderr
    assert not (repo.path / target).exists()


def test_ack_never_follows_a_symlink_out_of_the_repository(
    repo: GitRepo, tmp_path: Path
) -> None:
    """The acknowledgement file committed as a symlink to a file outside: refused."""
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("# not yours\n")
    (repo.path / "specguard-ack.yaml").symlink_to(outside)
    result = CliRunner().invoke(main, ["ack", "x:1", "--reason", "r", "--approved-by", "bob"])
    assert result.exit_code == 2
    assert "outside the repository" in result.stderr
    assert outside.read_text() == "# not yours\n"


def test_a_pull_request_cannot_relax_its_own_gate(repo: GitRepo) -> None:
    """The PR's config says fail-on: never and excludes every path: the gate applies the base
    revision's policy (it still fails) and reports what the PR weakened."""
    repo.write("specguard.yaml", 'fail-on: never\nexclude-paths: ["*"]\n')
    result = check("--format", "json")
    assert result.exit_code == 1, result.output
    changed = [f for f in findings(result) if f["id"] == "gate-policy-changed"]
    assert len(changed) == 1 and changed[0]["level"] == "breaking"
    assert "fail-on breaking -> never" in changed[0]["message"]
    assert "exclude-paths gains *" in changed[0]["message"]
    assert only(findings(result), "request-parameter-required-added", "orders")
    opted_in = check("--format", "json", "--policy", "head")
    assert opted_in.exit_code == 0, opted_in.output


def test_the_base_revisions_policy_applies_and_tightening_is_no_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy committed at the base applies to the PR; a PR that only tightens it (a rule
    raised to breaking) gets no gate-policy-changed finding."""
    repo = shop_repo(tmp_path / "policy", change=False)
    repo.write("specguard.yaml", 'exclude-paths: ["/stock/*"]\n')
    repo.commit("policy")
    repo.write("specs/orders.yaml", ORDERS_V2)
    repo.write("specs/stock.yaml", STOCK_V2)
    repo.write(
        "specguard.yaml",
        'exclude-paths: ["/stock/*"]\nlevels:\n  operation-deprecated: breaking\n',
    )
    monkeypatch.chdir(repo.path)
    found = findings(check("--base", "HEAD", "--format", "json"))
    assert only(found, "request-parameter-required-added", "orders")
    assert not [f for f in found if f["id"] == "request-max-length-tightened"]
    assert not [f for f in found if f["id"] == "gate-policy-changed"]


@pytest.mark.parametrize("linked", ["specguard.yaml", "specs/service-inventory.json"])
def test_a_symlink_out_of_the_repository_is_refused(
    repo: GitRepo, tmp_path: Path, linked: str
) -> None:
    """A config or inventory committed as a symlink to a file outside the repository is
    refused in one line (exit 2), never read and applied."""
    outside = tmp_path / "outside"
    outside.write_text("fail-on: never\n" if linked.endswith(".yaml") else '{"services": []}')
    target = repo.path / linked
    if target.exists():
        target.unlink()
    target.symlink_to(outside)
    result = check("--format", "json", "--policy", "head")
    assert result.exit_code == 2, result.output
    assert "symbolic link leads outside the repository" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.timeout(60)
def test_a_spec_linked_outside_is_refused_before_it_is_read(repo: GitRepo) -> None:
    """A service's contract committed as a symlink to /dev/zero: refused at once, not read."""
    spec = repo.path / "specs" / "stock.yaml"
    spec.unlink()
    spec.symlink_to("/dev/zero")
    result = check("--format", "json")
    assert result.exit_code == 2, result.output
    assert "outside" in result.stderr


def test_ack_refuses_an_expiry_in_the_past(repo: GitRepo) -> None:
    """An acknowledgement that is already expired is refused in one line, nothing written."""
    result = CliRunner().invoke(
        main, ["ack", "x:1", "--reason", "r", "--approved-by", "b", "--expires", "2001-01-01"]
    )
    assert result.exit_code == 2
    assert "in the past" in result.stderr
    assert not (repo.path / "specguard-ack.yaml").exists()
