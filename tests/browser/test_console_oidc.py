"""The deployed console's sign-in, OIDC authorization code with PKCE (RFC 7636), against a provider played
by the test: the page must send an S256 challenge that the verifier it later sends hashes to, the state it
was given back, and then use the provider's access token on the API."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import expect

from local.token import mint
from tests.browser.conftest import Browser

CLIENT_ID = "lender-console"


def test_the_console_signs_in_with_authorization_code_and_pkce(browser: Browser, stack):
    tenant = f"oidc-{secrets.token_hex(3)}"
    issuer = f"{browser.origin}/idp"
    seen: dict[str, str] = {}
    code = secrets.token_urlsafe(16)
    page = browser.page

    def config(route):
        body = {"api_url": "", "sign_in": "oidc", "oidc": {"issuer": issuer, "client_id": CLIENT_ID}}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def discovery(route):
        body = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def authorize(route):
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        seen.update(query)
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        route.fulfill(status=302, headers={"Location": back})

    def token(route):
        form = {k: v[0] for k, v in parse_qs(route.request.post_data or "").items()}
        challenge = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"].encode()).digest()).rstrip(
            b"="
        )
        if (
            form.get("code") != code
            or challenge.decode() != seen["code_challenge"]
            or form.get("client_id") != CLIENT_ID
        ):
            route.fulfill(status=400, content_type="application/json", body='{"error": "invalid_grant"}')
            return
        seen["token_redirect_uri"] = form["redirect_uri"]
        body = {"access_token": mint(tenant, "invoices:read lender:operate"), "token_type": "Bearer"}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page.route("**/web-config.json", config)
    page.route("**/idp/.well-known/openid-configuration", discovery)
    page.route("**/idp/authorize?*", authorize)
    page.route("**/idp/token", token)

    page.goto(f"{browser.origin}/console/")
    expect(page.get_by_role("heading", name="Local development sign-in")).to_have_count(0)
    page.get_by_role("button", name="Sign in with your identity provider").click()
    expect(page.get_by_text(f"Tenant {tenant}")).to_be_visible()
    expect(page.get_by_role("heading", name="Invoice queue")).to_be_visible()
    assert seen["response_type"] == "code" and seen["code_challenge_method"] == "S256"
    assert seen["client_id"] == CLIENT_ID and seen["redirect_uri"] == f"{browser.origin}/console/"
    assert seen["token_redirect_uri"] == seen["redirect_uri"]
    assert "code=" not in page.url  # the code left the address bar
    assert not browser.problems, browser.problems
