"""The daily ageing job, and the races the limit and the versions must win."""

from datetime import UTC, datetime, timedelta

import pytest

from financing import clock
from financing.adapters.dynamo import EntityTable
from tests.integration.harness import Context, call, handler
from tests.integration.invoice_fixtures import act, approve_limit, company, draft_body, get, uploaded_document

pytestmark = pytest.mark.usefixtures("aws")


def financed_invoice(amount=88000, reference="ref-1", limit=10_000_000, parties=None):
    supplier, buyer, document = parties or (company("Supplier"), company("Buyer"), uploaded_document())
    if limit:
        approve_limit(buyer["id"], limit)
    today = clock.today()
    body = draft_body(
        supplier,
        buyer,
        document,
        amount=amount,
        client_reference_id=reference,
        issue_date=(today - timedelta(days=5)).isoformat(),
        due_date=(today + timedelta(days=1)).isoformat(),
    )
    invoice = call("create_invoice", "POST", "/v1/invoices", body=body).json
    act("submit_invoice", "submit", invoice["id"])
    act("request_invoice_signatures", "request_signatures", invoice["id"])
    act(
        "sign_invoice", "sign", invoice["id"], {"party": "supplier", "contact": supplier["contacts"][0]["id"]}
    )
    act("sign_invoice", "sign", invoice["id"], {"party": "buyer", "contact": buyer["contacts"][0]["id"]})
    return invoice, (supplier, buyer, document)


def age(on):
    event = {
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": f"{on.isoformat()}T06:00:00Z",
        "detail": {},
    }
    return handler("age_receivables")(event, Context())


def test_ageing_moves_overdue_accrues_fees_defaults_and_is_idempotent():
    invoice, _ = financed_invoice()
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    assert age(due)["seen"] == 1 and get(invoice["id"]).json["status"] == "financed"
    counts = age(due + timedelta(days=1))
    assert counts["overdue"] == 1
    assert age(due + timedelta(days=1)) == {"seen": 1, "overdue": 0, "defaulted": 0, "accrued": 0}
    age(due + timedelta(days=11))
    late = get(invoice["id"]).json
    assert late["status"] == "overdue" and late["financing"]["late_payment_fees"] > 0
    assert age(due + timedelta(days=90))["defaulted"] == 1
    assert get(invoice["id"]).json["status"] == "defaulted"
    assert age(due + timedelta(days=91))["seen"] == 0  # defaulted invoices leave the ageing index


def test_a_stale_read_of_the_limit_cannot_fund_past_it(monkeypatch):
    """Two fundings that each fit alone but not together: the transaction's condition refuses the second
    even when its read of the exposure is stale (as when both requests read before either commits)."""
    first, parties = financed_invoice(amount=60000, reference="a", limit=6_000_000)
    second, _ = financed_invoice(amount=60000, reference="b", limit=None, parties=parties)
    real_get_many = EntityTable.get_many
    stale = {}

    def stale_get_many(self, keys):
        found = real_get_many(self, keys)
        for key in found:
            if key[0].endswith("#EXPOSURE"):
                stale.setdefault(key, found[key])
                found[key] = stale[key]
        return found

    monkeypatch.setattr(EntityTable, "get_many", stale_get_many)
    replies = [act("fund_invoice", "fund", first["id"], {}), act("fund_invoice", "fund", second["id"], {})]
    assert sorted(r.status for r in replies) == [200, 409]
    assert [r.json["error"]["code"] for r in replies if r.status == 409] == ["buyer_limit_exceeded"]
    assert stale, "the exposure was read through the batched read"
    monkeypatch.setattr(EntityTable, "get_many", real_get_many)
    assert sorted(get(i["id"]).json["status"] for i in (first, second)) == ["approved", "financed"]


def test_of_two_racing_transitions_on_one_invoice_exactly_one_wins(monkeypatch):
    """Both requests read version N; the second commit finds N+1 and loses with 409, changing nothing."""
    invoice, _ = financed_invoice()
    from financing.adapters.invoices import InvoiceStore

    real_get = InvoiceStore.get
    snapshot = real_get(InvoiceStore(), "acme", invoice["id"])
    monkeypatch.setattr(InvoiceStore, "get", lambda self, tenant, invoice_id: snapshot)
    decline = act("decline_invoice", "decline", invoice["id"], {"reason": "risk"})
    fund = act("fund_invoice", "fund", invoice["id"], {})
    monkeypatch.setattr(InvoiceStore, "get", real_get)
    assert (decline.status, fund.status) == (200, 409)
    assert fund.json["error"]["code"] == "conflict"
    assert get(invoice["id"]).json["status"] == "declined"


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.reset_clock()


def test_payments_on_a_defaulted_invoice_can_still_repay_it():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    age(due + timedelta(days=1))
    age(due + timedelta(days=95))
    later = datetime.combine(due + timedelta(days=96), datetime.min.time(), tzinfo=UTC)
    clock.set_clock(lambda: later)
    reply = act(
        "record_invoice_payment",
        "payments",
        invoice["id"],
        {"amount": 88000, "paid_date": (due + timedelta(days=96)).isoformat(), "reference": "recovery"},
    )
    assert reply.status == 200 and reply.json["status"] == "repaid"
    cents = {
        k: round(v * 100)
        for k, v in reply.json["financing"].items()
        if k in ("second_payment", "late_payment_fees")
    }
    assert cents["second_payment"] == 8_800_000 - 7_920_000 - 198_000 - cents["late_payment_fees"]


def pay(invoice_id, amount, on):
    clock.set_clock(lambda: datetime.combine(on, datetime.min.time(), tzinfo=UTC))
    body = {"amount": amount, "paid_date": on.isoformat(), "reference": f"wire-{amount}"}
    return act("record_invoice_payment", "payments", invoice_id, body)


def test_the_job_charges_the_first_overdue_day():
    invoice, _ = financed_invoice()  # 88,000.00 at the default pricing: a claim of 81,180.00
    act("fund_invoice", "fund", invoice["id"], {})
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    assert age(due + timedelta(days=1))["overdue"] == 1
    financing = get(invoice["id"]).json["financing"]
    assert financing["late_payment_fees"] == 53.38  # one day at 24% a year: 81,180.00 x 0.24 / 365


def test_a_settled_claim_stops_ageing_and_the_rest_of_the_invoice_repays_it():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    age(due + timedelta(days=1))
    age(due + timedelta(days=2))
    owed = get(invoice["id"]).json["financing"]["repayment_outstanding"]
    assert owed == 81286.76  # the claim of 81,180.00 and two days of late fees
    settled = pay(invoice["id"], owed, due + timedelta(days=2))
    assert settled.status == 200, settled.json
    assert settled.json["status"] == "overdue" and settled.json["financing"]["repayment_outstanding"] == 0
    assert settled.json["financing"]["settled_on"] == (due + timedelta(days=2)).isoformat()
    assert age(due + timedelta(days=95))["seen"] == 0  # a settled claim leaves the ageing index
    current = get(invoice["id"]).json
    # Paid on the second day: that day is not charged, and the rest goes to the supplier's rebate.
    assert current["status"] == "overdue" and current["financing"]["late_payment_fees"] == 53.38
    rest = current["financing"]["outstanding_amount"]
    assert rest == 6713.24
    repaid = pay(invoice["id"], rest, due + timedelta(days=96))
    assert repaid.json["status"] == "repaid" and repaid.json["financing"]["second_payment"] == 6766.62


def test_late_fees_beyond_the_headroom_show_as_recourse_and_a_backdated_payment_rerates_them():
    terms = {
        "default_after_days": 90,
        "grace_days": 0,
        "late_fee_rate_percentage": 3650,  # 0.1% a day
        "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
    }
    assert call("put_settings", "PUT", "/v1/settings", body=terms, scope="lender:operate").status == 200
    invoice, _ = financed_invoice()  # 88,000.00 funded at 100%: no headroom, every late fee is recourse
    act("fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 10000, "fee_percentage": 0})
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    age(due + timedelta(days=1))
    age(due + timedelta(days=3))
    financing = get(invoice["id"]).json["financing"]
    assert (financing["late_payment_fees"], financing["recourse_amount"]) == (264, 264)  # 3 days of 88.00
    assert financing["repayment_outstanding"] == 88000  # never more than the invoice
    clock.set_clock(lambda: datetime.combine(due + timedelta(days=3), datetime.min.time(), tzinfo=UTC))
    body = {"amount": 44000, "paid_date": (due + timedelta(days=1)).isoformat(), "reference": "late-record"}
    half = act("record_invoice_payment", "payments", invoice["id"], body).json["financing"]
    assert (half["late_payment_fees"], half["recourse_amount"]) == (132, 132)  # 3 days of 44.00
    assert half["repayment_outstanding"] == 44000
    rest = pay(invoice["id"], 44000, due + timedelta(days=3))
    assert rest.json["status"] == "repaid" and rest.json["financing"]["second_payment"] == 0
    assert rest.json["financing"]["recourse_amount"] == 88  # the third day is paid on


def test_a_settled_claim_releases_the_buyers_limit_before_the_invoice_is_repaid():
    # The buyer's limit bounds the lender's risk on the buyer: once the claim is settled the lender is owed
    # nothing on the invoice, so the advance no longer counts against the limit, whatever the buyer still
    # pays the supplier (its rebate). A second invoice needing the whole limit is then fundable.
    invoice, parties = financed_invoice(limit=8_000_000)  # 80,000.00: one advance of 79,200.00 fits
    act("fund_invoice", "fund", invoice["id"], {})
    second, _ = financed_invoice(reference="ref-2", limit=None, parties=parties)
    assert act("fund_invoice", "fund", second["id"], {}).status == 409  # the limit is drawn
    day = clock.today()  # before the due date: both invoices are still fundable
    owed = get(invoice["id"]).json["financing"]["repayment_outstanding"]
    settled = pay(invoice["id"], owed, day)
    assert settled.json["financing"]["repayment_outstanding"] == 0
    assert settled.json["status"] == "financed" and settled.json["financing"]["outstanding_amount"] > 0
    report = call("get_exposure_report", "GET", "/v1/reports/exposure", scope="lender:operate").json
    [buyer] = [b for b in report["buyers"] if b["company"] == parties[1]["id"]]
    assert buyer["drawn"] == 0
    assert act("fund_invoice", "fund", second["id"], {}).status == 200
    repaid = pay(invoice["id"], settled.json["financing"]["outstanding_amount"], day)
    assert repaid.json["status"] == "repaid"  # and repaying releases nothing twice:
    report = call("get_exposure_report", "GET", "/v1/reports/exposure", scope="lender:operate").json
    [buyer] = [b for b in report["buyers"] if b["company"] == parties[1]["id"]]
    assert buyer["drawn"] == get(second["id"]).json["financing"]["first_payment"]
