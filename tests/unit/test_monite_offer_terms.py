"""Issue 12 defect 9 in the pure domain: an invoice offered a pricing plan is funded with it, repaid on
the plan's date, and shows Monite amounts that reconcile; checked against a plain reference model."""

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing.domain import invoices as rules
from financing.domain.credit_line import OfferTermsDiffer, PricingPlan, RepaymentType, offered_pricing, quote
from financing.domain.errors import InvalidInput
from financing.domain.invoices import ClaimExceedsInvoice, Invoice
from financing.domain.lifecycle import Status
from financing.families.monite.invoices import financing_invoice
from tests.integration.monite_fixtures import stored_invoice

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
DUE = date(2026, 4, 30)


def half_up(value: Fraction) -> int:
    """The reference rounding: the nearest integer, halves away from zero (amounts are never negative)."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def approved(amount: int, plan: PricingPlan | None) -> Invoice:
    invoice = stored_invoice("acme", status=Status.APPROVED, due=DUE, amount=amount, created=NOW)
    return invoice.model_copy(update={"offered_plan": plan})


plans = st.builds(
    PricingPlan,
    advance_rate=st.integers(1, 10000),
    fee_rate=st.integers(0, 10000),
    repayment_type=st.sampled_from(list(RepaymentType)),
    repayment_duration_days=st.integers(1, 3650),
)


@given(amount=st.integers(1, 10**13), plan=plans, disbursed=st.dates(date(2026, 3, 1), date(2026, 4, 29)))
def test_a_funded_invoice_shows_monite_amounts_that_reconcile_with_the_plan_it_was_offered(
    amount, plan, disbursed
):
    invoice = approved(amount, plan)
    pricing = offered_pricing(plan, None, None)
    try:
        funded, _ = rules.fund(invoice, pricing, disbursement_date=disbursed, now=NOW)
    except ClaimExceedsInvoice:
        # A plan whose claim (advance + fee) exceeds the invoice is never applied (defect 1).
        principal = half_up(Fraction(amount * plan.advance_rate, 10000))
        assert principal + half_up(Fraction(principal * plan.fee_rate, 10000)) > amount
        return
    except InvalidInput:
        assert half_up(Fraction(amount * plan.advance_rate, 10000)) == 0  # only a zero advance is refused
        return
    shown = financing_invoice(funded)
    principal = half_up(Fraction(amount * plan.advance_rate, 10000))
    fee = half_up(Fraction(principal * plan.fee_rate, 10000))
    if plan.repayment_type == RepaymentType.FIXED_DURATION:
        repay_on = disbursed + timedelta(days=plan.repayment_duration_days)
    else:
        repay_on = DUE
    assert shown["total_amount"] == amount
    assert (shown["advance_rate_percentage"], shown["fee_percentage"]) == (plan.advance_rate, plan.fee_rate)
    assert shown["requested_amount"] == shown["principal_amount"] == shown["advance_amount"] == principal
    assert shown["fee_amount"] == fee and shown["repayment_amount"] == principal + fee
    assert shown["repayment_schedule"] == {
        "repayment_date": repay_on.isoformat(),
        "repayment_amount": principal + fee,
        "repayment_fee_amount": fee,
        "repayment_principal_amount": principal,
    }


@given(amount=st.integers(1, 10**13), plan=plans)
def test_under_review_the_invoice_shows_the_terms_funding_will_apply(amount, plan):
    offered = financing_invoice(approved(amount, plan))
    pricing = offered_pricing(plan, None, None)
    if half_up(Fraction(amount * plan.advance_rate, 10000)) == 0:
        return
    try:
        funded, _ = rules.fund(
            approved(amount, plan), pricing, disbursement_date=DUE - timedelta(days=1), now=NOW
        )
    except ClaimExceedsInvoice:
        return  # never applied: checked by the test above
    applied = financing_invoice(funded)
    terms = (
        "requested_amount",
        "principal_amount",
        "fee_amount",
        "repayment_amount",
        "advance_rate_percentage",
    )
    assert {k: offered[k] for k in terms} == {k: applied[k] for k in terms}
    assert "repayment_schedule" not in offered


def test_a_fund_request_may_restate_the_offered_rates_but_not_change_them():
    plan = PricingPlan(advance_rate=8000, fee_rate=300, repayment_type=RepaymentType.FIXED_DATE)
    assert offered_pricing(plan, 8000, 300) == offered_pricing(plan, None, None)
    for advance, fee in ((9000, None), (None, 250), (8000, 0)):
        with pytest.raises(OfferTermsDiffer) as refused:
            offered_pricing(plan, advance, fee)
        assert refused.value.code == "offer_terms_differ"


def test_an_invoice_without_an_offer_repays_on_its_due_date():
    funded, _ = rules.fund(
        approved(100_000, None),
        offered_pricing(
            PricingPlan(advance_rate=9000, fee_rate=250, repayment_type="FIXED_DATE"), None, None
        ),
        disbursement_date=date(2026, 3, 2),
        now=NOW,
    )
    assert funded.financing.repayment_date is None
    assert financing_invoice(funded)["repayment_schedule"]["repayment_date"] == DUE.isoformat()


@given(plan=plans, amount=st.integers(1, 10**12), days_before_due=st.integers(1, 58))
def test_the_hosted_pages_quote_is_what_funding_then_books(plan, amount, days_before_due):
    """credit_line.quote (the hosted page's preview) and funding agree to the minor unit and the day."""
    disbursed = DUE - timedelta(days=days_before_due)
    terms = quote(plan, amount, DUE, disbursed)
    try:
        funded, _ = rules.fund(
            approved(amount, plan), offered_pricing(plan, None, None), disbursement_date=disbursed, now=NOW
        )
    except (ClaimExceedsInvoice, InvalidInput):
        return  # funding refuses such a plan for this amount; the quote's checks are the submission's
    assert (terms.advance.first_payment, terms.advance.discount) == (
        funded.financing.first_payment,
        funded.financing.discount,
    )
    assert terms.repayment_date == (funded.financing.repayment_date or DUE)
