"""Financing offers (Monite-shaped): the tenant's credit line, read by the tenant and set by a lender."""

from financing.domain.actor import Actor
from financing.domain.credit_line import UPDATED, CreditLine, PricingPlan
from financing.services.ports import Announces, CreditLines, CreditLineTerms


def credit_line(store: CreditLines, actor: Actor) -> CreditLine | None:
    return store.get(actor.tenant_id)


def set_credit_line(
    store: CreditLineTerms,
    actor: Actor,
    *,
    total_amount: int,
    currency: str,
    plans: list[PricingPlan],
    announce: Announces[CreditLine],
) -> CreditLine:
    """The lender's terms for the tenant's line; the principal already drawn stays drawn."""
    current = store.get(actor.tenant_id)
    line = CreditLine(
        tenant_id=actor.tenant_id,
        total_amount=total_amount,
        currency=currency,
        pricing_plans=plans,
        outstanding=current.outstanding if current else 0,
        version=(current.version if current else 0) + 1,
    )
    store.set_terms(line, announce(UPDATED, actor, line))
    return line
