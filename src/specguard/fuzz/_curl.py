"""Turn a recorded request into a ``curl`` command a developer can paste into a shell."""

from __future__ import annotations

import base64
import shlex
from collections.abc import Iterable, Mapping

from specguard.fuzz._redact import Redactor

# Headers the HTTP client adds on its own; curl sets its own equivalents.
_TRANSPORT_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "connection",
        "content-length",
        "host",
        "user-agent",
        "x-schemathesis-testcaseid",
    }
)


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, Iterable[str]],
    body: bytes | None,
    redactor: Redactor,
) -> str:
    """A single-line, shell-quoted curl command for one request, secrets redacted."""
    # curl -X HEAD waits for a body that never comes; --head is the HEAD request.
    parts = ["curl", "--head"] if method.upper() == "HEAD" else ["curl", "-X", method.upper()]
    for name, values in headers.items():
        if name.lower() in _TRANSPORT_HEADERS:
            continue
        for value in values:
            parts += ["-H", shlex.quote(f"{name}: {redactor.header(name, value)}")]
    prefix = ""
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" not in text:
            parts += ["--data-binary", shlex.quote(redactor.text(text))]
        else:
            # Bytes that are not text survive a shell only as Base64.
            encoded = base64.b64encode(body).decode()
            prefix = f"printf %s {shlex.quote(encoded)} | base64 -d | "
            parts += ["--data-binary", "@-"]
    parts.append(shlex.quote(redactor.text(url)))
    return prefix + " ".join(parts)
