"""The invoice money rules against a plain reference model: random pricing, payments (partial, full, late,
backdated) and days of ageing, compared step by step with a model that charges late fees day by day in
exact fractions and rounds once."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from math import floor

from hypothesis import given, settings
from hypothesis import strategies as st

from financing.domain import invoices as inv
from financing.domain.funding import Pricing
from financing.domain.lifecycle import Status
from tests.unit.test_invoices_domain import TODAY, approved


def half_up(value: Fraction) -> int:
    return floor(value + Fraction(1, 2))


@dataclass
class Reference:
    """What the money of one financed invoice should be, written as plainly as possible."""

    amount: int
    claim: int
    due: date
    grace: int
    default_after: int
    rate: int
    status: Status = Status.FINANCED
    payments: list[tuple[date, int]] = field(default_factory=list)
    through: date | None = None

    @property
    def first_overdue(self) -> date:
        return self.due + timedelta(days=self.grace + 1)

    @property
    def fees(self) -> int:
        if self.through is None:
            return 0
        total, day = Fraction(0), self.first_overdue
        while day <= self.through:
            unpaid = max(0, self.claim - sum(a for paid, a in self.payments if paid <= day))
            total += Fraction(unpaid * self.rate, 10_000 * 365)
            day += timedelta(days=1)
        return half_up(total)

    @property
    def recourse(self) -> int:
        return max(0, self.fees - (self.amount - self.claim))

    @property
    def collected(self) -> int:
        return sum(a for _, a in self.payments)

    @property
    def owed(self) -> int:
        return self.claim + self.fees - self.recourse

    @property
    def settled_on(self) -> date | None:
        running = 0
        for paid, a in sorted(self.payments):
            running += a
            if running >= self.owed:
                return paid
        return None

    def age(self, today: date) -> None:
        if self.settled_on is not None or self.status not in (Status.FINANCED, Status.OVERDUE):
            return
        if self.status == Status.FINANCED and today >= self.first_overdue:
            self.status = Status.OVERDUE
        if self.status == Status.OVERDUE:
            self.through = max(today, self.through or today)
            if (today - self.due).days >= self.default_after:
                self.status = Status.DEFAULTED

    def pay(self, paid: date, a: int) -> None:
        catching_up = self.status == Status.OVERDUE and self.settled_on is None and self.through is not None
        if catching_up and self.through < paid - timedelta(days=1):
            self.through = paid - timedelta(days=1)  # the days before the payment the job has not charged
        self.payments.append((paid, a))
        if self.collected == self.amount:
            self.status = Status.REPAID


def at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# (what, days to wait or the share of the outstanding amount paid in basis points, days a payment is backdated)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("age"), st.integers(0, 40), st.just(0)),
        st.tuples(st.just("age"), st.integers(0, 3), st.just(0)),
        st.tuples(st.just("pay"), st.integers(1, 6_000), st.integers(0, 30)),
        st.tuples(st.just("pay"), st.integers(1, 6_000), st.integers(0, 30)),
        st.tuples(st.just("pay_all"), st.just(10_000), st.integers(0, 30)),
    ),
    max_size=30,
)


@settings(max_examples=500, deadline=None)
@given(
    amount=st.integers(1, 10**7),
    advance_rate=st.one_of(st.integers(1, 10_000), st.integers(9_000, 10_000)),
    fee_rate=st.one_of(st.integers(0, 1_000), st.integers(0, 10_000)),
    late_rate=st.one_of(st.integers(0, 100_000), st.integers(0, 5_000)),
    due_in=st.integers(1, 10),
    start=st.integers(0, 40),
    grace=st.integers(0, 10),
    default_after=st.integers(1, 120),
    script=steps,
)
def test_the_money_of_a_financed_invoice_follows_the_reference_model(
    amount, advance_rate, fee_rate, late_rate, due_in, start, grace, default_after, script
):
    due = TODAY + timedelta(days=due_in)
    invoice = approved().model_copy(update={"amount": amount, "due_date": due})
    advance = half_up(Fraction(amount * advance_rate, 10_000))
    claim = advance + half_up(Fraction(advance * fee_rate, 10_000))
    if advance <= 0 or claim > amount:
        try:
            inv.fund(invoice, Pricing(advance_rate, fee_rate), disbursement_date=TODAY, now=at(TODAY))
        except (inv.ClaimExceedsInvoice, inv.InvalidInput):
            return
        raise AssertionError("a claim above the amount (or no advance) was funded")
    invoice, _ = inv.fund(invoice, Pricing(advance_rate, fee_rate), disbursement_date=TODAY, now=at(TODAY))
    ref = Reference(amount, claim, due, grace, default_after, late_rate)
    day = TODAY
    for kind, value, back in [("age", start, 0), *script]:
        if kind == "age":
            day += timedelta(days=value)
            was_settled = ref.settled_on is not None
            aged, moves = inv.age(
                invoice,
                today=day,
                now=at(day),
                grace_days=grace,
                default_after_days=default_after,
                late_rate=late_rate,
            )
            if was_settled:
                assert aged is invoice and moves == []  # ageing stops once the claim is settled
            invoice = aged
            ref.age(day)
        elif ref.status != Status.REPAID:
            outstanding = amount - ref.collected
            paid_amount = max(1, outstanding * value // 10_000)
            paid_date = max(TODAY, day - timedelta(days=back))
            invoice, _ = inv.record_payment(
                invoice, paid_amount, paid_date=paid_date, reference="w", now=at(day)
            )
            ref.pay(paid_date, paid_amount)
        f = invoice.financing
        assert invoice.status == ref.status
        assert f.repayment_amount == claim <= amount
        assert f.collected == ref.collected == sum(p.amount for p in invoice.payments)
        assert f.late_payment_fees == ref.fees  # the once-rounded exact formula
        assert f.recourse_amount == ref.recourse  # the fees beyond the headroom
        assert sum(p.amount for p in f.late_fee_postings) == f.late_payment_fees
        assert sum(p.recourse for p in f.late_fee_postings) == f.recourse_amount
        assert invoice.repayment_outstanding == max(0, ref.owed - ref.collected) <= invoice.outstanding_amount
        assert f.settled_on == ref.settled_on
        if ref.status == Status.REPAID:
            assert f.second_payment == amount - ref.owed >= 0  # the rebate is never negative
        else:
            assert f.second_payment is None
        if ref.through is not None:
            assert invoice.overdue_since == ref.first_overdue and f.late_fees_through == ref.through
