"""The ledger use cases on their ports: the journal, trial balances and the reports follow what the
invoice use cases committed. Here on the in-memory fakes; tests/integration/test_invoice_ports_contract.py
runs these same tests on the real adapters (moto)."""

from datetime import timedelta

import pytest

from financing import clock
from financing.adapters.ledger import sort_key
from financing.domain import books
from financing.domain.errors import Unprocessable
from financing.domain.ledger import Account, Volume, entry_volume, month_of, next_month, previous_month
from tests.unit.test_invoice_use_cases import ADVANCE, AMOUNT, approved, fund
from tests.unit.worlds import FakeWorld, World, major


@pytest.fixture
def world() -> World:
    return FakeWorld()


def financed_and_paid(world: World, paid: int) -> str:
    """A financed invoice the buyer paid `paid` of (minor units); its id."""
    invoice = fund(world, approved(world))
    if paid:
        world.invoices().record_payment(invoice.id, major(paid), clock.today(), "pay-1")
    return invoice.id


def test_the_trial_balance_follows_funding_and_payment_and_its_debits_equal_its_credits(world):
    invoice_id = financed_and_paid(world, 30_000)
    ledger, today = world.ledger(), clock.today()
    (usd,) = ledger.trial_balances(today)
    assert usd.currency == "usd" and usd.debits == usd.credits > 0
    balances = {a.account: a.balance for a in usd.accounts}
    claim = books.claim_outstanding(world.invoices().get(invoice_id))
    assert balances[Account.ADVANCES_RECEIVABLE] + balances.get(Account.LATE_FEES_RECEIVABLE, 0) == claim
    assert ledger.trial_balances(today, invoice_id) == [usd]  # its only invoice
    (aged,) = ledger.aging(today)
    assert (
        aged.total.buckets["current"] == claim
        and aged.buyers[world.invoices().get(invoice_id).buyer].total == claim
    )


def test_the_journal_pages_in_position_order_and_filters_by_account(world):
    invoice_id = financed_and_paid(world, 30_000)
    world.invoices().record_payment(invoice_id, major(AMOUNT - 30_000), clock.today(), "pay-2")
    ledger = world.ledger()

    def entries(**filters):
        found, position = ledger.entries(
            **{
                "invoice": None,
                "account": None,
                "posted_from": None,
                "posted_to": None,
                "after": None,
                **filters,
            }
        )
        return found, position is not None

    everything, more = entries(limit=10)
    assert len(everything) == 3 and not more
    assert [sort_key(e) for e in everything] == sorted(sort_key(e) for e in everything)
    first, more = entries(invoice=invoice_id, limit=2)
    rest, last = entries(invoice=invoice_id, limit=2, after=sort_key(first[-1]))
    assert more and not last and first + rest == everything
    some = next(a for a in Account if 0 < sum(a in {p.account for p in e.postings} for e in everything) < 3)
    expected = [e for e in everything if some in {p.account for p in e.postings}]
    assert entries(account=some, limit=10) == (expected, False)
    assert entries(invoice=invoice_id, account=some, limit=10) == (expected, False)
    assert entries(posted_from=clock.today(), posted_to=clock.today(), limit=10) == (everything, False)


def test_the_exposure_report_shows_each_buyers_limit_drawn_and_available(world):
    funded = fund(world, approved(world, limit=2 * ADVANCE, reference="r-1"))
    waiting = approved(world, reference="r-2")
    buyers, suppliers = world.ledger().exposure()
    by_company = {b.company: (b.limit, b.drawn, b.available) for b in buyers}
    assert by_company == {
        funded.buyer: (2 * ADVANCE, ADVANCE, ADVANCE),
        waiting.buyer: (1_000_000, 0, 1_000_000),
    }
    assert [(s.company, s.drawn) for s in suppliers] == [(funded.supplier, ADVANCE)]


def test_the_volume_report_shows_what_each_month_funded_and_collected_as_the_ledger_booked(world):
    invoice_id = financed_and_paid(world, 30_000)
    ledger, this_month = world.ledger(), month_of(clock.today())
    before = previous_month(this_month)
    (usd,) = ledger.volume(before, this_month)
    assert usd.currency == "usd"
    assert usd.months == [(before, Volume()), (this_month, Volume(ADVANCE, 30_000))]
    booked, _ = ledger.entries(
        invoice=invoice_id, account=None, posted_from=None, posted_to=None, limit=10, after=None
    )
    assert sum((entry_volume(e) for e in booked), Volume()) == Volume(ADVANCE, 30_000)
    assert ledger.volume(previous_month(before), before) == []  # nothing moved in that span


def test_the_volume_report_refuses_a_span_backwards_over_36_months_or_after_this_month(world):
    this_month = month_of(clock.today())
    for first, last in [("2026-05", "2026-04"), ("2023-01", "2026-01"), (this_month, next_month(this_month))]:
        with pytest.raises(Unprocessable):
            world.ledger().volume(first, last)


def test_a_final_months_volume_comes_from_its_closing(world):
    financed_and_paid(world, 30_000)
    funded_in = month_of(clock.today())
    later = clock.now() + timedelta(days=70)  # the funding's month is final by then
    clock.set_clock(lambda: later)
    try:
        ledger = world.ledger()
        (usd,) = ledger.volume(funded_in, month_of(later))
        assert usd.months[0] == (funded_in, Volume(ADVANCE, 30_000))
        assert all(volume == Volume() for _, volume in usd.months[1:]) and len(usd.months) == 3
        stored = ledger.store.volumes(ledger.actor.tenant_id, first=funded_in, last=funded_in)
        assert stored == {funded_in: {"usd": Volume(ADVANCE, 30_000)}}
        assert ledger.volume(funded_in, month_of(later)) == [usd]  # now read from the closing
    finally:
        clock.reset_clock()
