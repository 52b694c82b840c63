"""Call handlers the way API Gateway and the event sources do, in-process on moto."""

import base64
import functools
import importlib.util
import json
import sys
import threading
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

from local import iam
from local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
_loaded: dict[str, ModuleType] = {}
_wrapped: dict[str, Any] = {}


class Context:
    function_name = "test-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    memory_limit_in_mb = 256
    log_group_name = "/aws/lambda/test-function"
    log_stream_name = "test"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@functools.cache
def _logical_ids() -> dict[str, str]:
    """functions/<dir> -> the template's logical id of the function whose code it is."""
    resources = load_template()["Resources"]
    return {
        Path(str(resource["Properties"]["CodeUri"])).name: logical_id
        for logical_id, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
    }


def handler(function_dir: str):
    """The `lambda_handler` of functions/<function_dir>/app.py, imported once per test session and thread;
    the AWS calls it makes are the template function's (local/iam.py checks them against its policy).

    A Lambda container serves one request at a time, and a handler module's globals (the resolver's
    current event above all) assume it: a test running requests side by side in threads gets one module
    per thread, as Lambda would run them in separate containers (the main thread's is `fn_<dir>`)."""
    thread = threading.get_ident()
    main = thread == threading.main_thread().ident
    key = function_dir if main else f"{function_dir}@{thread}"
    if key not in _wrapped:
        function = _logical_ids()[function_dir]
        lambda_handler = _module(function_dir, key, main, thread).lambda_handler

        def acting(event: Any, context: Any) -> Any:
            with iam.acting_as(function):
                return lambda_handler(event, context)

        _wrapped[key] = acting
    return _wrapped[key]


def _module(function_dir: str, key: str, main: bool, thread: int) -> ModuleType:
    if key not in _loaded:
        path = ROOT / "functions" / function_dir / "app.py"
        name = f"fn_{function_dir}" if main else f"fn_{function_dir}_{thread}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        _loaded[key] = module
    return _loaded[key]


def api_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    body: Any = None,
    raw_body: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    tenant: str | None = "acme",
    scope: str = "invoices:read invoices:write",
    consent_id: str | None = None,
) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    authorizer = (
        {"principalId": f"{tenant}|dev", "tenant_id": tenant, "sub": "dev", "scope": scope}
        if tenant
        else None
    )
    if authorizer is not None and consent_id:
        authorizer["consent_id"] = consent_id
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {key: [value] for key, value in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource or path,
            "httpMethod": method,
            "path": f"/local{path}",
            "stage": "local",
            "requestId": request_id,
            "accountId": "123456789012",
            "apiId": "localapi",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": authorizer,
        },
        "body": text,
        "isBase64Encoded": False,
    }


class Reply:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.status = raw["statusCode"]
        headers = {**(raw.get("headers") or {})}
        for key, values in (raw.get("multiValueHeaders") or {}).items():
            headers.setdefault(key, values[-1])
        self.headers = {key.lower(): value for key, value in headers.items()}
        body = raw.get("body") or ""
        if raw.get("isBase64Encoded"):
            body = base64.b64decode(body).decode()
        # The body parsed when it is JSON, else its text (a CSV export).
        self.json = (
            json.loads(body)
            if body and not self.headers.get("content-type", "").startswith("text/")
            else body or None
        )


def call(function_dir: str, method: str, path: str, **kwargs: Any) -> Reply:
    return Reply(handler(function_dir)(api_event(method, path, **kwargs), Context()))
