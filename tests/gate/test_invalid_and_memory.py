"""``specguard check`` judges invalid contracts like ``diff`` does, and a worker's memory does
not grow with the number of services it has compared (issue 12 item 10, issue 16 item 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from specguard.cli import main
from tests.gate.support import GitRepo

VALID = """\
openapi: 3.1.0
info: {{title: {name}, version: 1.0.0}}
paths:
  /items/{{id}}:
    get:
      operationId: get{name}
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string, maxLength: {bound}}}}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Item'}}
components:
  schemas:
    Item:
      type: object
      properties:
{properties}
"""


def _service(name: str, bound: int, size: int = 40) -> str:
    properties = "".join(
        f"        p{i}: {{type: string, description: '{name} {i}', maxLength: 64}}\n"
        for i in range(size)
    )
    return VALID.format(name=name, bound=bound, properties=properties)


def test_an_added_service_with_an_invalid_contract_is_a_breaking_finding(
    tmp_path: Path, monkeypatch: object
) -> None:
    """A new service whose contract is invalid: service-added and contract-invalid."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("specs/a.yaml", _service("a", 8))
    repo.inventory([{"name": "a", "spec": "specs/a.yaml"}])
    repo.commit("v1")
    repo.write("specs/b.yaml", _service("b", 8).replace("maxLength: 8}}", "maxLength: -1}}", 1))
    repo.inventory([{"name": "a", "spec": "specs/a.yaml"}, {"name": "b", "spec": "specs/b.yaml"}])
    monkeypatch.chdir(repo.path)  # type: ignore[attr-defined]
    result = CliRunner().invoke(main, ["check", "--base", "HEAD", "-j", "1", "--format", "json"])
    assert result.exit_code == 1, result.output
    found = {(f["service"], f["id"]): f for f in json.loads(result.stdout)["findings"]}
    assert ("b", "service-added") in found
    invalid = found[("b", "contract-invalid")]
    assert invalid["level"] == "breaking" and invalid["new"]["line"] == 8, invalid


def _peak(repo: Path) -> tuple[int, int]:
    """Findings and peak RSS (KB, from wait4) of ``specguard check -j 1``: one process does
    every diff."""
    report = repo / "report.json"
    with report.open("w") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "specguard", "check", "--base", "HEAD", "-j", "1",
             "--format", "json"], cwd=repo, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1, report.read_text()[:500]
    return len(json.loads(report.read_text())["findings"]), usage.ru_maxrss


def _repo(path: Path, count: int) -> Path:
    repo = GitRepo(path)
    names = [f"s{i:03}" for i in range(count)]
    for name in names:
        repo.write(f"specs/{name}.yaml", _service(name, 8, 1200))
    repo.inventory([{"name": n, "spec": f"specs/{n}.yaml"} for n in names])
    repo.commit("v1")
    for name in names:  # every service changes, so every one is loaded, validated and diffed
        text = _service(name, 4, 1200)
        if int(name[1:]) % 2:  # and every other one is invalid: openapi-spec-validator explains
            text = text.replace("maxLength: 4}", "maxLength: 4, enum: [a], default: b}")
        repo.write(f"specs/{name}.yaml", text)
    return repo.path


@pytest.mark.slow
def test_check_memory_does_not_grow_with_the_number_of_services(tmp_path: Path) -> None:
    """One worker comparing 40 services peaks about where it peaks for 10: nothing a finished
    service needed (documents, validator caches) stays alive, though half of them are invalid
    and go through openapi-spec-validator. Generous margins, no timing."""
    few_findings, few = _peak(_repo(tmp_path / "few", 10))
    many_findings, many = _peak(_repo(tmp_path / "many", 40))
    assert many_findings >= 4 * few_findings > 0  # a few findings each: the output is small
    # Each spec is ~100 KB of YAML and takes MBs once loaded, validated and diffed; what
    # stays by design is the text of the files findings point into (reports quote it):
    # 30 more services x 2 x 100 KB. Keeping their documents would add 30 x several MB.
    assert many - few < 30 * 2 * 100 + 15_000, (few, many)


def test_report_sources_keep_only_the_lines_near_findings() -> None:
    """The gate keeps a service's text only around its findings, every line number intact
    (whatever str.splitlines counts as a line break), so snippets read as before."""
    from specguard.gate._work import KEPT_AROUND, _trimmed
    from specguard.model import DiffReport, Direction, Finding, Level, Location, SourceText

    lines = [f"line {n}" for n in range(1, 201)]
    lines[99] = "line 100\u2028still line 100 to Python"  # a break only splitlines sees
    text = "\n".join(lines) + "\n"
    finding = Finding("operation-removed", Level.BREAKING, Direction.NONE, "m", (),
                      Location("a.yaml", "/paths", 150), None)
    report = DiffReport("a.yaml", "b.yaml", (finding,), (SourceText("a.yaml", text),))
    kept = _trimmed(report).sources[0].text
    assert len(kept.splitlines()) == len(text.splitlines())
    for number, line in enumerate(text.splitlines(), start=1):
        near = 150 - KEPT_AROUND <= number <= 150 + KEPT_AROUND
        assert kept.splitlines()[number - 1] == (line if near else "")
    assert len(kept) < len(text) // 4
