"""The subscriber example's payload types (examples/subscriber) against events the product really emits: they
name exactly the fields of invoice.financed and of both registration outcomes, so they cannot drift."""

import dataclasses
from decimal import Decimal

import pytest

from tests.integration.harness import call
from tests.integration.invoice_fixtures import act, approve_limit, company, signed_invoice, uploaded_document
from tests.integration.receivable_fixtures import deliver, outbox_events, receivable
from tests.subscriber_example import payload_module

pytestmark = pytest.mark.usefixtures("aws")


def names(cls) -> set[str]:
    return {field.name for field in dataclasses.fields(cls)}


def financed_invoice() -> dict:
    supplier, buyer = company("Supplier"), company("Buyer")
    approve_limit(buyer["id"], 10_000_000)
    invoice = signed_invoice(supplier, buyer, uploaded_document(), amount=88000.5)
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    [detail] = outbox_events("invoice.financed")
    return detail


def registration_outcomes() -> tuple[dict, dict]:
    """A receivable registered by one lender, then refused to another as already registered."""
    shared = {"debtor_document_number": "52998224725", "holding_number": "77.1", "face_value": 499.23}
    for tenant in ("acme", "globex"):
        scope = "credit-rights:write credit-rights:read"
        body = receivable(**shared)
        assert call("create_credit_right", "POST", "/v1/credit-rights", body=body, tenant=tenant, scope=scope)
        [asked] = [
            e for e in outbox_events("credit_rights.registration_requested") if e["tenant_id"] == tenant
        ]
        deliver("credit_rights.registration_requested", asked)
    [success] = outbox_events("credit_rights_registration_success-1")
    [failure] = outbox_events("credit_rights_registration_failure-1")
    return success, failure


def test_the_invoice_financed_type_names_exactly_the_fields_of_a_real_event():
    events = payload_module()
    detail = financed_invoice()
    assert set(detail) == names(events.Detail)
    assert set(detail["object"]) == names(events.Invoice)
    assert set(detail["object"]["financing"]) == names(events.Financing)
    typed = events.parse("invoice.financed", detail)
    # Money read exactly: 90% of 88,000.50 is 79,200.45 (never a float's 79200.45000000001).
    assert typed.object.amount == Decimal("88000.5")
    assert typed.object.financing.first_payment == Decimal("79200.45")
    assert typed.id == detail["id"] and typed.object.status == "financed"


def test_the_registration_outcome_types_name_exactly_the_fields_of_real_events():
    events = payload_module()
    success, failure = registration_outcomes()
    assert set(success) == set(failure) == names(events.Detail)
    assert set(success["object"]) == names(events.Receivable)
    assert set(failure["object"]) == names(events.RefusedReceivable)
    registered = events.parse("credit_rights_registration_success-1", success).object
    refused = events.parse("credit_rights_registration_failure-1", failure).object
    assert registered.face_value == refused.face_value == Decimal("499.23")
    assert registered.interop_holding_number and "already registered" in refused.message
