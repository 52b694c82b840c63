"""Every family's amounts equal the stored ledger, and the ledger equals a plain reference model: random
lifecycles (funding at random pricing, partial, full, late and backdated payments, ageing days, default,
recourse) and a few hand-picked ones, through the real handlers on moto. After every step the invoice is
read in the core, Monite and Open Finance families and compared with its sub-ledger as stored (its
entries read back from the table), and that sub-ledger with the reference model of the invoice's money
(tests.unit.test_invoice_money_model: late fees charged day by day in exact fractions, rounded once)."""

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.adapters.ledger import LedgerStore
from financing.domain.ledger import Account, JournalEntry, invoice_balances
from financing.domain.lifecycle import Status
from financing.ids import as_uuid
from tests.integration.harness import call
from tests.integration.invoice_fixtures import LENDER, act, approve_limit, draft_body, get, uploaded_document
from tests.integration.monite_fixtures import assert_conforms, list_invoices
from tests.integration.open_finance_fixtures import (
    CUSTOMER_CNPJ,
    INSTITUTION_CNPJ,
    brazilian_company,
    consent,
    read,
)
from tests.integration.test_invoice_ageing_and_races import age
from tests.unit.test_invoice_money_model import Reference, half_up
from tests.unit.test_ledger_domain import PAYMENT_MEMOS

pytestmark = pytest.mark.usefixtures("aws")

START = date(2026, 3, 2)
MONITE_STATUS = {
    Status.FINANCED: "FUNDED",
    Status.OVERDUE: "LATE",
    Status.REPAID: "PAID",
    Status.DEFAULTED: "DEFAULTED",
}
# What the journal says the advance and the rebate paid back were (the entries' own memos).
DISBURSED = "advance disbursed to the supplier"
REBATE_PAID = "rebate paid to the supplier"


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.reset_clock()


TICKS = itertools.count()


def on(day: date) -> None:
    """Today is `day`; each reading of the clock is a millisecond later than the one before, even on the
    same day set again (time never runs back: an Open Finance read lists the payments recorded by then)."""
    noon = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    clock.set_clock(lambda: noon + timedelta(milliseconds=next(TICKS)))


def minor(value) -> int:
    """A core decimal amount (as JSON parsed it) in minor units, exactly."""
    cents = Decimal(str(value)) * 100
    assert cents == cents.to_integral_value(), value
    return int(cents)


def of_minor(value: str) -> int:
    """An Open Finance amount string ("1000.00") in minor units."""
    assert value.count(".") == 1 and len(value.split(".")[1]) == 2, value
    return int(Decimal(value) * 100)


# ------------------------------------------------------------------------------------------ the ledger


def ledger_view(stored: list[JournalEntry]) -> dict[str, int]:
    """What an invoice's stored entries say, read from their accounts (and, for the cash they move, from
    what each posting says it is)."""
    books = invoice_balances(stored)

    def cash(memos: set[str]) -> int:
        return sum(
            p.signed for e in stored for p in e.postings if p.account == Account.CASH and p.memo in memos
        )

    iof = -books.get(Account.IOF_PAYABLE, 0)
    collected, rebate_paid = cash(PAYMENT_MEMOS), -cash({REBATE_PAID})
    rebate_held = -books.get(Account.REBATE_PAYABLE, 0)
    return {
        "advanced": -cash({DISBURSED}) + iof,
        "iof": iof,
        "fee": -books.get(Account.FEE_INCOME, 0),
        "late_fees": -books.get(Account.LATE_FEE_INCOME, 0),
        "recourse": books.get(Account.RECOURSE_RECEIVABLE, 0),
        "outstanding": books.get(Account.ADVANCES_RECEIVABLE, 0)
        + books.get(Account.LATE_FEES_RECEIVABLE, 0)
        + books.get(Account.WRITE_OFFS, 0),
        "written_off": books.get(Account.WRITE_OFFS, 0),
        "collected": collected,
        "rebate_held": rebate_held,
        "rebate_paid": rebate_paid,
        "paid_to_claim": collected - rebate_held - rebate_paid,
        "cash": books.get(Account.CASH, 0),
        "sum": sum(books.values()),
    }


# --------------------------------------------------------------------------------------------- a world


@dataclass
class Lifecycle:
    """One funded BRL invoice in a tenant of its own, its reference model, and how to read it."""

    tenant: str
    invoice_id: str
    amount: int
    advance: int
    claim: int
    consent: str
    ref: Reference
    day: date = START
    releases: list[tuple[date, int]] = field(default_factory=list)  # (paid date, amount), as recorded


def tenant_settings(tenant: str, *, late_rate: int, grace: int, default_after: int) -> None:
    body = {
        "default_after_days": default_after,
        "grace_days": grace,
        "late_fee_rate_percentage": late_rate,
        "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
        "brand_name": "Banco Acme",
        "institution_cnpj": INSTITUTION_CNPJ,
    }
    reply = call("put_settings", "PUT", "/v1/settings", body=body, scope=LENDER, tenant=tenant)
    assert reply.status == 200, reply.json


def funded(
    *,
    amount: int,
    advance_rate: int,
    fee_rate: int,
    late_rate: int,
    due_in: int,
    grace: int,
    default_after: int,
) -> Lifecycle | None:
    """The invoice funded at the pricing given, or None when the pricing is refused (a claim beyond the
    invoice amount, or no advance), which must be a 422 that writes nothing."""
    on(START)
    tenant = f"t{uuid.uuid4().hex[:12]}"
    tenant_settings(tenant, late_rate=late_rate, grace=grace, default_after=default_after)
    supplier = brazilian_company("Cliente", CUSTOMER_CNPJ, tenant=tenant)
    buyer = brazilian_company("Sacado", "46866995790200", tenant=tenant)
    approve_limit(buyer["id"], 10**12, tenant=tenant, currency="brl")
    body = draft_body(
        supplier,
        buyer,
        uploaded_document(tenant=tenant),
        amount=amount / 100,
        currency="brl",
        issue_date=(START - timedelta(days=3)).isoformat(),
        due_date=(START + timedelta(days=due_in)).isoformat(),
    )
    created = call("create_invoice", "POST", "/v1/invoices", body=body, tenant=tenant)
    assert created.status == 201, created.json
    invoice_id = created.json["id"]
    act("submit_invoice", "submit", invoice_id, tenant=tenant)
    act("request_invoice_signatures", "request_signatures", invoice_id, tenant=tenant)
    for party, who in (("supplier", supplier), ("buyer", buyer)):
        signed = act(
            "sign_invoice",
            "sign",
            invoice_id,
            {"party": party, "contact": who["contacts"][0]["id"]},
            tenant=tenant,
        )
        assert signed.status == 200, signed.json
    pricing = {"advance_rate_percentage": advance_rate, "fee_percentage": fee_rate}
    reply = act("fund_invoice", "fund", invoice_id, pricing, tenant=tenant)
    advance = half_up(Fraction(amount * advance_rate, 10_000))
    claim = advance + half_up(Fraction(advance * fee_rate, 10_000))
    if advance <= 0 or claim > amount:
        assert reply.status == 422, reply.json
        assert list(LedgerStore().of_invoice(tenant, invoice_id)) == []
        return None
    assert reply.status == 200, reply.json
    ref = Reference(amount, claim, START + timedelta(days=due_in), grace, default_after, late_rate)
    shared = consent(tenant=tenant, days=3000)  # the supplier's, outliving every lifecycle here
    return Lifecycle(tenant, invoice_id, amount, advance, claim, shared, ref)


# ------------------------------------------------------------------------------------------ the steps


def age_to(life: Lifecycle, days: int) -> None:
    """The clock moves on `days` and the daily job runs."""
    life.day += timedelta(days=days)
    on(life.day)
    age(life.day)
    life.ref.age(life.day)


def pay(life: Lifecycle, share: int, backdated: int) -> None:
    """The buyer pays `share` / 10000 of what it still owes (at least 0.01), `backdated` days before today
    (never before the funding day)."""
    if life.ref.status == Status.REPAID:
        return
    paid = max(1, (life.amount - life.ref.collected) * share // 10_000)
    paid_date = max(START, life.day - timedelta(days=backdated))
    body = {"amount": paid / 100, "paid_date": paid_date.isoformat(), "reference": f"p{len(life.releases)}"}
    reply = act("record_invoice_payment", "payments", life.invoice_id, body, tenant=life.tenant)
    assert reply.status == 200, reply.json
    life.ref.pay(paid_date, paid)
    life.releases.append((paid_date, paid))


# ------------------------------------------------------------------------------------------ the proof


def expected_releases(life: Lifecycle) -> list[tuple[str, int]]:
    """What each payment paid of the claim, the plain way: in paid-date order (then as recorded), each
    takes what is left of the claim and its late fees within headroom; the rest is the rebate."""
    owed, running, shown = life.ref.owed, 0, []
    for paid_date, paid in sorted(life.releases, key=lambda release: release[0]):
        part = min(running + paid, owed) - min(running, owed)
        running += paid
        if part > 0:
            shown.append((paid_date.isoformat(), part))
    return shown


def reads_as_the_ledger_says(life: Lifecycle) -> dict[str, int]:
    """Read the invoice in every family and its stored sub-ledger; assert they agree with each other and
    with the reference model. Returns the ledger's view, for the caller's own checks."""
    ref = life.ref
    stored = list(LedgerStore().of_invoice(life.tenant, life.invoice_id))
    ledger = ledger_view(stored)
    repaid = ref.status == Status.REPAID
    rebate = life.amount - ref.owed if repaid else 0

    # The stored sub-ledger is the reference model's money.
    assert all(entry.balanced for entry in stored) and ledger["sum"] == 0
    assert (ledger["advanced"], ledger["fee"]) == (life.advance, life.claim - life.advance)
    assert ledger["late_fees"] == ref.fees and ledger["recourse"] == ref.recourse
    assert ledger["collected"] == ref.collected
    assert ledger["outstanding"] == max(0, ref.owed - ref.collected)
    assert ledger["paid_to_claim"] == min(ref.collected, ref.owed)
    assert ledger["rebate_paid"] == rebate >= 0 and ledger["rebate_held"] >= 0
    assert ledger["cash"] == -(life.advance - ledger["iof"]) + ref.collected - rebate
    unpaid_on_default = ref.status == Status.DEFAULTED and ref.collected < ref.owed
    assert (ledger["written_off"] > 0) == unpaid_on_default
    # ... and the tenant's trial balance (its one invoice) is that sub-ledger, zero in total.
    tenant_books = call("get_ledger_balances", "GET", "/v1/ledger/balances", scope=LENDER, tenant=life.tenant)
    assert tenant_books.status == 200, tenant_books.json
    (trial,) = tenant_books.json["data"]
    accounts = {a["account"]: minor(a["debit"]) - minor(a["credit"]) for a in trial["accounts"]}
    assert {k: v for k, v in accounts.items() if v} == {
        k.value: v for k, v in invoice_balances(stored).items() if v
    }
    assert sum(accounts.values()) == 0

    # Core: the financing fields.
    core = get(life.invoice_id, tenant=life.tenant).json
    f = core["financing"]
    assert core["status"] == ref.status.value
    assert minor(f["first_payment"]) == ledger["advanced"] and minor(f["discount"]) == ledger["fee"]
    assert minor(f["repayment_amount"]) == ledger["advanced"] + ledger["fee"]
    assert minor(f["late_payment_fees"]) == ledger["late_fees"]
    assert minor(f["recourse_amount"]) == ledger["recourse"]
    assert minor(f["repayment_outstanding"]) == ledger["outstanding"]
    assert minor(f["outstanding_amount"]) == life.amount - ledger["collected"]
    assert (minor(f["second_payment"]) if f["second_payment"] is not None else None) == (
        ledger["rebate_paid"] if repaid else None
    )
    assert f["settled_on"] == (ref.settled_on.isoformat() if ref.settled_on else None)

    # Monite: integer minor units, reconciled as its field descriptions say.
    listed = list_invoices({"invoice_id": str(as_uuid(life.invoice_id))}, tenant=life.tenant)
    assert listed.status == 200, listed.json
    assert_conforms(listed.json, "FinancingInvoiceListResponse")
    (monite,) = listed.json["data"]
    assert monite["status"] == MONITE_STATUS[ref.status] and monite["total_amount"] == life.amount
    assert (
        monite["principal_amount"]
        == monite["requested_amount"]
        == monite["advance_amount"]
        == ledger["advanced"]
    )
    assert monite["fee_amount"] == ledger["fee"]
    assert monite["repayment_amount"] == ledger["advanced"] + ledger["fee"]
    assert monite["repayment_schedule"] == {
        "repayment_date": ref.due.isoformat(),
        "repayment_amount": ledger["advanced"] + ledger["fee"],
        "repayment_fee_amount": ledger["fee"],
        "repayment_principal_amount": ledger["advanced"],
    }

    # Open Finance: the contract, its instalment, its balance and what each payment released.
    contract_id = str(as_uuid(life.invoice_id))
    contract = read(life.consent, contract_id, tenant=life.tenant)
    assert contract.status == 200, contract.json
    shown = contract.json["data"]
    assert of_minor(shown["contractAmount"]) == ledger["advanced"] and shown["currency"] == "BRL"
    assert shown.get("settlementDate") == (ref.settled_on.isoformat() if ref.settled_on else None)
    charges = {c["chargeType"]: c for c in shown["contractedFinanceCharges"]}
    if ledger["iof"]:
        share = Fraction(ledger["iof"], ledger["advanced"])
        assert abs(Fraction(Decimal(charges["IOF_CONTRATACAO"]["chargeRate"])) - share) <= Fraction(
            1, 2_000_000
        )
    else:
        assert "IOF_CONTRATACAO" not in charges
    instalments = read(life.consent, contract_id, "scheduled-instalments", tenant=life.tenant)
    assert instalments.status == 200, instalments.json
    (balloon,) = instalments.json["data"]["balloonPayments"]
    assert of_minor(balloon["amount"]["amount"]) == ledger["advanced"] + ledger["fee"]
    assert instalments.json["data"]["paidInstalments"] == (1 if ref.settled_on else 0)
    payments = read(life.consent, contract_id, "payments", query={"page-size": "1000"}, tenant=life.tenant)
    assert payments.status == 200, payments.json
    body = payments.json["data"]
    assert of_minor(body["contractOutstandingBalance"]) == ledger["outstanding"]
    assert body["paidInstalments"] == (1 if ref.settled_on else 0)
    releases = [(r["paidDate"], of_minor(r["paidAmount"])) for r in body["releases"]]
    assert sum(amount for _, amount in releases) == ledger["paid_to_claim"]
    assert releases == expected_releases(life)
    return ledger


def run(life: Lifecycle, script) -> list[dict[str, int]]:
    """Each step of the script, then every family read against the ledger; the ledger's view after each."""
    views = [reads_as_the_ledger_says(life)]
    for kind, value, backdated in script:
        if kind == "age":
            age_to(life, value)
        else:
            pay(life, value, backdated)
        views.append(reads_as_the_ledger_says(life))
    return views


step = st.one_of(
    st.tuples(st.just("age"), st.integers(0, 40), st.just(0)),  # days the clock moves on; the job runs
    st.tuples(st.just("age"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("pay"), st.integers(1, 6_000), st.integers(0, 30)),  # share of what is owed, backdated
    st.tuples(st.just("pay"), st.just(10_000), st.integers(0, 30)),  # the whole of it
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Once found: a payment read back after a later run of the daily job on the same day.
@example(
    amount=2_096_724,
    advance_rate=10_000,
    fee_rate=0,
    late_rate=2_400,
    due_in=5,
    grace=0,
    default_after=60,
    script=[("age", 21, 0), ("pay", 10_000, 21), ("age", 0, 0)],
)
@given(
    amount=st.integers(100, 5_000_000),
    advance_rate=st.one_of(st.integers(5_000, 10_000), st.just(10_000)),
    fee_rate=st.one_of(st.integers(0, 600), st.integers(0, 10_000)),
    late_rate=st.one_of(st.sampled_from([0, 2_400, 36_500, 100_000]), st.integers(0, 100_000)),
    due_in=st.integers(1, 10),
    grace=st.integers(0, 3),
    default_after=st.integers(5, 60),
    script=st.lists(step, max_size=6),
)
def test_every_family_shows_the_ledgers_amounts_through_random_lifecycles(
    amount, advance_rate, fee_rate, late_rate, due_in, grace, default_after, script
):
    """Funded at random pricing (a refused one writes nothing), then aged, paid in part, in full, late and
    backdated (before the last ageing run: the fees charged since are re-rated), defaulted, with late fees
    beyond the headroom claimed from the supplier: after every step the core, Monite and Open Finance
    amounts are the stored sub-ledger's, and the sub-ledger is the reference model's."""
    life = funded(
        amount=amount,
        advance_rate=advance_rate,
        fee_rate=fee_rate,
        late_rate=late_rate,
        due_in=due_in,
        grace=grace,
        default_after=default_after,
    )
    if life is not None:
        run(life, script)


# --------------------------------------------------------------------------------- hand-picked lifecycles

STANDARD = {"amount": 1_000_000, "advance_rate": 9_000, "fee_rate": 250, "due_in": 5, "grace": 0}


def test_a_defaulted_invoice_writes_off_its_claim_and_a_recovery_reverses_the_write_off():
    life = funded(**STANDARD, late_rate=2_400, default_after=30)
    views = run(life, [("age", 6, 0), ("age", 20, 0), ("age", 10, 0)])
    assert life.ref.status == Status.DEFAULTED
    written = views[-1]["written_off"]
    assert written == views[-1]["outstanding"] == 922_500 + life.ref.fees > 922_500
    views = run(life, [("pay", 5_000, 3)])  # half of it, paid before the default was booked
    assert 0 < views[-1]["written_off"] < written and views[-1]["written_off"] == views[-1]["outstanding"]
    views = run(life, [("pay", 10_000, 0)])
    assert life.ref.status == Status.REPAID and views[-1]["written_off"] == 0
    assert views[-1]["rebate_paid"] == 1_000_000 - life.ref.owed > 0


def test_late_fees_beyond_the_headroom_become_a_recourse_claim_the_buyer_never_pays():
    # The claim is 96.9% of the invoice; at 365% a year the late fees pass the 3.1% headroom in days.
    life = funded(
        amount=1_000_000,
        advance_rate=9_500,
        fee_rate=200,
        late_rate=36_500,
        due_in=5,
        grace=0,
        default_after=60,
    )
    views = run(life, [("age", 6, 0), ("age", 10, 0)])
    assert views[-1]["recourse"] > 0 and views[-1]["late_fees"] == views[-1]["recourse"] + 31_000
    views = run(life, [("pay", 10_000, 0)])
    assert life.ref.status == Status.REPAID
    assert views[-1]["rebate_paid"] == 0 and views[-1]["outstanding"] == 0
    assert views[-1]["recourse"] > 0  # still claimed from the supplier, none of it from the buyer


def test_a_full_advance_at_no_fee_has_no_headroom_so_every_late_fee_is_recourse():
    life = funded(
        amount=500_000, advance_rate=10_000, fee_rate=0, late_rate=2_400, due_in=3, grace=1, default_after=60
    )
    views = run(life, [("age", 10, 0), ("pay", 4_000, 5), ("age", 7, 0), ("pay", 10_000, 2)])
    assert views[-1]["late_fees"] == views[-1]["recourse"] > 0 and views[-1]["rebate_paid"] == 0


def test_a_payment_backdated_before_the_last_ageing_run_re_rates_the_fees_charged_since():
    life = funded(**STANDARD, late_rate=36_500, default_after=60)
    views = run(life, [("age", 6, 0), ("age", 10, 0)])
    charged = views[-1]["late_fees"]
    views = run(life, [("pay", 6_000, 9)])  # paid 9 days ago: the fees of the days since fall
    assert views[-1]["late_fees"] < charged + 922_500 * 36_500 // 3_650_000


def test_a_settled_claim_stops_ageing_and_the_rest_is_the_suppliers_rebate():
    life = funded(**STANDARD, late_rate=2_400, default_after=30)
    views = run(life, [("pay", 9_500, 0), ("age", 40, 0)])  # 95% paid: the 92.25% claim is settled
    assert life.ref.settled_on == START and life.ref.status == Status.FINANCED
    assert views[-1]["outstanding"] == 0 and views[-1]["rebate_held"] == 950_000 - 922_500
    views = run(life, [("pay", 10_000, 0)])
    assert life.ref.status == Status.REPAID and views[-1]["rebate_paid"] == 1_000_000 - 922_500
