"""Every Open Finance response the suite sees is checked against the official v2.3.0 specification.

`conforming(...)` validates one response with openapi-core and fails the test when it does not conform
(status, headers, media type and body); integration and end-to-end tests both go through it.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC = Path(__file__).resolve().parent / "contracts" / "openfinance-invoice-financings-2.3.0.yml"
SERVER = "https://api.banco.com.br"
INTERACTION = "x-fapi-interaction-id"


@cache
def _spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC))


def conforming(
    method: str, path: str, query: dict[str, str] | None, status: int, headers: dict[str, str], body: Any
) -> None:
    """Fail unless this response is what the specification allows for `method path` (headers lower-case)."""
    request = MockRequest(
        SERVER,
        method.lower(),
        path,
        args=query or {},
        headers={INTERACTION: "d78fc4e5-37ca-4da3-adf2-9b082bf92280", "Authorization": "Bearer x"},
    )
    content_type = headers.get("content-type", "")
    response = MockResponse(
        json.dumps(body).encode(), status_code=status, content_type=content_type, headers=headers
    )
    try:
        _spec().validate_response(request, response)
    except Exception as error:
        cause = getattr(error, "__cause__", None) or error
        raise AssertionError(
            f"{method} {path}?{urlencode(query or {})} -> {status} does not conform to the Open Finance spec: "
            f"{cause!r}\n{json.dumps(body, indent=1)[:3000]}"
        ) from error
    assert headers.get(INTERACTION), f"{method} {path} -> {status} does not echo {INTERACTION}"
