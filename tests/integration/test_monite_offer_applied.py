"""Issue 12 defect 9, "Monite: the offer shown is not the one applied": an invoice pushed through
POST /v1/financing_invoices is funded with the pricing plan it was offered, repaid on the plan's date,
and every Monite amount reconciles as the spec's field descriptions say."""

from datetime import timedelta

import pytest

from financing import clock
from financing.ids import as_uuid
from tests.integration.harness import call
from tests.integration.invoice_fixtures import act, approve_limit, company, draft_body, get, uploaded_document
from tests.integration.monite_fixtures import assert_conforms, list_invoices

pytestmark = pytest.mark.usefixtures("aws")
LENDER = "invoices:read invoices:write lender:operate"
AMOUNT = 88000  # major units in the core API
MINOR = AMOUNT * 100  # as Monite shows it


def plan(repayment_type="FIXED_DURATION", days=45, advance=8000, fee=300):
    return {
        "advance_rate_percentage": advance,
        "fee_percentage": fee,
        "repayment_type": repayment_type,
        **({"repayment_duration_days": days} if days else {}),
    }


def offered(*plans):
    body = {"total_amount": 12_000_000, "currency": "USD", "pricing_plans": list(plans)}
    reply = call("put_financing_offers", "PUT", "/v1/financing_offers", body=body, scope=LENDER)
    assert reply.status == 200, reply.json


def pushed_and_approved(reference="offer-1"):
    """A draft pushed through the Monite family, then signed by both parties (approved, ready to fund)."""
    supplier, buyer = company("Supplier"), company("Buyer")
    approve_limit(buyer["id"], 10_000_000)
    body = draft_body(supplier, buyer, uploaded_document(), amount=AMOUNT, client_reference_id=reference)
    invoice = call("create_invoice", "POST", "/v1/invoices", body=body).json
    push = {"invoices": [{"id": str(as_uuid(invoice["id"])), "type": "receivable"}]}
    assert call("create_financing_invoices", "POST", "/v1/financing_invoices", body=push).status == 201
    act("request_invoice_signatures", "request_signatures", invoice["id"])
    for party, who in (("supplier", supplier), ("buyer", buyer)):
        act("sign_invoice", "sign", invoice["id"], {"party": party, "contact": who["contacts"][0]["id"]})
    return invoice


def shown(invoice):
    reply = list_invoices({"invoice_id": str(as_uuid(invoice["id"]))})
    assert reply.status == 200, reply.json
    [item] = reply.json["data"]
    assert_conforms(item, "FinancingInvoice")
    return item


def test_a_pushed_invoice_is_funded_with_the_plan_it_was_offered_not_the_tenant_settings():
    offered(plan(advance=8000, fee=300))
    invoice = pushed_and_approved()
    funded = act("fund_invoice", "fund", invoice["id"], {})
    assert funded.status == 200, funded.json
    item = shown(invoice)
    principal = MINOR * 8000 // 10000
    assert (item["advance_rate_percentage"], item["fee_percentage"]) == (8000, 300)
    assert item["principal_amount"] == principal and item["fee_amount"] == principal * 3 // 100


def test_the_plan_offered_at_push_is_kept_when_the_lender_changes_the_line_later():
    offered(plan(advance=8000, fee=300))
    invoice = pushed_and_approved()
    offered(plan(advance=5000, fee=900))
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    assert shown(invoice)["advance_rate_percentage"] == 8000


def test_fixed_duration_repays_the_plans_days_after_disbursement_not_on_the_due_date():
    offered(plan("FIXED_DURATION", days=45))
    invoice = pushed_and_approved()
    disbursed = clock.today() - timedelta(days=1)
    funded = act("fund_invoice", "fund", invoice["id"], {"disbursement_date": disbursed.isoformat()})
    assert funded.status == 200, funded.json
    schedule = shown(invoice)["repayment_schedule"]
    assert schedule["repayment_date"] == (disbursed + timedelta(days=45)).isoformat()
    assert schedule["repayment_date"] != invoice["due_date"]


@pytest.mark.parametrize("repayment_type", ["FIXED_DATE", "MULTIPLE_DURATION"])
def test_fixed_date_and_multiple_duration_repay_by_the_due_date(repayment_type):
    offered(plan(repayment_type, days=None))
    invoice = pushed_and_approved()
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    assert shown(invoice)["repayment_schedule"]["repayment_date"] == invoice["due_date"]


def test_monite_amounts_reconcile_requested_is_the_principal_asked_not_the_invoice_total():
    offered(plan(advance=8000, fee=300))
    invoice = pushed_and_approved()
    act("fund_invoice", "fund", invoice["id"], {})
    item = shown(invoice)
    principal, fee = item["principal_amount"], item["fee_amount"]
    assert item["total_amount"] == MINOR
    assert item["requested_amount"] == principal == MINOR * 8000 // 10000
    assert item["advance_amount"] == principal  # the fee is repaid with the principal, not deducted
    assert item["repayment_amount"] == principal + fee
    assert item["repayment_schedule"]["repayment_amount"] == item["repayment_amount"]
    assert item["repayment_schedule"]["repayment_fee_amount"] == fee
    assert item["repayment_schedule"]["repayment_principal_amount"] == principal


def test_a_pushed_invoice_shows_the_offered_terms_while_under_review():
    offered(plan(advance=8000, fee=300))
    invoice = pushed_and_approved()
    item = shown(invoice)
    principal = MINOR * 8000 // 10000
    assert item["status"] == "NEW"
    assert (item["advance_rate_percentage"], item["fee_percentage"]) == (8000, 300)
    assert item["requested_amount"] == principal
    assert "repayment_schedule" not in item  # known only once disbursed


def test_an_explicit_rate_other_than_the_offered_plan_is_409_and_funds_nothing():
    offered(plan(advance=8000, fee=300))
    invoice = pushed_and_approved()
    reply = act("fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 9500})
    assert reply.status == 409 and reply.json["error"]["code"] == "offer_terms_differ", reply.json
    assert get(invoice["id"]).json["status"] == "approved"
    same = act(
        "fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 8000, "fee_percentage": 300}
    )
    assert same.status == 200, same.json


def test_an_invoice_pushed_without_a_line_is_priced_by_the_tenant_settings():
    invoice = pushed_and_approved()
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    assert shown(invoice)["advance_rate_percentage"] == 9000  # the settings' default
