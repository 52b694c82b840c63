"""Correlation ids: echoed from the request's `x-correlation-id`, or the API Gateway request id."""

import re
import uuid
from typing import Any

HEADER = "x-correlation-id"
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def correlation_id_of(event: dict[str, Any]) -> str:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER and value and _ACCEPTABLE.fullmatch(value):
            return value
    return (event.get("requestContext") or {}).get("requestId") or str(uuid.uuid4())
