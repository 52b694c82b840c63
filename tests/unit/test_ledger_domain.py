"""The ledger derived from invoices: every entry balances, and the books follow a plain reference model."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from financing.domain import invoices as rules
from financing.domain.funding import Pricing
from financing.domain.invoices import Invoice
from financing.domain.ledger import (
    CHART,
    Account,
    Side,
    aging_bucket,
    balances,
    claim_outstanding,
    entry_for,
    entry_id,
    invoice_balances,
)
from financing.domain.lifecycle import Status
from financing.ids import new_id

START = datetime(2026, 1, 5, 9, tzinfo=UTC)
PAYMENT_MEMOS = {
    "buyer payment applied to the claim",
    "buyer payment applied to late fees",
    "buyer payment beyond the claim, payable to the supplier",
}


def approved(amount=100_000, currency="usd", due_in=30, at=START) -> Invoice:
    return Invoice(
        id=new_id("inv", at=at),
        tenant_id="acme",
        supplier="company_S",
        buyer="company_B",
        invoice_number="1",
        client_reference_id=new_id("ref"),
        invoice_document="doc_x",
        amount=amount,
        currency=currency,
        type_of_goods=["other"],
        issue_date=at.date(),
        due_date=at.date() + timedelta(days=due_in),
        status=Status.APPROVED,
        created=at,
        updated=at,
    )


def entry(previous, moved, at=START):
    return entry_for(previous, moved, event_id="evt_1", correlation_id="corr-1", at=at)


def signed(e):
    return {(p.account, p.memo): p.signed for p in e.postings}


def test_funding_disburses_the_advance_and_earns_the_discount():
    invoice = approved()
    funded, _ = rules.fund(invoice, Pricing(9000, 250), disbursement_date=START.date(), now=START)
    e = entry(invoice, funded)
    assert e.balanced and e.event_id == "evt_1" and e.correlation_id == "corr-1"
    assert invoice_balances([e]) == {
        Account.ADVANCES_RECEIVABLE: 90_000 + 2_250,
        Account.CASH: -90_000,
        Account.FEE_INCOME: -2_250,
    }


def test_the_value_date_is_the_payments_paid_date_or_the_disbursement_date():
    invoice = approved()
    disbursed = START.date() + timedelta(days=2)
    funded, _ = rules.fund(invoice, Pricing(9000, 250), disbursement_date=disbursed, now=START)
    assert entry(invoice, funded).value_date == disbursed
    later = START + timedelta(days=9)
    paid, _ = rules.record_payment(funded, 100, paid_date=START.date(), reference="late", now=later)
    assert entry(funded, paid, later).value_date == START.date()
    overdue = paid.model_copy(
        update={"financing": paid.financing.model_copy(update={"late_payment_fees": 5})}
    )
    assert entry(paid, overdue, later).value_date == later.date()


def test_a_change_without_money_makes_no_entry():
    invoice = approved()
    declined, _ = rules.decline(invoice, "risk", START)
    assert entry(invoice, declined) is None


def test_payments_are_allocated_to_the_claim_then_fees_then_the_rebate():
    invoice = approved()
    funded, _ = rules.fund(invoice, Pricing(9000, 250), disbursement_date=START.date(), now=START)
    late = funded.model_copy(
        update={"financing": funded.financing.model_copy(update={"late_payment_fees": 1_000})}
    )
    accrual = entry(funded, late)
    assert signed(accrual) == {
        (Account.LATE_FEES_RECEIVABLE, "late fees accrued"): 1_000,
        (Account.LATE_FEE_INCOME, "late fees accrued"): -1_000,
    }
    part, _ = rules.record_payment(late, 92_000, paid_date=START.date(), reference="a", now=START)
    first = entry(late, part)
    assert invoice_balances([first])[Account.CASH] == 92_000
    assert invoice_balances([first])[Account.ADVANCES_RECEIVABLE] == -92_000
    rest, _ = rules.record_payment(part, 8_000, paid_date=START.date(), reference="b", now=START)
    second = entry(part, rest)
    assert rest.status == Status.REPAID and rest.financing.second_payment == 100_000 - 92_250 - 1_000
    books = invoice_balances([entry(None, funded), accrual, first, second])
    assert {a: v for a, v in books.items() if v} == {
        Account.CASH: -90_000 + 100_000 - 6_750,
        Account.FEE_INCOME: -2_250,
        Account.LATE_FEE_INCOME: -1_000,
    }
    assert all(e.balanced for e in (first, second))


def test_default_writes_off_the_claim_and_a_recovery_reverses_it():
    invoice = approved(due_in=1)
    funded, _ = rules.fund(invoice, Pricing(9000, 250), disbursement_date=START.date(), now=START)
    day = START.date() + timedelta(days=3)
    overdue, _ = rules.age(funded, today=day, now=START, grace_days=0, default_after_days=90, late_rate=1200)
    later = START.date() + timedelta(days=100)
    defaulted, _ = rules.age(
        overdue, today=later, now=START, grace_days=0, default_after_days=90, late_rate=1200
    )
    written = entry(overdue, defaulted)
    books = invoice_balances([entry(None, overdue), written])
    assert books[Account.ADVANCES_RECEIVABLE] == 0 and books[Account.LATE_FEES_RECEIVABLE] == 0
    fees = defaulted.financing.late_payment_fees
    assert books[Account.WRITE_OFFS] == 92_250 + fees
    moment = datetime.combine(later, datetime.min.time(), tzinfo=UTC)
    repaid, _ = rules.record_payment(defaulted, 100_000, paid_date=later, reference="r", now=moment)
    books = invoice_balances([entry(None, overdue), written, entry(defaulted, repaid)])
    assert books.get(Account.WRITE_OFFS, 0) == 0 and books[Account.CASH] == 10_000 - 100_000 + 100_000 - max(
        0, repaid.financing.second_payment
    )


def test_a_negative_late_fee_adjustment_reverses_income_and_a_recourse_claim_moves_fees_to_the_supplier():
    invoice = approved()
    funded, _ = rules.fund(invoice, Pricing(9000, 250), disbursement_date=START.date(), now=START)
    f = funded.financing
    rated = funded.model_copy(update={"financing": f.model_copy(update={"late_payment_fees": 9_000})})
    rerated = rated.model_copy(update={"financing": f.model_copy(update={"late_payment_fees": 8_000})})
    adjustment = entry(rated, rerated)
    assert signed(adjustment) == {
        (Account.LATE_FEE_INCOME, "late fees accrued"): 1_000,
        (Account.LATE_FEES_RECEIVABLE, "late fees accrued"): -1_000,
    }
    # recourse_amount may not be on the model yet: the ledger reads it with a default of 0.
    recourse = rerated.model_copy(
        update={"financing": rerated.financing.model_copy(update={"recourse_amount": 250})}
    )
    claim = entry(rerated, recourse)
    assert invoice_balances([claim]) == {Account.RECOURSE_RECEIVABLE: 250, Account.LATE_FEES_RECEIVABLE: -250}


def test_iof_withheld_from_the_advance_is_owed_to_the_tax_authority():
    invoice = approved(currency="brl")
    funded, _ = rules.fund(invoice, Pricing(9000, 250), disbursement_date=START.date(), now=START)
    with_iof = funded.model_copy(update={"financing": funded.financing.model_copy(update={"iof": 300})})
    books = invoice_balances([entry(invoice, with_iof)])
    assert books[Account.CASH] == -(90_000 - 300) and books[Account.IOF_PAYABLE] == -300
    assert books[Account.ADVANCES_RECEIVABLE] == 92_250


def test_the_entry_id_is_the_same_for_the_same_invoice_version_and_sorts_by_time():
    assert entry_id("inv_1", 3, START) == entry_id("inv_1", 3, START)
    assert entry_id("inv_1", 3, START) != entry_id("inv_1", 4, START)
    assert entry_id("inv_1", 9, START) < entry_id("inv_1", 2, START + timedelta(milliseconds=1))


def test_every_account_is_in_the_chart_with_a_unique_code():
    assert set(CHART) == set(Account)
    assert len({info.code for info in CHART.values()}) == len(CHART)
    assert {info.normal for info in CHART.values()} == {Side.DEBIT, Side.CREDIT}


@pytest.mark.parametrize(
    ("late", "bucket"),
    [
        (-3, "current"),
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
    ],
)
def test_aging_buckets_by_days_past_due(late, bucket):
    assert aging_bucket(date(2026, 3, 1), date(2026, 3, 1) + timedelta(days=late)) == bucket


# --------------------------------------------------------------------------- property: a reference model


class Reference:
    """The books of one invoice, kept the plain way: a waterfall per payment, no positions."""

    def __init__(self, amount: int, advance: int, discount: int) -> None:
        self.claim, self.fees, self.held = advance + discount, 0, 0
        self.cash, self.fee_income, self.late_income = -advance, discount, 0
        # Late fees beyond the headroom (amount - claim) are claimed from the supplier instead.
        self.headroom, self.recourse = amount - advance - discount, 0
        self.payments: list[int] = []
        self.defaulted = False

    def accrue(self, fees: int) -> None:
        self.late_income += fees
        recourse = max(0, self.late_income - self.headroom)
        fees -= recourse - self.recourse
        self.recourse = recourse
        if fees >= 0:  # new fees are paid out of any surplus held first
            settled = min(self.held, fees)
            self.held -= settled
            self.fees += fees - settled
        else:  # fees re-rated down: first less to collect, then fees already collected become surplus
            self.fees += fees
            self.held += max(0, -self.fees)
            self.fees = max(0, self.fees)

    def pay(self, amount: int) -> None:
        self.payments.append(amount)
        self.cash += amount
        to_claim = min(amount, self.claim)
        to_fees = min(amount - to_claim, self.fees)
        self.claim -= to_claim
        self.fees -= to_fees
        self.held += amount - to_claim - to_fees

    def rebate(self, second_payment: int) -> None:
        paid = max(0, second_payment)
        self.held -= paid
        self.cash -= paid

    def expected(self) -> dict[Account, int]:
        open_claim, open_fees = (0, 0) if self.defaulted else (self.claim, self.fees)
        books = {
            Account.CASH: self.cash,
            Account.ADVANCES_RECEIVABLE: open_claim,
            Account.LATE_FEES_RECEIVABLE: open_fees,
            Account.RECOURSE_RECEIVABLE: self.recourse,
            Account.REBATE_PAYABLE: -self.held,
            Account.FEE_INCOME: -self.fee_income,
            Account.LATE_FEE_INCOME: -self.late_income,
            Account.WRITE_OFFS: self.claim + self.fees if self.defaulted else 0,
        }
        return {account: value for account, value in books.items() if value}


step = st.one_of(
    st.tuples(st.just("pay"), st.integers(1, 10_000)),  # a share of the outstanding amount, in 1/10000
    st.tuples(st.just("age"), st.integers(1, 60)),  # days the clock moves on, then the daily job runs
)
lifecycle = st.tuples(
    st.integers(100, 10_000_000),  # amount
    st.sampled_from(["usd", "brl"]),
    st.integers(1, 10_000),  # advance rate
    st.integers(0, 3_000),  # fee rate
    st.lists(step, max_size=12),
)


def trial_balance_is_zero(entries) -> bool:
    per_currency: dict[str, int] = {}
    for (currency, _), value in balances(entries).items():
        per_currency[currency] = per_currency.get(currency, 0) + value
    return all(total == 0 for total in per_currency.values())


@settings(max_examples=150, deadline=None)
@given(st.lists(lifecycle, min_size=1, max_size=4), st.integers(0, 5_000))
def test_random_lifecycles_keep_the_books_balanced_and_equal_to_the_invoices(lifecycles, late_rate):
    """Fund at random pricing, pay random shares, let the daily job age the invoice (overdue, late fees,
    default); after every step: the tenant's trial balance is zero per currency, the invoice's
    sub-ledger is the reference model's books and its claim outstanding, and the cash collected is the
    sum of the payments."""
    journal = []  # every invoice's entries, of every currency
    for amount, currency, advance_rate, fee_rate, steps in lifecycles:
        pricing = Pricing(advance_rate, fee_rate)
        if rules.funding.advance_for(amount, pricing).first_payment <= 0:
            continue
        moment = START
        invoice = approved(amount=amount, currency=currency, due_in=10)
        try:
            funded, _ = rules.fund(invoice, pricing, disbursement_date=moment.date(), now=moment)
        except rules.ClaimExceedsInvoice:
            continue  # never funded: a claim the invoice cannot pay
        reference = Reference(amount, funded.financing.first_payment, funded.financing.discount)
        mine = [entry(invoice, funded, moment)]
        previous = funded
        for kind, value in steps:
            if previous.status == Status.REPAID:
                break
            if kind == "pay":
                share = max(1, previous.outstanding_amount * value // 10_000)
                moved, _ = rules.record_payment(
                    previous, share, paid_date=moment.date(), reference="p", now=moment
                )
                # A payment first charges the overdue days the job has not (late fees are checked against
                # their own reference model elsewhere; here the books follow whatever was charged).
                reference.accrue(moved.financing.late_payment_fees - previous.financing.late_payment_fees)
                reference.pay(share)
                if moved.status == Status.REPAID:
                    reference.rebate(moved.financing.second_payment)
            else:
                moment += timedelta(days=value)
                moved, _ = rules.age(
                    previous,
                    today=moment.date(),
                    now=moment,
                    grace_days=2,
                    default_after_days=90,
                    late_rate=late_rate,
                )
                reference.accrue(moved.financing.late_payment_fees - previous.financing.late_payment_fees)
            reference.defaulted = moved.status == Status.DEFAULTED
            made = entry(previous, moved, moment)
            if made is not None:
                assert made.balanced and made.posted_at == moment and made.invoice_version == moved.version
                mine.append(made)
            previous = moved

            books = invoice_balances(mine)
            assert {a: v for a, v in books.items() if v} == reference.expected()
            if moved.status != Status.DEFAULTED:
                assert claim_outstanding(books) == moved.repayment_outstanding
            collected = sum(
                p.signed
                for e in mine
                for p in e.postings
                if p.account == Account.CASH and p.memo in PAYMENT_MEMOS
            )
            assert collected == sum(reference.payments) == moved.financing.collected
            assert trial_balance_is_zero(journal + mine)
        journal += mine
    assert all(e.balanced for e in journal) and trial_balance_is_zero(journal)
