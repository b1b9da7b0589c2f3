"""``specguard lint``: the shop's contracts pass; a deliberately bad inventory fails exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from specguard.cli import main
from specguard.lint import RULES_BY_ID, lint_repository, load_inventory

REPO = Path(__file__).resolve().parents[2]
BAD = REPO / "fixtures" / "lint" / "bad-inventory"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["lint", *args], catch_exceptions=False)


def test_shop_contracts_pass_lint(monkeypatch: pytest.MonkeyPatch) -> None:
    """The repository's own inventory and contracts have no boundary violation."""
    monkeypatch.chdir(REPO)
    result = run()
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert result.stderr == "specguard lint: 0 findings in 4 services\n"


def test_bad_inventory_gives_exactly_the_expected_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every planted violation is reported once, with its file, line and pointer."""
    monkeypatch.chdir(BAD)
    result = run("--inventory", "service-inventory.json", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["schemaVersion"] == 1
    found = [
        {key: finding[key] for key in ("id", "service", "file", "line", "pointer")}
        for finding in report["findings"]
    ]
    expected = json.loads((BAD / "expected.json").read_text())["findings"]
    assert found == expected


def test_every_lint_rule_has_a_violation_in_the_fixture() -> None:
    """The bad inventory exercises the whole rule catalogue, so no rule goes untested."""
    expected = json.loads((BAD / "expected.json").read_text())["findings"]
    assert {finding["id"] for finding in expected} == set(RULES_BY_ID)


def test_text_report_is_one_line_per_finding_with_file_and_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The default format prints ``file:line: rule: message`` lines and a summary on stderr."""
    monkeypatch.chdir(BAD)
    result = run("--inventory", "service-inventory.json")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(json.loads((BAD / "expected.json").read_text())["findings"])
    assert (
        "specs/gateway.yaml:28: table-exposed: schema 'StockItem' exposes "
        "inventory-service's table stock_item"
    ) in lines
    assert result.stderr == f"specguard lint: {len(lines)} findings in 7 services\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "service-inventory.json:1: invalid JSON"),
        (
            '{"services": "none"}',
            "service-inventory.json:1: invalid inventory: 'none' is not of type 'array'",
        ),
        (
            '{"services": [{"name": "a"},\n {"name": "a"}]}',
            "service-inventory.json:2: service 'a' is listed twice",
        ),
        ('{"services": [{"name": "Bad Name"}]}', "does not match"),
    ],
    ids=["malformed-json", "wrong-shape", "duplicate-service", "bad-name"],
)
def test_unusable_inventory_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, message: str
) -> None:
    """A broken inventory is bad input: one error line naming file and line, exit code 2."""
    monkeypatch.chdir(tmp_path)
    Path("service-inventory.json").write_text(content)
    result = run("--inventory", "service-inventory.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr


def test_missing_inventory_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Running outside a repository with an inventory explains what to pass."""
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert "inventory file not found" in result.stderr
    assert "--inventory" in result.stderr


def test_openapi_30_examples_use_30_semantics(tmp_path: Path) -> None:
    """In a 3.0 contract ``nullable`` allows a null example and a wrong type is still caught."""
    (tmp_path / "a.yaml").write_text(
        "openapi: 3.0.3\n"
        "info: {title: a, version: '1'}\n"
        "paths:\n"
        "  /health:\n"
        "    get:\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        "              schema: {type: string, nullable: true}\n"
        "              examples:\n"
        "                empty: {value: null}\n"
        "                wrong: {value: 3}\n"
    )
    (tmp_path / "inventory.json").write_text('{"services": [{"name": "a", "spec": "a.yaml"}]}')
    report = lint_repository(tmp_path / "inventory.json", tmp_path)
    assert [(f.rule_id, f.location.pointer) for f in report.findings] == [
        (
            "example-invalid",
            "/paths/~1health/get/responses/200/content/application~1json/examples/wrong/value",
        )
    ]


def test_inventory_model_reads_the_fields_the_gate_needs() -> None:
    """name, spec, mayCall and consumes come back as typed values."""
    inventory = load_inventory(REPO / "specs" / "service-inventory.json")
    order = inventory.service("order-service")
    assert order is not None
    assert order.spec == "specs/order-service.yaml"
    assert order.may_call == ("inventory-service",)
    assert order.consumed_from("inventory-service") == ("reserveStock", "releaseReservation")
    assert [entry.name for entry in inventory.services] == [
        "gateway",
        "order-service",
        "inventory-service",
        "notification-service",
    ]


def test_demo_contracts_are_current_and_clean(tmp_path: Path) -> None:
    """The README demo's v1 is the live order-service contract, and v1 and v2 both lint clean."""
    examples = REPO / "fixtures" / "examples"
    v1 = examples / "order-service-v1.yaml"
    assert v1.read_text() == (REPO / "specs" / "order-service.yaml").read_text()
    inventory = tmp_path / "inventory.json"
    inventory.write_text(
        json.dumps(
            {
                "services": [
                    {"name": "order-v1", "spec": "order-service-v1.yaml"},
                    {"name": "order-v2", "spec": "order-service-v2.yaml"},
                ]
            }
        )
    )
    assert lint_repository(inventory, examples).findings == ()


def test_hostile_names_stay_on_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An operationId with a line break cannot forge extra lines in the text report."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: a, version: '1'}\n"
        "paths: {/health: {get: {responses: {'200': {description: ok}}}}}\n"
    )
    Path("inventory.json").write_text(
        json.dumps(
            {
                "services": [
                    {"name": "a", "spec": "a.yaml"},
                    {"name": "b", "mayCall": ["a"], "consumes": {"a": ["x\nfake.yaml:1: forged"]}},
                ]
            }
        )
    )
    result = run("--inventory", "inventory.json")
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in result.stdout.splitlines()] == [
        "contract-missing",
        "operation-missing",
    ]


def test_github_format_annotates_each_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    """--format github: one ::error annotation per finding, on its file and line."""
    monkeypatch.chdir(BAD)
    result = run("--inventory", "service-inventory.json", "--format", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    expected = json.loads((BAD / "expected.json").read_text())["findings"]
    assert len(lines) == len(expected)
    assert all(line.startswith("::error file=") and ",title=" in line for line in lines)


def test_lint_reads_the_inventory_the_config_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --inventory, lint uses the 'inventory' of specguard.yaml, like check does."""
    import shutil
    import subprocess

    shutil.copytree(BAD, tmp_path / "repo")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path / "repo", check=True, timeout=30)
    (tmp_path / "repo" / "specguard.yaml").write_text("inventory: service-inventory.json\n")
    monkeypatch.chdir(tmp_path / "repo")
    result = run("--format", "json")
    assert result.exit_code == 1, result.output
    assert len(json.loads(result.stdout)["findings"]) == len(
        json.loads((BAD / "expected.json").read_text())["findings"]
    )


def test_sarif_format_is_valid_and_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    """--format sarif validates against the SARIF 2.1.0 schema, one result per finding."""
    import jsonschema

    schema_file = REPO / "tests" / "report" / "data" / "sarif-schema-2.1.0.json"
    schema = json.loads(schema_file.read_text())
    monkeypatch.chdir(BAD)
    result = run("--inventory", "service-inventory.json", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    assert sorted(validator.iter_errors(log), key=str) == []
    expected = json.loads((BAD / "expected.json").read_text())["findings"]
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f["id"] for f in expected]
