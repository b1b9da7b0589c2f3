"""Stream the entries of a HAR file without loading the whole file.

A HAR is one JSON object, ``{"log": {..., "entries": [...]}}``; recordings of real traffic
reach hundreds of megabytes. :func:`iter_entries` walks the outer objects itself and decodes
one entry at a time with :meth:`json.JSONDecoder.raw_decode`, so memory stays at about one
entry plus one read buffer, whatever the file size.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from specguard.errors import LoadError

CHUNK = 1 << 16
_WHITESPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class HarRequest:
    """The parts of a recorded request that validation needs."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    cookies: tuple[tuple[str, str], ...]
    body: bytes
    mime_type: str | None


@dataclass(frozen=True, slots=True)
class HarResponse:
    """The parts of a recorded response that validation needs."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    mime_type: str | None


@dataclass(frozen=True, slots=True)
class HarEntry:
    """One recorded exchange; ``response`` is ``None`` when the request got no answer."""

    index: int
    request: HarRequest
    response: HarResponse | None


def iter_entries(path: str) -> Iterator[HarEntry]:
    """Yield the entries of the HAR file at ``path`` one by one."""
    if Path(path).exists() and not (Path(path).is_file() or Path(path).is_dir()):
        # a FIFO would block the read forever
        raise LoadError("not a regular file (a FIFO, socket or device)", file=path)
    try:
        with Path(path).open(encoding="utf-8-sig") as stream:
            reader = _Reader(stream, path)
            for index, raw in enumerate(reader.entries()):
                yield _entry(raw, index, path)
    except FileNotFoundError:
        raise LoadError("file not found", file=path) from None
    except IsADirectoryError:
        raise LoadError("is a directory, not a file", file=path) from None
    except PermissionError as exc:
        raise LoadError(f"cannot read: {exc.strerror}", file=path) from None


class _Reader:
    """A forward-only JSON walker over a text stream with a bounded look-ahead buffer."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream = stream
        self.name = name
        self.buffer = ""
        self.pos = 0
        self.consumed = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def entries(self) -> Iterator[Any]:
        self.expect("{", "a HAR file is a JSON object")
        found = False
        for key in self.keys():
            if key != "log":
                self.skip_value()
                continue
            self.expect("{", "'log' must be an object")
            for log_key in self.keys():
                if log_key != "entries":
                    self.skip_value()
                    continue
                found = True
                yield from self.array()
        if not found:
            raise LoadError("no log.entries array: not a HAR file", file=self.name)
        self.skip_ws()
        if self.peek() != "":
            self.fail("unexpected data after the HAR object")

    def keys(self) -> Iterator[str]:
        """Keys of the object just opened; the caller consumes each value."""
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                self.fail("expected an object key")
            self.expect(":", "expected ':' after a key")
            yield key
            separator = self.peek()
            self.pos += 1
            if separator == "}":
                return
            if separator != ",":
                self.fail("expected ',' or '}'")

    def array(self) -> Iterator[Any]:
        self.expect("[", "'entries' must be an array")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            separator = self.peek()
            self.pos += 1
            if separator == "]":
                return
            if separator != ",":
                self.fail("expected ',' or ']' between entries")

    def skip_value(self) -> None:
        self.value()

    def value(self) -> Any:
        self.skip_ws()
        # Bounded: every retry reads more of the file, and the file ends.
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    self.fail(f"invalid JSON ({exc.msg})")
                self.fill()
                continue
            # A number may continue in the next chunk ("12" then "34").
            if end == len(self.buffer) and not self.eof:
                self.fill()
                continue
            self.pos = end
            return value

    def expect(self, char: str, problem: str) -> None:
        if self.peek() != char:
            self.fail(problem)
        self.pos += 1

    def peek(self) -> str:
        self.skip_ws()
        return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def skip_ws(self) -> None:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buffer) or self.eof:
                return
            self.fill()

    def fill(self) -> None:
        # Drop what is consumed, then read at least as much again as is buffered, so a huge
        # value costs O(n log n) re-scans, not O(n^2 / CHUNK).
        self.consumed += self.pos
        self.buffer = self.buffer[self.pos :]
        self.pos = 0
        try:
            chunk = self.stream.read(max(CHUNK, len(self.buffer)))
        except UnicodeDecodeError:
            self.fail("not UTF-8 text")
        if not chunk:
            self.eof = True
        self.buffer += chunk

    def fail(self, problem: str) -> Any:
        at = self.consumed + self.pos
        raise LoadError(f"{problem} at character {at}", file=self.name)


def _entry(raw: Any, index: int, name: str) -> HarEntry:
    if not isinstance(raw, dict):
        raise LoadError(f"entry {index} is not an object", file=name)
    request = raw.get("request")
    if not isinstance(request, dict):
        raise LoadError(f"entry {index} has no request object", file=name)
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str):
        raise LoadError(f"entry {index}: request needs a method and a url", file=name)
    post = request.get("postData") if isinstance(request.get("postData"), dict) else {}
    assert isinstance(post, dict)
    har_request = HarRequest(
        method=method,
        url=url,
        headers=_pairs(request.get("headers")),
        cookies=_pairs(request.get("cookies")),
        body=_text(post.get("text"), post.get("encoding")),
        mime_type=_mime(post.get("mimeType")),
    )
    response = raw.get("response")
    har_response = None
    # Browsers record a failed request as status 0.
    status = response.get("status") if isinstance(response, dict) else None
    if isinstance(response, dict) and isinstance(status, int) and status > 0:
        content = response.get("content") if isinstance(response.get("content"), dict) else {}
        assert isinstance(content, dict)
        har_response = HarResponse(
            status=status,
            headers=_pairs(response.get("headers")),
            body=_text(content.get("text"), content.get("encoding")),
            mime_type=_mime(content.get("mimeType")),
        )
    return HarEntry(index, har_request, har_response)


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        (str(item["name"]), str(item.get("value", "")))
        for item in items
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    )


def _text(text: Any, encoding: Any) -> bytes:
    if not isinstance(text, str):
        return b""
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            return text.encode("utf-8", errors="surrogatepass")
    return text.encode("utf-8", errors="surrogatepass")


def _mime(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
