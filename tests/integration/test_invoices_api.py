"""Invoices through their handlers on moto: drafting rules, the lifecycle, funding within the limit, payments."""

from datetime import date, timedelta

import pytest

from financing.adapters.aws import client
from financing.adapters.invoices import exposure_key
from financing.config import settings
from tests.integration.harness import call
from tests.integration.invoice_fixtures import (
    INVOICE,
    act,
    approve_limit,
    company,
    draft_body,
    get,
    uploaded_document,
)

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def parties():
    supplier, buyer = company("Supplier"), company("Buyer")
    return supplier, buyer, uploaded_document()


def create(body, **kwargs):
    return call("create_invoice", "POST", "/v1/invoices", body=body, **kwargs)


def events_of(kind="outbox"):
    rows = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    return [row["detail_type"]["S"] for row in rows if row["kind"]["S"] == kind]


def exposure(buyer_id):
    item = client("dynamodb").get_item(
        TableName=settings().table_name, Key={k: {"S": v} for k, v in exposure_key("acme", buyer_id).items()}
    )
    return int(item["Item"]["outstanding"]["N"])


def walk_to_approved(invoice_id, supplier, buyer):
    assert act("submit_invoice", "submit", invoice_id).status == 200
    assert act("request_invoice_signatures", "request_signatures", invoice_id).status == 200
    assert (
        act(
            "sign_invoice",
            "sign",
            invoice_id,
            {"party": "supplier", "contact": supplier["contacts"][0]["id"]},
        ).status
        == 200
    )
    reply = act("sign_invoice", "sign", invoice_id, {"party": "buyer", "contact": buyer["contacts"][0]["id"]})
    assert reply.status == 200 and reply.json["status"] == "approved"


def test_a_draft_is_created_with_amounts_in_decimal_major_units(parties):
    supplier, buyer, document = parties
    reply = create(draft_body(supplier, buyer, document, amount=123.53))
    assert reply.status == 201, reply.json
    invoice = reply.json
    assert invoice["object"] == "invoice" and invoice["status"] == "draft" and invoice["amount"] == 123.53
    assert (
        invoice["invoice_document"]["id"] == document["id"]
        and invoice["invoice_document"]["purpose"] == "invoice"
    )
    assert invoice["financing"]["sessions"] == {"object": "list", "data": []}
    assert get(invoice["id"]).json == invoice
    assert get(invoice["id"], tenant="globex").status == 404


def test_a_second_client_reference_is_409_naming_the_existing_invoice(parties):
    first = create(draft_body(*parties)).json
    reply = create(draft_body(*parties))
    assert reply.status == 409 and reply.json["error"]["code"] == "duplicate_client_reference_id"
    assert first["id"] in reply.json["error"]["message"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": 1.001}, "amount"),
        ({"amount": 0}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"type_of_goods": []}, "type_of_goods"),
        ({"type_of_goods": ["gold"]}, "type_of_goods.0"),
        ({"due_date": "2020-01-01"}, "due_date"),
        ({"issue_date": "2999-01-01", "due_date": "2999-02-01"}, "issue_date"),
        ({"supplier": "company_01JD0000000000000000000000"}, "supplier"),
        ({"invoice_document": "doc_01JD0000000000000000000000"}, "invoice_document"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_drafts_are_400_and_write_nothing(parties, overrides, field):
    before = client("dynamodb").scan(TableName=settings().table_name)["Count"]
    reply = create(draft_body(*parties, **overrides))
    assert reply.status == 400, reply.json
    assert field in [d["field"] for d in reply.json["error"]["details"]], reply.json
    assert client("dynamodb").scan(TableName=settings().table_name)["Count"] == before


def test_the_same_company_cannot_be_both_parties(parties):
    supplier, _, document = parties
    reply = create(draft_body(supplier, supplier, document))
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "buyer"


def test_a_document_of_another_purpose_is_refused(parties):
    supplier, buyer, _ = parties
    reply = create(draft_body(supplier, buyer, uploaded_document(purpose="transport")))
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "invoice_document"


def test_drafts_can_be_edited_and_deleted_but_nothing_else(parties):
    _, buyer, _ = parties
    invoice = create(draft_body(*parties)).json
    edit = call(
        "update_invoice",
        "PATCH",
        f"/v1/invoices/{invoice['id']}",
        resource=INVOICE,
        path_parameters={"invoice_id": invoice["id"]},
        body={"amount": 90000.5},
    )
    assert edit.status == 200 and edit.json["amount"] == 90000.5
    approve_limit(buyer["id"], 10_000_000)
    act("submit_invoice", "submit", invoice["id"])
    again = call(
        "update_invoice",
        "PATCH",
        f"/v1/invoices/{invoice['id']}",
        resource=INVOICE,
        path_parameters={"invoice_id": invoice["id"]},
        body={"amount": 1},
    )
    assert again.status == 409 and again.json["error"]["code"] == "invalid_transition"
    other = create(draft_body(*parties, client_reference_id="other")).json
    gone = call(
        "delete_invoice",
        "DELETE",
        f"/v1/invoices/{other['id']}",
        resource=INVOICE,
        path_parameters={"invoice_id": other["id"]},
    )
    assert gone.status == 200 and gone.json == {"id": other["id"], "object": "invoice", "deleted": True}
    assert get(other["id"]).status == 404
    assert create(draft_body(*parties, client_reference_id="other")).status == 201


def test_submission_needs_an_approved_buyer_limit(parties):
    invoice = create(draft_body(*parties)).json
    reply = act("submit_invoice", "submit", invoice["id"])
    assert reply.status == 409 and reply.json["error"]["code"] == "buyer_limit_not_approved"


def test_the_whole_lifecycle_to_repaid_with_partial_payments(parties):
    supplier, buyer, _ = parties
    approve_limit(buyer["id"], 10_000_000)
    invoice = create(draft_body(*parties)).json
    walk_to_approved(invoice["id"], supplier, buyer)
    funded = act(
        "fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 9000, "fee_percentage": 250}
    )
    assert funded.status == 200, funded.json
    financing = funded.json["financing"]
    assert (financing["first_payment"], financing["discount"], financing["repayment_amount"]) == (
        79200,
        1980,
        81180,
    )
    assert (
        financing["volume_adjument_fees"] is None
        and financing["sessions"]["data"][0]["status"] == "completed"
    )
    assert exposure(buyer["id"]) == 7_920_000

    first = act(
        "record_invoice_payment",
        "payments",
        invoice["id"],
        {"amount": 50000, "paid_date": funded.json["created"][:10], "reference": "w1"},
        headers={"Idempotency-Key": "pay-1"},
    )
    replay = act(
        "record_invoice_payment",
        "payments",
        invoice["id"],
        {"amount": 50000, "paid_date": funded.json["created"][:10], "reference": "w1"},
        headers={"Idempotency-Key": "pay-1"},
    )
    assert first.status == replay.status == 200 and replay.json == first.json
    assert (
        first.json["financing"]["outstanding_amount"] == 38000
        and first.json["financing"]["repayment_outstanding"] == 31180
    )
    too_much = act(
        "record_invoice_payment",
        "payments",
        invoice["id"],
        {"amount": 38000.01, "paid_date": funded.json["created"][:10], "reference": "w2"},
    )
    assert too_much.status == 422
    repaid = act(
        "record_invoice_payment",
        "payments",
        invoice["id"],
        {"amount": 38000, "paid_date": funded.json["created"][:10], "reference": "w2"},
    )
    assert repaid.json["status"] == "repaid" and repaid.json["financing"]["second_payment"] == 6820
    assert exposure(buyer["id"]) == 0

    history = call(
        "list_invoice_history",
        "GET",
        f"/v1/invoices/{invoice['id']}/history",
        resource=INVOICE + "/history",
        path_parameters={"invoice_id": invoice["id"]},
    ).json["data"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("draft", "new"),
        ("new", "requesting_signatures"),
        ("requesting_signatures", "requesting_signatures"),
        ("requesting_signatures", "approved"),
        ("approved", "financed"),
        ("financed", "financed"),
        ("financed", "repaid"),
    ]
    kinds = events_of()
    for expected in [
        "invoice.created",
        "invoice.new",
        "invoice.requesting_signatures",
        "invoice.signed",
        "invoice.approved",
        "invoice.financed",
        "invoice.payment_received",
        "invoice.repaid",
    ]:
        assert expected in kinds, (expected, kinds)
    assert kinds.count("invoice.payment_received") == 2


def test_funding_beyond_the_available_limit_is_refused_and_changes_nothing(parties):
    supplier, buyer, _ = parties
    approve_limit(buyer["id"], 5_000_000)
    invoice = create(draft_body(*parties)).json
    walk_to_approved(invoice["id"], supplier, buyer)
    reply = act("fund_invoice", "fund", invoice["id"], {})
    assert reply.status == 409 and reply.json["error"]["code"] == "buyer_limit_exceeded"
    assert get(invoice["id"]).json["status"] == "approved" and exposure(buyer["id"]) == 0


@pytest.mark.parametrize("days_from_due", [0, 1], ids=["on_due_date", "after_due_date"])
def test_disbursement_date_on_or_after_the_due_date_is_400_naming_it_and_writes_nothing(
    parties, days_from_due
):
    supplier, buyer, _ = parties
    approve_limit(buyer["id"], 50_000_000)
    invoice = create(draft_body(*parties)).json
    walk_to_approved(invoice["id"], supplier, buyer)
    before = events_of()
    disbursed = date.fromisoformat(invoice["due_date"]) + timedelta(days=days_from_due)
    reply = act("fund_invoice", "fund", invoice["id"], {"disbursement_date": disbursed.isoformat()})
    assert reply.status == 400 and reply.json["error"]["code"] == "validation_failed"
    assert [d["field"] for d in reply.json["error"]["details"]] == ["disbursement_date"]
    assert get(invoice["id"]).json["status"] == "approved" and exposure(buyer["id"]) == 0
    assert events_of() == before


def test_an_action_not_allowed_from_the_status_is_409_naming_it(parties):
    invoice = create(draft_body(*parties)).json
    reply = act("fund_invoice", "fund", invoice["id"], {})
    assert reply.status == 409
    assert reply.json["error"]["code"] == "invalid_transition"
    assert reply.json["error"]["details"] == [{"field": "status", "message": "draft"}]


def test_lender_actions_need_the_lender_scope(parties):
    invoice = create(draft_body(*parties)).json
    reply = act(
        "decline_invoice", "decline", invoice["id"], {"reason": "no"}, scope="invoices:read invoices:write"
    )
    assert reply.status == 403


def test_a_financing_session_submits_the_invoice(parties):
    supplier, buyer, document = parties
    approve_limit(buyer["id"], 10_000_000)
    invoice = create(draft_body(*parties)).json
    body = {
        "supplier": supplier["id"],
        "buyer": buyer["id"],
        "invoices": [invoice["id"]],
        "supporting_documents": [{"document": document["id"], "invoice": invoice["id"]}],
        "submitted_by": "ana@supplier",
    }
    reply = call("create_financing_session", "POST", "/v1/financing_sessions", body=body)
    assert reply.status == 201, reply.json
    session = reply.json
    assert (
        session["object"] == "invoice.financing.session"
        and session["status"] == "open"
        and session["id"].startswith("ifs_")
    )
    current = get(invoice["id"]).json
    assert current["status"] == "new" and current["financing"]["sessions"]["data"][0]["id"] == session["id"]
    again = call("create_financing_session", "POST", "/v1/financing_sessions", body=body)
    assert again.status == 409


def test_listing_filters_by_status_supplier_and_buyer(parties):
    supplier, buyer, _ = parties
    approve_limit(buyer["id"], 10_000_000)
    drafts = [create(draft_body(*parties, client_reference_id=f"r{n}")).json["id"] for n in range(3)]
    act("submit_invoice", "submit", drafts[0])

    def ids(**query):
        return [i["id"] for i in call("list_invoices", "GET", "/v1/invoices", query=query).json["data"]]

    assert ids() == list(reversed(drafts))
    assert ids(status="new") == [drafts[0]] and ids(status="draft") == [drafts[2], drafts[1]]
    assert ids(supplier=supplier["id"]) == list(reversed(drafts)) and ids(buyer=supplier["id"]) == []
    assert ids(status="draft", buyer=buyer["id"], limit="1") == [drafts[2]]
    assert call("list_invoices", "GET", "/v1/invoices", query={"status": "lost"}).status == 400


def test_information_requested_then_resubmitted_then_declined_with_reasons(parties):
    _, buyer, _ = parties
    approve_limit(buyer["id"], 10_000_000)
    invoice = create(draft_body(*parties)).json
    act("submit_invoice", "submit", invoice["id"])
    asked = act("request_invoice_info", "request_info", invoice["id"], {"reason": "Send the packing list"})
    assert asked.status == 200 and asked.json["status"] == "additional_info_required"
    assert asked.json["status_reason"] == "Send the packing list"
    assert act("submit_invoice", "submit", invoice["id"]).json["status"] == "new"
    assert act("decline_invoice", "decline", invoice["id"], {}).status == 400  # a reason is required
    declined = act("decline_invoice", "decline", invoice["id"], {"reason": "Buyer risk"})
    assert (
        declined.json["status"] == "declined"
        and declined.json["financing"]["sessions"]["data"][0]["status"] == "declined"
    )
    history = call(
        "list_invoice_history",
        "GET",
        f"/v1/invoices/{invoice['id']}/history",
        resource=INVOICE + "/history",
        path_parameters={"invoice_id": invoice["id"]},
    ).json["data"]
    assert [(h["to_status"], h["reason"]) for h in history] == [
        ("new", None),
        ("additional_info_required", "Send the packing list"),
        ("new", None),
        ("declined", "Buyer risk"),
    ]
    assert {"invoice.additional_info_required", "invoice.declined"} <= set(events_of())
    assert act("submit_invoice", "submit", invoice["id"]).status == 409


def test_funding_whose_claim_exceeds_the_invoice_is_422_naming_the_pricing_and_writes_nothing(parties):
    supplier, buyer, _ = parties
    approve_limit(buyer["id"], 10_000_000)
    invoice = create(draft_body(*parties, amount=1000)).json
    walk_to_approved(invoice["id"], supplier, buyer)
    before = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    reply = act(
        "fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 10000, "fee_percentage": 250}
    )
    assert reply.status == 422, reply.json
    error = reply.json["error"]
    assert error["code"] == "claim_exceeds_invoice" and error["correlation_id"]
    assert [d["field"] for d in error["details"]] == ["advance_rate_percentage", "fee_percentage"]
    assert client("dynamodb").scan(TableName=settings().table_name)["Items"] == before
    assert get(invoice["id"]).json["status"] == "approved" and exposure(buyer["id"]) == 0
    funded = act(
        "fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 10000, "fee_percentage": 0}
    )
    assert funded.status == 200 and funded.json["financing"]["repayment_amount"] == 1000
    assert (funded.json["financing"]["recourse_amount"], funded.json["financing"]["settled_on"]) == (0, None)
