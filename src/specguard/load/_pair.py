"""The two documents of a diff, loaded and validated on two cores.

On a machine with two or more CPUs, ``specguard diff`` of large documents forks a helper
process before loading: it parses the old document and hands it over (marshal, several times
faster than parsing again), then parses the new one too and validates both, while this
process parses the new document and goes on to compare and judge. What the helper hands over
is exactly what parsing here would have built (marshal keeps every value, key order and
shared YAML alias); anything unexpected in the helper, or no helper at all, means this
process does the work itself, the same way as with ``--jobs 1``.

The hand-over goes through an unlinked temporary file (a pipe would block the helper until
this process reads); the pipe only carries small messages: "old document ready", "the new
document has no repeated JSON key" (this process parses it without looking: the helper
does), the container index, the validation verdicts, or an error to raise as loading here
would have raised it.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import struct
import threading
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from specguard import errors
from specguard.errors import SpecguardError, SpecValidationError
from specguard.load import (
    Located,
    SourceFile,
    Spec,
    load_spec,
    parsed_spec,
    read_located,
    spec_of_parsed,
    split_revision,
    validation_problem,
)
from specguard.load._parse import Index, LineTable, decode_text, parse_bytes

# Below this much text (both documents) a helper costs more than it saves.
MIN_PARALLEL_BYTES = 512 * 1024

_HEADER = struct.Struct("!cQ")  # message kind, payload length
_OLD_READY, _INDEXES, _VERDICTS, _FAILED = b"D", b"I", b"V", b"E"
_NEW_LOADED, _NEW_FAILED = b"N", b"F"
# Containers indexed ahead for line numbers: the root, /paths, /components/schemas, each path
INDEX_DEPTH = 2

Problems = tuple[SpecValidationError | None, SpecValidationError | None]


def _usable_cpus() -> int:
    """CPUs this process may run on; 1 where that cannot be told (auto mode is Linux-only:
    macOS frameworks are not fork-safe, Windows cannot fork)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return 1


def _parallel(old: str, new: str, jobs: int | None) -> bool:
    if jobs == 1 or not hasattr(os, "fork"):
        return False
    if jobs is None and (_usable_cpus() < 2 or threading.active_count() > 1):
        return False  # and forking a threaded process could deadlock the child
    if "-" in (old, new) or any(p.startswith(("http://", "https://")) for p in (old, new)):
        return False
    old_size, new_size = _size_hint(old), _size_hint(new)
    if old_size is None or new_size is None:  # nothing to go by, or a path loading reports
        return False
    return jobs is not None or old_size + new_size >= MIN_PARALLEL_BYTES


def _size_hint(location: str) -> int | None:
    """The file's size; for ``REV:path`` the working tree's copy of the path (about the size
    the revision holds: ``specguard diff main:openapi.json openapi.json`` is the usual case)."""
    rev, path = split_revision(location)
    try:
        return os.path.getsize(path if rev is not None else location)
    except OSError:
        return None


class Validation:
    """The verdicts of validating both documents: from the helper, else computed here."""

    def __init__(self, old: Spec, new: Spec, helper: _Helper | None) -> None:
        self._specs = (old, new)
        self._helper = helper
        self._problems: Problems | None = None
        self._raise: SpecguardError | None = None

    @property
    def helper(self) -> _Helper | None:
        return self._helper

    def result(self) -> Problems:
        """(old problem, new problem); raises what validating raises (an unfollowable $ref)."""
        if self._problems is None and self._raise is None:  # asked once, answered once
            received = self._helper.verdicts() if self._helper is not None else None
            if received is None:
                try:
                    self._problems = (validation_problem(self._specs[0]),
                                      validation_problem(self._specs[1]))
                except SpecguardError as exc:
                    self._raise = exc
            elif isinstance(received, SpecguardError):
                self._raise = received
            else:
                self._problems = received
        if self._raise is not None:
            raise self._raise
        assert self._problems is not None
        return self._problems


@contextlib.contextmanager
def loaded_pair(
    old: str,
    new: str,
    *,
    root: str | None = None,
    allow_remote_refs: bool = False,
    jobs: int | None = None,
    validate: bool = True,
) -> Iterator[tuple[Spec, Spec, Validation]]:
    """Load OLD and NEW (neither validated yet) and the pending validation of both (the
    helper validates only when ``validate``).

    ``jobs``: 1 does everything in this process, 2 uses a helper process (forked: ask for it
    only from a process with one thread), None (the default) a helper for large documents when
    two CPUs are free and this process has one thread. Errors are the same either way: the old
    document's first, as loading them in turn would raise them.
    """
    options: dict[str, Any] = {"root": root, "allow_remote_refs": allow_remote_refs}
    helper = None
    if _parallel(old, new, jobs):
        with contextlib.suppress(OSError):  # no temporary file, no fork: one process it is
            helper = _Helper.start(old, new, options, validate)
    if helper is None:
        old_spec = load_spec(old, validate=False, **options)
        new_spec = load_spec(new, validate=False, **options)
        yield old_spec, new_spec, Validation(old_spec, new_spec, None)
        return
    try:
        try:
            new_found = read_located(new, root=root)
            # a repeated JSON key is the helper's to find: it parses these bytes too
            new_spec = parsed_spec(new_found, allow_remote_refs,
                                   json_duplicates_checked_elsewhere=True)
        except SpecguardError:
            helper.old_spec(old, options)  # raises the old document's error first
            raise
        old_spec = helper.old_spec(old, options)
        helper.offer_index(old_spec.root, 0)
        helper.offer_index(new_spec.root, 1, zlib.crc32(new_found.raw))
        try:
            yield old_spec, new_spec, Validation(old_spec, new_spec, helper)
        except Exception:
            helper.confirm_new(new_found)  # a load error comes first, as it would have here
            raise
        helper.confirm_new(new_found)
    finally:
        helper.stop()


@dataclass
class _Helper:
    pid: int
    messages: Any  # the pipe's read end, as a binary file
    handover: Any  # the temporary file the old document arrives in
    finished: bool = False
    received: dict[bytes, bytes] = field(default_factory=dict)
    old_crc: int | None = None

    @classmethod
    def start(cls, old: str, new: str, options: dict[str, Any], validate: bool) -> _Helper:
        import tempfile  # only here: 5 ms of imports a small diff does not need

        handover = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        try:
            read_end, write_end = os.pipe()
        except OSError:
            handover.close()
            raise
        try:
            pid = os.fork()
        except OSError:
            for fd in (read_end, write_end):
                os.close(fd)
            handover.close()
            raise
        if pid == 0:  # the helper: never returns
            os.close(read_end)
            _serve(old, new, options, validate, handover.fileno(), write_end)
        os.close(write_end)
        return cls(pid, os.fdopen(read_end, "rb"), handover)

    def _message(self, *kinds: bytes) -> tuple[bytes, bytes] | None:
        """The next message of one of ``kinds`` (others are kept for later); None when the
        helper ended without sending one."""
        for kind in kinds:
            if kind in self.received:
                return kind, self.received.pop(kind)
        while not self.finished:
            header = self.messages.read(_HEADER.size)
            if len(header) < _HEADER.size:
                self.finished = True  # the helper is done (or died)
                break
            kind, length = _HEADER.unpack(header)
            payload = self.messages.read(length)
            if len(payload) < length:
                self.finished = True
                break
            if kind in kinds:
                return kind, payload
            self.received[kind] = payload
        return None

    def old_spec(self, old: str, options: dict[str, Any]) -> Spec:
        """The old document from the helper; parsed here if the helper could not."""
        allow_remote = options["allow_remote_refs"]
        located: Located | None
        try:  # what this process needs of the old text anyway, while the helper parses it
            located = read_located(old, root=options["root"])
            crc, text = zlib.crc32(located.raw), decode_text(located.raw, located.name)
        except SpecguardError:
            located = None  # the helper's word on it comes first
        message = self._message(_OLD_READY, _FAILED)
        if message is not None and message[0] == _FAILED:
            self.finished = True
            raise _error(marshal.loads(message[1]))
        if located is None or message is None:  # loading it here says what it says
            return parsed_spec(read_located(old, root=options["root"]), allow_remote)
        size, sent_crc = marshal.loads(message[1])
        if sent_crc != crc:  # the file changed meanwhile: read it here
            return parsed_spec(located, allow_remote)
        self.old_crc = crc
        data, chunks = marshal.loads(os.pread(self.handover.fileno(), size, 0))
        self.handover.close()
        return _rebuilt(located, text, data, chunks, allow_remote)

    def offer_index(self, root: SourceFile, side: int, crc: int | None = None) -> None:
        """Let ``root`` take the helper's index of its containers when it first needs a line."""
        expected = self.old_crc if side == 0 else crc

        def prepared() -> Index | None:
            message = self._message(_INDEXES)
            if message is None:
                return None
            self.received[_INDEXES] = message[1]  # the other document reads it too
            found_crc, index = marshal.loads(message[1])[side]
            return index if expected is not None and found_crc == expected else None

        root.prepared_index = prepared

    def confirm_new(self, found: Located) -> None:
        """Raise what loading the new document with every check raises (the helper's word,
        else a parse here)."""
        message = self._message(_NEW_LOADED, _NEW_FAILED)
        if message is None:
            parse_bytes(found.raw, found.name)
        elif message[0] == _NEW_FAILED:
            raise _error(marshal.loads(message[1]))

    def verdicts(self) -> Problems | SpecguardError | None:
        message = self._message(_VERDICTS, _FAILED)
        if message is None:
            return None
        if message[0] == _FAILED:
            failure: SpecguardError = _error(marshal.loads(message[1]))
            return failure
        old, new = marshal.loads(message[1])
        return _error(old) if old else None, _error(new) if new else None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)  # whatever it still does is not wanted
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        self.messages.close()
        self.handover.close()


def _serve(old: str, new: str, options: dict[str, Any], validate: bool, handover: int,
           pipe: int) -> None:
    """The helper's whole life: hand over the old document, index both documents' big
    containers for line numbers, then validate both."""
    status = 0
    try:
        loaded = _loaded(old, options, pipe, _FAILED)
        if loaded is None:
            return
        old_found, old_spec = loaded
        root = old_spec.root
        payload = marshal.dumps((root.data, _line_chunks(root.data, root.yaml_lines)))
        os.pwrite(handover, payload, 0)
        _send(pipe, _OLD_READY, marshal.dumps((len(payload), zlib.crc32(old_found.raw))))
        loaded = _loaded(new, options, pipe, _NEW_FAILED)
        if loaded is None:
            return
        new_found, new_spec = loaded
        _send(pipe, _NEW_LOADED, b"")
        _send(pipe, _INDEXES, marshal.dumps(tuple(
            (zlib.crc32(found.raw), spec.root.container_index(INDEX_DEPTH))
            for found, spec in ((old_found, old_spec), (new_found, new_spec)))))
        if not validate or old_spec.is_asyncapi or new_spec.is_asyncapi:
            return  # event contracts are validated by the caller
        try:
            verdicts = (validation_problem(old_spec), validation_problem(new_spec))
        except SpecguardError as exc:
            _send(pipe, _FAILED, marshal.dumps(_fields(exc)))
            return
        _send(pipe, _VERDICTS, marshal.dumps(tuple(
            _fields(problem) if problem is not None else None for problem in verdicts)))
    except BaseException:  # anything else: the caller does the work itself
        status = 1
    finally:
        os._exit(status)


def _loaded(location: str, options: dict[str, Any], pipe: int, failure: bytes
            ) -> tuple[Located, Spec] | None:
    """Read and parse one document in the helper; a load error is sent as ``failure``."""
    try:
        found = read_located(location, root=options["root"])
        return found, parsed_spec(found, options["allow_remote_refs"])
    except SpecguardError as exc:
        _send(pipe, failure, marshal.dumps(_fields(exc)))
        return None


def _send(pipe: int, kind: bytes, payload: bytes) -> None:
    message = _HEADER.pack(kind, len(payload)) + payload
    while message:
        message = message[os.write(pipe, message):]


def _fields(exc: SpecguardError) -> tuple[Any, ...]:
    return (type(exc).__name__, exc.message, exc.file, exc.line, exc.pointer, exc.hint)


def _error(fields: tuple[Any, ...]) -> Any:
    name, message, file, line, pointer, hint = fields
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, SpecguardError)):
        cls = SpecguardError
    return cls(message, file=file, line=line, pointer=pointer, hint=hint)


def _containers(data: Any) -> list[Any]:
    """Every mapping and sequence once (shared YAML aliases too), in one fixed order."""
    seen: set[int] = set()
    order: list[Any] = []
    stack = [data]
    while stack:
        value = stack.pop()
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        order.append(value)
        children = value.values() if isinstance(value, dict) else value
        stack.extend(reversed([c for c in children if isinstance(c, dict | list)]))
    return order


def _line_chunks(data: Any, lines: LineTable | None) -> list[bytes | None] | None:
    """A YAML document's line table (keyed by object identity) as a list in container order."""
    if lines is None:
        return None
    return [lines[id(c)].tobytes() if id(c) in lines else None for c in _containers(data)]


def _rebuilt(located: Located, text: str, data: Any, chunks: list[bytes | None] | None,
             allow_remote_refs: bool) -> Spec:
    lines: LineTable | None = None
    if chunks is not None:
        lines = {}
        for container, chunk in zip(_containers(data), chunks, strict=True):
            if chunk is not None:
                table = array("L")
                table.frombytes(chunk)
                lines[id(container)] = table
    root_file = SourceFile(name=located.name, key=located.key, data=data, text=text,
                           yaml_lines=lines)
    return spec_of_parsed(root_file, located.source, located.path, allow_remote_refs)
