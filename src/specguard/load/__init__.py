"""Load stage: read OpenAPI documents (file, stdin, git revision), resolve ``$ref``, validate.

``load_spec`` returns a :class:`Spec`: the parsed root document plus a resolver that reads
referenced files lazily, never outside the root folder and never from the network unless
asked. Documents are never expanded; the differ follows references itself.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from specguard.errors import LoadError, RefError, SpecValidationError
from specguard.load._parse import (
    Index,
    JsonLocator,
    LineTable,
    decode_pointer,
    encode_token,
    parse_bytes,
    yaml_line,
)

__all__ = [
    "SourceFile",
    "Spec",
    "Validation",
    "decode_pointer",
    "encode_token",
    "load_spec",
    "loaded_pair",
    "parse_bytes",
    "validate_specs",
    "validation_problem",
]

_MAX_REF_CHAIN = 100_000


@dataclass(eq=False)
class SourceFile:
    """One parsed file: its display name, identity, data and a way to find source lines."""

    name: str
    key: str
    data: Any
    text: str
    yaml_lines: LineTable | None
    _json_locator: JsonLocator | None = field(default=None, repr=False)
    # where an index of this JSON text's containers may come from (a helper process)
    prepared_index: Callable[[], Index | None] | None = field(default=None, repr=False)

    def line(self, pointer: str) -> int | None:
        """The 1-based source line of the node at ``pointer`` (or of its nearest ancestor)."""
        if self.yaml_lines is not None:
            return yaml_line(self.data, self.yaml_lines, pointer)
        return self._locator().line(pointer)

    def container_index(self, depth: int) -> Index | None:
        """Index this JSON text's containers down to ``depth`` for another process's
        :attr:`prepared_index` (None for YAML, whose lines are known already)."""
        return None if self.yaml_lines is not None else self._locator().warm(depth)

    def _locator(self) -> JsonLocator:
        if self._json_locator is None:
            self._json_locator = JsonLocator(self.text, self.data)
            index = self.prepared_index() if self.prepared_index is not None else None
            if index is not None:
                self._json_locator.adopt(index)
        return self._json_locator

    def get(self, pointer: str) -> Any:
        """The node at ``pointer``; raises KeyError/IndexError/ValueError when absent."""
        node = self.data
        for token in decode_pointer(pointer):
            if isinstance(node, list):
                # RFC 6901: an index is 0 or digits without a leading zero; Python's node[-1]
                # would quietly take the last item
                if not _ARRAY_INDEX.fullmatch(token):
                    raise IndexError(f"{token!r} is not an array index")
                node = node[int(token)]
            elif isinstance(node, dict):
                node = node[token]
            else:
                raise KeyError(token)
        return node


_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


class _Source:
    """Where files come from: the file system or a git revision, confined to a root."""

    def __init__(self, root: PurePosixPath, rev: str | None, repo: Path | None) -> None:
        self.root = root
        self.rev = rev
        self.repo = repo
        self._real_root: PurePosixPath | None = None

    def really_inside(self, path: PurePosixPath) -> bool:
        """True unless a symbolic link on the way takes ``path`` out of the root."""
        if self.rev is not None:
            return True  # git show reads blobs: a committed symlink is just its target text
        if self._real_root is None:  # once: a spec of 2,700 files asked for each one
            self._real_root = PurePosixPath(os.path.realpath(self.root))
        return _inside(PurePosixPath(os.path.realpath(path)), self._real_root)

    def read(self, path: PurePosixPath) -> bytes:
        if self.rev is None:
            try:
                _regular_file(str(path))
                return Path(path).read_bytes()
            except FileNotFoundError:
                raise LoadError("file not found", file=str(path)) from None
            except IsADirectoryError:
                raise LoadError("is a directory, not a file", file=str(path)) from None
            except OSError as exc:
                raise LoadError(f"cannot read: {exc.strerror}", file=str(path)) from None
        assert self.repo is not None
        relative = path.relative_to(PurePosixPath(self.repo.as_posix()))
        return git_show(self.rev, relative.as_posix(), self.repo)

    def display(self, path: PurePosixPath) -> str:
        if self.rev is not None and self.repo is not None:
            relative = path.relative_to(PurePosixPath(self.repo.as_posix())).as_posix()
            return f"{self.rev}:{relative}"
        try:
            return os.path.relpath(path)
        except ValueError:  # pragma: no cover - different drive on Windows
            return str(path)


def git_show(rev: str, path: str, repo: Path) -> bytes:
    """Read ``path`` as of ``rev`` with ``git show``; one-line errors on failure."""
    try:
        proc = subprocess.run(
            ["git", "show", f"{rev}:{path}"],
            cwd=repo,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise LoadError("git is not installed", file=f"{rev}:{path}") from None
    except subprocess.TimeoutExpired:
        raise LoadError("git show timed out", file=f"{rev}:{path}") from None
    if proc.returncode != 0:
        message = proc.stderr.decode(errors="replace").strip().splitlines()
        raise LoadError(
            f"git show failed: {message[-1] if message else 'unknown error'}",
            file=f"{rev}:{path}",
        )
    return proc.stdout


def git_toplevel(cwd: Path) -> Path:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except FileNotFoundError:
        raise LoadError("git is not installed") from None
    if proc.returncode != 0:
        raise LoadError("not inside a git repository", file=str(cwd))
    return Path(proc.stdout.strip())


def _normalise(path: PurePosixPath) -> PurePosixPath:
    return PurePosixPath(os.path.normpath(path.as_posix()))


def _load_url(location: str, *, allow_remote_refs: bool, validate: bool) -> Spec:
    """A spec given as a URL: fetched once (deadline, size cap); its own ``$ref``s to other
    documents are remote refs, followed only with ``allow_remote_refs``."""
    try:
        raw = _fetch(location)
    except (OSError, ValueError) as exc:
        raise LoadError(f"cannot fetch: {exc}", file=location) from None
    source = _Source(PurePosixPath(Path.cwd().as_posix()), None, None)
    return _spec(Located(raw, location, location, source, None), allow_remote_refs, validate)


def _spec(found: Located, allow_remote_refs: bool, validate: bool) -> Spec:
    spec = parsed_spec(found, allow_remote_refs)
    if validate and spec.is_asyncapi:
        from specguard.load._asyncapi import validate_asyncapi

        validate_asyncapi(spec)
    elif validate:
        from specguard.load._validate import validate_spec

        validate_spec(spec)
    return spec


def parsed_spec(found: Located, allow_remote_refs: bool, *,
                json_duplicates_checked_elsewhere: bool = False) -> Spec:
    """The spec of a document read but not parsed yet (its version checked, not validated)."""
    data, text, lines = parse_bytes(
        found.raw, found.name, json_duplicates_checked_elsewhere=json_duplicates_checked_elsewhere)
    return spec_of_parsed(
        SourceFile(name=found.name, key=found.key, data=data, text=text, yaml_lines=lines),
        found.source, found.path, allow_remote_refs)


def spec_of_parsed(root_file: SourceFile, source: _Source, path: PurePosixPath | None,
                   allow_remote_refs: bool) -> Spec:
    """The spec of an already parsed root document (its version checked)."""
    spec = Spec(root_file, source, path, allow_remote_refs)
    check_version(root_file)
    return spec


REMOTE_SECONDS = 30.0
REMOTE_BYTES = 64 * 1024 * 1024


def _fetch(url: str) -> bytes:
    """A remote document, within a total deadline and a size cap: a per-read timeout alone
    lets a server that drips one byte every few seconds hold the gate for ever."""
    deadline = time.monotonic() + REMOTE_SECONDS
    chunks: list[bytes] = []
    size = 0
    import urllib.request  # 20 ms of imports (http.client, ssl) only a URL needs

    with urllib.request.urlopen(url, timeout=10) as response:
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError(f"not received within {REMOTE_SECONDS:.0f} s")
            chunk = response.read1(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > REMOTE_BYTES:
                raise OSError(f"larger than {REMOTE_BYTES // (1024 * 1024)} MB")
            chunks.append(chunk)


def _regular_file(path: str) -> None:
    """Refuse a FIFO, socket or device: reading one may never end (a PR can commit a FIFO)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # the read that follows reports it
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise LoadError("not a regular file (a FIFO, socket or device)", file=path)


def _inside(path: PurePosixPath, root: PurePosixPath) -> bool:
    return path == root or root in path.parents


class Spec:
    """A loaded OpenAPI document with lazy, confined ``$ref`` resolution."""

    def __init__(
        self,
        root: SourceFile,
        source: _Source,
        root_path: PurePosixPath | None,
        allow_remote_refs: bool,
    ) -> None:
        self.root = root
        self._source = source
        self._allow_remote = allow_remote_refs
        self.files: dict[str, SourceFile] = {root.key: root}
        self._by_name: dict[str, SourceFile] = {root.name: root}
        # files on disk (or in git) by key; a document fetched from a URL has no path
        self._paths: dict[str, PurePosixPath] = (
            {root.key: root_path} if root_path is not None else {}
        )
        # (referring file, address as written) -> file: resolving is on the differ's hot path.
        self._opened: dict[tuple[str, str], SourceFile] = {}
        # documents never change once loaded: a $ref string written in one file always leads
        # to the same node, and the differ follows the same few hundred refs thousands of times
        self._resolved: dict[tuple[str, str], tuple[SourceFile, str, Any]] = {}

    @property
    def data(self) -> Any:
        return self.root.data

    @property
    def openapi_version(self) -> str:
        value = self.root.data.get("openapi") if isinstance(self.root.data, dict) else None
        return str(value) if value is not None else ""

    @property
    def is_31(self) -> bool:
        return self.openapi_version.startswith("3.1")

    @property
    def asyncapi_version(self) -> str:
        """The ``asyncapi`` version field ("" for an OpenAPI document)."""
        value = self.root.data.get("asyncapi") if isinstance(self.root.data, dict) else None
        return str(value) if value is not None else ""

    @property
    def is_asyncapi(self) -> bool:
        """An AsyncAPI (event contract) document rather than an OpenAPI one."""
        return bool(self.asyncapi_version) and "openapi" not in self.root.data

    def file_named(self, name: str) -> SourceFile | None:
        return self._by_name.get(name)

    def relative_name(self, file: str) -> str | None:
        """Where ``file`` (a display name) lies relative to the root document's folder.

        ``""`` for the root document itself, a URL for a remote document, ``None`` for a file
        this spec did not load. Independent of where the spec is checked out and of the git
        revision read, so it may identify a file across runs.
        """
        source = self._by_name.get(file)
        if source is None:
            return None
        if source is self.root:
            return ""
        path = self._paths.get(source.key)
        if path is None:
            return source.key
        return posixpath.relpath(path, self._paths[self.root.key].parent)

    def line(self, file: str, pointer: str) -> int | None:
        source = self._by_name.get(file)
        return source.line(pointer) if source is not None else None

    def resolve(
        self, ref: str, base: SourceFile, at: str | None = None
    ) -> tuple[SourceFile, str, Any]:
        """Resolve one ``$ref`` string written in ``base``: (file, pointer, target node).

        ``at`` is the pointer of the object holding the ``$ref``; errors then give its line
        (looked up only when there is an error: this is the differ's hot path).
        """
        try:
            return self._resolve(ref, base)
        except RefError as exc:
            if exc.line is None and exc.file == base.name and at is not None:
                exc.line = base.line(at + "/$ref")
                exc.pointer = exc.pointer or at or "/"
            raise

    def _resolve(self, ref: str, base: SourceFile) -> tuple[SourceFile, str, Any]:
        if isinstance(ref, str):
            known = self._resolved.get((base.key, ref))
            if known is not None:
                return known
        resolved = self._resolve_new(ref, base)
        self._resolved[(base.key, ref)] = resolved
        return resolved

    def _resolve_new(self, ref: str, base: SourceFile) -> tuple[SourceFile, str, Any]:
        if not isinstance(ref, str):
            raise RefError("$ref must be a string", file=base.name)
        address, _, fragment = ref.partition("#")
        target = base if not address else self._open(address, base, ref)
        pointer = urllib.parse.unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise RefError(
                f"unsupported $ref fragment {ref!r}",
                file=base.name,
                hint="only JSON-pointer fragments (#/...) are supported",
            )
        try:
            node = target.get(pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            raise RefError(
                f"$ref {ref!r} points to nothing",
                file=base.name,
                hint=f"no node at {pointer or '/'} in {target.name}",
            ) from None
        return target, pointer, node

    def follow(self, node: Any, base: SourceFile, pointer: str) -> tuple[SourceFile, str, Any]:
        """Follow a chain of ``$ref`` nodes to the first node that is not a bare reference."""
        seen: set[tuple[str, str]] = set()
        steps = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            here = (base.key, pointer)
            if here in seen or steps > _MAX_REF_CHAIN:
                raise RefError(
                    "circular $ref that never reaches a value",
                    file=base.name,
                    line=base.line(pointer),
                    pointer=pointer or "/",
                )
            seen.add(here)
            steps += 1
            base, pointer, node = self.resolve(node["$ref"], base, pointer)
        return base, pointer, node

    def _open(self, address: str, base: SourceFile, ref: str) -> SourceFile:
        opened = self._opened.get((base.key, address))
        if opened is not None:
            return opened
        opened = self._open_new(address, base, ref)
        self._opened[(base.key, address)] = opened
        return opened

    def _open_new(self, address: str, base: SourceFile, ref: str) -> SourceFile:
        try:
            parsed = urllib.parse.urlsplit(address)
        except ValueError:
            raise RefError(f"malformed $ref {ref!r}", file=base.name) from None
        if parsed.scheme in ("http", "https"):
            if not self._allow_remote:
                raise RefError(
                    f"remote $ref {ref!r} not followed",
                    file=base.name,
                    hint="pass --allow-remote-refs to fetch it",
                )
            return self._open_remote(address)
        if parsed.scheme or address.startswith("/") or address.startswith("\\"):
            raise RefError(
                f"$ref {ref!r} is not a relative path",
                file=base.name,
                hint="only paths relative to the referring file are followed",
            )
        base_path = self._paths.get(base.key)
        if base_path is None:
            # relative to a document fetched from a URL: another remote document
            if not self._allow_remote:
                raise RefError(
                    f"relative $ref {ref!r} inside a remote document not followed",
                    file=base.name,
                    hint="pass --allow-remote-refs to fetch it",
                )
            return self._open_remote(urllib.parse.urljoin(base.key, address))
        relative = urllib.parse.unquote(address)
        if "\x00" in relative:  # no file name holds NUL; the OS calls would raise ValueError
            raise RefError(f"malformed $ref {ref!r}", file=base.name)
        path = _normalise(base_path.parent / relative)
        key = str(path) if self._source.rev is None else f"{self._source.rev}:{path}"
        known = self.files.get(key)
        if known is not None:
            return known
        root = self._source.root
        if not _inside(path, root) or not self._source.really_inside(path):
            raise RefError(
                f"$ref {ref!r} leaves the root folder {root}",
                file=base.name,
                hint="refs may not point outside the root (symbolic links are resolved); "
                "use --root to widen it",
            )
        name = self._source.display(path)
        try:
            raw = self._source.read(path)
        except LoadError as exc:
            # The problem is in the referring file: say where the $ref is written.
            raise RefError(
                f"$ref {ref!r}: {exc.message}",
                file=base.name,
                hint=f"looked for {name}",
            ) from None
        data, text, lines = parse_bytes(raw, name)
        source = SourceFile(name=name, key=key, data=data, text=text, yaml_lines=lines)
        self._register(source, path)
        return source

    def _open_remote(self, url: str) -> SourceFile:
        known = self.files.get(url)
        if known is not None:
            return known
        try:
            raw = _fetch(url)
        except OSError as exc:
            raise RefError(f"cannot fetch remote $ref: {exc}", file=url) from None
        data, text, lines = parse_bytes(raw, url)
        source = SourceFile(name=url, key=url, data=data, text=text, yaml_lines=lines)
        self.files[url] = source
        self._by_name[url] = source
        return source

    def _register(self, source: SourceFile, path: PurePosixPath) -> None:
        self.files[source.key] = source
        self._by_name[source.name] = source
        self._paths[source.key] = path

    def file_for_uri(self, uri: str) -> Any:
        """Document for a ``file://`` URI the validator asks for, with the same confinement."""
        parsed = urllib.parse.urlsplit(uri)
        if parsed.scheme != "file":
            return self._open(uri, self.root, uri).data
        wanted = _normalise(PurePosixPath(urllib.parse.unquote(parsed.path)))
        for key, path in self._paths.items():
            if path == wanted:
                return self.files[key].data
        relative = os.path.relpath(wanted, self._paths[self.root.key].parent)
        return self._open(relative, self.root, uri).data

    def root_uri(self) -> str:
        path = self._paths.get(self.root.key)
        return self.root.key if path is None else PurePosixPath(path).as_uri()  # a URL root


def load_spec(
    location: str,
    *,
    root: str | None = None,
    allow_remote_refs: bool = False,
    validate: bool = True,
    stdin: bytes | None = None,
) -> Spec:
    """Load a spec from a path, ``-`` (stdin) or ``REV:path`` (a git revision)."""
    if location.startswith(("http://", "https://")):
        return _load_url(location, allow_remote_refs=allow_remote_refs, validate=validate)
    return _spec(read_located(location, root=root, stdin=stdin), allow_remote_refs, validate)


@dataclass(frozen=True)
class Located:
    """A document's bytes and where they came from, before parsing."""

    raw: bytes
    name: str
    key: str
    source: _Source
    path: PurePosixPath | None  # None for a document fetched from a URL


def read_located(location: str, *, root: str | None = None, stdin: bytes | None = None
                 ) -> Located:
    """Read a path, ``-`` (stdin) or ``REV:path``, confined to ``root``."""
    rev, path_text = split_revision(location)
    cwd = Path.cwd()
    if location == "-":
        raw = stdin if stdin is not None else sys.stdin.buffer.read()
        path = _normalise(PurePosixPath(cwd.as_posix()) / "<stdin>")
        confine = PurePosixPath(Path(root).resolve().as_posix()) if root else path.parent
        source = _Source(confine, None, None)
        name = "<stdin>"
    elif rev is not None:
        repo = git_toplevel(cwd)
        path = _normalise(PurePosixPath(cwd.as_posix()) / path_text)
        if PurePosixPath(repo.as_posix()) not in path.parents:
            raise LoadError("path is outside the git repository", file=location)
        confine = _normalise(PurePosixPath(cwd.as_posix()) / root) if root else path.parent
        source = _Source(confine, rev, repo)
        raw = source.read(path)
        name = source.display(path)
    else:
        path = PurePosixPath(Path(location).resolve().as_posix())
        confine = PurePosixPath(Path(root).resolve().as_posix()) if root else path.parent
        source = _Source(confine, None, None)
        _regular_file(str(path))
        if not Path(path).is_file():
            if Path(path).is_dir():
                raise LoadError("is a directory, not a file", file=location)
            raise LoadError("file not found", file=location)
        name = location
        if root is not None and confine != path.parent and confine not in path.parents:
            # before reading: a symlink committed in a pull request must not make us read
            # (possibly a large or special) file outside the root at all
            raise LoadError(f"the spec is outside --root {root}", file=name)
        raw = source.read(path)
    if root is not None and confine != path.parent and confine not in path.parents:
        raise LoadError(f"the spec is outside --root {root}", file=name)
    key = str(path) if rev is None else f"{rev}:{path}"
    return Located(raw, name, key, source, path)


def validate_specs(specs: Sequence[Spec]) -> None:
    """Validate loaded specs (large ones in parallel); the first one's error is raised."""
    if not specs:
        return  # nothing to import either
    from specguard.load._validate import validate_specs as validate_all

    for spec in specs:
        if spec.is_asyncapi:  # event contracts are small: validated here, one by one
            from specguard.load._asyncapi import validate_asyncapi

            validate_asyncapi(spec)
    validate_all([spec for spec in specs if not spec.is_asyncapi])


def validation_problem(spec: Spec) -> SpecValidationError | None:
    """Why ``spec`` is not a valid OpenAPI document (None: it is valid); a ``$ref`` that cannot
    be followed is raised as :class:`RefError`, since no walk gets past it."""
    from specguard.load._validate import validation_problem as problem

    return problem(spec)


def split_revision(location: str) -> tuple[str | None, str]:
    """``REV:path`` names a git revision; a plain path (even with ':' on Windows) does not."""
    if location == "-" or Path(location).exists():
        return None, location
    rev, sep, path = location.partition(":")
    # A revision starting with '-' would be read by git as an option.
    if sep and rev and path and not rev.startswith(("/", ".", "-")) and len(rev) > 1:
        return rev, path
    return None, location


def check_version(source: SourceFile) -> None:
    """Refuse what is not an OpenAPI 3.0/3.1 or AsyncAPI 2.6/3.0 mapping, with a clear message."""
    data = source.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__} value"
        raise LoadError(
            f"the document is {kind}, not a mapping",
            file=source.name,
            line=1,
            hint="an OpenAPI document is a mapping with an 'openapi' key",
        )
    if "asyncapi" in data and "openapi" not in data:
        from specguard.load._asyncapi import check_asyncapi_version

        check_asyncapi_version(source)
        return
    if "swagger" in data:
        raise SpecValidationError(
            f"Swagger {data.get('swagger')} is not supported",
            file=source.name,
            line=source.line("/swagger"),
            hint="convert it to OpenAPI 3 first (e.g. with swagger2openapi)",
        )
    version = data.get("openapi")
    if version is None:
        raise SpecValidationError(
            "missing 'openapi' version field",
            file=source.name,
            line=1,
            hint="add e.g. 'openapi: 3.1.0' (or 'asyncapi: 3.0.0' for an event contract)",
        )
    text = str(version)
    parts = text.split(".")
    if len(parts) < 2 or parts[0] != "3" or parts[1] not in ("0", "1"):
        raise SpecValidationError(
            f"unsupported OpenAPI version {text!r}",
            file=source.name,
            line=source.line("/openapi"),
            hint="specguard reads OpenAPI 3.0.x and 3.1.x",
        )


# The pair loader builds on everything above (a helper process loads with load_spec).
from specguard.load._pair import Validation, loaded_pair  # noqa: E402
