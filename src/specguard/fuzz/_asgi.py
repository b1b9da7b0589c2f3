"""In-process targets: import an ASGI app by name and make its crashes look like a server's.

Starlette's error middleware sends a 500 and then re-raises; schemathesis's ASGI client lets
that exception escape as an engine error instead of reporting a server error. A real server
(uvicorn) only logs it, so :func:`contain_errors` does the same to keep in-process results
identical to results over HTTP.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from specguard.errors import ConfigError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def contain_errors(app: ASGIApp) -> ASGIApp:
    """Wrap ``app`` so an unhandled exception becomes a 500 response, never an exception."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except Exception:
            if not started:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": b"Internal Server Error"})

    return guarded


def load_app(reference: str, app_dir: str | None = None) -> ASGIApp:
    """Import ``module:attribute`` (dots allowed in the attribute) the way uvicorn does."""
    module_name, sep, attribute = reference.partition(":")
    if not sep or not module_name or not attribute:
        raise ConfigError(
            f"--app {reference!r} is not of the form module:attribute",
            hint="e.g. --app shop.gateway:app",
        )
    directory = str(Path(app_dir or ".").resolve())
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"--app: cannot import module {module_name!r}: {exc}") from None
    except Exception as exc:  # the user's module failed while importing
        raise ConfigError(
            f"--app: importing {module_name!r} raised {type(exc).__name__}: {exc}"
        ) from None
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise ConfigError(f"--app: {module_name!r} has no attribute {attribute!r}") from None
    if not callable(value):
        raise ConfigError(f"--app {reference!r} is not an ASGI application (not callable)")
    app: ASGIApp = value
    return app
