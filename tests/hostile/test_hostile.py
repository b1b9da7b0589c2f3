"""Hostile input: every case under fixtures/hostile/ through the real CLI, in a subprocess.

Each case is a folder with its input file(s) and an ``expected.yaml``:

    description: what the case attacks
    old: spec.yaml            # default: spec.yaml, else old.yaml / old.json
    new: spec.yaml            # default: new.yaml / new.json when present, else the old file
    args: [--no-validate]     # extra arguments to ``specguard diff``
    exit: 2                   # expected exit code
    file: spec.yaml           # exit 2: the file the one-line error names
    line: 3                   # exit 2: the line it names (omit when there is none)
    message: "regex"          # exit 2: searched in the message after "file:line: "
    findings: [rule-id]       # exit 0/1: rule ids that must appear in the JSON report
    serve: false              # a loopback HTTP server; __PORT__ in inputs becomes its port;
                              #   true: it must get a request, false: it must get none
    symlinks: {name: target}  # symbolic links to create in the case folder first
    inert: true               # render every available format; spec text must stay inert
    timeout: 10               # seconds, instead of the default (for known-slow gaps)
    xfail: "reason"           # a known gap, kept as data (strict: it must still fail)

The case folder is copied to a temporary directory and the CLI runs there, so messages name
files relative to it. Every run has a timeout and an address-space limit: hostile input must
neither hang nor eat the machine. A crash shows up as a traceback or a second stderr line.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from specguard.cli import main
from specguard.report import OutputFormat, available_formats

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "hostile"
_SCRIPT = Path(sys.executable).with_name("specguard")
SPECGUARD = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "import sys; from specguard.cli import main; sys.exit(main())"]
)
TIMEOUT_SECONDS = 60
ADDRESS_SPACE_BYTES = 3 * 1024**3
ERROR_PREFIX = "specguard: error: "
_ESC = "\x1b"
# A CommonMark code span: a run of backticks, then anything up to a run of the same length.
# HTML written in the report-escaping fixture; none of it may reach HTML or Markdown raw.
_SPEC_MARKUP = ("<script>alert(1)", "<img src=x", "<h1>t</h1>", "</code><img")
# A property name in the fixtures holds "\n::error::forged": it must not begin a line.
_FORGED_LINE = re.compile(r"^::error::forged", re.MULTILINE)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Case:
    """One hostile case as read from its expected.yaml."""

    folder: Path
    old: str
    new: str
    exit: int
    args: tuple[str, ...] = ()
    file: str | None = None
    line: int | None = None
    message: str | None = None
    findings: tuple[str, ...] = ()
    serve: bool | None = None
    symlinks: dict[str, str] = field(default_factory=dict)
    inert: bool = False
    timeout: float = TIMEOUT_SECONDS


def _default_side(folder: Path, *names: str) -> str | None:
    for name in names:
        for suffix in (".yaml", ".json"):
            if (folder / f"{name}{suffix}").exists():
                return f"{name}{suffix}"
    return None


def _load_case(folder: Path) -> Case:
    spec: dict[str, Any] = yaml.safe_load((folder / "expected.yaml").read_text("utf-8"))
    old = spec.get("old") or _default_side(folder, "spec", "old")
    new = spec.get("new") or _default_side(folder, "new") or old
    assert old is not None and new is not None, f"{folder}: no input file"
    return Case(
        folder=folder,
        old=old,
        new=new,
        exit=int(spec["exit"]),
        args=tuple(spec.get("args", ())),
        file=spec.get("file"),
        line=spec.get("line"),
        message=spec.get("message"),
        findings=tuple(spec.get("findings", ())),
        serve=spec.get("serve"),
        symlinks=dict(spec.get("symlinks", {})),
        inert=bool(spec.get("inert", False)),
        timeout=float(spec.get("timeout", TIMEOUT_SECONDS)),
    )


def _cases() -> list[Any]:
    params = []
    for folder in sorted(p.parent for p in HOSTILE.glob("*/expected.yaml")):
        reason = yaml.safe_load((folder / "expected.yaml").read_text("utf-8")).get("xfail")
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(folder, id=folder.name, marks=marks))
    return params


def _limit_resources() -> None:  # pragma: no cover - runs in the child process
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BYTES, ADDRESS_SPACE_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_specguard(
    args: list[str], cwd: Path, timeout: float = TIMEOUT_SECONDS
) -> subprocess.CompletedProcess[str]:
    """Run ``specguard`` in a child with a timeout and a bounded address space."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SPECGUARD_DEBUG", None)
    return subprocess.run(
        [*SPECGUARD, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=timeout,
        preexec_fn=_limit_resources,
        env=env,
        check=False,
    )


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    """Serves a small schema for any path and counts the requests it got."""

    def do_GET(self) -> None:
        self.server.hits += 1  # type: ignore[attr-defined]
        body = b"type: string\nmaxLength: 5\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/yaml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def _server() -> Iterator[http.server.HTTPServer]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def loopback_server(_server: http.server.HTTPServer) -> http.server.HTTPServer:
    """An HTTP server on a free 127.0.0.1 port that counts the requests of this test."""
    _server.hits = 0  # type: ignore[attr-defined]
    return _server


def _prepare(case: Case, workdir: Path, port: int) -> Path:
    target = workdir / case.folder.name
    shutil.copytree(case.folder, target, symlinks=True)
    for path in target.rglob("*"):
        if path.is_file() and not path.is_symlink() and path.name != "expected.yaml":
            raw = path.read_bytes()
            if b"__PORT__" in raw:
                path.write_bytes(raw.replace(b"__PORT__", str(port).encode()))
    for name, link in case.symlinks.items():
        (target / name).symlink_to(link)
    return target


def _assert_one_line_error(case: Case, result: subprocess.CompletedProcess[str]) -> None:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got:\n{result.stderr}"
    line = lines[0]
    assert line.startswith(ERROR_PREFIX), line
    rest = line[len(ERROR_PREFIX) :]
    assert case.file is not None, "an exit-2 case must say which file the error names"
    where = f"{case.file}:{case.line}: " if case.line is not None else f"{case.file}: "
    assert rest.startswith(where), f"expected the message to start with {where!r}: {rest!r}"
    if case.message is not None:
        assert re.search(case.message, rest[len(where) :]), f"{case.message!r} not in {rest!r}"
    assert _ESC not in line


def _assert_report(case: Case, result: subprocess.CompletedProcess[str]) -> None:
    assert result.stderr == "", result.stderr
    report = json.loads(result.stdout)
    ids = {finding["id"] for finding in report["findings"]}
    missing = set(case.findings) - ids
    assert not missing, f"missing findings {sorted(missing)}; got {sorted(ids)}"


def _assert_inert(case: Case, cwd: Path) -> None:
    # In process (the case itself already ran in a subprocess): seven formats, no imports.
    runner = CliRunner()
    for fmt in available_formats():
        args = ["diff", str(cwd / case.old), str(cwd / case.new), "--format", fmt.value]
        result = runner.invoke(main, args)
        assert result.exit_code == case.exit, (fmt, result.stderr, result.exception)
        out = result.stdout
        assert _ESC not in out and "\x07" not in out, f"raw control characters in {fmt.value}"
        if fmt is OutputFormat.MARKDOWN:
            # Inside a code span HTML is shown, not rendered; outside one it must be escaped.
            out = _CODE_SPAN.sub("", out)
            assert "](http://evil" not in out, "a live Markdown link"
        assert not _FORGED_LINE.search(out), f"spec text started a line of {fmt.value}"
        if fmt in (OutputFormat.HTML, OutputFormat.MARKDOWN):
            for markup in _SPEC_MARKUP:
                assert markup not in out, f"spec markup {markup!r} unescaped in {fmt.value}"


@pytest.mark.parametrize("folder", _cases())
def test_hostile_case(
    folder: Path, tmp_path: Path, loopback_server: http.server.HTTPServer
) -> None:
    """The case ends with its expected exit code and one clean line (or a correct report)."""
    case = _load_case(folder)
    cwd = _prepare(case, tmp_path, loopback_server.server_address[1])
    args = ["diff", case.old, case.new, "--format", "json", *case.args]
    result = run_specguard(args, cwd, timeout=case.timeout)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.exit, result.stderr
    if case.exit == 2:
        _assert_one_line_error(case, result)
    else:
        _assert_report(case, result)
    if case.serve is not None:
        hits = loopback_server.hits  # type: ignore[attr-defined]
        assert (hits > 0) is case.serve, f"loopback server got {hits} request(s)"
    if case.inert:
        _assert_inert(case, cwd)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper process needs os.fork")
@pytest.mark.parametrize("folder", _cases())
def test_hostile_case_with_a_helper_process(
    folder: Path, tmp_path: Path, loopback_server: http.server.HTTPServer
) -> None:
    """``-j 2`` (the old document loaded and both validated in a helper process) ends
    exactly as ``-j 1``: the same exit code, report and one-line error."""
    case = _load_case(folder)
    cwd = _prepare(case, tmp_path, loopback_server.server_address[1])
    args = ["diff", case.old, case.new, "--format", "json", *case.args]
    alone = run_specguard([*args, "-j", "1"], cwd, timeout=case.timeout)
    helped = run_specguard([*args, "-j", "2"], cwd, timeout=case.timeout)
    assert (helped.returncode, helped.stderr) == (alone.returncode, alone.stderr)
    assert helped.stdout == alone.stdout


def test_there_are_enough_cases() -> None:
    """The suite keeps at least fifty hostile cases, each with an expected.yaml."""
    assert len(_cases()) >= 50
