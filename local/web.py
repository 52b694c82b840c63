"""The web pages on the local stack: the built console and hosted financing page, their configuration, and
the local-only development sign-in (a token endpoint that exists nowhere but here)."""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path

from local.token import ALL_SCOPES, mint

PAGES = ("console", "finance")
# The same policy CloudFront sends for the deployed pages (template.yaml, WebResponseHeadersPolicy), with the
# API on the page's own origin here: only the page's own files and the API, no inline code, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]
LOCAL_CONFIG = {"api_url": "", "sign_in": "local"}
_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ASSET = re.compile(r"[A-Za-z0-9_.-]+")


def _json(status: int, document: object) -> tuple[int, list[tuple[str, str]], bytes]:
    return (
        status,
        [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
        json.dumps(document).encode(),
    )


def is_web_path(path: str) -> bool:
    return path == "/web-config.json" or path.startswith("/assets/") or path.split("/")[1] in PAGES


def serve(dist: Path, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """A GET of a page, an asset or the configuration; 404 for anything else under those paths."""
    if path == "/web-config.json":
        return _json(200, LOCAL_CONFIG)
    page = path.split("/")[1]
    if page in PAGES and path == f"/{page}":
        return 301, [("Location", f"/{page}/")], b""
    if page in PAGES and path == f"/{page}/":
        file = dist / page / "index.html"
    elif path.startswith("/assets/") and _ASSET.fullmatch(path.removeprefix("/assets/")):
        file = dist / "assets" / path.removeprefix("/assets/")
    else:
        return _json(404, {"message": "not found"})
    if not file.is_file():
        return _json(404, {"message": "the web pages have not been built (make web)"})
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind.endswith("javascript"):
        kind += "; charset=utf-8"
    return 200, [("Content-Type", kind), ("Cache-Control", "no-cache"), *SECURITY_HEADERS], file.read_bytes()


def development_token(
    content_type: str | None, body: bytes | None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """POST /_local/token {tenant, scopes: [...]}: the console's local sign-in. JSON only, so a page of another
    origin cannot send it without a preflight, which this endpoint never answers."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return _json(415, {"message": "send application/json"})
    try:
        request = json.loads(body or b"")
    except ValueError:
        return _json(400, {"message": "the body is not JSON"})
    tenant = request.get("tenant") if isinstance(request, dict) else None
    scopes = request.get("scopes") if isinstance(request, dict) else None
    if not isinstance(tenant, str) or not _TENANT.fullmatch(tenant):
        return _json(400, {"message": "tenant: 1 to 64 letters, digits, '-' or '_'"})
    if not isinstance(scopes, list) or not scopes or not all(s in ALL_SCOPES for s in scopes):
        return _json(400, {"message": f"scopes: one or more of {', '.join(ALL_SCOPES)}"})
    return _json(201, {"token": mint(tenant, " ".join(dict.fromkeys(scopes)), subject="console-developer")})
