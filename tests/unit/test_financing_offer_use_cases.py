"""The financing offers' use cases (the tenant's credit line) on in-memory fakes, beside their moto tests
(tests/integration/test_financing_offers_and_push.py)."""

import pytest

from financing.composition.financing_offers import offers_event
from financing.domain.actor import Actor
from financing.domain.credit_line import CreditLine, PricingPlan, RepaymentType
from financing.domain.errors import Conflict
from financing.services.financing_offers import credit_line, set_credit_line
from tests.unit.fakes import Books, FakeCreditLineTerms, announcing

LENDER = Actor(tenant_id="acme", subject="lender", scopes=frozenset(), correlation_id="corr-1")
PLAN = PricingPlan(advance_rate=8000, fee_rate=300, repayment_type=RepaymentType.FIXED_DATE)


@announcing
def _shown(line: CreditLine) -> dict:
    return {"total": line.total_amount, "currency": line.currency}


def _set(books: Books, total: int, currency: str = "usd", announce=_shown) -> CreditLine:
    return set_credit_line(
        FakeCreditLineTerms(books),
        LENDER,
        total_amount=total,
        currency=currency,
        plans=[PLAN],
        announce=announce,
    )


def test_no_line_until_the_lender_sets_one():
    assert credit_line(FakeCreditLineTerms(Books()), LENDER) is None


def test_set_terms_are_stored_and_announced_as_the_renderer_shows_them():
    books = Books()
    _set(books, 500_000)
    stored = credit_line(FakeCreditLineTerms(books), LENDER)
    assert (stored.total_amount, stored.currency, stored.pricing_plans, stored.version) == (
        500_000,
        "usd",
        [PLAN],
        1,
    )
    [event] = books.outbox
    assert (event.type, event.tenant_id, event.object) == (
        "financing_offer.updated",
        "acme",
        {"total": stored.total_amount, "currency": stored.currency},
    )


def test_new_terms_keep_the_principal_already_drawn():
    books = Books()
    _set(books, 500_000)
    books.credit_lines["acme"] = books.credit_lines["acme"].model_copy(update={"outstanding": 120_000})
    line = _set(books, 300_000)
    assert (line.outstanding, line.available) == (120_000, 180_000)
    assert books.credit_lines["acme"].outstanding == 120_000


def test_the_currency_cannot_change_while_principal_is_drawn_and_nothing_is_written():
    books = Books()
    _set(books, 500_000)
    books.credit_lines["acme"] = books.credit_lines["acme"].model_copy(update={"outstanding": 1})
    before, announced = books.credit_lines["acme"], len(books.outbox)
    with pytest.raises(Conflict) as refused:
        _set(books, 500_000, currency="eur")
    assert refused.value.code == "credit_line_in_use"
    assert (books.credit_lines["acme"], len(books.outbox)) == (before, announced)


def test_the_real_renderer_shows_monites_offers():
    books = Books()
    line = _set(books, 500_000, announce=offers_event)
    assert books.outbox[0].object == offers_event("financing_offer.updated", LENDER, line).object
    assert "offers" in books.outbox[0].object
