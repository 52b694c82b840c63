"""API Gateway REST semantics, without I/O: route matching, authorizer policies, gateway responses, proxy events."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from local.model import ApiSpec, Route, Stack, stable_id

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit

# Gateway response type -> (status code, $context.error.message, x-amzn-ErrorType).
RESPONSE_TYPES = {
    "MISSING_AUTHENTICATION_TOKEN": (
        403,
        "Missing Authentication Token",
        "MissingAuthenticationTokenException",
    ),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (403, "User is not authorized to access this resource", "AccessDeniedException"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, None, "AuthorizerConfigurationException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "THROTTLED": (429, "Too Many Requests", "TooManyRequestsException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
}
DEFAULT_TEMPLATE = '{"message":$context.error.messageString}'


# ------------------------------------------------------------------------------------------ routing


@dataclass
class RouteTable:
    """The template's API routes, matched the way API Gateway picks the most specific resource."""

    routes: list[Route] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen: dict[tuple[str, str], Route] = {}
        for route in self.routes:
            key = (route.method, _normalise(route.path))
            if key in seen:
                raise ValueError(
                    f"{route.method} {route.path} is declared by {seen[key].function} and {route.function}"
                )
            seen[key] = route

    @classmethod
    def from_stack(cls, stack: Stack) -> RouteTable:
        return cls([route for api in stack.apis.values() for route in api.routes])

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        segments = _segments(path)
        best: tuple[tuple[Any, ...], Route, dict[str, str]] | None = None
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = _match_segments(_segments(route.path, decode=False), segments)
            if found is None:
                continue
            score, params = found
            rank = (score, route.method != "ANY")
            if best is None or rank > best[0]:
                best = (rank, route, params)
        return (best[1], best[2]) if best else None

    def api_for(self, path: str) -> str | None:
        """The API (logical id) whose routes share the longest literal leading path with `path`: the one
        whose gateway responses answer a request that matches no route (API Gateway answers it on the
        API it was sent to; locally every API shares one port). None when no route shares a segment."""
        segments = _segments(path)
        best: tuple[int, str] | None = None
        for route in self.routes:
            shared = 0
            for part, segment in zip(_segments(route.path, decode=False), segments, strict=False):
                if part.startswith("{") or part != segment:
                    break
                shared += 1
            if shared and (best is None or shared > best[0]):
                best = (shared, route.api)
        return best[1] if best else None

    def methods_for(self, path: str) -> list[str]:
        segments = _segments(path)
        return [r.method for r in self.routes if _match_segments(_segments(r.path, decode=False), segments)]


def _normalise(path: str) -> str:
    return "/" + "/".join(_segments(path, decode=False))


def _segments(path: str, *, decode: bool = True) -> list[str]:
    return [unquote(s) if decode else s for s in path.split("/") if s]


def _match_segments(pattern: list[str], segments: list[str]) -> tuple[list[int], dict[str, str]] | None:
    """Score per segment: literal 2, {param} 1, {proxy+} 0 (greedy, one or more segments, last only)."""
    score: list[int] = []
    params: dict[str, str] = {}
    for index, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            if index != len(pattern) - 1 or len(segments) <= index:
                return None
            params[part[1:-2]] = "/".join(segments[index:])
            return [*score, 0], params
        if index >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = segments[index]
            score.append(1)
        elif part == segments[index]:
            score.append(2)
        else:
            return None
    return (score, params) if len(segments) == len(pattern) else None


# ------------------------------------------------------------------------------------------ authorizers


def evaluate_policy(policy: Mapping[str, Any], method_arn: str) -> str:
    """`Allow`, `Deny` (explicit) or `None` (no statement allows) for execute-api:Invoke on `method_arn`."""
    statements = policy.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    allowed = False
    for statement in statements:
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not any(_glob(action.lower(), "execute-api:invoke") for action in actions):
            continue
        if not any(_glob(resource, method_arn) for resource in resources):
            continue
        if statement.get("Effect") == "Deny":
            return "Deny"
        if statement.get("Effect") == "Allow":
            allowed = True
    return "Allow" if allowed else "None"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str) -> bool:
    # IAM wildcards: * any run of characters (slashes included), ? one character; nothing else is special.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


class AuthorizerConfigurationError(Exception):
    """The authorizer's answer is not something API Gateway accepts."""


def authorizer_context(result: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(principalId, policyDocument, context) of an authorizer's result; context values stringified as AWS does."""
    if not isinstance(result, dict) or "principalId" not in result or "policyDocument" not in result:
        raise AuthorizerConfigurationError("authorizer result needs principalId and policyDocument")
    context = {}
    for key, value in (result.get("context") or {}).items():
        if isinstance(value, dict | list) or value is None:
            raise AuthorizerConfigurationError(
                f"authorizer context value {key!r} must be a string, number or bool"
            )
        context[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    policy = result["policyDocument"]
    if isinstance(policy, str):
        policy = json.loads(policy)
    return str(result["principalId"]), policy, context


# ------------------------------------------------------------------------------------------ throttling


@dataclass
class Throttle:
    """The stage's MethodSettings throttling: a token bucket per method (resource path and HTTP method),
    `ThrottlingBurstLimit` deep and refilled at `ThrottlingRateLimit` a second, the most specific setting
    winning (`/*` and `*` are the stage-wide default). A method with no limit is never throttled."""

    clock: Callable[[], float] = time.monotonic
    _buckets: dict[tuple[str, str, str], tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self, api: ApiSpec, route: Route) -> bool:
        limits = method_throttling(api.method_settings, route.method, route.path)
        if limits is None:
            return True
        rate, burst = limits
        key = (api.logical_id, route.method, route.path)
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - last) * rate)
            admitted = tokens >= 1
            self._buckets[key] = (tokens - 1 if admitted else tokens, now)
        return admitted


def method_throttling(settings: list[Mapping[str, Any]], method: str, path: str) -> tuple[float, int] | None:
    """(rate a second, burst) for one method under a stage's MethodSettings, or None when unlimited."""
    best: tuple[int, Mapping[str, Any]] | None = None
    escaped = path.replace("/", "~1")
    for setting in settings:
        resource = str(setting.get("ResourcePath", "/*"))
        verb = str(setting.get("HttpMethod", "*")).upper()
        if resource not in ("/*", f"/{escaped}") or verb not in ("*", method):
            continue
        rank = (resource != "/*") * 2 + (verb != "*")
        if best is None or rank > best[0]:
            best = (rank, setting)
    if best is None or "ThrottlingRateLimit" not in best[1] or "ThrottlingBurstLimit" not in best[1]:
        return None
    return float(best[1]["ThrottlingRateLimit"]), int(best[1]["ThrottlingBurstLimit"])


# ------------------------------------------------------------------------------------- gateway responses

_CONTEXT_REFERENCE = re.compile(r"\$!?(?:\{(context(?:\.[A-Za-z0-9_-]+)+)\}|(context(?:\.[A-Za-z0-9_]+)+))")


def render_gateway_response(
    api: ApiSpec | None,
    response_type: str,
    variables: Mapping[str, Any],
    request_headers: Mapping[str, str] | None = None,
    message: str | None = None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a gateway response, customised by the API's GatewayResponses."""
    status, default_message, error_type = RESPONSE_TYPES[response_type]
    message = default_message if message is None else message
    configured = api.gateway_responses if api else {}
    config = configured.get(response_type)
    if config is not None:
        status = int(config.get("StatusCode", status))
    else:
        config = configured.get("DEFAULT_5XX" if status >= 500 else "DEFAULT_4XX") or {}
    context = {
        **{f"context.{k}": v for k, v in variables.items()},
        "context.error.message": message if message is not None else "",
        # messageString is the *quoted* message: templates use it unquoted, e.g. {"message":$context.error.messageString}.
        "context.error.messageString": json.dumps(message),
        "context.error.responseType": response_type,
    }
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)]
    lower_request = {k.lower(): v for k, v in (request_headers or {}).items()}
    for name, source in ((config.get("ResponseParameters") or {}).get("Headers") or {}).items():
        value = _parameter_value(str(source), context, lower_request)
        if value is not None:
            # A configured header replaces the default of the same name (Content-Type, say).
            headers = [(n, v) for n, v in headers if n.lower() != name.lower()] + [(name, value)]
    template = (config.get("ResponseTemplates") or {}).get("application/json", DEFAULT_TEMPLATE)

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return (
            str(context[name]) if name in context else match.group(0)
        )  # VTL prints unknown references as is

    return status, headers, _CONTEXT_REFERENCE.sub(substitute, template).encode()


def _parameter_value(
    source: str, context: Mapping[str, Any], request_headers: Mapping[str, str]
) -> str | None:
    """A header's one source, as API Gateway maps it: a 'static' value, a context variable, or a request
    header (the header is left out when the request has none: no fallback exists)."""
    if len(source) >= 2 and source[0] == source[-1] == "'":
        return source[1:-1]
    if source in context:
        return str(context[source])
    if source.startswith(_REQUEST_HEADER):
        return request_headers.get(source.removeprefix(_REQUEST_HEADER).lower())
    raise ValueError(f"gateway response header source {source!r} is not emulated")


_REQUEST_HEADER = "method.request.header."
_ERROR_CONTEXT = ("error.message", "error.messageString", "error.responseType")


def gateway_variables(api: ApiSpec | None, request: Request) -> dict[str, Any]:
    """The $context variables a gateway response can name locally (besides context.error.*)."""
    return {
        "requestId": request.request_id,
        "extendedRequestId": request.request_id,
        "stage": api.stage if api else "",
        "apiId": api.api_id if api else "",
        "httpMethod": request.method,
        "path": request.path,
        "identity.sourceIp": request.source_ip,
    }


def unrendered_gateway_sources(responses: Mapping[str, Any]) -> list[str]:
    """`TYPE: header <- source` for each header source of `responses` the emulator cannot render, so a
    template it would answer differently from API Gateway is refused at start, not served wrongly."""
    sample = Request("GET", "/", [], [], None, "")
    known = {f"context.{name}" for name in (*gateway_variables(None, sample), *_ERROR_CONTEXT)}
    problems = []
    for kind, config in responses.items():
        for name, source in (((config or {}).get("ResponseParameters") or {}).get("Headers") or {}).items():
            text = str(source)
            static = len(text) >= 2 and text[0] == text[-1] == "'"
            if not (static or text in known or text.startswith(_REQUEST_HEADER)):
                problems.append(f"{kind}: {name} <- {text}")
    return problems


# ----------------------------------------------------------------------------------- proxy event/response


@dataclass
class Request:
    method: str
    path: str  # as sent, without the query string
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes | None
    source_ip: str
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.time)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in reversed(self.headers) if k.lower() == lowered), None)


def _single_and_multi(
    pairs: list[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value  # the last value wins, as in API Gateway
        multi.setdefault(key, []).append(value)
    return single, multi


def _is_binary(content_type: str | None, binary_types: list[str]) -> bool:
    if not content_type or not binary_types:
        return False
    mime = content_type.split(";")[0].strip().lower()
    return any(fnmatch.fnmatchcase(mime, pattern.lower()) for pattern in binary_types)


# The local stack serves plain HTTP, so no TLS handshake can present a client certificate: this header
# stands in for it (the PEM, URL-encoded as web servers forward client certificates), and becomes
# `requestContext.identity.clientCert` as API Gateway's mutual-TLS domain makes it. A deployed API never
# takes a certificate from a header.
CLIENT_CERTIFICATE_HEADER = "X-Client-Certificate"


def client_certificate(request: Request) -> dict[str, Any] | None:
    pem = request.header(CLIENT_CERTIFICATE_HEADER)
    if not pem:
        return None
    return {
        "clientCertPem": unquote(pem),
        "subjectDN": None,
        "issuerDN": None,
        "serialNumber": None,
        "validity": {"notBefore": None, "notAfter": None},
    }


def request_context(api: ApiSpec, route: Route | None, request: Request, account_id: str) -> dict[str, Any]:
    host = request.header("Host") or "localhost"
    resource_path = route.path if route else request.path
    certificate = client_certificate(request)
    return {
        "resourceId": stable_id(api.api_id, resource_path, length=6),
        "resourcePath": resource_path,
        "httpMethod": request.method,
        "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:12]).decode().rstrip("="),
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(request.started)),
        "path": f"/{api.stage}{request.path}",
        "accountId": account_id,
        "protocol": "HTTP/1.1",
        "stage": api.stage,
        "domainPrefix": host.split(".")[0].split(":")[0],
        "requestTimeEpoch": int(request.started * 1000),
        "requestId": request.request_id,
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "cognitoIdentityId": None,
            "caller": None,
            "sourceIp": request.source_ip,
            "principalOrgId": None,
            "accessKey": None,
            "cognitoAuthenticationType": None,
            "cognitoAuthenticationProvider": None,
            "userArn": None,
            "userAgent": request.header("User-Agent"),
            "user": None,
            **({"clientCert": certificate} if certificate else {}),
        },
        "domainName": host,
        "apiId": api.api_id,
    }


def proxy_event(
    api: ApiSpec,
    route: Route,
    path_params: dict[str, str],
    request: Request,
    account_id: str,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The API Gateway REST (v1) Lambda proxy event for `request`."""
    headers, multi_headers = _single_and_multi(request.headers)
    query, multi_query = _single_and_multi(request.query)
    body: str | None = None
    encoded = False
    if request.body:
        if _is_binary(request.header("Content-Type"), api.binary_media_types):
            body, encoded = base64.b64encode(request.body).decode(), True
        else:
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                body, encoded = base64.b64encode(request.body).decode(), True
    context = request_context(api, route, request, account_id)
    if authorizer is not None:
        context["authorizer"] = authorizer
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }


class MalformedResponse(Exception):
    """The function's result is not a Lambda proxy response."""


_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}


def http_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body API Gateway sends for a Lambda proxy result."""
    if not isinstance(result, dict):
        raise MalformedResponse(f"result is {type(result).__name__}, not an object")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status!r} is not an HTTP status")
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponse("body must be a string")
    headers = result.get("headers") or {}
    multi = result.get("multiValueHeaders") or {}
    if not isinstance(headers, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers and multiValueHeaders must be objects")
    out: list[tuple[str, str]] = []
    multi_names = {k.lower() for k in multi}
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders[{name!r}] must be a list")
        out.extend((name, _header_text(v)) for v in values)
    out.extend((name, _header_text(v)) for name, v in headers.items() if name.lower() not in multi_names)
    out = [(k, v) for k, v in out if k.lower() not in _HOP_BY_HOP]
    if not any(k.lower() == "content-type" for k, _ in out):
        out.append(("Content-Type", "application/json"))
    payload = base64.b64decode(body) if result.get("isBase64Encoded") and body else (body or "").encode()
    return status, out, payload


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
