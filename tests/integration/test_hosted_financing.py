"""The supplier's hosted financing page picks, quotes and confirms its invoices with a connect token alone:
POST /v1/financing_connect/quote and /confirm through their handlers on moto, their figures against what
funding then books, and every refusal (which writes nothing)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from financing import clock, exact_json
from financing.auth.financing_tokens import Grant, Purpose, issue
from financing.domain.credit_line import PricingPlan, RepaymentType, quote
from financing.ids import as_uuid
from tests.integration.harness import call
from tests.integration.invoice_fixtures import act, approve_limit, company, draft_body, get, uploaded_document
from tests.integration.monite_fixtures import assert_conforms
from tests.integration.test_financing_offers_and_push import outbox_types, set_line

pytestmark = pytest.mark.usefixtures("aws")
DURATION = 45
LINE = {
    "total_amount": 12_000_000,
    "currency": "USD",
    "pricing_plans": [
        {
            "advance_rate_percentage": 9000,
            "fee_percentage": 250,
            "repayment_type": "FIXED_DURATION",
            "repayment_duration_days": DURATION,
        }
    ],
}
PLAN = PricingPlan(
    advance_rate=9000,
    fee_rate=250,
    repayment_type=RepaymentType.FIXED_DURATION,
    repayment_duration_days=DURATION,
)


def connect_token(tenant="acme"):
    grant = Grant.starting(clock.now(), tenant_id=tenant, entity_id=tenant, subject="hosted-page")
    return issue(Purpose.CONNECT, grant, now=clock.now())


def hosted(route, invoices, tenant="acme", token=None, **kwargs):
    """The hosted page's call: its connect token only (no verified tenant reaches the handler)."""
    headers = {"Authorization": f"Bearer {token or connect_token(tenant)}", **kwargs.pop("headers", {})}
    function_dir = {"quote": "quote_financing_invoices", "confirm": "confirm_financing_invoices"}[route]
    return call(
        function_dir,
        "POST",
        f"/v1/financing_connect/{route}",
        body={"invoices": invoices},
        headers=headers,
        tenant=None,
        **kwargs,
    )


def exchange(connect, session=None):
    headers = {"Authorization": f"Bearer {connect}"}
    if session is not None:
        headers["x-financing-session"] = session
    return call("get_financing_connect", "GET", "/v1/financing_connect", headers=headers, tenant=None)


def picked(*drafts):
    return [{"id": str(as_uuid(d["id"])), "type": "receivable"} for d in drafts]


@pytest.fixture
def drafts():
    """Three of acme's drafts ready to submit (uploaded document, approved buyer limit), under its line."""
    set_line(LINE)
    supplier, buyer = company("Supplier"), company("Buyer")
    approve_limit(buyer["id"], 10_000_000)
    return [
        draft(supplier, buyer, client_reference_id=f"h-{n}", amount=Decimal(amount))
        for n, amount in enumerate(("1000", "2345.67", "880"))
    ]


def draft(supplier, buyer, tenant="acme", **overrides):
    # exact_json writes a Decimal amount digit for digit.
    body = exact_json.dumps(draft_body(supplier, buyer, uploaded_document(tenant), **overrides))
    reply = call("create_invoice", "POST", "/v1/invoices", raw_body=body, tenant=tenant)
    assert reply.status == 201, reply.json
    return reply.json


def statuses(*invoices):
    return [get(i["id"]).json["status"] for i in invoices]


def test_the_page_lists_the_business_drafts_to_pick_from(drafts):
    reply = exchange(connect_token())
    assert reply.status == 200, reply.json
    listed = reply.json["draft_invoices"]
    assert [i["invoice_id"] for i in listed] == [str(as_uuid(d["id"])) for d in drafts]
    for shown in listed:
        assert_conforms(shown, "FinancingInvoice")
        assert shown["status"] == "DRAFT" and shown["payer_business_name"] == "Buyer"
    assert exchange(connect_token("globex")).json["draft_invoices"] == []


def test_a_quote_prices_each_invoice_and_the_total_by_the_fundings_domain_and_writes_nothing(drafts):
    first, second, third = drafts
    amounts = {i["invoice_id"]: i["total_amount"] for i in exchange(connect_token()).json["draft_invoices"]}
    assert sorted(amounts.values()) == [88000, 100000, 234567]
    before = outbox_types()
    reply = hosted("quote", picked(first, second))
    assert reply.status == 200, reply.json
    today = clock.today()
    assert reply.json["disbursement_date"] == today.isoformat()
    expected = []
    for shown, chosen in zip(reply.json["invoices"], (first, second), strict=True):
        assert_conforms(shown, "FinancingInvoice")
        terms = quote(PLAN, amounts[shown["invoice_id"]], today + timedelta(days=60), today)
        expected.append(terms)
        assert shown["invoice_id"] == str(as_uuid(chosen["id"])) and shown["status"] == "DRAFT"
        assert (shown["advance_amount"], shown["fee_amount"], shown["repayment_amount"]) == (
            terms.advance.first_payment,
            terms.advance.discount,
            terms.advance.repayment_amount,
        )
        assert shown["repayment_schedule"]["repayment_date"] == (today + timedelta(days=DURATION)).isoformat()
    assert reply.json["total"] == {
        "currency": "USD",
        "advance_amount": sum(t.advance.first_payment for t in expected),
        "fee_amount": sum(t.advance.discount for t in expected),
        "repayment_amount": sum(t.advance.repayment_amount for t in expected),
        "repayment_date": (today + timedelta(days=DURATION)).isoformat(),
    }
    assert statuses(first, second, third) == ["draft"] * 3 and outbox_types() == before


def test_confirm_submits_the_picked_invoices_to_the_lenders_queue_and_the_page_follows_them(drafts):
    first, second, third = drafts
    quoted = hosted("quote", picked(first, second)).json
    reply = hosted("confirm", picked(first, second))
    assert reply.status == 201, reply.json
    assert_conforms(
        {k: reply.json[k] for k in ("session_token", "connect_token")}, "FinancingPushInvoicesResponse"
    )
    assert reply.json["session"]["submitted_by"] == "connect:hosted-page"
    assert statuses(first, second, third) == ["new", "new", "draft"]  # queued, not funded
    assert outbox_types().count("invoice.new") == 2
    # The lender's own list shows them, submitted, under the offer's terms.
    lender = call("list_financing_invoices", "GET", "/v1/financing_invoices", query={"status": "NEW"})
    assert sorted(i["invoice_id"] for i in lender.json["data"]) == sorted(
        i["id"] for i in picked(first, second)
    )
    # The lender approves and funds one: funding books the quoted figures, and the page shows it funded.
    act("request_invoice_signatures", "request_signatures", first["id"])
    supplier, buyer = (
        call(
            "get_company",
            "GET",
            f"/v1/companies/{c}",
            resource="/v1/companies/{company_id}",
            path_parameters={"company_id": c},
        ).json
        for c in (first["supplier"], first["buyer"])
    )
    for party, who in (("supplier", supplier), ("buyer", buyer)):
        act("sign_invoice", "sign", first["id"], {"party": party, "contact": who["contacts"][0]["id"]})
    assert act("fund_invoice", "fund", first["id"], {}).status == 200
    page = exchange(reply.json["connect_token"], reply.json["session_token"])
    assert page.status == 200, page.json
    shown = {i["invoice_id"]: i for i in page.json["session"]["invoices"]}
    funded, waiting = shown[str(as_uuid(first["id"]))], shown[str(as_uuid(second["id"]))]
    assert (funded["status"], waiting["status"]) == ("FUNDED", "NEW")
    figures = ("advance_amount", "fee_amount", "repayment_amount")
    assert [funded[k] for k in figures] == [quoted["invoices"][0][k] for k in figures]
    assert (
        funded["repayment_schedule"]["repayment_date"]
        == quoted["invoices"][0]["repayment_schedule"]["repayment_date"]
    )
    assert [i["invoice_id"] for i in page.json["draft_invoices"]] == [str(as_uuid(third["id"]))]


def test_confirm_honours_the_idempotency_key(drafts):
    first, second, _ = drafts
    replies = [hosted("confirm", picked(first), headers={"Idempotency-Key": "h-1"}) for _ in range(2)]
    assert [r.status for r in replies] == [201, 201] and replies[0].json == replies[1].json
    assert outbox_types().count("invoice.new") == 1
    other = hosted("confirm", picked(second), headers={"Idempotency-Key": "h-1"})
    assert other.status == 422 and other.json["detail"][0]["loc"] == ["header", "idempotency-key"]
    assert statuses(second) == ["draft"]


@pytest.mark.parametrize("route", ["quote", "confirm"])
def test_another_business_token_reaches_none_of_the_invoices_and_writes_nothing(drafts, route):
    set_line(LINE, tenant="globex")
    before = outbox_types()
    reply = hosted(route, picked(drafts[0]), tenant="globex")
    assert reply.status == 404 and set(reply.json) == {"error"}
    # As an invoice nobody has: the message names only the id sent.
    assert reply.json == {"error": {"message": f"No such invoice: '{drafts[0]['id']}'."}}
    for token in ("x.y.z", connect_token().replace("a", "b", 1)):
        refused = hosted(route, picked(drafts[0]), token=token)
        assert refused.status == 401 and refused.json == {
            "error": {"message": "A valid connect token is required."}
        }
    assert statuses(drafts[0]) == ["draft"] and outbox_types() == before


@pytest.mark.parametrize("route", ["quote", "confirm"])
@pytest.mark.parametrize(
    ("invoices", "status", "where"),
    [
        ([], 422, ["body", "invoices"]),
        ([{"id": "not-an-id", "type": "receivable"}], 422, ["body", "invoices", 0, "id"]),
        ([{"id": "FIRST", "type": "payable"}], 422, ["body", "invoices", "0", "type"]),
        ([{"id": "FIRST", "type": "receivable"}] * 2, 422, ["body", "invoices"]),
        ([{"id": "01932c07-a4ab-6b3e-9f4f-2c0e3d5a0b11", "type": "receivable"}], 404, None),
    ],
)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(drafts, route, invoices, status, where):
    first = drafts[0]
    before = outbox_types()
    body = [{**i, "id": first["id"] if i["id"] == "FIRST" else i["id"]} for i in invoices]
    reply = hosted(route, body)
    assert reply.status == status, reply.json
    assert_conforms(reply.json, "HTTPValidationError" if status == 422 else "ErrorSchemaResponse")
    if where is not None:
        assert reply.json["detail"][0]["loc"][: len(where)] == where, reply.json
    assert statuses(first) == ["draft"] and outbox_types() == before


@pytest.mark.parametrize("route", ["quote", "confirm"])
def test_an_invoice_in_another_currency_or_no_longer_a_draft_is_refused(drafts, route):
    first, second, _ = drafts
    euro = draft(company("Supplier"), company("Euro buyer"), client_reference_id="eur", currency="eur")
    reply = hosted(route, picked(first, euro))
    assert reply.status == 422 and reply.json["detail"][0]["loc"] == ["body", "invoices", "1", "id"]
    assert "EUR" in reply.json["detail"][0]["msg"]
    act("submit_invoice", "submit", second["id"])
    conflict = hosted(route, picked(first, second))
    assert conflict.status == 409 and set(conflict.json) == {"error"}
    assert statuses(first, euro) == ["draft", "draft"]


@pytest.mark.parametrize("route", ["quote", "confirm"])
def test_a_business_without_an_offer_has_nothing_to_quote_or_confirm(route):
    supplier, buyer = company("Supplier", "initech"), company("Buyer", "initech")
    approve_limit(buyer["id"], 10_000_000, "initech")
    mine = draft(supplier, buyer, tenant="initech")
    reply = hosted(route, picked(mine), tenant="initech")
    assert reply.status == 409 and reply.json == {
        "error": {"message": "There is no financing offer to finance invoices under."}
    }
    assert get(mine["id"], tenant="initech").json["status"] == "draft"


@pytest.mark.parametrize("route", ["quote", "confirm"])
def test_the_business_is_the_tokens_whatever_the_request_says(drafts, route):
    """A session token is no connect token (401), and an entity header naming another business changes
    nothing: the token's business (acme) is the one quoted or confirmed for."""
    pushed = call(
        "create_financing_invoices", "POST", "/v1/financing_invoices", body={"invoices": picked(drafts[2])}
    ).json
    refused = hosted(route, picked(drafts[0]), token=pushed["session_token"])
    assert refused.status == 401 and statuses(drafts[0]) == ["draft"]
    reply = hosted(route, picked(drafts[0]), headers={"x-monite-entity-id": "globex"})
    assert reply.status in (200, 201), reply.json
    assert reply.json["invoices"][0]["invoice_id"] == str(as_uuid(drafts[0]["id"]))


@pytest.mark.parametrize("route", ["quote", "confirm"])
def test_without_a_valid_connect_token_the_answer_is_401_whatever_the_body(route):
    for body in (None, {"invoices": "nonsense"}, {"invoices": []}):
        reply = call(
            f"{route}_financing_invoices",
            "POST",
            f"/v1/financing_connect/{route}",
            body=body,
            headers={"Authorization": "Bearer x.y.z"},
            tenant=None,
        )
        assert reply.status == 401 and reply.json == {
            "error": {"message": "A valid connect token is required."}
        }
