"""specguard vs @asyncapi/diff on the event fixtures, side by side.

    python benchmarks/asyncapi_compare.py [--fixtures DIR] [--workdir DIR] [--json]

Runs every case under ``fixtures/event-*/`` and ``fixtures/equivalent/event-*/`` through
``specguard diff`` (in-process) and through ``@asyncapi/diff`` (the npm library behind
``asyncapi diff``), installed with ``npm install`` into a temporary folder (or ``--workdir``).
Without Node.js and npm, or when the install fails, it says so and exits 0: this is evidence,
not a gate. Both tools get the same documents; @asyncapi/diff wants them parsed and
dereferenced, so local ``$ref``s are inlined first (as @asyncapi/parser would).

Verdicts are compared on one scale: breaking / warning (specguard) or unclassified
(@asyncapi/diff) / safe (specguard's safe findings, @asyncapi/diff's non-breaking changes, or
no change at all). For every case where they differ, the script prints both tools' reasons:
the rule and rationale specguard applied, and the JSON pointers @asyncapi/diff classified.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from specguard import diff_specs, load_spec  # noqa: E402
from specguard.rules import CATALOGUE  # noqa: E402

PACKAGE = "@asyncapi/diff@0.5.0"
_NPM_SECONDS = 300
_RUN_SECONDS = 120
_MAX_INLINE = 10_000

RUNNER = r"""
const { diff } = require('@asyncapi/diff');
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = {};
  for (const pair of JSON.parse(input)) {
    try {
      const output = diff(pair.old, pair.new, { outputType: 'json' });
      results[pair.name] = {
        breaking: output.breaking(),
        nonBreaking: output.nonBreaking(),
        unclassified: output.unclassified(),
      };
    } catch (error) {
      results[pair.name] = { error: String(error && error.message || error) };
    }
  }
  process.stdout.write(JSON.stringify(results));
});
"""


@dataclass(frozen=True, slots=True)
class Verdicts:
    """One case judged by both tools, with what each based its verdict on."""

    case: str
    ours: str
    theirs: str
    our_reasons: tuple[str, ...]
    their_reasons: tuple[str, ...]

    @property
    def agree(self) -> bool:
        return self.ours == self.theirs


def cases(fixtures: Path) -> list[Path]:
    found = [p.parent for p in sorted(fixtures.glob("event-*/*/expected.yaml"))]
    found += [p.parent for p in sorted(fixtures.glob("equivalent/event-*/expected.yaml"))]
    return found


def inline_refs(document: Any) -> Any:
    """The document with every local ``$ref`` replaced by its target (bounded)."""
    budget = [_MAX_INLINE]

    def target(pointer: str) -> Any:
        node = document
        for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def walk(node: Any, trail: tuple[str, ...]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError("too many references to inline")
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and ref not in trail:
                return walk(target(ref[1:]), (*trail, ref))
            return {key: walk(value, trail) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value, trail) for value in node]
        return node

    return walk(document, ())


def ours(folder: Path) -> tuple[str, tuple[str, ...]]:
    old = load_spec(str(folder / "old.yaml"))
    new = load_spec(str(folder / "new.yaml"))
    findings = diff_specs(old, new).findings
    levels = {f.level.value for f in findings}
    verdict = next((lv for lv in ("breaking", "warning") if lv in levels), "safe")
    reasons = tuple(
        f"{f.level.value} {f.rule_id}: {CATALOGUE[f.rule_id].rationale}" for f in findings
    )
    return verdict, reasons or ("no finding",)


def install(workdir: Path) -> bool:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        print("skipped: Node.js and npm are needed to run @asyncapi/diff", file=sys.stderr)
        return False
    if (workdir / "node_modules" / "@asyncapi" / "diff").is_dir():
        return True
    print(f"installing {PACKAGE} into {workdir} ...", file=sys.stderr)
    try:
        proc = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--silent", PACKAGE],
            cwd=workdir, capture_output=True, text=True, timeout=_NPM_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        print(f"skipped: npm install took longer than {_NPM_SECONDS} s", file=sys.stderr)
        return False
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["npm install failed"])[-1]
        print(f"skipped: npm install failed: {last}", file=sys.stderr)
        return False
    return True


def theirs(workdir: Path, folders: list[Path], fixtures: Path) -> dict[str, Any]:
    pairs = [
        {
            "name": str(folder.relative_to(fixtures)),
            "old": inline_refs(yaml.safe_load((folder / "old.yaml").read_text())),
            "new": inline_refs(yaml.safe_load((folder / "new.yaml").read_text())),
        }
        for folder in folders
    ]
    (workdir / "runner.js").write_text(RUNNER)
    proc = subprocess.run(
        ["node", "runner.js"], cwd=workdir, input=json.dumps(pairs), capture_output=True,
        text=True, timeout=_RUN_SECONDS, check=True,
    )
    results: dict[str, Any] = json.loads(proc.stdout)
    return results


def their_verdict(result: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    if "error" in result:
        return "error", (result["error"],)
    reasons = tuple(
        f"{kind} {change.get('action')} {change.get('path')}"
        for kind in ("breaking", "unclassified", "nonBreaking")
        for change in result.get(kind) or []
    )
    if result.get("breaking"):
        return "breaking", reasons
    if result.get("unclassified"):
        return "warning", reasons
    return "safe", reasons or ("no change",)


def compare(fixtures: Path, workdir: Path) -> list[Verdicts] | None:
    folders = cases(fixtures)
    if not install(workdir):
        return None
    results = theirs(workdir, folders, fixtures)
    compared = []
    for folder in folders:
        name = str(folder.relative_to(fixtures))
        our_verdict, our_reasons = ours(folder)
        verdict, reasons = their_verdict(results[name])
        compared.append(Verdicts(name, our_verdict, verdict, our_reasons, reasons))
    return compared


def _explain(row: Verdicts) -> str:
    """Why the verdicts differ, from what each tool based its verdict on."""
    if row.theirs == "error":
        return f"@asyncapi/diff refuses the pair ({row.their_reasons[0]}); specguard reads " \
               "2.6 and 3.0 into one model (subscribe = send, publish = receive)"
    if row.theirs == "warning":
        return ("@asyncapi/diff's table classifies a payload or header only as a whole, so "
                "every change inside one is 'unclassified'; specguard decides it by the "
                "operation's side (a sender may only narrow, a receiver may only widen)"
                + (" and the judge proved it changes no accepted message"
                   if any("no effect" in r for r in row.our_reasons) else ""))
    if row.theirs == "breaking" and row.ours == "safe":
        if any("remove /channels/" in r for r in row.their_reasons):
            return ("@asyncapi/diff matches channels by their document-local id, so a renamed "
                    "id is a removed channel; specguard matches by address, and the stream is "
                    "the same")
        return ("@asyncapi/diff marks every removal here breaking without asking who reads "
                "it; what a sender stops emitting only narrows")
    if row.theirs == "safe":
        return ("@asyncapi/diff marks every addition here non-breaking; specguard warns that "
                "receivers may not know a message type a sender starts to emit")
    return "the tools weigh this change differently"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to npm install @asyncapi/diff (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="specguard-asyncapi-diff-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        rows = compare(args.fixtures, workdir)
    if rows is None:
        return 0
    if args.json:
        print(json.dumps([{
            "case": row.case, "specguard": row.ours, "asyncapiDiff": row.theirs,
            "specguardReasons": row.our_reasons, "asyncapiDiffReasons": row.their_reasons,
        } for row in rows], indent=2))
        return 0
    width = max(len(row.case) for row in rows)
    print(f"{'case':<{width}}  {'specguard':<9}  {'@asyncapi/diff':<14}  agree")
    for row in rows:
        print(f"{row.case:<{width}}  {row.ours:<9}  {row.theirs:<14}  "
              f"{'yes' if row.agree else 'NO'}")
    differing = [row for row in rows if not row.agree]
    unclassified = [r for r in differing if r.theirs == "warning"]
    print(f"\n{len(rows)} cases: {len(rows) - len(differing)} agree, {len(differing)} differ")
    print(f"  breaking for specguard, not for @asyncapi/diff: "
          f"{sum(r.ours == 'breaking' and r.theirs != 'breaking' for r in rows)}")
    print(f"  breaking for @asyncapi/diff, safe for specguard: "
          f"{sum(r.theirs == 'breaking' and r.ours == 'safe' for r in rows)}")
    print(f"  left unclassified by @asyncapi/diff, decided by specguard: {len(unclassified)} "
          f"({sum(r.ours == 'breaking' for r in unclassified)} breaking, "
          f"{sum(r.ours == 'safe' for r in unclassified)} safe)")
    print(f"  refused by @asyncapi/diff: {sum(r.theirs == 'error' for r in rows)}")
    for row in differing:
        print(f"\n{row.case}: specguard {row.ours}, @asyncapi/diff {row.theirs}")
        print(f"  why: {_explain(row)}")
        for reason in row.our_reasons[:4]:
            print(f"  specguard: {reason}")
        for reason in row.their_reasons[:4]:
            print(f"  @asyncapi/diff: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
