"""Financing offers (the tenant's credit line) and POST /v1/financing_invoices, through their handlers on moto."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable
from financing.adapters.invoice_reads import InvoiceReads
from financing.config import settings
from financing.ids import as_uuid
from tests.integration.harness import call
from tests.integration.invoice_fixtures import act, approve_limit, company, draft_body, get, uploaded_document
from tests.integration.monite_fixtures import assert_conforms
from tests.integration.test_invoice_ageing_and_races import financed_invoice

pytestmark = pytest.mark.usefixtures("aws")
LENDER = "invoices:read invoices:write lender:operate"
LINE = {
    "total_amount": 12_000_000,
    "currency": "USD",
    "pricing_plans": [
        {
            "advance_rate_percentage": 9000,
            "fee_percentage": 250,
            "repayment_type": "FIXED_DURATION",
            "repayment_duration_days": 60,
        }
    ],
}


def offers(**kwargs):
    return call("get_financing_offers", "GET", "/v1/financing_offers", **kwargs)


def set_line(body=None, **kwargs):
    kwargs.setdefault("scope", LENDER)
    return call("put_financing_offers", "PUT", "/v1/financing_offers", body=body or LINE, **kwargs)


def push(invoices, **kwargs):
    return call(
        "create_financing_invoices", "POST", "/v1/financing_invoices", body={"invoices": invoices}, **kwargs
    )


def outbox_types():
    rows = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    return [row["detail_type"]["S"] for row in rows if row["kind"]["S"] == "outbox"]


# ------------------------------------------------------------------------------------------------ offers


def test_without_a_line_the_business_is_new_with_no_offer():
    reply = offers()
    assert reply.status == 200 and reply.json == {"business_status": "NEW", "offers": []}
    assert_conforms(reply.json, "FinancingOffersResponse")


def test_a_lender_sets_the_line_and_the_business_is_onboarded_with_it_available():
    reply = set_line()
    assert reply.status == 200, reply.json
    seen = offers().json
    assert_conforms(seen, "FinancingOffersResponse")
    assert seen == {
        "business_status": "ONBOARDED",
        "offers": [
            {
                "status": "CURRENT",
                "total_amount": 12_000_000,
                "available_amount": 12_000_000,
                **LINE,
                "currency": "USD",
            }
        ],
    }
    assert outbox_types().count("financing_offer.updated") == 1


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"total_amount": -1}, ["body", "total_amount"]),
        ({"currency": "JPY"}, ["body", "currency"]),
        ({"pricing_plans": []}, ["body", "pricing_plans"]),
        (
            {"pricing_plans": [{**LINE["pricing_plans"][0], "repayment_duration_days": None}]},
            ["body", "pricing_plans", 0],
        ),
        (
            {"pricing_plans": [{**LINE["pricing_plans"][0], "advance_rate_percentage": 10001}]},
            ["body", "pricing_plans", 0, "advance_rate_percentage"],
        ),
    ],
)
def test_bad_terms_are_422_located_and_write_nothing(change, where):
    reply = set_line({**LINE, **change})
    assert reply.status == 422 and reply.json["detail"][0]["loc"][: len(where)] == where, reply.json
    assert offers().json["business_status"] == "NEW"


def test_a_plan_whose_claim_exceeds_the_invoice_is_refused_at_the_line():
    # 100% advance with a 2.5% fee is a claim of 102.5% of the invoice: no buyer payment can settle it.
    plan = {**LINE["pricing_plans"][0], "advance_rate_percentage": 10000, "fee_percentage": 250}
    reply = set_line({**LINE, "pricing_plans": [plan]})
    assert reply.status == 422 and reply.json["detail"][0]["loc"][:4] == ["body", "pricing_plans", 0], (
        reply.json
    )
    assert "exceeds" in reply.json["detail"][0]["msg"]
    assert offers().json["business_status"] == "NEW"


def test_only_a_lender_sets_the_line():
    reply = set_line(scope="invoices:read invoices:write")
    assert reply.status == 403 and set(reply.json) == {"error"}
    assert_conforms(reply.json, "ErrorSchemaResponse")


def test_funding_draws_on_the_line_and_repayment_gives_it_back():
    set_line()
    invoice, _ = financed_invoice(amount=60000)
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    assert offers().json["offers"][0]["available_amount"] == 12_000_000 - 5_400_000
    paid = act(
        "record_invoice_payment",
        "payments",
        invoice["id"],
        {"amount": 60000, "paid_date": invoice["issue_date"], "reference": "wire"},
    )
    assert paid.status == 200 and paid.json["status"] == "repaid"
    assert offers().json["offers"][0]["available_amount"] == 12_000_000


def test_funding_beyond_the_line_is_409_credit_line_exceeded_and_changes_nothing():
    set_line({**LINE, "total_amount": 5_000_000})
    invoice, _ = financed_invoice(amount=60000)
    reply = act("fund_invoice", "fund", invoice["id"], {})
    assert reply.status == 409 and reply.json["error"]["code"] == "credit_line_exceeded"
    assert get(invoice["id"]).json["status"] == "approved"
    assert offers().json["offers"][0]["available_amount"] == 5_000_000


def test_the_currency_cannot_change_while_principal_is_drawn():
    set_line()
    invoice, _ = financed_invoice(amount=60000)
    act("fund_invoice", "fund", invoice["id"], {})
    reply = set_line({**LINE, "currency": "EUR"})
    assert reply.status == 409 and set(reply.json) == {"error"}
    raised = set_line({**LINE, "total_amount": 20_000_000})
    assert raised.json["offers"][0]["available_amount"] == 20_000_000 - 5_400_000


def test_concurrent_fundings_never_exceed_the_line_and_exactly_the_ones_that_fit_win(monkeypatch):
    """Five fundings of 5.4M each against a 12M line, all reading the line before any commits: exactly two
    win, three get 409 credit_line_exceeded, and the line's outstanding is exactly the winners' principal."""
    set_line()
    approved = [financed_invoice(amount=60000, reference=f"race-{n}")[0] for n in range(5)]
    everyone_read = threading.Barrier(len(approved), timeout=30)
    real_read, real_commit = InvoiceReads.funding, EntityTable.commit
    one_at_a_time = threading.Lock()  # moto's in-process backend is not thread-safe; DynamoDB is

    def read_then_wait(self, tenant_id, invoice):
        found = real_read(self, tenant_id, invoice)
        everyone_read.wait()
        return found

    def serialized_commit(self, writes, events):
        with one_at_a_time:
            return real_commit(self, writes, events)

    monkeypatch.setattr(InvoiceReads, "funding", read_then_wait)
    monkeypatch.setattr(EntityTable, "commit", serialized_commit)
    with ThreadPoolExecutor(len(approved)) as pool:
        replies = list(pool.map(lambda i: act("fund_invoice", "fund", i["id"], {}), approved))
    assert sorted(r.status for r in replies) == [200, 200, 409, 409, 409]
    assert {r.json["error"]["code"] for r in replies if r.status == 409} == {"credit_line_exceeded"}
    winners = [i["id"] for i, r in zip(approved, replies, strict=True) if r.status == 200]
    assert sorted(i["id"] for i in approved if get(i["id"]).json["status"] == "financed") == sorted(winners)
    assert offers().json["offers"][0]["available_amount"] == 12_000_000 - 2 * 5_400_000


# -------------------------------------------------------------------------------------------------- push


@pytest.fixture
def ready():
    """Two drafts ready to submit (uploaded document, approved buyer limit), and one whose buyer has none."""
    supplier, buyer, other_buyer = company("Supplier"), company("Buyer"), company("Unlimited")
    approve_limit(buyer["id"], 10_000_000)
    drafts = []
    for n, who in enumerate((buyer, buyer, other_buyer)):
        body = draft_body(supplier, who, uploaded_document(), client_reference_id=f"push-{n}")
        drafts.append(call("create_invoice", "POST", "/v1/invoices", body=body).json)
    return drafts


def test_push_submits_every_invoice_in_one_session(ready):
    first, second, _ = ready
    reply = push(
        [{"id": str(as_uuid(first["id"])), "type": "receivable"}, {"id": second["id"], "type": "receivable"}]
    )
    assert reply.status == 201, reply.json
    assert reply.json["session"]["status"] == "open" and reply.json["session"]["id"].startswith("ifs_")
    for shown in reply.json["invoices"]:
        assert_conforms(shown, "FinancingInvoice")
        assert shown["status"] == "NEW" and shown["payer_business_name"] == "Buyer"
    sessions = [get(i["id"]).json["financing"]["sessions"]["data"] for i in (first, second)]
    assert sessions[0] == sessions[1] and len(sessions[0]) == 1
    assert outbox_types().count("invoice.new") == 2


def test_push_is_all_or_nothing(ready):
    first, _, unlimited = ready
    reply = push([{"id": first["id"], "type": "receivable"}, {"id": unlimited["id"], "type": "receivable"}])
    assert reply.status == 409 and set(reply.json) == {"error"}
    assert [get(i["id"]).json["status"] for i in (first, unlimited)] == ["draft", "draft"]


@pytest.mark.parametrize(
    ("invoices", "status"),
    [
        ([], 422),
        ([{"id": "not-an-id", "type": "receivable"}], 422),
        ([{"id": "FIRST", "type": "payable"}], 422),
        ([{"id": "FIRST", "type": "receivable"}, {"id": "FIRST", "type": "receivable"}], 422),
        ([{"id": "FIRST", "type": "receivable"}] * 11, 422),
        ([{"id": "01932c07-a4ab-6b3e-9f4f-2c0e3d5a0b11", "type": "receivable"}], 404),
    ],
)
def test_push_refusals_write_nothing(ready, invoices, status):
    first = ready[0]
    body = [{**i, "id": first["id"] if i["id"] == "FIRST" else i["id"]} for i in invoices]
    reply = push(body)
    assert reply.status == status, reply.json
    assert_conforms(reply.json, "HTTPValidationError" if status == 422 else "ErrorSchemaResponse")
    assert get(first["id"]).json["status"] == "draft"


def test_push_honours_the_idempotency_key(ready):
    body = [{"id": ready[0]["id"], "type": "receivable"}]
    replies = [push(body, headers={"Idempotency-Key": "k-1"}) for _ in range(2)]
    assert [r.status for r in replies] == [201, 201] and replies[0].json == replies[1].json
    other = push([{"id": ready[1]["id"], "type": "receivable"}], headers={"Idempotency-Key": "k-1"})
    assert other.status == 422 and other.json["detail"][0]["loc"] == ["header", "idempotency-key"]
