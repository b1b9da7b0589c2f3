"""``traffic``: validate recorded exchanges (HAR) against a contract with openapi-core.

Run against the NEW contract this answers "of the traffic we really see, what would the new
contract reject?". openapi-core sits next to the traffic, never in it: we replay recorded
requests and responses through its low-level validators.

Servers are matched by path only: recorded traffic comes from staging or production hosts
that the spec's ``servers`` rarely list, so every server URL is reduced to its path before
validation (``https://api.example.com/v1`` matches ``http://staging:8080/v1/...``).
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any

from specguard.errors import SpecguardError, SpecValidationError
from specguard.fuzz._bundle import bundle
from specguard.fuzz._har import HarEntry, iter_entries
from specguard.fuzz._model import OperationTraffic, TrafficExample, TrafficReport
from specguard.load import Spec
from specguard.model import Direction, Operation
from specguard.vocabulary import HTTP_METHODS

if TYPE_CHECKING:  # openapi-core costs ~0.2 s to import; only `traffic` needs it
    from openapi_core.datatypes import RequestParameters
    from werkzeug.datastructures import Headers

MAX_EXAMPLES = 3
"""Invalid exchanges kept per operation and side."""
MAX_UNMATCHED_EXAMPLES = 5
_REASON_LIMIT = 300


def check_traffic(spec: Spec, sources: Iterable[str]) -> TrafficReport:
    """Validate every exchange of the HAR files ``sources`` against ``spec``."""
    started = time.monotonic()
    validator = _Validator(spec)
    files = tuple(sources)
    for source in files:
        for entry in iter_entries(source):
            validator.feed(entry)
    return validator.report(files, time.monotonic() - started)


def relative_servers(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every ``servers[].url`` reduced to its path (variables filled in)."""

    def fix(servers: Any) -> Any:
        if not isinstance(servers, list):
            return servers
        fixed = []
        for server in servers:
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                fixed.append(server)
                continue
            url = server["url"]
            variables = server.get("variables")
            if isinstance(variables, dict):
                for name, variable in variables.items():
                    default = variable.get("default") if isinstance(variable, dict) else None
                    url = url.replace("{" + str(name) + "}", str(default or ""))
            path = urllib.parse.urlsplit(url).path if "//" in url else url
            fixed.append({"url": "/" + path.strip("/") if path.strip("/") else "/"})
        return fixed

    if "servers" in document:
        document["servers"] = fix(document["servers"])
    paths = document.get("paths")
    if isinstance(paths, dict):
        for item in paths.values():
            if not isinstance(item, dict):
                continue
            if "servers" in item:
                item["servers"] = fix(item["servers"])
            for method, operation in item.items():
                if (
                    method in HTTP_METHODS
                    and isinstance(operation, dict)
                    and "servers" in operation
                ):
                    operation["servers"] = fix(operation["servers"])
    return document


@dataclass(slots=True)
class _RecordedRequest:
    """A HAR request in the shape of openapi-core's ``Request`` protocol."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None


@dataclass(slots=True)
class _RecordedResponse:
    """A HAR response in the shape of openapi-core's ``Response`` protocol."""

    status_code: int
    headers: Headers
    content_type: str
    data: bytes | None


@dataclass(slots=True)
class _Tally:
    exchanges: int = 0
    invalid_requests: int = 0
    invalid_responses: int = 0
    examples: list[TrafficExample] = field(default_factory=list)


class _Validator:
    def __init__(self, spec: Spec) -> None:
        try:
            from openapi_core import Config, OpenAPI
            from openapi_core.templating.paths.finders import APICallPathFinder
        except ImportError:
            raise SpecguardError(
                "validating traffic needs openapi-core, which is not installed",
                hint="`pip install 'specguard[fuzz]'`",
            ) from None

        self.spec = spec
        document = relative_servers(bundle(spec))
        try:
            # load_spec has validated the document; openapi-core's own validation is slow.
            # None (documented: "skip validation") is narrower than the annotation allows.
            config = Config(spec_validator_cls=None)  # type: ignore[arg-type]
            self.openapi: Any = OpenAPI.from_dict(document, config=config)
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SpecValidationError(
                f"openapi-core cannot use this spec: {first}", file=spec.root.name
            ) from None
        self.finder: Any = APICallPathFinder(self.openapi.spec)
        self.tallies: dict[Operation, _Tally] = {}
        self.exchanges = 0
        self.unmatched = 0
        self.unmatched_examples: list[str] = []
        self.skipped = 0

    def feed(self, entry: HarEntry) -> None:
        from openapi_core.templating.paths.exceptions import PathError

        self.exchanges += 1
        recorded = entry.request
        parts = urllib.parse.urlsplit(recorded.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.skipped += 1
            return
        method = recorded.method.lower()
        try:
            found = self.finder.find(
                method, urllib.parse.urlunsplit(parts._replace(query="", fragment=""))
            )
        except PathError as exc:
            self.unmatched += 1
            if len(self.unmatched_examples) < MAX_UNMATCHED_EXAMPLES:
                reason = type(exc).__name__.replace("NotFound", " not found").lower()
                self.unmatched_examples.append(f"{recorded.method.upper()} {parts.path} ({reason})")
            return
        operation = Operation(method, str(found.path_result.pattern))
        tally = self.tallies.setdefault(operation, _Tally())
        tally.exchanges += 1
        request = self._request(entry, parts)
        reasons = list(_reasons(self.openapi.iter_request_errors(request)))
        if reasons:
            tally.invalid_requests += 1
            self._example(tally, entry, Direction.REQUEST, reasons)
        if entry.response is not None:
            response = self._response(entry)
            reasons = list(_reasons(self.openapi.iter_response_errors(request, response)))
            if reasons:
                tally.invalid_responses += 1
                self._example(tally, entry, Direction.RESPONSE, reasons)

    def _example(self, tally: _Tally, entry: HarEntry, side: Direction, reasons: list[str]) -> None:
        if sum(1 for e in tally.examples if e.side is side) >= MAX_EXAMPLES:
            return
        tally.examples.append(
            TrafficExample(
                method=entry.request.method.upper(),
                url=entry.request.url,
                status=entry.response.status if entry.response is not None else None,
                side=side,
                reason="; ".join(reasons)[:_REASON_LIMIT],
                entry=entry.index,
            )
        )

    def _request(self, entry: HarEntry, parts: urllib.parse.SplitResult) -> _RecordedRequest:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        recorded = entry.request
        content_type = recorded.mime_type or _header(recorded.headers, "content-type") or ""
        cookies = recorded.cookies or _cookies(_header(recorded.headers, "cookie"))
        return _RecordedRequest(
            host_url=f"{parts.scheme}://{parts.netloc}",
            path=parts.path or "/",
            method=recorded.method.lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(
                    urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
                ),
                header=Headers(list(recorded.headers)),
                cookie=ImmutableMultiDict(list(cookies)),
            ),
            content_type=content_type.lower(),
            body=recorded.body,
        )

    def _response(self, entry: HarEntry) -> _RecordedResponse:
        from werkzeug.datastructures import Headers

        assert entry.response is not None
        recorded = entry.response
        content_type = recorded.mime_type or _header(recorded.headers, "content-type") or ""
        return _RecordedResponse(
            status_code=recorded.status,
            headers=Headers(list(recorded.headers)),
            content_type=content_type.lower(),
            data=recorded.body,
        )

    def report(self, sources: tuple[str, ...], duration: float) -> TrafficReport:
        operations = tuple(
            OperationTraffic(
                operation=op,
                exchanges=t.exchanges,
                invalid_requests=t.invalid_requests,
                invalid_responses=t.invalid_responses,
                examples=tuple(t.examples),
            )
            for op, t in sorted(self.tallies.items(), key=lambda kv: (kv[0].path, kv[0].method))
        )
        return TrafficReport(
            spec=self.spec.root.name,
            sources=sources,
            exchanges=self.exchanges,
            operations=operations,
            unmatched=self.unmatched,
            unmatched_examples=tuple(self.unmatched_examples),
            skipped=self.skipped,
            duration=duration,
        )


def _reasons(errors: Iterator[Exception]) -> Iterator[str]:
    for error in errors:
        yield describe_error(error)


def describe_error(error: BaseException) -> str:
    """One short line for an openapi-core validation error, schema details included."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or [])[:3]
    title = _title(error)
    if schema_errors:
        details = []
        for item in schema_errors:
            where = "/".join(str(p) for p in getattr(item, "absolute_path", ()))
            message = str(getattr(item, "message", item))
            details.append(f"{message} at /{where}" if where else message)
        return f"{title}: " + "; ".join(details)
    text = _text_of(cause or error).strip().splitlines()
    return f"{title}: {text[0]}" if text else title


def _text_of(error: BaseException) -> str:
    """``str(error)``: openapi-core's message decodes a binary body as UTF-8 and can fail."""
    try:
        return str(error)
    except UnicodeDecodeError:
        return f"{type(error).__name__} (a body that is not UTF-8 text)"


def _title(error: BaseException) -> str:
    names = {
        "InvalidRequestBody": "invalid request body",
        "MissingRequiredRequestBody": "missing request body",
        "RequestBodyValidationError": "request body",
        "InvalidParameter": "invalid parameter",
        "MissingRequiredParameter": "missing parameter",
        "ParameterValidationError": "parameter",
        "SecurityValidationError": "security",
        "InvalidSecurity": "security",
        "InvalidData": "invalid response body",
        "MissingData": "missing response body",
        "DataValidationError": "response body",
        "ResponseNotFound": "undocumented status",
        "InvalidHeader": "invalid response header",
        "MissingRequiredHeader": "missing response header",
        "HeadersError": "response headers",
    }
    return names.get(type(error).__name__, type(error).__name__)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _cookies(header: str | None) -> tuple[tuple[str, str], ...]:
    if not header:
        return ()
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return ()
    return tuple((key, morsel.value) for key, morsel in jar.items())
