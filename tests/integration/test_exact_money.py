"""Money in bodies is exact end to end: a JSON number is read as a decimal, stored in minor units or as
the text accepted, and written back digit for digit, beyond the 15 to 17 digits a float keeps."""

import json
from decimal import Decimal

import pytest

from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import call
from tests.integration.receivable_fixtures import receivable

pytestmark = pytest.mark.usefixtures("aws")

HUGE = "73333776150969.46"  # a float reads it as 73333776150969.45
TOTAL = "9999999999999999.99"  # Pismo's largest invoice_total_value: 16 digits and 2 decimals
OPERATION = "1234567890123456.78"
CORE = "9999999999999.99"  # the core's largest limit
WRITE = "credit-rights:write credit-rights:read"
LENDER = "lender:operate"


def exact(reply):
    """The reply's body with every number as the decimal written, not a float."""
    return json.loads(reply.raw["body"], parse_float=Decimal)


def raw_with(body: dict, numbers: dict[str, str]) -> str:
    """`body` as JSON text with each placeholder string replaced by a number's exact text."""
    text = json.dumps(body)
    for placeholder, number in numbers.items():
        text = text.replace(f'"{placeholder}"', number)
    return text


def test_pismo_amounts_round_trip_exactly_through_post_get_and_the_event():
    # Given a receivable whose amounts have more digits than a float keeps
    body = receivable(face_value="@face", invoice_total_value="@total")
    body["credit_operations"][0]["operation_value"] = "@operation"
    text = raw_with(body, {"@face": HUGE, "@total": TOTAL, "@operation": OPERATION})
    # When it is registered and read back
    posted = call("create_credit_right", "POST", "/v1/credit-rights", raw_body=text, scope=WRITE)
    assert posted.status == 202, posted.json
    number = body["internal_number"]
    reply = call(
        "get_credit_right",
        "GET",
        f"/v1/credit-rights/{number}",
        resource="/v1/credit-rights/{internal_number}",
        path_parameters={"internal_number": number},
        scope=WRITE,
    )
    # Then every amount is the number sent, digit for digit, in the receivable, its request and its event
    shown = exact(reply)
    assert shown["face_value"] == Decimal(HUGE) and f'"face_value":{HUGE}' in reply.raw["body"]
    assert shown["request"]["face_value"] == Decimal(HUGE)
    assert shown["request"]["invoice_total_value"] == Decimal(TOTAL)
    assert shown["request"]["credit_operations"][0]["operation_value"] == Decimal(OPERATION)
    [requested] = [
        json.loads(row["detail"]["S"], parse_float=Decimal)
        for row in client("dynamodb").scan(TableName=settings().table_name)["Items"]
        if row["kind"]["S"] == "outbox" and row["detail_type"]["S"] == "credit_rights.registration_requested"
    ]
    assert requested["object"]["face_value"] == Decimal(HUGE)


def test_core_buyer_limit_amounts_are_written_back_exactly_with_the_currencys_decimals():
    # The core caps a limit at 15 significant digits (a float's safe range); bigger figures are proved
    # exact in tests/unit/test_exact_json.py. Here: the decimal goes in and comes out as a JSON number.
    company = call(
        "create_company",
        "POST",
        "/v1/companies",
        body={"name": "Compradora", "address": {"country_code": "BR"}},
    ).json["id"]
    text = raw_with({"company": company, "requested_limit": "@limit", "currency": "brl"}, {"@limit": CORE})
    created = call("create_buyer_limit", "POST", "/v1/buyer_limits", raw_body=text)
    assert created.status == 201, created.json
    assert (
        exact(created)["requested_limit"] == Decimal(CORE)
        and f'"requested_limit":{CORE}' in created.raw["body"]
    )
    limit_id = created.json["id"]
    approved = call(
        "approve_buyer_limit",
        "POST",
        f"/v1/buyer_limits/{limit_id}/approve",
        resource="/v1/buyer_limits/{buyer_limit_id}/approve",
        path_parameters={"buyer_limit_id": limit_id},
        raw_body=raw_with({"total_limit": "@total"}, {"@total": "9999999999999.90"}),
        scope=LENDER,
    )
    assert approved.status == 200, approved.json
    shown = exact(approved)
    assert shown["total_limit"] == shown["available_limit"] == Decimal("9999999999999.9")
    assert '"total_limit":9999999999999.90' in approved.raw["body"]  # the currency's two decimals


@pytest.mark.parametrize("constant", ["NaN", "Infinity"])
def test_a_nan_or_infinite_amount_is_malformed_json_not_a_float(constant):
    text = raw_with(receivable(face_value="@face"), {"@face": constant})
    reply = call("create_credit_right", "POST", "/v1/credit-rights", raw_body=text, scope=WRITE)
    assert reply.status == 400 and reply.json["errors"] == ["The body is not valid JSON."]
