"""The loader: formats, source lines, inputs (path, stdin, git), $ref resolution and confinement."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from specguard import load_spec
from specguard.errors import LoadError, RefError, SpecValidationError

MINIMAL = """\
openapi: 3.1.0
info: {title: t, version: "1.0"}
paths:
  /orders/{id}:
    get:
      parameters:
        - name: id
          in: path
          required: true
          schema: {type: string}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "common.yaml#/components/schemas/Order"}
"""

COMMON = """\
components:
  schemas:
    Order:
      type: object
      properties:
        parent: {$ref: "#/components/schemas/Order"}
"""


@pytest.fixture
def spec_dir(tmp_path: Path) -> Path:
    (tmp_path / "api.yaml").write_text(MINIMAL)
    (tmp_path / "common.yaml").write_text(COMMON)
    return tmp_path


def test_yaml_lines_are_kept_for_keys_and_items(spec_dir: Path) -> None:
    """Pointers map to the line of their key (mappings) or item (lists)."""
    spec = load_spec(str(spec_dir / "api.yaml"))
    assert spec.root.line("/paths/~1orders~1{id}/get") == 5
    assert spec.root.line("/paths/~1orders~1{id}/get/parameters/0") == 7
    assert spec.root.line("/paths/~1orders~1{id}/get/responses/200/description") == 13


def test_json_lines_are_found_lazily(tmp_path: Path) -> None:
    """A JSON document reports the line of the key a pointer names."""
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc, indent=2))
    spec = load_spec(str(path))
    text = path.read_text().splitlines()
    line = spec.root.line("/paths/~1a/get/responses/200")
    assert line is not None and text[line - 1].strip().startswith('"200"')


def test_relative_and_recursive_refs_resolve(spec_dir: Path) -> None:
    """A ref into a sibling file resolves; a self-referencing schema does not loop."""
    spec = load_spec(str(spec_dir / "api.yaml"))
    schema_ref = spec.data["paths"]["/orders/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    file, pointer, node = spec.follow(schema_ref, spec.root, "/x")
    assert file.name.endswith("common.yaml") and pointer == "/components/schemas/Order"
    parent = node["properties"]["parent"]
    again = spec.follow(parent, file, pointer + "/properties/parent")
    assert again[2] is node


@pytest.mark.parametrize("ref", ["../outside.yaml#/a", "/etc/passwd#/a", "file:///etc/passwd"])
def test_refs_may_not_leave_the_root(tmp_path: Path, ref: str) -> None:
    """Refs outside the root folder, absolute paths and file:// URIs are refused."""
    (tmp_path / "outside.yaml").write_text("a: {type: string}\n")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "api.yaml").write_text(MINIMAL.replace("common.yaml#/components/schemas/Order", ref))
    with pytest.raises(RefError):
        load_spec(str(inner / "api.yaml"))


def test_remote_refs_are_refused_without_opt_in(spec_dir: Path) -> None:
    """An http ref is not fetched unless asked; the error says how to allow it."""
    (spec_dir / "api.yaml").write_text(
        MINIMAL.replace("common.yaml", "http://127.0.0.1:9/common.yaml"))
    with pytest.raises(RefError, match="--allow-remote-refs"):
        load_spec(str(spec_dir / "api.yaml"))


def test_duplicate_keys_are_an_error_with_a_line(tmp_path: Path) -> None:
    """YAML's last-one-wins is not accepted silently."""
    path = tmp_path / "dup.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\npaths: {}\n")
    with pytest.raises(LoadError) as caught:
        load_spec(str(path))
    assert caught.value.line == 4
    assert "duplicate key 'paths'" in caught.value.one_line()


def test_swagger_2_is_refused_clearly(tmp_path: Path) -> None:
    """Swagger 2.0 gets a message that says what to do."""
    path = tmp_path / "old.yaml"
    path.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    with pytest.raises(SpecValidationError, match=r"Swagger 2\.0 is not supported"):
        load_spec(str(path))


def test_invalid_spec_names_file_and_line(tmp_path: Path) -> None:
    """Validation errors point at the offending node's line."""
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("required: true", "required: maybe").replace(
        'common.yaml#/components/schemas/Order', '#/info'))
    with pytest.raises(SpecValidationError) as caught:
        load_spec(str(path))
    assert caught.value.file == str(path)
    assert caught.value.line is not None and caught.value.line >= 5


def test_timestamps_stay_strings(tmp_path: Path) -> None:
    """YAML dates are kept as JSON strings, as OpenAPI (JSON) means them."""
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.1.0\ninfo: {title: t, version: 2024-01-01}\npaths: {}\n")
    assert load_spec(str(path)).data["info"]["version"] == "2024-01-01"


def test_stdin_input(spec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'-' reads the document from stdin; its refs resolve against the working directory."""
    monkeypatch.chdir(spec_dir)
    spec = load_spec("-", stdin=MINIMAL.encode())
    assert spec.root.name == "<stdin>"
    assert spec.data["openapi"] == "3.1.0"


def test_git_revision_input(spec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REV:path reads the file and its relative refs as of a git revision."""
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=spec_dir, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "v1")
    (spec_dir / "common.yaml").write_text("components: {schemas: {}}\n")
    monkeypatch.chdir(spec_dir)
    spec = load_spec("HEAD:api.yaml")
    assert spec.root.name == "HEAD:api.yaml"
    ref = spec.data["paths"]["/orders/{id}"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    file, _, node = spec.follow(ref, spec.root, "/x")
    assert file.name == "HEAD:common.yaml" and node["type"] == "object"
    with pytest.raises(LoadError, match="git show failed"):
        load_spec("HEAD:missing.yaml")


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    """A FIFO committed as a spec, a $ref target or a HAR would block a read forever: each is
    refused at once with one line naming it."""
    import os

    from specguard.fuzz._har import iter_entries

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    spec = tmp_path / "api.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  schemas:\n    A: {$ref: 'pipe.yaml#/A'}\n"
    )
    for location in (str(fifo), str(spec)):
        with pytest.raises((LoadError, RefError), match="not a regular file"):
            loaded = load_spec(location, validate=False)
            loaded.resolve("pipe.yaml#/A", loaded.root)
    with pytest.raises(LoadError, match="not a regular file"):
        list(iter_entries(str(fifo)))


@pytest.mark.timeout(30)
def test_a_dripping_remote_ref_hits_a_total_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loopback server sending one byte every 0.2 s never trips a per-read timeout; the
    fetch still ends at the total deadline with one line naming the URL."""
    import time

    import specguard.load as load
    from tests.dripping import dripping_server

    monkeypatch.setattr(load, "REMOTE_SECONDS", 1.0)
    started = time.monotonic()
    with dripping_server(delay=0.2) as base:
        url = f"{base}/schema.yaml"
        spec = tmp_path / "api.yaml"
        spec.write_text(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
            f"components:\n  schemas:\n    A: {{$ref: '{url}#/A'}}\n"
        )
        loaded = load_spec(str(spec), validate=False, allow_remote_refs=True)
        with pytest.raises(RefError, match="not received within"):
            loaded.resolve(f"{url}#/A", loaded.root)
    assert time.monotonic() - started < 10


def test_yaml_keys_are_their_text_and_only_a_plain_merge_key_merges() -> None:
    """Keys are not resolved to numbers or booleans (a key is its text), ``<<`` merges only
    when written plain, and each key keeps its line."""
    from specguard.load._parse import parse_bytes, yaml_line

    data, _, lines = parse_bytes(
        b'a: &x {p: 1}\nb:\n  <<: *x\n  q: 2\nc: {"<<": 3}\nd: {1: one, true: yes}\n', "x.yaml")
    assert data == {"a": {"p": 1}, "b": {"q": 2, "p": 1}, "c": {"<<": 3},
                    "d": {"1": "one", "true": True}}
    assert lines is not None
    assert [yaml_line(data, lines, p) for p in ("/b/q", "/c/<<", "/d/true")] == [4, 5, 6]
