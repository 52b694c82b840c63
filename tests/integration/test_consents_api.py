"""Open Finance consents through their handlers on moto: grant, read, revoke, validation, tenancy, events."""

import json
from datetime import timedelta

import pytest

from financing import clock
from financing.adapters.aws import client
from financing.adapters.dynamo import from_item
from financing.config import settings
from tests.integration.harness import call

pytestmark = pytest.mark.usefixtures("aws")

SCOPE = "consents:manage"
CONSENTS = "/v1/open_finance/consents"
CNPJ = "11.222.333/0001-81"


def body(**overrides):
    expiry = (clock.now() + timedelta(days=90)).isoformat().replace("+00:00", "Z")
    return {
        "customer_document": CNPJ,
        "permissions": ["INVOICE_FINANCINGS_READ", "INVOICE_FINANCINGS_PAYMENTS_READ"],
        "expiration_date_time": expiry,
        **overrides,
    }


def create(payload, **kwargs):
    return call("create_consent", "POST", CONSENTS, body=payload, **{"scope": SCOPE, **kwargs})


def one(function_dir, method, consent_id, **kwargs):
    return call(
        function_dir,
        method,
        f"{CONSENTS}/{consent_id}",
        resource=CONSENTS + "/{consent_id}",
        path_parameters={"consent_id": consent_id},
        **{"scope": SCOPE, **kwargs},
    )


def outbox():
    items = [from_item(i) for i in client("dynamodb").scan(TableName=settings().table_name)["Items"]]
    return [(i["detail_type"], json.loads(i["detail"])) for i in items if i["kind"] == "outbox"]


def test_a_consent_is_granted_authorised_read_back_and_announced():
    reply = create(body(), headers={"x-correlation-id": "corr-consent"})
    assert reply.status == 201, reply.json
    consent = reply.json
    assert consent["consent_id"].startswith("consent_") and consent["status"] == "AUTHORISED"
    assert consent["customer_document"] == "11222333000181"
    assert consent["permissions"] == ["INVOICE_FINANCINGS_PAYMENTS_READ", "INVOICE_FINANCINGS_READ"]
    assert one("get_consent", "GET", consent["consent_id"]).json == consent
    [(kind, detail)] = outbox()
    assert kind == "consent.created" and detail["object"] == consent
    assert detail["correlation_id"] == "corr-consent"


def test_revoking_is_immediate_announced_once_and_repeatable():
    consent = create(body()).json
    revoked = one("revoke_consent", "DELETE", consent["consent_id"])
    assert revoked.status == 200 and revoked.json["status"] == "REVOKED"
    again = one("revoke_consent", "DELETE", consent["consent_id"])
    assert again.status == 200 and again.json == revoked.json
    assert one("get_consent", "GET", consent["consent_id"]).json["status"] == "REVOKED"
    assert [kind for kind, _ in outbox()] == ["consent.created", "consent.revoked"]


def test_the_same_idempotency_key_replays_the_first_consent():
    same = body()
    first = create(same, headers={"Idempotency-Key": "k-1"})
    second = create(same, headers={"Idempotency-Key": "k-1"})
    assert second.status == 201 and second.json == first.json
    assert create(body(permissions=["RESOURCES_READ"]), headers={"Idempotency-Key": "k-1"}).status == 422
    assert len(outbox()) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer_document": "11.222.333/0001-82"}, "customer_document"),
        ({"customer_document": "123"}, "customer_document"),
        ({"customer_document": "abc.def.ghi-jk"}, "customer_document"),
        ({"permissions": []}, "permissions"),
        ({"permissions": ["ACCOUNTS_READ"]}, "permissions"),
        ({"permissions": "INVOICE_FINANCINGS_READ"}, "permissions"),
        ({"expiration_date_time": "2001-01-01T00:00:00Z"}, "expiration_date_time"),
        ({"expiration_date_time": "2099-01-01T00:00:00"}, "expiration_date_time"),
        ({"expiration_date_time": "tomorrow"}, "expiration_date_time"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_consents_are_400_naming_the_field_and_write_nothing(change, field):
    reply = create(body(**change))
    assert reply.status == 400, reply.json
    assert field in [d["field"] for d in reply.json["error"]["details"]], reply.json
    assert outbox() == []


def test_a_cpf_customer_is_accepted():
    reply = create(body(customer_document="529.982.247-25"))
    assert reply.status == 201 and reply.json["customer_document"] == "52998224725"


def test_consents_are_per_tenant_and_need_their_scope():
    consent = create(body()).json
    assert one("get_consent", "GET", consent["consent_id"], tenant="globex").status == 404
    assert one("revoke_consent", "DELETE", consent["consent_id"], tenant="globex").status == 404
    assert one("get_consent", "GET", "consent_nope").status == 404
    assert create(body(), scope="invoices:write").status == 403
    assert one("get_consent", "GET", consent["consent_id"], scope="invoice-financings").status == 403
    assert one("get_consent", "GET", consent["consent_id"]).json["status"] == "AUTHORISED"


def test_an_authorised_consent_past_its_expiry_reads_as_expired():
    from datetime import UTC, datetime

    consent = create(body(expiration_date_time="2030-01-01T00:00:00Z")).json
    clock.set_clock(lambda: datetime(2030, 1, 1, tzinfo=UTC))
    try:
        assert one("get_consent", "GET", consent["consent_id"]).json["status"] == "EXPIRED"
    finally:
        clock.reset_clock()
