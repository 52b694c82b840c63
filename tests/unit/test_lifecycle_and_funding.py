from datetime import date

import pytest

from financing.domain.funding import (
    Advance,
    Pricing,
    advance_for,
    claim_rate_exceeds_amount,
    first_overdue_day,
    late_fees,
    rebate,
    recourse,
    repayment_outstanding,
    settlement_date,
)
from financing.domain.lifecycle import ALLOWED_FROM, Action, Status, TransitionNotAllowed, check, next_status

WALK = [
    (Action.SUBMIT, Status.DRAFT, Status.NEW),
    (Action.REQUEST_INFO, Status.NEW, Status.ADDITIONAL_INFO_REQUIRED),
    (Action.SUBMIT, Status.ADDITIONAL_INFO_REQUIRED, Status.NEW),
    (Action.REQUEST_SIGNATURES, Status.NEW, Status.REQUESTING_SIGNATURES),
    (Action.FUND, Status.APPROVED, Status.FINANCED),
    (Action.MARK_OVERDUE, Status.FINANCED, Status.OVERDUE),
    (Action.MARK_DEFAULTED, Status.OVERDUE, Status.DEFAULTED),
]


@pytest.mark.parametrize(("action", "before", "after"), WALK)
def test_allowed_transitions_lead_where_the_lifecycle_says(action, before, after):
    assert next_status(action, before) == after


@pytest.mark.parametrize(
    "status", [Status.NEW, Status.ADDITIONAL_INFO_REQUIRED, Status.REQUESTING_SIGNATURES, Status.APPROVED]
)
def test_any_pre_funding_status_can_be_declined(status):
    assert next_status(Action.DECLINE, status) == Status.DECLINED


ALL_PAIRS = [(action, status) for action in ALLOWED_FROM for status in Status]


@pytest.mark.parametrize(("action", "status"), [p for p in ALL_PAIRS if p[1] not in ALLOWED_FROM[p[0]]])
def test_every_other_action_is_refused_naming_the_current_status(action, status):
    with pytest.raises(TransitionNotAllowed) as refused:
        check(action, status)
    assert refused.value.status == status and status.value in refused.value.message


def test_nothing_leaves_a_final_status_except_payments_on_a_default():
    for final in (Status.DECLINED, Status.REPAID):
        assert not [a for a, allowed in ALLOWED_FROM.items() if final in allowed]
    assert [a for a, allowed in ALLOWED_FROM.items() if Status.DEFAULTED in allowed] == [
        Action.RECORD_PAYMENT
    ]


def test_the_seed_example_prices_as_stenn_shows_it():
    advance = advance_for(8_800_000, Pricing(advance_rate=9000, fee_rate=250))
    assert advance == Advance(first_payment=7_920_000, discount=198_000)
    assert advance.repayment_amount == 8_118_000


def test_rounding_is_half_up_at_each_step():
    advance = advance_for(1001, Pricing(advance_rate=5000, fee_rate=1000))  # 500.5 -> 501; 50.1 -> 50
    assert advance == Advance(first_payment=501, discount=50)


def test_repayment_outstanding_and_rebate():
    advance = Advance(first_payment=7_920_000, discount=198_000)
    assert repayment_outstanding(advance.repayment_amount, 0, 5_000_000) == 3_118_000
    assert repayment_outstanding(advance.repayment_amount, 0, 8_800_000) == 0
    assert rebate(8_800_000, advance, late_fees=10_000) == 672_000


def test_late_fees_are_charged_on_the_unpaid_claim_from_the_first_overdue_day_and_rounded_once():
    first = first_overdue_day(date(2026, 1, 31), grace_days=0)
    assert first == date(2026, 2, 1)
    # 10% a year on 36,500.00 is exactly 10.00 a day; 1 to 28 February is 28 days, both ends charged.
    assert late_fees(3_650_000, 1000, [], first, date(2026, 2, 28)) == 28 * 1000
    assert late_fees(3_650_000, 1000, [], first, first) == 1000
    assert late_fees(3_650_000, 1000, [], first, date(2026, 1, 31)) == 0
    # Paid half on 10 February: from that day on, half is unpaid (9 days whole, 19 days half).
    half = [(date(2026, 2, 10), 1_825_000)]
    assert late_fees(3_650_000, 1000, half, first, date(2026, 2, 28)) == 9 * 1000 + 19 * 500
    # A payment before the first overdue day lowers every day; an overpaid claim charges nothing.
    assert late_fees(3_650_000, 1000, [(date(2026, 1, 5), 4_000_000)], first, date(2026, 2, 28)) == 0
    # Rounded once: 0.4931 a day is nothing a day, but 15 after 30 days.
    assert late_fees(750, 2400, [], first, first) == 0
    assert late_fees(750, 2400, [], first, date(2026, 3, 2)) == 15


def test_recourse_is_the_late_fees_beyond_the_headroom():
    assert recourse(500, 700) == 0 and recourse(700, 700) == 0 and recourse(701, 700) == 1
    assert recourse(10, 0) == 10


def test_a_pricing_whose_exact_claim_exceeds_the_amount():
    assert claim_rate_exceeds_amount(Pricing(advance_rate=10_000, fee_rate=1))
    assert not claim_rate_exceeds_amount(Pricing(advance_rate=10_000, fee_rate=0))
    assert not claim_rate_exceeds_amount(Pricing(advance_rate=9756, fee_rate=250))  # 99.999%
    assert claim_rate_exceeds_amount(Pricing(advance_rate=9757, fee_rate=250))


def test_the_claim_is_settled_on_the_paid_date_the_payments_cover_it():
    payments = [(date(2026, 3, 9), 300), (date(2026, 3, 1), 600), (date(2026, 3, 5), 100)]
    assert settlement_date(700, payments) == date(2026, 3, 5)
    assert settlement_date(1001, payments) is None
