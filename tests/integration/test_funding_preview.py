"""The funding preview: what `fund` would book, from the same domain function, and nothing written."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from financing import exact_json
from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable
from financing.adapters.invoices import InvoiceStore
from financing.config import settings as config
from financing.domain.money import to_major
from tests.integration.harness import call
from tests.integration.invoice_fixtures import (
    INVOICE,
    act,
    approve_limit,
    company,
    get,
    signed_invoice,
    uploaded_document,
)

pytestmark = pytest.mark.usefixtures("aws")


def preview(invoice_id: str, query: dict[str, str] | None = None, **kwargs):
    return call(
        "get_invoice_funding_preview",
        "GET",
        f"/v1/invoices/{invoice_id}/funding_preview",
        resource=INVOICE + "/funding_preview",
        path_parameters={"invoice_id": invoice_id},
        query=query,
        scope=kwargs.pop("scope", "invoices:read"),
        **kwargs,
    )


def table_rows() -> list[dict]:
    return client("dynamodb").scan(TableName=config().table_name)["Items"]


def ready(currency: str = "usd", amount: Decimal | int = 88000, limit: int = 10**13) -> dict:
    supplier, buyer = company("Supplier"), company("Buyer")
    approve_limit(buyer["id"], limit, currency=currency)
    unique = str(uuid.uuid4())
    return signed_invoice(
        supplier,
        buyer,
        uploaded_document(),
        currency=currency,
        amount=amount,
        invoice_number=unique[:8],
        client_reference_id=unique,
    )


def test_the_preview_answers_the_tenants_pricing_and_writes_nothing():
    invoice = ready()
    before = table_rows()
    reply = preview(invoice["id"])
    assert reply.status == 200, reply.json
    assert reply.json | {"invoice": None} == {
        "object": "invoice.funding_preview",
        "invoice": None,
        "currency": "usd",
        "amount": 88000,
        "advance_rate_percentage": 9000,
        "fee_percentage": 250,
        "first_payment": 79200,
        "discount": 1980,
        "iof": 0,
        "repayment_amount": 81180,
        "disbursement_date": date.today().isoformat(),
        "due_date": invoice["due_date"],
        "repayment_date": invoice["due_date"],
        "on_credit_line": False,
    }
    assert table_rows() == before and get(invoice["id"]).json["status"] == "approved"


def test_a_preview_the_status_does_not_allow_is_the_409_fund_answers():
    supplier, buyer = company("Supplier"), company("Buyer")
    draft = call(
        "create_invoice",
        "POST",
        "/v1/invoices",
        body={
            "supplier": supplier["id"],
            "buyer": buyer["id"],
            "invoice_number": "INV-1",
            "client_reference_id": "r-1",
            "invoice_document": uploaded_document()["id"],
            "amount": 100,
            "currency": "usd",
            "type_of_goods": ["other"],
            "issue_date": (date.today() - timedelta(days=1)).isoformat(),
            "due_date": (date.today() + timedelta(days=30)).isoformat(),
        },
    ).json
    reply = preview(draft["id"])
    assert reply.status == 409 and reply.json["error"]["code"] == "invalid_transition"
    assert reply.headers["x-correlation-id"]


def test_bad_terms_are_a_400_in_the_core_envelope_naming_them():
    invoice = ready()
    reply = preview(invoice["id"], {"advance_rate_percentage": "0", "disbursement_date": "soon"})
    assert reply.status in (400, 422) and "error" in reply.json, reply.json
    assert reply.headers["x-correlation-id"]


def test_another_tenants_invoice_is_404_and_the_scope_is_invoices_read():
    invoice = ready()
    assert preview(invoice["id"], tenant="globex").status == 404
    assert preview(invoice["id"], scope="credit-rights:read").status == 403


# Each example walks an invoice through six handlers on moto: a few examples, no long shrinking.
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    currency=st.sampled_from(["usd", "brl"]),
    cents=st.integers(min_value=1, max_value=10**11),
    advance=st.none() | st.integers(min_value=1, max_value=10000),
    fee=st.none() | st.integers(min_value=0, max_value=10000),
    days_before_due=st.integers(min_value=1, max_value=60),
)
def test_fund_books_exactly_what_the_preview_said(currency, cents, advance, fee, days_before_due):
    # Given an approved invoice and terms (the tenant's where absent)
    invoice = ready(currency, to_major(cents, currency))
    disbursed = date.fromisoformat(invoice["due_date"]) - timedelta(days=days_before_due)
    terms = {"advance_rate_percentage": advance, "fee_percentage": fee, "disbursement_date": disbursed}
    query = {k: str(v) for k, v in terms.items() if v is not None}
    # When the lender previews, then funds with the same terms
    said = preview(invoice["id"], query)
    body = {k: v.isoformat() if isinstance(v, date) else v for k, v in terms.items() if v is not None}
    funded = act("fund_invoice", "fund", invoice["id"], body)
    # Then the funding booked the preview's figures, or both refused alike
    if said.status != 200:
        assert (funded.status, funded.json["error"]["code"]) == (said.status, said.json["error"]["code"])
        return
    assert funded.status == 200, funded.json
    # Both read digit for digit (the harness's json.loads would make floats of the amounts).
    f, said_exactly = exact_json.loads(funded.raw["body"])["financing"], exact_json.loads(said.raw["body"])
    booked = InvoiceStore(EntityTable()).get("acme", invoice["id"]).financing
    assert {
        "first_payment": f["first_payment"],
        "discount": f["discount"],
        "repayment_amount": f["repayment_amount"],
        "advance_rate_percentage": f["advance_rate_percentage"],
        "fee_percentage": f["fee_percentage"],
        "disbursement_date": f["disbursement_date"],
        "iof": to_major(booked.iof, currency),
        "repayment_date": (booked.repayment_date or date.fromisoformat(invoice["due_date"])).isoformat(),
    } == {
        k: said_exactly[k]
        for k in (
            "first_payment",
            "discount",
            "repayment_amount",
            "advance_rate_percentage",
            "fee_percentage",
            "disbursement_date",
            "iof",
            "repayment_date",
        )
    }
