"""Pismo-shaped receivable registration (`POST /v1/credit-rights`): every rule, all problems at once."""

import copy
import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from financing import clock
from financing.families.pismo.credit_rights import ReceivableRequest, validate_receivable

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
TODAY = NOW.date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


# The seed's example values. The spec gives no example debtor document (a valid CPF is used) nor operation
# type; its maturity example ("2023-06=22") is malformed and in the past, so maturity is shifted into the
# future. Issuing and signing dates keep the example values: they are before today.
EXAMPLE: dict[str, Any] = {
    "credit_rights_receivable_type": 1,
    "debtor_document_number": "43123342778",
    "debtor_name": "Bonnie Ann Clyde",
    "face_value": 499.23,
    "holding_number": "1234.8",
    "ibge_code": 3304557,
    "internal_number": "5eae1070-28cc-4e99-ad45-c380731d5c0a",
    "invoice_number": 88,
    "invoice_serie": 1,
    "invoice_total_value": 5678.99,
    "issuing_date": "2023-06-07",
    "lender_document_number": "51407165000113",
    "lender_name": "Al Dente",
    "maturity_date": day(90),
    "payment_method": 2,
    "payment_status": 1,
    "recorder_account": 12345678,
    "access_key": "KAB6J8903CNMH01892749JKSNOAXMCA7199382ABCERL",
    "collateral_type": 1,
    "credit_operations": [
        {
            "contact_number": "+14158675309",
            "guarantee_percentage": 5,
            "operation_date": "2023-06-06",
            "operation_maturity": "2023-09-08",
            "operation_type": "discount",
            "operation_value": 234.5,
        }
    ],
    "debtor_signing_date": "2023-06-07",
    "description": "Receivable description...",
    "guarantor_name": "Lansky Loan",
    "lender_signing_date": "2023-06-22",
    "owner_document_number": "51008931000177",
    "owner_name": "Biff Wellington",
}

REQUIRED = [
    "credit_rights_receivable_type",
    "debtor_document_number",
    "debtor_name",
    "face_value",
    "holding_number",
    "ibge_code",
    "internal_number",
    "invoice_number",
    "invoice_serie",
    "invoice_total_value",
    "issuing_date",
    "lender_document_number",
    "lender_name",
    "maturity_date",
    "payment_method",
    "payment_status",
    "recorder_account",
]

DROP = object()


@pytest.fixture(autouse=True)
def fixed_clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.reset_clock()


def example(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    for name, value in changes.items():
        if value is DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def operation(**changes: Any) -> dict[str, Any]:
    """The example with its one credit operation changed."""
    body = example()
    for name, value in changes.items():
        if value is DROP:
            body["credit_operations"][0].pop(name, None)
        else:
            body["credit_operations"][0][name] = value
    return body


def fields_of(problems: list[str]) -> list[str]:
    return [problem.split(": ", 1)[0] for problem in problems]


# --- the valid example --------------------------------------------------------------------------------


def test_the_seed_example_passes_and_gives_minor_units():
    request, problems = validate_receivable(example())
    assert problems == []
    assert isinstance(request, ReceivableRequest)
    assert request.face_value == Decimal("499.23")
    assert request.face_value_minor == 49923
    assert request.invoice_total_value_minor == 567899
    assert request.credit_operations[0].operation_value_minor == 23450
    assert request.operation_values_minor == [23450]
    assert request.minor_amounts() == {
        "face_value": 49923,
        "invoice_total_value": 567899,
        "operation_values": [23450],
    }
    assert request.issuing_date == date(2023, 6, 7)
    stored = request.model_dump(mode="json", exclude_none=True)
    assert stored["face_value"] == "499.23"  # amounts kept as decimal strings, exactly
    assert stored["maturity_date"] == day(90)


def test_only_the_required_fields_pass():
    request, problems = validate_receivable({name: EXAMPLE[name] for name in REQUIRED})
    assert problems == []
    assert request is not None and request.credit_operations is None
    assert request.operation_values_minor == []


def test_the_boundaries_pass():
    body = example(
        issuing_date=day(0),
        lender_signing_date=day(0),
        maturity_date=day(0),
        debtor_signing_date=day(30),  # the spec sets no limit on the debtor's signing date
        face_value="9999999999999999.99",
        invoice_total_value=Decimal("9999999999999999.99"),
        ibge_code=1000000,
        invoice_number=999999999,
        invoice_serie=999,
        recorder_account=99999999,
        holding_number="123456789.99",
        description="d" * 500,
        debtor_name="n" * 100,
        internal_number="i" * 40,
        access_key="k" * 44,
        lender_document_number="51.407.165/0001-13",
        credit_operations=[{"operation_value": 5678.99, "guarantee_percentage": 100}],
    )
    request, problems = validate_receivable(body)
    assert problems == []
    assert request is not None
    assert request.face_value_minor == 999999999999999999


def test_amounts_keep_every_digit_from_a_decimal_parse_or_a_numeric_string():
    parsed = json.loads(
        json.dumps(example(face_value="X")).replace('"X"', "1234567890123456.78"), parse_float=Decimal
    )
    request, problems = validate_receivable(parsed)
    assert problems == [] and request is not None
    assert request.face_value_minor == 123456789012345678
    request, problems = validate_receivable(
        example(face_value="1234567890123456.78", invoice_total_value=700)
    )
    assert problems == [] and request is not None
    assert request.face_value_minor == 123456789012345678
    assert request.invoice_total_value_minor == 70000


def test_null_optional_fields_are_absent():
    request, problems = validate_receivable(example(access_key=None, credit_operations=None, owner_name=None))
    assert problems == []
    assert request is not None and request.access_key is None and request.credit_operations is None


def test_operations_summing_exactly_to_the_invoice_total_pass():
    body = example(
        invoice_total_value="100.00",
        credit_operations=[{"operation_value": 60.5}, {"operation_value": "39.50"}, {"operation_type": "x"}],
    )
    assert validate_receivable(body)[1] == []


# --- one failing case per rule ---------------------------------------------------------------------------

LONG = "x" * 101

CASES: list[tuple[str, Callable[[], Any], str]] = [
    *[(f"missing {name}", lambda name=name: example(**{name: DROP}), name) for name in REQUIRED],
    *[(f"null {name}", lambda name=name: example(**{name: None}), name) for name in REQUIRED],
    ("receivable type 3", lambda: example(credit_rights_receivable_type=3), "credit_rights_receivable_type"),
    ("receivable type 0", lambda: example(credit_rights_receivable_type=0), "credit_rights_receivable_type"),
    (
        "receivable type bool",
        lambda: example(credit_rights_receivable_type=True),
        "credit_rights_receivable_type",
    ),
    (
        "receivable type float",
        lambda: example(credit_rights_receivable_type=1.0),
        "credit_rights_receivable_type",
    ),
    (
        "receivable type string",
        lambda: example(credit_rights_receivable_type="1"),
        "credit_rights_receivable_type",
    ),
    ("payment method 0", lambda: example(payment_method=0), "payment_method"),
    ("payment method 7", lambda: example(payment_method=7), "payment_method"),
    ("payment status 3", lambda: example(payment_status=3), "payment_status"),
    ("payment status bool", lambda: example(payment_status=False), "payment_status"),
    ("collateral type 2", lambda: example(collateral_type=2), "collateral_type"),
    ("debtor name empty", lambda: example(debtor_name=""), "debtor_name"),
    ("debtor name blank", lambda: example(debtor_name="   "), "debtor_name"),
    ("debtor name long", lambda: example(debtor_name=LONG), "debtor_name"),
    ("debtor name number", lambda: example(debtor_name=5), "debtor_name"),
    ("lender name long", lambda: example(lender_name=LONG), "lender_name"),
    ("lender name empty", lambda: example(lender_name=""), "lender_name"),
    ("owner name long", lambda: example(owner_name=LONG), "owner_name"),
    ("owner name empty", lambda: example(owner_name=""), "owner_name"),
    ("guarantor name long", lambda: example(guarantor_name=LONG), "guarantor_name"),
    ("guarantor name empty", lambda: example(guarantor_name=""), "guarantor_name"),
    ("internal number empty", lambda: example(internal_number=""), "internal_number"),
    ("internal number long", lambda: example(internal_number="i" * 41), "internal_number"),
    ("access key empty", lambda: example(access_key=""), "access_key"),
    ("access key long", lambda: example(access_key="k" * 45), "access_key"),
    ("description long", lambda: example(description="d" * 501), "description"),
    ("holding no dot", lambda: example(holding_number="12348"), "holding_number"),
    ("holding no installments", lambda: example(holding_number="1234."), "holding_number"),
    ("holding no invoice", lambda: example(holding_number=".8"), "holding_number"),
    ("holding zero installments", lambda: example(holding_number="1234.0"), "holding_number"),
    ("holding 100 installments", lambda: example(holding_number="1234.100"), "holding_number"),
    ("holding 10-digit invoice", lambda: example(holding_number="1234567890.1"), "holding_number"),
    ("holding letters", lambda: example(holding_number="12a4.8"), "holding_number"),
    ("holding too short", lambda: example(holding_number="1."), "holding_number"),
    ("holding non-ascii digits", lambda: example(holding_number="١٢.٣"), "holding_number"),
    ("holding number", lambda: example(holding_number=1234.8), "holding_number"),
    ("ibge 6 digits", lambda: example(ibge_code=999999), "ibge_code"),
    ("ibge 8 digits", lambda: example(ibge_code=10000000), "ibge_code"),
    ("ibge string", lambda: example(ibge_code="3304557"), "ibge_code"),
    ("invoice number 10 digits", lambda: example(invoice_number=1_000_000_000), "invoice_number"),
    ("invoice number negative", lambda: example(invoice_number=-1), "invoice_number"),
    ("invoice number float", lambda: example(invoice_number=88.5), "invoice_number"),
    ("invoice serie 4 digits", lambda: example(invoice_serie=1000), "invoice_serie"),
    ("recorder account 9 digits", lambda: example(recorder_account=100_000_000), "recorder_account"),
    ("face value 3 decimals", lambda: example(face_value=1.001), "face_value"),
    ("face value 17 digits", lambda: example(face_value=Decimal("12345678901234567")), "face_value"),
    ("face value big float", lambda: example(face_value=1e16), "face_value"),
    ("face value text", lambda: example(face_value="abc"), "face_value"),
    ("face value exponent string", lambda: example(face_value="1e5"), "face_value"),
    ("face value bool", lambda: example(face_value=True), "face_value"),
    ("face value NaN", lambda: example(face_value=float("nan")), "face_value"),
    ("face value infinite", lambda: example(face_value=float("inf")), "face_value"),
    ("face value negative", lambda: example(face_value=-1), "face_value"),
    ("total 17 digits", lambda: example(invoice_total_value="12345678901234567"), "invoice_total_value"),
    ("total 3 decimals", lambda: example(invoice_total_value=0.001), "invoice_total_value"),
    ("total negative", lambda: example(invoice_total_value=-5), "invoice_total_value"),
    (
        "operation value negative",
        lambda: operation(operation_value=-0.01),
        "credit_operations[0].operation_value",
    ),
    (
        "operation value 3 decimals",
        lambda: operation(operation_value=1.234),
        "credit_operations[0].operation_value",
    ),
    (
        "operation value 17 digits",
        lambda: operation(operation_value=10**16),
        "credit_operations[0].operation_value",
    ),
    ("issuing date tomorrow", lambda: example(issuing_date=day(1)), "issuing_date"),
    ("issuing date slashes", lambda: example(issuing_date="2023/06/07"), "issuing_date"),
    ("issuing date not a day", lambda: example(issuing_date="2023-02-30"), "issuing_date"),
    ("issuing date number", lambda: example(issuing_date=20230607), "issuing_date"),
    ("issuing date with time", lambda: example(issuing_date="2023-06-07T00:00:00"), "issuing_date"),
    ("lender signing tomorrow", lambda: example(lender_signing_date=day(1)), "lender_signing_date"),
    ("lender signing malformed", lambda: example(lender_signing_date="22/06/2023"), "lender_signing_date"),
    ("maturity yesterday", lambda: example(maturity_date=day(-1)), "maturity_date"),
    ("maturity spec's malformed example", lambda: example(maturity_date="2023-06=22"), "maturity_date"),
    ("debtor signing malformed", lambda: example(debtor_signing_date="07-06-2023"), "debtor_signing_date"),
    (
        "operation date malformed",
        lambda: operation(operation_date="soon"),
        "credit_operations[0].operation_date",
    ),
    (
        "operation maturity month 13",
        lambda: operation(operation_maturity="2023-13-01"),
        "credit_operations[0].operation_maturity",
    ),
    (
        "debtor document 15 chars",
        lambda: example(debtor_document_number="514071650001130"),
        "debtor_document_number",
    ),
    (
        "debtor document bad CPF",
        lambda: example(debtor_document_number="43123342779"),
        "debtor_document_number",
    ),
    (
        "debtor document repeated",
        lambda: example(debtor_document_number="11111111111"),
        "debtor_document_number",
    ),
    (
        "debtor document 12 digits",
        lambda: example(debtor_document_number="431233427781"),
        "debtor_document_number",
    ),
    ("debtor document letters", lambda: example(debtor_document_number="ABC"), "debtor_document_number"),
    ("debtor document number", lambda: example(debtor_document_number=43123342778), "debtor_document_number"),
    ("debtor is lender", lambda: example(debtor_document_number="51407165000113"), "debtor_document_number"),
    (
        "debtor is lender, formatted",
        lambda: example(lender_document_number="431.233.427-78"),
        "debtor_document_number",
    ),
    (
        "lender document bad CNPJ",
        lambda: example(lender_document_number="51407165000114"),
        "lender_document_number",
    ),
    ("lender document empty", lambda: example(lender_document_number=""), "lender_document_number"),
    (
        "lender non-ascii digits",
        lambda: example(lender_document_number="٥١٤٠٧١٦٥٠٠٠١١٣"),
        "lender_document_number",
    ),
    (
        "owner document bad CNPJ",
        lambda: example(owner_document_number="51008931000178"),
        "owner_document_number",
    ),
    ("owner document letters", lambda: example(owner_document_number="x"), "owner_document_number"),
    ("operations empty", lambda: example(credit_operations=[]), "credit_operations"),
    ("operations not a list", lambda: example(credit_operations={"operation_value": 1}), "credit_operations"),
    ("operation not an object", lambda: example(credit_operations=[5]), "credit_operations[0]"),
    ("contact number empty", lambda: operation(contact_number=""), "credit_operations[0].contact_number"),
    (
        "contact number long",
        lambda: operation(contact_number="1" * 16),
        "credit_operations[0].contact_number",
    ),
    ("operation type empty", lambda: operation(operation_type=""), "credit_operations[0].operation_type"),
    (
        "operation type long",
        lambda: operation(operation_type="t" * 51),
        "credit_operations[0].operation_type",
    ),
    (
        "guarantee over 100",
        lambda: operation(guarantee_percentage=101),
        "credit_operations[0].guarantee_percentage",
    ),
    (
        "guarantee negative",
        lambda: operation(guarantee_percentage=-1),
        "credit_operations[0].guarantee_percentage",
    ),
    (
        "guarantee text",
        lambda: operation(guarantee_percentage="five"),
        "credit_operations[0].guarantee_percentage",
    ),
    (
        "operations over the total",
        lambda: example(
            invoice_total_value=100, credit_operations=[{"operation_value": 60}, {"operation_value": "40.01"}]
        ),
        "credit_operations",
    ),
    ("unknown field", lambda: example(discount=1), "discount"),
    ("unknown operation field", lambda: operation(rate=1), "credit_operations[0].rate"),
]


@pytest.mark.parametrize(
    ("body", "field"), [(build, field) for _, build, field in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_names_its_field(body, field):
    request, problems = validate_receivable(body())
    assert request is None
    assert field in fields_of(problems), problems
    assert all(": " in problem for problem in problems)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"ibge_code": 123}, "ibge_code: must be exactly 7 digits (1000000..9999999)"),
        ({"debtor_name": DROP}, "debtor_name: is required"),
        ({"payment_method": True}, "payment_method: must be an integer, not a boolean"),
        ({"collateral_type": 2}, "collateral_type: must be 1 (aval), the only collateral type accepted"),
        ({"maturity_date": "2026-03-03"}, "maturity_date: must be today (2026-03-04) or later"),
        ({"issuing_date": "2026-03-05"}, "issuing_date: must not be after today (2026-03-04)"),
        ({"face_value": 1.001}, "face_value: must have at most 16 integer digits and 2 decimal places"),
        (
            {"lender_document_number": "51407165000114"},
            "lender_document_number: is not a valid CNPJ (check digits do not match)",
        ),
        (
            {"debtor_document_number": "43123342779"},
            "debtor_document_number: is not a valid CPF (check digits do not match)",
        ),
        (
            {"debtor_document_number": "51407165000113"},
            "debtor_document_number: must not be the same as lender_document_number",
        ),
        ({"foo": 1}, "foo: is not a field of this request"),
        (
            {
                "invoice_total_value": 100,
                "credit_operations": [{"operation_value": 60}, {"operation_value": 40.5}],
            },
            "credit_operations: the operations' values sum to 100.5, more than invoice_total_value (100)",
        ),
    ],
)
def test_problems_read_clearly(changes, problem):
    assert validate_receivable(example(**changes)) == (None, [problem])


def test_every_problem_is_reported_at_once_sorted_by_field():
    body = example(
        credit_rights_receivable_type=9,
        debtor_name=DROP,
        face_value="12.345",
        holding_number="1234",
        ibge_code=12,
        issuing_date=day(2),
        maturity_date=day(-2),
        debtor_document_number="51407165000113",  # the lender's
        owner_document_number="00000000000",
        invoice_total_value=10,
        credit_operations=[{"operation_value": 8}, {"contact_number": "", "operation_value": 3}, "x"],
        surprise=True,
    )
    request, problems = validate_receivable(body)
    assert request is None
    assert fields_of(problems) == [
        "credit_operations",
        "credit_operations[1].contact_number",
        "credit_operations[2]",
        "credit_rights_receivable_type",
        "debtor_document_number",
        "debtor_name",
        "face_value",
        "holding_number",
        "ibge_code",
        "issuing_date",
        "maturity_date",
        "owner_document_number",
        "surprise",
    ]


def test_operations_are_ordered_by_index_not_as_text():
    operations = [{"operation_value": 1} for _ in range(12)]
    operations[2]["operation_type"] = ""
    operations[10]["operation_type"] = ""
    _, problems = validate_receivable(example(credit_operations=operations))
    assert fields_of(problems) == [
        "credit_operations[2].operation_type",
        "credit_operations[10].operation_type",
    ]


def test_an_invalid_operation_value_does_not_also_fail_the_sum():
    body = example(
        invoice_total_value=1, credit_operations=[{"operation_value": 5}, {"operation_value": "bad"}]
    )
    assert fields_of(validate_receivable(body)[1]) == ["credit_operations[1].operation_value"]


@pytest.mark.parametrize("body", [[], [EXAMPLE], "receivable", "", None, 5, 1.5, True])
def test_a_body_that_is_not_an_object_is_one_clear_problem(body):
    request, problems = validate_receivable(body)
    assert request is None
    assert len(problems) == 1
    assert problems[0].startswith("body: must be a JSON object")


def test_an_empty_object_lists_every_required_field():
    request, problems = validate_receivable({})
    assert request is None
    assert problems == [f"{name}: is required" for name in sorted(REQUIRED)]


def test_dates_follow_the_injected_clock():
    clock.set_clock(lambda: datetime(2023, 6, 1, tzinfo=UTC))
    _, problems = validate_receivable(example(maturity_date="2023-06-01"))
    # the example's issuing (2023-06-07) and lender signing (2023-06-22) dates are now in the future
    assert fields_of(problems) == ["issuing_date", "lender_signing_date"]


def test_validating_the_example_costs_under_a_millisecond():
    body = example()
    validate_receivable(body)  # warm up
    runs = 1000
    started = time.perf_counter()
    for _ in range(runs):
        validate_receivable(body)
    average = (time.perf_counter() - started) / runs
    assert average < 0.001, f"{average * 1e6:.0f} µs per validation"
