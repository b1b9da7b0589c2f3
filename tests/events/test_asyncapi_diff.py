"""AsyncAPI documents through ``specguard diff``: loader guarantees, versions and every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from specguard import diff_specs, load_spec
from specguard.cli import main
from specguard.report import available_formats

REPO = Path(__file__).resolve().parents[2]
CASE = REPO / "fixtures" / "event-send-payload-property-removed" / "basic"


def _doc(payload: object, *, version: str = "3.0.0", action: str = "send") -> dict[str, object]:
    return {
        "asyncapi": version,
        "info": {"title": "t", "version": "1.0.0"},
        "channels": {"orders": {"address": "orders", "messages": {"m": {"payload": payload}}}},
        "operations": {
            "op": {"action": action, "channel": {"$ref": "#/channels/orders"}},
        },
    }


def _write(path: Path, data: object) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def _one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_the_shop_contract_is_valid_and_unchanged_against_itself() -> None:
    """specs/order-events.asyncapi.yaml validates against the official 3.0 schema; no findings."""
    spec = load_spec(str(REPO / "specs" / "order-events.asyncapi.yaml"))
    assert spec.is_asyncapi and spec.asyncapi_version == "3.0.0"
    assert diff_specs(spec, spec).findings == ()


def test_invalid_document_is_one_line_with_its_line(tmp_path: Path) -> None:
    """An operation without its required action fails the official schema: file:line, exit 2."""
    bad = _doc({"type": "object"})
    del bad["operations"]["op"]["action"]  # type: ignore[index]
    path = _write(tmp_path / "bad.yaml", bad)
    result = CliRunner().invoke(main, ["diff", path, path])
    _one_line_error(result, "bad.yaml:", "invalid AsyncAPI 3.0 document")


def test_asyncapi_26_is_validated_against_its_own_schema(tmp_path: Path) -> None:
    """A 2.6 document with a 3.0-only field is refused by the 2.6 schema."""
    doc = {"asyncapi": "2.6.0", "info": {"title": "t", "version": "1"},
           "channels": {"orders": {"address": "orders"}}}
    path = _write(tmp_path / "a.yaml", doc)
    result = CliRunner().invoke(main, ["diff", path, str(CASE / "old.yaml")])
    _one_line_error(result, "a.yaml:", "invalid AsyncAPI 2.6 document")


def test_unsupported_version_is_refused(tmp_path: Path) -> None:
    """AsyncAPI 2.0 has no vendored schema: a clear one-line error."""
    path = _write(tmp_path / "old.yaml", {**_doc({}), "asyncapi": "2.0.0"})
    result = CliRunner().invoke(main, ["diff", path, path])
    _one_line_error(result, "unsupported AsyncAPI version '2.0.0'", "2.6.x and 3.0.x")


def test_ref_outside_the_root_is_not_followed(tmp_path: Path) -> None:
    """A payload $ref that leaves the spec's folder is refused before anything is read."""
    (tmp_path / "secret.yaml").write_text("X: {type: string}\n")
    path = _write(tmp_path / "specs" / "a.yaml", _doc({"$ref": "../secret.yaml#/X"}))
    result = CliRunner().invoke(main, ["diff", path, path])
    _one_line_error(result, "leaves the root folder")


def test_payload_in_another_file_is_followed_with_its_lines(tmp_path: Path) -> None:
    """Relative refs inside the root work; the finding points into the referenced file."""
    _write(tmp_path / "old" / "schemas.yaml",
           {"P": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}})
    _write(tmp_path / "new" / "schemas.yaml", {"P": {"type": "object", "properties": {}}})
    old = _write(tmp_path / "old" / "api.yaml", _doc({"$ref": "schemas.yaml#/P"}))
    new = _write(tmp_path / "new" / "api.yaml", _doc({"$ref": "schemas.yaml#/P"}))
    report = diff_specs(load_spec(old), load_spec(new))
    [finding] = [f for f in report.findings if f.level.value == "breaking"]
    assert finding.rule_id == "event-send-payload-property-removed"
    assert finding.old is not None and finding.old.file.endswith("schemas.yaml")
    lines = (tmp_path / "old" / "schemas.yaml").read_text().splitlines()
    assert finding.old.pointer == "/P/properties/a"
    assert finding.old.line == lines.index("    a:") + 1


def test_asyncapi_and_openapi_are_not_compared(tmp_path: Path) -> None:
    """Diffing an event contract against an HTTP one is a usage error, not an empty diff."""
    result = CliRunner().invoke(
        main, ["diff", str(CASE / "old.yaml"), str(REPO / "specs" / "order-service.yaml")]
    )
    _one_line_error(result, "cannot compare an OpenAPI document with the AsyncAPI document")


def test_the_same_change_on_the_receiving_side_is_safe(tmp_path: Path) -> None:
    """Direction decides: a dropped required property breaks a sender's receivers, while a
    receiver that stops requiring it only widened."""
    kept = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
    dropped = {"type": "object", "properties": {}}
    for action, level in (("send", "breaking"), ("receive", "warning")):
        old = _write(tmp_path / action / "old.yaml", _doc(kept, action=action))
        new = _write(tmp_path / action / "new.yaml", _doc(dropped, action=action))
        findings = diff_specs(load_spec(old), load_spec(new)).findings
        assert [(f.rule_id, f.level.value) for f in findings] == [
            (f"event-{action}-payload-property-removed", level)
        ]


@pytest.mark.parametrize("fmt", [f.value for f in available_formats()])
def test_every_report_format_renders_event_findings(fmt: str) -> None:
    """Reports consume findings: every format names the event rule and the gate still fails."""
    result = CliRunner().invoke(
        main, ["diff", str(CASE / "old.yaml"), str(CASE / "new.yaml"), "--format", fmt]
    )
    assert result.exit_code == 1, result.output
    assert "event-send-payload-property-removed" in result.stdout
    if fmt == "json":
        data = json.loads(result.stdout)
        [finding] = data["findings"]
        assert finding["operations"] == [{"method": "send", "path": "orders"}]
        assert finding["witness"]["instance"] == {"status": "new"}
    if fmt == "sarif":
        data = json.loads(result.stdout)
        assert data["runs"][0]["results"][0]["ruleId"] == "event-send-payload-property-removed"
