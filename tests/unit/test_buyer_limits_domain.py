"""Buyer limits: the request rules, the pending -> approved | denied machine, what is available."""

from decimal import Decimal

import pytest

from financing.domain import buyer_limits as rules
from financing.domain.buyer_limits import (
    ALLOWED_FROM,
    CURRENCIES,
    BuyerLimitView,
    Decision,
    Exposure,
    LimitStatus,
    view,
)
from financing.domain.errors import Conflict, InvalidInput
from financing.domain.money import EXPONENTS
from financing.families.core.buyer_limits import Currency

BUYER = "company_01JD0000000000000000000000"


def pending(amount="1000.50", currency="brl"):
    return rules.request_limit(
        tenant_id="acme", company_id=BUYER, requested_limit=Decimal(amount), currency=currency
    )


def exposure(limit_id, status=LimitStatus.APPROVED, total=100_000, outstanding=0):
    return Exposure(
        company_id=BUYER,
        current_limit_id=limit_id,
        limit_status=status,
        total_limit=total,
        currency="brl",
        outstanding=outstanding,
        version=2,
    )


def test_a_request_is_pending_in_minor_units():
    limit = pending()
    assert limit.id.startswith("bl_") and limit.status == LimitStatus.PENDING
    assert limit.requested_limit == 100_050 and limit.total_limit is None and limit.version == 1
    assert limit.decided_at is None and limit.reason is None


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        ("0", "brl", "requested_limit"),
        ("-1", "brl", "requested_limit"),
        ("1.001", "brl", "requested_limit"),
        ("10000000000000.01", "brl", "requested_limit"),
        ("1", "jpy", "currency"),
        ("1", "BRL", "currency"),
    ],
)
def test_bad_requests_name_the_field(amount, currency, field):
    with pytest.raises(InvalidInput) as refused:
        pending(amount, currency)
    assert [p.field for p in refused.value.problems] == [field]


def test_the_largest_limit_is_exact_as_a_json_number():
    limit = pending("10000000000000.00")
    assert limit.requested_limit == rules.MAX_AMOUNT_MINOR
    assert float(Decimal(limit.requested_limit).scaleb(-2)) == 10_000_000_000_000.0


def test_the_company_must_look_like_a_company_id():
    with pytest.raises(InvalidInput) as refused:
        rules.request_limit(tenant_id="acme", company_id="inv_1", requested_limit=Decimal(1), currency="brl")
    assert [p.field for p in refused.value.problems] == ["company"]


def test_the_families_currencies_are_the_domains():
    assert set(Currency.__args__) == set(CURRENCIES) == set(EXPONENTS)


class TestMachine:
    def test_only_pending_can_be_decided(self):
        assert {
            Decision.APPROVE: frozenset({LimitStatus.PENDING}),
            Decision.DENY: frozenset({LimitStatus.PENDING}),
        } == ALLOWED_FROM

    def test_approval(self):
        approved = rules.approve(pending(), Decimal("750.25"))
        assert approved.status == LimitStatus.APPROVED and approved.total_limit == 75_025
        assert approved.decided_at is not None and approved.version == 2 and approved.reason is None

    def test_denial_keeps_the_reason_trimmed(self):
        denied = rules.deny(pending(), "  thin file ")
        assert denied.status == LimitStatus.DENIED and denied.reason == "thin file"
        assert denied.total_limit is None and denied.version == 2

    @pytest.mark.parametrize("first", [Decision.APPROVE, Decision.DENY])
    @pytest.mark.parametrize("then", [Decision.APPROVE, Decision.DENY])
    def test_a_decided_limit_cannot_be_decided_again(self, first, then):
        decided = (
            rules.approve(pending(), Decimal(1)) if first == Decision.APPROVE else rules.deny(pending(), "no")
        )
        with pytest.raises(Conflict) as refused:
            rules.approve(decided, Decimal(1)) if then == Decision.APPROVE else rules.deny(decided, "no")
        assert refused.value.code == "invalid_transition"
        assert refused.value.details == {"status": decided.status.value}

    def test_the_state_is_checked_before_the_amount(self):
        denied = rules.deny(pending(), "no")
        with pytest.raises(Conflict):
            rules.approve(denied, Decimal("0.001"))

    @pytest.mark.parametrize("total", ["0", "0.001", "-5"])
    def test_a_bad_total_is_refused(self, total):
        with pytest.raises(InvalidInput) as refused:
            rules.approve(pending(), Decimal(total))
        assert refused.value.problems[0].field == "total_limit"

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
    def test_a_bad_reason_is_refused(self, reason):
        with pytest.raises(InvalidInput):
            rules.deny(pending(), reason)


class TestAvailable:
    def test_the_current_approved_limit_has_its_total_less_outstanding(self):
        approved = rules.approve(pending(), Decimal(1000))
        assert view(approved, exposure(approved.id, total=100_000, outstanding=30_001)) == BuyerLimitView(
            approved, 69_999
        )

    def test_never_below_zero(self):
        approved = rules.approve(pending(), Decimal(1000))
        assert view(approved, exposure(approved.id, total=100_000, outstanding=100_001)).available_limit == 0

    def test_a_superseded_or_undecided_limit_has_nothing_available(self):
        approved = rules.approve(pending(), Decimal(1000))
        newer = pending()
        assert view(approved, exposure(newer.id, status=LimitStatus.PENDING)).available_limit == 0
        assert view(approved, None).available_limit == 0
        assert view(newer, exposure(newer.id, status=LimitStatus.PENDING)).available_limit == 0
        denied = rules.deny(pending(), "no")
        assert view(denied, exposure(denied.id, status=LimitStatus.DENIED)).available_limit == 0

    def test_the_exposures_own_availability(self):
        assert exposure("bl_x", total=500, outstanding=200).available == 300
        assert exposure("bl_x", status=LimitStatus.PENDING, total=500).available == 0
        assert exposure("bl_x", total=500).available_for("bl_y") == 0
