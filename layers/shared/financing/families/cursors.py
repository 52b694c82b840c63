"""Opaque, tamper-evident cursors: a signed position bound to one tenant's one listing. Every family's
pagination builds on them (families/<family>/pagination.py)."""

import base64
import hashlib
import hmac
import json
from typing import Any

from financing.adapters.secrets import secret_string
from financing.config import settings

# A cursor's shape (base64url position, '.', base64url of a 20-byte signature). Only the signature tells
# whether this API issued it for this listing, which no schema can say.
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{27}$"


class InvalidCursor(Exception):
    """The cursor was not issued by this API for this listing (forged, altered or reused elsewhere)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(body: bytes, binding: str) -> bytes:
    key = secret_string(settings().pagination_secret_arn).encode()
    return hmac.new(key, binding.encode() + b"\x00" + body, hashlib.sha256).digest()[:20]


def encode_cursor(position: dict[str, Any], binding: str) -> str:
    """`binding` names what the cursor may be used for (tenant + listing + query), unsigned in the token."""
    body = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(body)}.{_b64(_signature(body, binding))}"


def decode_cursor(token: str, binding: str) -> dict[str, Any]:
    try:
        body_part, signature_part = token.split(".")
        body = _unb64(body_part)
        signature = _unb64(signature_part)
    except (ValueError, TypeError) as error:
        raise InvalidCursor() from error
    if not hmac.compare_digest(signature, _signature(body, binding)):
        raise InvalidCursor()
    try:
        position = json.loads(body)
    except ValueError as error:
        raise InvalidCursor() from error
    if not isinstance(position, dict):
        raise InvalidCursor()
    return position
