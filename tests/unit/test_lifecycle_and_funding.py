from datetime import date

import pytest

from financing.domain.funding import (
    Advance,
    Pricing,
    advance_for,
    daily_late_fee,
    late_fees_between,
    rebate,
    repayment_outstanding,
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


def test_late_fees_accrue_daily_on_the_unpaid_claim():
    assert daily_late_fee(3_650_000, 1000) == 1000  # 10%/year on 36,500.00 = 10.00 a day
    assert late_fees_between(3_650_000, 1000, date(2026, 1, 1), date(2026, 1, 31)) == 30_000
    assert late_fees_between(3_650_000, 1000, date(2026, 1, 31), date(2026, 1, 31)) == 0
    assert daily_late_fee(-5, 1000) == 0
