"""Bodies are read and written with exact decimals: no float ever holds an amount."""

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing import exact_json
from financing.domain.buyer_limits import BuyerLimit, BuyerLimitView
from financing.domain.invoices import Invoice
from financing.domain.money import to_minor
from financing.families.core.buyer_limits import buyer_limit_object
from financing.families.core.invoices import invoice_json

HUGE = "73333776150969.46"  # a float reads it as 73333776150969.45


def test_to_minor_refuses_a_float_so_none_reaches_money_code():
    with pytest.raises(TypeError):
        to_minor(float(HUGE), "brl")
    assert to_minor(Decimal(HUGE), "brl") == 7_333_377_615_096_946


def test_a_body_is_read_with_exact_decimals_and_written_back_digit_for_digit():
    body = exact_json.loads(f'{{"face_value": {HUGE}, "n": 7, "items": [{{"v": 0.10}}]}}')
    assert body == {"face_value": Decimal(HUGE), "n": 7, "items": [{"v": Decimal("0.10")}]}
    assert exact_json.dumps(body) == f'{{"face_value":{HUGE},"n":7,"items":[{{"v":0.10}}]}}'


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_numbers_so_no_float_gets_in(constant):
    with pytest.raises(json.JSONDecodeError):
        exact_json.loads(f'{{"amount": {constant}}}')


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-(10**18), max_value=10**18))
def test_any_two_decimal_amount_survives_a_round_trip(amount):
    text = exact_json.dumps({"amount": amount, "label": str(amount)})
    assert exact_json.loads(text) == {"amount": amount, "label": str(amount)}
    assert json.loads(text)["label"] == str(amount)  # a string that looks like a number stays a string


@given(amount=st.decimals(min_value=0, max_value=10**13, places=2, allow_nan=False, allow_infinity=False))
def test_an_indented_document_keeps_each_amount_digit_for_digit(amount):
    document = {"b": [{"amount": amount}], "a": "título"}
    text = exact_json.dumps(document, indent=2, sort_keys=True)
    assert text == json.dumps(
        {"a": "título", "b": [{"amount": "@"}]}, indent=2, sort_keys=True, ensure_ascii=False
    ).replace('"@"', str(amount))
    assert exact_json.loads(text) == document


def test_a_string_that_looks_like_the_placeholder_is_left_alone():
    assert json.loads(exact_json.dumps({"a": Decimal("1.5"), "b": '"@@0@@"'})) == {"a": 1.5, "b": '"@@0@@"'}


NOW = datetime(2026, 3, 2, tzinfo=UTC)


def test_core_amounts_beyond_fifteen_digits_are_written_exactly_not_through_a_float():
    # Given a 73,333,776,150,969.46 invoice (more digits than a float keeps)
    invoice = Invoice(
        id="inv_01JD5ZB8K6X9Q2W3E4R5T6Y7V8",
        tenant_id="acme",
        supplier="company_a",
        buyer="company_b",
        invoice_number="N",
        client_reference_id="r",
        invoice_document="doc_x",
        amount=7_333_377_615_096_946,
        currency="brl",
        type_of_goods=["other"],
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 3, 31),
        created=NOW,
        updated=NOW,
    )
    # Then the core object (as the API and the events show it) carries the exact figure
    text = exact_json.dumps(invoice_json(invoice))
    assert f'"amount":{HUGE}' in text and f'"outstanding_amount":{HUGE}' in text
    limit = BuyerLimit(
        id="bl_01JD5ZB8K6X9Q2W3E4R5T6Y7V8",
        tenant_id="acme",
        company_id="company_b",
        currency="brl",
        requested_limit=7_333_377_615_096_946,
        created=NOW,
    )
    shown = exact_json.dumps(exact_json.jsonable(buyer_limit_object(BuyerLimitView(limit, 0))))
    assert f'"requested_limit":{HUGE}' in shown
