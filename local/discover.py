"""Find a running local stack through its /health answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from local import settings


def api_url(port: int | None = None) -> str:
    return f"http://127.0.0.1:{settings.PORT if port is None else port}"


def running_stack(port: int | None = None, timeout: float = 1.0) -> dict[str, Any] | None:
    """The /health document of the stack on `port` when it is up and healthy, else None."""
    try:
        with urllib.request.urlopen(f"{api_url(port)}/health", timeout=timeout) as response:  # noqa: S310
            document = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return document if document.get("status") == "ok" else None


def post(path: str, port: int | None = None, timeout: float = 120.0) -> tuple[int, Any]:
    """POST to the running stack; (status, JSON body). Raises OSError when nothing listens."""
    request = urllib.request.Request(f"{api_url(port)}{path}", method="POST", data=b"")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
