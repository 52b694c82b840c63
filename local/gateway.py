"""The local API: an HTTP server that answers built-in local routes, then the template's API like API Gateway."""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from local import event_page, moto_profile, web
from local.apigateway import (
    MAX_BODY,
    AuthorizerConfigurationError,
    MalformedResponse,
    Request,
    RouteTable,
    Throttle,
    authorizer_context,
    evaluate_policy,
    gateway_variables,
    http_response,
    proxy_event,
    render_gateway_response,
)
from local.model import ApiSpec, Route, Stack
from local.runtime import FunctionError

if TYPE_CHECKING:
    from local.runtime import Runtime
    from local.workers import Workers

log = logging.getLogger("local")

_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API reference (local)</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
      persistAuthorization: true
    });
  </script>
</body>
</html>
"""


def _swagger_dir() -> Path | None:
    try:
        import swagger_ui_bundle  # optional: /docs answers 404 without it
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    close: bool = False


def json_reply(status: int, document: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(
        status, [("Content-Type", "application/json"), *(headers or [])], json.dumps(document).encode()
    )


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a burst of parallel clients was answered with resets.
    request_queue_size = 128


class Gateway:
    """The HTTP server: built-in local routes, then the template's API."""

    def __init__(self, host: str, port: int, *, root: Path, aws_endpoint: str, account_id: str, region: str):
        self.root = root
        self.aws_endpoint = aws_endpoint
        self.account_id = account_id
        self.region = region
        self.stack: Stack | None = None
        self.runtime: Runtime | None = None
        self.workers: Workers | None = None
        self.routes = RouteTable()
        self.throttle = Throttle()
        self.ready = False
        self._auth_cache: dict[tuple[Any, ...], tuple[float, tuple[str, dict[str, Any], dict[str, Any]]]] = {}
        self._auth_lock = threading.Lock()
        self.server = _Server((host, port), _Handler)
        self.server.daemon_threads = True
        self.server.gateway = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def attach(self, stack: Stack, runtime: Runtime, workers: Workers | None) -> None:
        self.routes = RouteTable.from_stack(stack)
        self.stack, self.runtime, self.workers = stack, runtime, workers

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="gateway", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------------------------------ dispatch

    def handle(self, request: Request, declared_length: int) -> Reply:
        path = request.path
        if request.method == "GET" and path == "/health":
            return self.health()
        if request.method == "GET" and path == "/openapi.json":
            document = self.root / "docs" / "openapi.json"
            if not document.is_file():
                return json_reply(404, {"message": "docs/openapi.json has not been generated (make openapi)"})
            return Reply(200, [("Content-Type", "application/json")], document.read_bytes())
        if request.method == "GET" and (path == "/docs" or path.startswith("/docs/")):
            return self.docs(path)
        if path == "/_local/token":
            if request.method != "POST":
                return json_reply(405, {"message": "POST {tenant, scopes} to mint a development token"})
            return Reply(*web.development_token(request.header("content-type"), request.body))
        if request.method in ("GET", "HEAD") and web.is_web_path(path):
            return Reply(*web.serve(self.root / "web" / "dist", path))
        if request.method == "GET" and path in ("/asyncapi.json", "/events"):
            return self.event_docs(path)
        if request.method == "GET" and (path == "/schemas" or path.startswith("/schemas/")):
            return self.schemas(unquote(path.removeprefix("/schemas").removeprefix("/")))
        if path == "/_local/aws_profile":
            return self.aws_profile(request.method)
        if path.startswith("/_local/schedules/"):
            if request.method != "POST":
                return json_reply(405, {"message": "POST to run a schedule"})
            return self.run_schedule(unquote(path.removeprefix("/_local/schedules/")))
        if not self.ready or self.stack is None:
            return json_reply(503, {"message": "the local stack is starting"})
        return self.api(request, declared_length)

    def aws_profile(self, method: str) -> Reply:
        """The embedded AWS's time by operation (local/moto_profile.py); DELETE starts a new count."""
        if method == "DELETE":
            moto_profile.reset()
            return Reply(204, [], b"")
        if method != "GET":
            return json_reply(
                405, {"message": "GET the embedded AWS's time by operation, DELETE to reset it"}
            )
        return json_reply(200, {"operations": moto_profile.snapshot()})

    def health(self) -> Reply:
        if not self.ready or self.stack is None:
            return json_reply(503, {"status": "starting"})
        dead = self.workers.dead() if self.workers else []
        body = {
            "status": "degraded" if dead else "ok",
            "stack": self.stack.stack_name,
            "aws_endpoint": self.aws_endpoint,
            "api_url": self.url,
            "apis": {a.logical_id: {"id": a.api_id, "stage": a.stage} for a in self.stack.apis.values()},
            "resources": self.stack.physical,
        }
        if dead:
            body["dead_workers"] = dead
        return json_reply(503 if dead else 200, body)

    def docs(self, path: str) -> Reply:
        if path in ("/docs", "/docs/"):
            return Reply(200, [("Content-Type", "text/html; charset=utf-8")], _DOCS_PAGE.encode())
        assets = _swagger_dir()
        name = path.removeprefix("/docs/")
        if assets is None or "/" in name or name.startswith(".") or not (assets / name).is_file():
            return json_reply(404, {"message": "not found"})
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Reply(
            200, [("Content-Type", kind), ("Cache-Control", "max-age=3600")], (assets / name).read_bytes()
        )

    def event_docs(self, path: str) -> Reply:
        """The AsyncAPI document as generated (make events-docs), or the page rendered from it."""
        document = self.root / "docs" / "asyncapi.json"
        if not document.is_file():
            return json_reply(
                404, {"message": "docs/asyncapi.json has not been generated (make events-docs)"}
            )
        if path == "/asyncapi.json":
            return Reply(200, [("Content-Type", "application/json")], document.read_bytes())
        page = event_page.render(json.loads(document.read_text()))
        return Reply(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())

    def schemas(self, name: str) -> Reply:
        """The schema registry the template declares (moto has none): the list, or one schema as
        `aws schemas describe-schema` answers it."""
        if not self.ready or self.stack is None:
            return json_reply(503, {"message": "the local stack is starting"})
        registries = self.stack.schema_registries
        if not name:
            listed = [
                {"RegistryName": registry, "SchemaName": schema, "Type": entry["Type"]}
                for registry, schemas in sorted(registries.items())
                for schema, entry in sorted(schemas.items())
            ]
            return json_reply(200, {"Schemas": listed})
        for registry, schemas in registries.items():
            if name in schemas:
                entry = schemas[name]
                return json_reply(
                    200, {"RegistryName": registry, "SchemaName": name, "SchemaVersion": "1", **entry}
                )
        return json_reply(404, {"message": f"no schema named {name}"})

    def run_schedule(self, name: str) -> Reply:
        if not self.ready or self.workers is None:
            return json_reply(503, {"message": "the local stack is starting"})
        results = self.workers.run_schedule(name)
        if results is None:
            return json_reply(
                404, {"message": f"no schedule named {name}", "schedules": self.workers.schedule_names()}
            )
        status = 200 if all(r["ok"] for r in results) else 500
        return json_reply(status, {"invocations": results})

    # ---------------------------------------------------------------------------------------------- API

    def gateway_response(
        self, api: ApiSpec | None, kind: str, request: Request, message: str | None = None
    ) -> Reply:
        status, headers, body = render_gateway_response(
            api, kind, gateway_variables(api, request), dict(request.headers), message
        )
        return Reply(status, [*headers, ("x-amzn-RequestId", request.request_id)], body)

    def _fallback_api(self, path: str) -> ApiSpec | None:
        # Requests matching no route still get an API's gateway responses: the one whose routes the
        # path belongs with (APIs share this port; on AWS each has its own host), else the first declared.
        apis = list(self.stack.apis.values()) if self.stack else []
        owner = self.routes.api_for(path)
        return self.stack.apis[owner] if self.stack and owner else (apis[0] if apis else None)

    def api(self, request: Request, declared_length: int) -> Reply:
        assert self.stack is not None and self.runtime is not None
        if declared_length > MAX_BODY:
            reply = self.gateway_response(self._fallback_api(request.path), "REQUEST_TOO_LARGE", request)
            reply.close = True
            return reply
        found = self.routes.match(request.method, request.path)
        if found is None:
            api = self._fallback_api(request.path)
            if request.method == "OPTIONS" and api and api.cors and self.routes.methods_for(request.path):
                if api.cors_preflight_authorizer:  # SAM's AddDefaultAuthorizerToCorsPreflight (default true)
                    preflight = Route(
                        "OPTIONS", request.path, "", api.logical_id, api.cors_preflight_authorizer
                    )
                    outcome = self.authorize(api, preflight, {}, request)
                    if isinstance(outcome, Reply):
                        return outcome
                return self.preflight(api)
            return self.gateway_response(api, "MISSING_AUTHENTICATION_TOKEN", request)
        route, params = found
        api = self.stack.apis[route.api]
        if not self.throttle.admit(api, route):  # before the authorizer, as API Gateway throttles
            return self.gateway_response(api, "THROTTLED", request)
        authorizer = None
        if route.authorizer:
            outcome = self.authorize(api, route, params, request)
            if isinstance(outcome, Reply):
                return outcome
            authorizer = outcome
        event = proxy_event(api, route, params, request, self.account_id, authorizer)
        try:
            result = self.runtime.invoke(route.function, event)
            status, headers, body = http_response(result)
        except FunctionError as error:
            log.error("%s failed: %s", route.function, error.text or error.message)
            return self._internal_error(request, 502)
        except MalformedResponse as error:
            log.error("%s returned a malformed Lambda proxy response: %s", route.function, error)
            return self._internal_error(request, 502)
        return Reply(status, [*headers, ("x-amzn-RequestId", request.request_id)], body)

    @staticmethod
    def _internal_error(request: Request, status: int) -> Reply:
        headers = [
            ("x-amzn-RequestId", request.request_id),
            ("x-amzn-ErrorType", "InternalServerErrorException"),
        ]
        return json_reply(status, {"message": "Internal server error"}, headers)

    def preflight(self, api: ApiSpec) -> Reply:
        cors = api.cors or {}
        headers = []
        for key, header in (
            ("AllowOrigin", "Access-Control-Allow-Origin"),
            ("AllowMethods", "Access-Control-Allow-Methods"),
            ("AllowHeaders", "Access-Control-Allow-Headers"),
            ("MaxAge", "Access-Control-Max-Age"),
        ):
            if key in cors:
                headers.append((header, str(cors[key]).strip("'")))
        if str(cors.get("AllowCredentials", "")).lower() == "true":
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return Reply(200, [("Content-Type", "application/json"), *headers], b"{}")

    def authorize(self, api: ApiSpec, route: Route, params: dict[str, str], request: Request) -> Reply | dict:
        assert self.runtime is not None
        name = route.authorizer or ""
        config = api.authorizers[name]
        identity = config.get("Identity") or {}
        method_arn = (
            f"arn:aws:execute-api:{self.region}:{self.account_id}:{api.api_id}/{api.stage}/"
            f"{request.method}/{request.path.lstrip('/')}"
        )
        if config.get("FunctionPayloadType", "TOKEN") == "TOKEN":
            token = request.header(identity.get("Header", "Authorization"))
            expression = identity.get("ValidationExpression")
            if not token or (expression and not re.fullmatch(expression, token)):
                return self.gateway_response(api, "UNAUTHORIZED", request)
            event: dict[str, Any] = {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
            key: tuple[Any, ...] | None = (api.logical_id, name, token)
        else:
            sources = self._identity_sources(identity, request)
            if sources is None:
                return self.gateway_response(api, "UNAUTHORIZED", request)
            event = {
                "type": "REQUEST",
                "methodArn": method_arn,
                **proxy_event(api, route, params, request, self.account_id),
            }
            del event["body"], event["isBase64Encoded"]  # a REQUEST authorizer does not see the body
            key = (api.logical_id, name, *sources) if sources else None
        ttl = int(identity.get("ReauthorizeEvery", 300))
        started = time.perf_counter()
        try:
            principal, policy, context = self._authorizer_result(config["Function"], event, key, ttl)
        except FunctionError as error:
            if error.message == "Unauthorized":
                return self.gateway_response(api, "UNAUTHORIZED", request)
            log.error("authorizer %s failed: %s", config["Function"], error.text or error.message)
            return self.gateway_response(api, "AUTHORIZER_CONFIGURATION_ERROR", request)
        except AuthorizerConfigurationError as error:
            log.error("authorizer %s: %s", config["Function"], error)
            return self.gateway_response(api, "AUTHORIZER_CONFIGURATION_ERROR", request)
        decision = evaluate_policy(policy, method_arn)
        if decision != "Allow":
            message = "User is not authorized to access this resource"
            if decision == "Deny":
                message += " with an explicit deny"
            return self.gateway_response(api, "ACCESS_DENIED", request, message)
        latency = int((time.perf_counter() - started) * 1000)
        return {"principalId": principal, "integrationLatency": latency, **context}

    @staticmethod
    def _identity_sources(identity: Mapping[str, Any], request: Request) -> list[str] | None:
        values: list[str] = []
        query = dict(request.query)
        for header in identity.get("Headers") or []:
            values.append(request.header(header) or "")
        for name in identity.get("QueryStrings") or []:
            values.append(query.get(name, ""))
        if identity.get("StageVariables") or identity.get("Context"):
            values.append("")  # stage variables and context sources are not emulated; they are always absent
        return None if any(v == "" for v in values) else values

    def _authorizer_result(
        self, function: str, event: dict[str, Any], key: tuple[Any, ...] | None, ttl: int
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        assert self.runtime is not None
        now = time.monotonic()
        if key is not None and ttl > 0:
            with self._auth_lock:
                cached = self._auth_cache.get(key)
            if cached and cached[0] > now:
                return cached[1]  # API Gateway reuses the cached policy for other methods too
        result = authorizer_context(self.runtime.invoke(function, event))
        if key is not None and ttl > 0:
            with self._auth_lock:
                self._auth_cache[key] = (now + ttl, result)
        return result


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "local-api-gateway"
    # Headers and body are separate writes: with Nagle's algorithm, a kept-alive connection's body would
    # wait for the client's delayed ACK (up to 40 ms) of the headers.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request is logged by _serve instead

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, PROPFIND...) is routed too, so it gets API Gateway's answer (403 for an
        # undeclared method) rather than http.server's 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        started = time.perf_counter()
        gateway: Gateway = self.server.gateway  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        try:
            declared = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._send(json_reply(400, {"message": "invalid Content-Length"}))
            return
        body = None
        if declared > MAX_BODY:
            self._discard(declared)  # read and drop it, so the client sees the 413 rather than a broken pipe
        elif declared:
            body = self.rfile.read(declared)
        elif "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._read_chunked()
            declared = len(body) if body is not None else MAX_BODY + 1
        request = Request(
            method=self.command,
            path=split.path or "/",
            query=parse_qsl(split.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            reply = gateway.handle(request, declared)
        except Exception:
            log.exception("%s %s crashed the local gateway", self.command, split.path)
            reply = json_reply(500, {"message": "local gateway error"})
        self._send(reply)
        log.info(
            "%s %s %d %.0f ms", self.command, split.path, reply.status, (time.perf_counter() - started) * 1000
        )

    def _discard(self, length: int) -> None:
        if length > 8 * MAX_BODY:
            self.close_connection = True  # not worth reading; the connection cannot be reused
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 20))
            if not chunk:
                break
            length -= len(chunk)

    def _read_chunked(self) -> bytes | None:
        chunks, size = [], 0
        while True:
            length = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if length == 0:
                self.rfile.readline()
                return b"".join(chunks)
            size += length
            if size > MAX_BODY:
                self.close_connection = True
                return None
            chunks.append(self.rfile.read(length))
            self.rfile.readline()

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
