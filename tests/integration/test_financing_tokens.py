"""Monite's financing tokens through their handlers on moto: the push's session and connect tokens,
POST /v1/financing_tokens, their exchange at GET /v1/financing_connect, and every refusal."""

import json
import time
from uuid import UUID

import jwt
import pytest

from financing.adapters.secrets import secret_string
from financing.auth.financing_tokens import ISSUER, LIFETIME
from financing.config import settings
from financing.ids import as_uuid, from_uuid
from tests.integration.forged_tokens import hs
from tests.integration.harness import call
from tests.integration.invoice_fixtures import approve_limit, company, draft_body, uploaded_document
from tests.integration.monite_fixtures import assert_conforms
from tests.integration.test_auth_attacks import authorize

pytestmark = pytest.mark.usefixtures("aws")
LINE = {
    "total_amount": 12_000_000,
    "currency": "USD",
    "pricing_plans": [
        {"advance_rate_percentage": 9000, "fee_percentage": 250, "repayment_type": "FIXED_DATE"}
    ],
}
REFUSED = {"error": {"message": "A valid connect token is required."}}


def pushed(tenant="acme", n=2, headers=None):
    supplier, buyer = company("Supplier", tenant), company("Buyer", tenant)
    approve_limit(buyer["id"], 10_000_000, tenant)
    drafts = [
        call(
            "create_invoice",
            "POST",
            "/v1/invoices",
            body=draft_body(supplier, buyer, uploaded_document(tenant), client_reference_id=f"t-{k}"),
            tenant=tenant,
        ).json
        for k in range(n)
    ]
    body = {"invoices": [{"id": str(as_uuid(d["id"])), "type": "receivable"} for d in drafts]}
    reply = call(
        "create_financing_invoices",
        "POST",
        "/v1/financing_invoices",
        body=body,
        tenant=tenant,
        headers=headers,
    )
    assert reply.status == 201, reply.json
    return reply.json


def tokens(tenant="acme", **kwargs):
    return call("create_financing_tokens", "POST", "/v1/financing_tokens", tenant=tenant, **kwargs)


def exchange(connect=None, session=None, authorization=None):
    headers = {}
    if connect is not None or authorization is not None:
        headers["Authorization"] = authorization or f"Bearer {connect}"
    if session is not None:
        headers["x-financing-session"] = session
    # The route has no authorizer: no verified tenant reaches the handler.
    return call("get_financing_connect", "GET", "/v1/financing_connect", headers=headers, tenant=None)


def key():
    """The template's FinancingTokenSecret, as the stack provisioned it (a secret, not a constant)."""
    return secret_string(settings().financing_token_secret_arn)


def claims(token, audience):
    return jwt.decode(token, key(), algorithms=["HS256"], audience=audience, issuer=ISSUER)


def forged(audience="financing-connect", key=None, **overrides):
    now = int(time.time())
    body = {"iss": ISSUER, "aud": audience, "sub": "dev", "tenant_id": "acme", "entity_id": "acme"}
    body |= {"iat": now, "exp": now + 60, **overrides}
    signing = key or globals()["key"]()
    return jwt.encode({k: v for k, v in body.items() if v is not None}, signing, algorithm="HS256")


def test_push_answers_monites_two_tokens_bound_to_the_business_and_short_lived():
    body = pushed(headers={"x-monite-entity-id": "acme"})
    assert_conforms(body, "FinancingPushInvoicesResponse")
    session, connect = (
        claims(body["session_token"], "financing-session"),
        claims(body["connect_token"], "financing-connect"),
    )
    for granted in (session, connect):
        assert (granted["tenant_id"], granted["entity_id"]) == ("acme", "acme")
        assert granted["exp"] - granted["iat"] == LIFETIME.total_seconds() == 15 * 60
    assert session["session_id"] == body["session"]["id"]
    assert sorted(session["invoice_ids"]) == sorted(
        from_uuid("inv", UUID(i["invoice_id"])) for i in body["invoices"]
    )


def test_financing_tokens_answers_a_connect_token_in_monites_shape():
    reply = tokens()
    assert reply.status == 201, reply.json
    assert_conforms(reply.json, "FinancingTokenResponse")
    assert set(reply.json) == {"connect_token"}
    assert claims(reply.json["connect_token"], "financing-connect")["tenant_id"] == "acme"


def test_financing_tokens_refuses_another_entity_and_a_caller_without_scope():
    assert tokens(headers={"x-monite-entity-id": "someone-else"}).status == 403
    reply = tokens(scope="lender:operate")
    assert reply.status == 403 and set(reply.json) == {"error"}


def test_a_connect_token_is_exchanged_for_the_offer_and_with_the_session_token_for_the_session():
    call("put_financing_offers", "PUT", "/v1/financing_offers", body=LINE, scope="lender:operate")
    body = pushed()
    alone = exchange(body["connect_token"])
    assert alone.status == 200, alone.json
    assert alone.json["business_status"] == "ONBOARDED" and alone.json["session"] is None
    assert alone.json["offers"][0]["pricing_plans"] == LINE["pricing_plans"]
    assert_conforms({k: alone.json[k] for k in ("business_status", "offers")}, "FinancingOffersResponse")
    both = exchange(tokens().json["connect_token"], body["session_token"])
    assert both.status == 200, both.json
    assert both.json["session"]["id"] == body["session"]["id"]
    assert [i["invoice_id"] for i in both.json["session"]["invoices"]] == [
        i["invoice_id"] for i in body["invoices"]
    ]
    for shown in both.json["session"]["invoices"]:
        assert_conforms(shown, "FinancingInvoice")


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: forged(key="another-deployments-key-0123456789abcdef"), id="forged"),
        pytest.param(lambda: forged(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200), id="expired"),
        pytest.param(
            lambda: forged(audience="financing-session", session_id="ifs_x", invoice_ids=[]), id="session"
        ),
        pytest.param(lambda: forged(iss="someone-else"), id="other-issuer"),
        pytest.param(lambda: forged(tenant_id=None), id="no-tenant"),
        pytest.param(lambda: forged(tenant_id="../x"), id="bad-tenant"),
        pytest.param(lambda: forged(tenant_id="acme\n"), id="tenant-with-trailing-newline"),
        pytest.param(lambda: forged(tenant_id=123), id="numeric-tenant"),
        pytest.param(lambda: hs("acme"), id="lender-bearer-jwt"),
        pytest.param(lambda: "x.y.z", id="garbage"),
    ],
)
def test_a_forged_expired_or_foreign_connect_token_is_401_and_reveals_nothing(token):
    reply = exchange(token())
    assert reply.status == 401 and reply.json == REFUSED


def test_no_token_or_another_scheme_is_401():
    assert exchange().json == REFUSED and exchange().status == 401
    assert exchange(authorization=f"Basic {forged()}").status == 401


def test_a_bad_session_token_is_401_and_another_business_session_is_403():
    body = pushed()
    connect = body["connect_token"]
    assert exchange(connect, body["connect_token"]).json == REFUSED  # a connect token is no session token
    assert exchange(connect, "x.y.z").status == 401
    foreign = pushed(tenant="globex")
    reply = exchange(connect, foreign["session_token"])
    assert reply.status == 403 and set(reply.json) == {"error"}
    assert foreign["session"]["id"] not in json.dumps(reply.json)


@pytest.mark.parametrize("kind", ["session_token", "connect_token"])
def test_the_apis_authorizer_refuses_financing_tokens(kind):
    token = pushed()[kind]
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(f"Bearer {token}")


def test_financing_tokens_honours_the_idempotency_key():
    first, again = (tokens(headers={"Idempotency-Key": "tok-1"}) for _ in range(2))
    assert first.status == again.status == 201 and first.json == again.json
    assert tokens(headers={"Idempotency-Key": "tok-2"}).status == 201
