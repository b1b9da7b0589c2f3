"""What the engines are given: one self-contained document, and no side effects on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import configuration

from specguard.cli import main
from specguard.errors import RefError
from specguard.fuzz import FuzzOptions, Phase, Target, check_traffic, run_fuzz
from specguard.fuzz._bundle import BUNDLE_KEY, bundle
from specguard.load import load_spec
from tests.fuzz import fuzz_orders_app as apps
from tests.fuzz.conftest import APP_MODULE, EXAMPLES, REPO, V1

ROOT = """\
openapi: 3.1.0
info: {title: split, version: "1"}
paths:
  /orders:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "schemas/orders.yaml#/NewOrder"}
            example: {$ref: "not/a/reference.yaml"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
        "400": {$ref: "schemas/orders.yaml#/BadRequest"}
components:
  schemas:
    Order: {$ref: "schemas/orders.yaml#/Order"}
"""

SHARED = """\
NewOrder:
  type: object
  required: [item, quantity]
  additionalProperties: false
  properties:
    item: {type: string, minLength: 1, maxLength: 40}
    quantity: {type: integer, minimum: 1, maximum: 1000000}
    note: {type: [string, "null"], maxLength: 100}
Order:
  type: object
  required: [id, item, quantity, note]
  properties:
    id: {type: integer}
    item: {type: string}
    quantity: {type: integer}
    note: {type: [string, "null"]}
    parent: {$ref: "#/Order"}
BadRequest:
  description: bad request
  content:
    application/json:
      schema:
        type: object
        required: [detail]
        properties: {detail: {type: string}}
"""


@pytest.fixture
def split_spec(tmp_path: Path) -> Path:
    """A contract spread over two files, with a self-referencing schema."""
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "orders.yaml").write_text(SHARED)
    root = tmp_path / "openapi.yaml"
    root.write_text(ROOT)
    return root


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for key, value in node.items() if key != "example" for r in _refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def test_bundle_makes_every_reference_local(split_spec: Path) -> None:
    """External targets are copied once under components; cycles and local refs survive."""
    document = bundle(load_spec(str(split_spec)))
    refs = _refs(document)
    assert refs and all(ref.startswith("#/") for ref in refs)
    copied = document["components"][BUNDLE_KEY]
    assert len(copied) == 3  # NewOrder, Order (reached twice), BadRequest
    order = next(node for node in copied.values() if "parent" in node.get("properties", {}))
    assert order["properties"]["parent"]["$ref"].startswith(f"#/components/{BUNDLE_KEY}/")
    content = document["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]
    assert content["example"] == {"$ref": "not/a/reference.yaml"}  # data, left alone


def test_split_spec_fuzzes_and_validates_traffic(
    split_spec: Path, hypothesis_cache: Path, tmp_path: Path
) -> None:
    """Both engines work on the bundled copy of a multi-file contract."""
    spec = load_spec(str(split_spec))
    report = run_fuzz(
        spec,
        Target.from_app(apps.make_app(crash=True), "crash"),
        FuzzOptions(seed=3, max_examples=EXAMPLES, phases=(Phase.COVERAGE,)),
        cache_dir=hypothesis_cache,
    )
    assert "ST101" in {f.code for f in report.failures}
    har = tmp_path / "t.har"
    har.write_text(
        '{"log": {"entries": [{"request": {"method": "POST", "url": "http://h/orders",'
        ' "postData": {"mimeType": "application/json", "text": "{}"}},'
        ' "response": {"status": 400, "content": {"mimeType": "application/json",'
        ' "text": "{}"}}}]}}'
    )
    traffic = check_traffic(spec, [str(har)])
    (op,) = traffic.operations
    assert (op.invalid_requests, op.invalid_responses) == (1, 1)


def test_remote_references_are_refused_before_any_engine_sees_them(tmp_path: Path) -> None:
    """A remote $ref is a one-line error, never a download."""
    spec = tmp_path / "remote.yaml"
    spec.write_text(ROOT.replace("schemas/orders.yaml#/NewOrder", "https://example.com/x.yaml#/A"))
    with pytest.raises(RefError, match="remote"):
        bundle(load_spec(str(spec), validate=False))


def test_runs_leave_the_working_directory_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hypothesis writes to specguard's cache, not to ./.hypothesis, and its home is restored."""
    cache = tmp_path / "cache"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("SPECGUARD_CACHE_DIR", str(cache))
    monkeypatch.chdir(work)
    before = getattr(configuration, "__hypothesis_home_directory", None)
    result = CliRunner().invoke(
        main,
        ["fuzz", str(V1), "--app", f"{APP_MODULE}:correct", "--app-dir", str(REPO),
         "--seed", "1", "-n", "5", "--phases", "fuzzing", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert list(work.iterdir()) == []
    assert any((cache / "hypothesis").iterdir())
    assert getattr(configuration, "__hypothesis_home_directory", None) == before
