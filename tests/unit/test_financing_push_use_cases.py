"""The financing push and the hosted page's view on in-memory fakes (tests/unit/fakes.py), beside their moto
tests (tests/integration/test_financing_offers_and_push.py): the pushed invoices share one session under the
offer's plan, and the page is shown the offer and the session's invoices as the injected shapes show them."""

from datetime import timedelta

import pytest

from financing.auth.financing_tokens import Grant
from financing.clock import now
from financing.composition.financing_push import connect_shapes
from financing.domain.credit_line import CreditLine
from financing.domain.errors import NotFound
from financing.domain.invoices import Invoice, InvoiceType
from financing.services.financing_push import connect_view, push_for_financing, session_summary
from financing.services.ports import ConnectShapes
from tests.unit.fakes import FakeCreditLineTerms
from tests.unit.test_invoice_use_cases import draft
from tests.unit.worlds import PLAN, TENANT, FakeWorld


def _offer(line: CreditLine | None) -> dict:
    return {"offer": line.total_amount if line else None}


def _invoice(invoice: Invoice, payer: str | None) -> dict:
    return {"invoice": invoice.id, "payer": payer}


SHAPES = ConnectShapes(offer=_offer, invoice=_invoice)


def _grant(session: str | None = None, invoices: tuple[str, ...] = ()) -> Grant:
    return Grant(TENANT, "entity-1", "ops", now() + timedelta(hours=1), session, invoices)


def _pushed(world: FakeWorld) -> list[Invoice]:
    first, second = draft(world, reference="r-1"), draft(world, reference="r-2")
    wanted = [(first.id, InvoiceType.RECEIVABLE), (second.id, InvoiceType.RECEIVABLE)]
    return push_for_financing(world.invoices(), FakeCreditLineTerms(world.books), wanted)


def test_pushed_invoices_share_one_session_under_the_offers_first_plan():
    world = FakeWorld()
    world.credit_line(5_000_000)
    pushed = _pushed(world)
    [session] = {s.id for invoice in pushed for s in invoice.sessions}
    assert all(invoice.offered_plan == PLAN for invoice in pushed)
    assert session_summary(pushed, session)["id"] == session


def test_the_page_is_shown_the_offer_and_the_sessions_invoices_as_the_shapes_show_them():
    world = FakeWorld()
    world.credit_line(5_000_000)
    pushed = _pushed(world)
    session = pushed[0].sessions[-1].id
    lines = FakeCreditLineTerms(world.books)
    alone = connect_view(lines, world.ports, _grant(), None, "corr-1", shapes=SHAPES)
    assert (alone["offer"], alone["session"], alone["entity_id"]) == (5_000_000, None, "entity-1")
    ids = tuple(invoice.id for invoice in pushed)
    body = connect_view(lines, world.ports, _grant(), _grant(session, ids), "corr-1", shapes=SHAPES)
    assert body["session"]["id"] == session
    assert body["session"]["invoices"] == [{"invoice": i, "payer": "Buyer"} for i in ids]


def test_a_session_token_naming_an_invoice_outside_its_session_is_not_found():
    world = FakeWorld()
    pushed = _pushed(world)
    other = draft(world, reference="r-3")
    session = _grant(pushed[0].sessions[-1].id, (pushed[0].id, other.id))
    with pytest.raises(NotFound):
        connect_view(FakeCreditLineTerms(world.books), world.ports, _grant(), session, "c", shapes=SHAPES)


def test_the_real_shapes_are_monites():
    world = FakeWorld()
    body = connect_view(
        FakeCreditLineTerms(world.books), world.ports, _grant(), None, "c", shapes=connect_shapes
    )
    assert (body["business_status"], body["offers"]) == ("NEW", [])
