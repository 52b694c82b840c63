"""Inputs are taken only as the JSON type they are, in every family: a boolean is never a number (`0` is not
false, `false` is not 0), a number never a boolean, a string never a number (except Pismo's amounts, whose
spec allows numeric strings). Each is refused with a 4xx in the family's envelope, naming the field, and
writes nothing."""

import copy

import pytest

from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import call
from tests.integration.receivable_fixtures import receivable
from tests.integration.test_financing_offers_and_push import LINE

pytestmark = pytest.mark.usefixtures("aws")

LENDER = "invoices:read invoices:write lender:operate"
ID = "inv_01JD0000000000000000000000"
BL = "bl_01JD0000000000000000000000"
COMPANY_ID = "company_01JD0000000000000000000000"
WHSUB = "whsub_01JD0000000000000000000000"
CONTACT = {"first_name": "Ana", "last_name": "Silva", "is_signatory": True, "is_request_recipient": False}
COMPANY = {"name": "Supplier", "address": {"country_code": "GB"}, "contacts": [CONTACT]}
INVOICE = {
    "supplier": COMPANY_ID,
    "buyer": COMPANY_ID,
    "invoice_number": "F-1",
    "client_reference_id": "r-1",
    "invoice_document": "doc_01JD0000000000000000000000",
    "amount": 1000,
    "currency": "usd",
    "type_of_goods": ["other"],
    "issue_date": "2026-01-01",
    "due_date": "2026-03-01",
}
PAYMENT = {"amount": 10, "paid_date": "2026-01-02", "reference": "r"}
SETTINGS = {
    "default_after_days": 90,
    "grace_days": 0,
    "late_fee_rate_percentage": 2400,
    "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
}

# (function, method, path, path parameters, scope, valid body)
CORE = {
    "create company": ("create_company", "POST", "/v1/companies", {}, None, COMPANY),
    "update company": (
        "update_company",
        "PATCH",
        "/v1/companies/{company_id}",
        {"company_id": COMPANY_ID},
        None,
        {"contacts": [CONTACT]},
    ),
    "create buyer limit": (
        "create_buyer_limit",
        "POST",
        "/v1/buyer_limits",
        {},
        None,
        {"company": COMPANY_ID, "requested_limit": 100, "currency": "usd"},
    ),
    "approve buyer limit": (
        "approve_buyer_limit",
        "POST",
        "/v1/buyer_limits/{buyer_limit_id}/approve",
        {"buyer_limit_id": BL},
        LENDER,
        {"total_limit": 100},
    ),
    "create invoice": ("create_invoice", "POST", "/v1/invoices", {}, None, INVOICE),
    "update invoice": (
        "update_invoice",
        "PATCH",
        "/v1/invoices/{invoice_id}",
        {"invoice_id": ID},
        None,
        {"amount": 10},
    ),
    "fund invoice": (
        "fund_invoice",
        "POST",
        "/v1/invoices/{invoice_id}/fund",
        {"invoice_id": ID},
        LENDER,
        {"advance_rate_percentage": 9000, "fee_percentage": 250},
    ),
    "record payment": (
        "record_invoice_payment",
        "POST",
        "/v1/invoices/{invoice_id}/payments",
        {"invoice_id": ID},
        LENDER,
        PAYMENT,
    ),
    "put settings": ("put_settings", "PUT", "/v1/settings", {}, LENDER, SETTINGS),
    "update webhook subscription": (
        "update_webhook_subscription",
        "PATCH",
        "/v1/webhook_subscriptions/{subscription_id}",
        {"subscription_id": WHSUB},
        "webhooks:manage",
        {"enabled": True},
    ),
}

# (endpoint, where in the body, the wrong value)
CORE_CONFUSIONS = [
    ("create company", ("contacts", 0, "is_signatory"), 0),
    ("create company", ("contacts", 0, "is_signatory"), 1),
    ("create company", ("contacts", 0, "is_signatory"), "true"),
    ("create company", ("contacts", 0, "is_request_recipient"), 0),
    ("update company", ("contacts", 0, "is_signatory"), 0),
    ("create buyer limit", ("requested_limit",), True),
    ("create buyer limit", ("requested_limit",), "100"),
    ("approve buyer limit", ("total_limit",), False),
    ("create invoice", ("amount",), True),
    ("create invoice", ("amount",), "1000"),
    ("update invoice", ("amount",), False),
    ("fund invoice", ("advance_rate_percentage",), True),
    ("fund invoice", ("fee_percentage",), "250"),
    ("fund invoice", ("fee_percentage",), 2.5),
    ("record payment", ("amount",), True),
    ("record payment", ("amount",), "10"),
    ("put settings", ("grace_days",), False),
    ("put settings", ("pricing", "fee_percentage"), True),
    ("update webhook subscription", ("enabled",), 0),
    ("update webhook subscription", ("enabled",), "false"),
]


def _with(body, where, value):
    body = copy.deepcopy(body)
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    return body


def _rows():
    return client("dynamodb").scan(TableName=settings().table_name)["Items"]


def _send(function, method, path, params, scope, body):
    resource = path
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    return call(
        function,
        method,
        path,
        resource=resource,
        path_parameters=params or None,
        body=body,
        scope=scope or "invoices:read invoices:write",
    )


@pytest.mark.parametrize(
    ("endpoint", "where", "value"),
    CORE_CONFUSIONS,
    ids=[f"{e}: {w[-1]}={v!r}" for e, w, v in CORE_CONFUSIONS],
)
def test_a_core_field_of_another_json_type_is_a_400_naming_it(endpoint, where, value):
    function, method, path, params, scope, body = CORE[endpoint]
    before = _rows()
    reply = _send(function, method, path, params, scope, _with(body, where, value))
    assert reply.status == 400, reply.json
    error = reply.json["error"]
    assert error["code"] == "validation_failed" and error["correlation_id"]
    assert ".".join(str(part) for part in where) in [detail["field"] for detail in error["details"]], error
    assert _rows() == before


MONITE_CONFUSIONS = [
    (("total_amount",), False),
    (("total_amount",), True),
    (("total_amount",), "12000000"),
    (("pricing_plans", 0, "advance_rate_percentage"), True),
    (("pricing_plans", 0, "fee_percentage"), "250"),
    (("pricing_plans", 0, "repayment_duration_days"), 60.5),
]


@pytest.mark.parametrize(
    ("where", "value"), MONITE_CONFUSIONS, ids=[f"{w[-1]}={v!r}" for w, v in MONITE_CONFUSIONS]
)
def test_a_monite_field_of_another_json_type_is_a_422_located_at_it(where, value):
    before = _rows()
    reply = call(
        "put_financing_offers", "PUT", "/v1/financing_offers", body=_with(LINE, where, value), scope=LENDER
    )
    assert reply.status == 422, reply.json
    assert [tuple(d["loc"]) for d in reply.json["detail"]] == [("body", *where)], reply.json
    assert _rows() == before


def test_an_integral_number_is_an_integer_as_json_schema_says():
    # JSON Schema, which the document speaks, cannot tell 250.0 from 250; the contract fuzzer sends both.
    body = _with(_with(LINE, ("total_amount",), 12_000_000.0), ("pricing_plans", 0, "fee_percentage"), 250.0)
    reply = call("put_financing_offers", "PUT", "/v1/financing_offers", body=body, scope=LENDER)
    assert reply.status == 200, reply.json
    assert reply.json["offers"][0]["total_amount"] == 12_000_000
    settings_reply = _send(*CORE["put settings"][:5], _with(SETTINGS, ("grace_days",), 5.0))
    assert settings_reply.status == 200 and settings_reply.json["grace_days"] == 5, settings_reply.json


PISMO_CONFUSIONS = [("face_value", True), ("ibge_code", "3550308"), ("payment_status", True)]


@pytest.mark.parametrize(("field", "value"), PISMO_CONFUSIONS)
def test_a_pismo_field_of_another_json_type_is_a_400_naming_it(field, value):
    before = _rows()
    reply = call(
        "create_credit_right",
        "POST",
        "/v1/credit-rights",
        body=receivable(**{field: value}),
        scope="credit-rights:write",
    )
    assert reply.status == 400, reply.json
    assert set(reply.json) == {"correlationId", "errors"}
    assert any(message.startswith(f"{field}:") for message in reply.json["errors"]), reply.json
    assert _rows() == before


@pytest.mark.parametrize(
    ("endpoint", "where", "value"),
    [
        ("update company", ("contacts", 0, "email"), "not-an-email"),
        ("update invoice", ("amount",), 10**20),
    ],
)
def test_a_refused_field_is_named_by_its_path_not_by_the_validators_inside(endpoint, where, value):
    # `X | None` fields used to be reported as `contacts.list[ContactPatch].0.email` or
    # `amount.function-after[functools.partial(<function ...>)]`.
    function, method, path, params, scope, body = CORE[endpoint]
    reply = _send(function, method, path, params, scope, _with(body, where, value))
    assert reply.status == 400, reply.json
    assert [d["field"] for d in reply.json["error"]["details"]] == [".".join(str(p) for p in where)]
