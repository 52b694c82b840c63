"""The Pismo family's error envelope: `{"correlationId", "errors": [strings]}`."""

import json
from typing import Any

from financing.families.core.errors import core_error_for


def pismo_error_for(exc: Exception, correlation_id: str) -> dict[str, Any]:
    """The Pismo family's envelope, `{"correlationId", "errors": ["<field>: <what is wrong>", ...]}`,
    with the same statuses as the core mapping (one decision, two shapes)."""
    core = core_error_for(exc, correlation_id)
    error = json.loads(core["body"])["error"]
    errors = [f"{d['field']}: {d['message']}" for d in error["details"]] or [error["message"]]
    return {**core, "body": json.dumps({"correlationId": correlation_id, "errors": errors})}
