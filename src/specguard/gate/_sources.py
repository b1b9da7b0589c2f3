"""Give a report what reviewers' formats need from the specs: source text and anchors."""

from __future__ import annotations

import dataclasses

from specguard.load import SourceFile, Spec, decode_pointer, encode_token
from specguard.model import DiffReport, Finding, Location, SourceText


def file_origin(source: SourceFile) -> tuple[str | None, str | None]:
    """(path in the repository or working folder, git revision or None) of a loaded file.

    Files read from git are keyed ``REV:/absolute/path`` and named ``REV:relative/path``;
    files from disk are keyed by their absolute path. Remote files have no path.
    """
    key, name = source.key, source.name
    if key.startswith(("http://", "https://")):
        return None, None
    if not key.startswith("/") and ":" in key:
        revision = key.split(":", 1)[0]
        prefix = f"{revision}:"
        return (name[len(prefix) :] if name.startswith(prefix) else name), revision
    return name, None


def _counterpart(old: Spec, new: Spec, file: str) -> SourceFile | None:
    """The new spec's file that corresponds to the old spec's ``file``."""
    old_file = old.file_named(file)
    if old_file is None:
        return None
    if old_file is old.root:
        return new.root
    path, _ = file_origin(old_file)
    for candidate in new.files.values():
        if file_origin(candidate)[0] == path:
            return candidate
    return None


def _anchor(old: Spec, new: Spec, location: Location) -> Location | None:
    """The deepest node of the old pointer's path that still exists in the new spec."""
    target = _counterpart(old, new, location.file)
    if target is None:
        return None
    pointer = "" if location.pointer == "/" else location.pointer
    try:
        tokens = decode_pointer(pointer)
    except ValueError:
        return None
    node = target.data
    kept: list[str] = []
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            break
        kept.append(token)
    surviving = "".join("/" + encode_token(t) for t in kept)
    return Location(target.name, surviving, target.line(surviving))


def with_sources(report: DiffReport, old: Spec, new: Spec) -> DiffReport:
    """Add anchors for removals and the text of every file a finding points into."""
    findings: list[Finding] = []
    for finding in report.findings:
        if finding.new is None and finding.old is not None and finding.anchor is None:
            finding = dataclasses.replace(finding, anchor=_anchor(old, new, finding.old))
        findings.append(finding)
    wanted = {loc.file for f in findings for loc in (f.old, f.new, f.anchor) if loc is not None}
    sources = list(report.sources)
    known = {s.file for s in sources}
    for spec in (old, new):
        for source in spec.files.values():
            if source.name in wanted and source.name not in known:
                path, revision = file_origin(source)
                sources.append(SourceText(source.name, source.text, path, revision))
                known.add(source.name)
    return dataclasses.replace(report, findings=tuple(findings), sources=tuple(sources))
