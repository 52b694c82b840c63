"""The invoice use cases on their ports: funding, payments, ageing and the guards that refuse a change
whole. Here on the in-memory fakes (fast); tests/integration/test_invoice_ports_contract.py runs these
same tests on the real adapters (moto), so the fakes cannot drift from what the use cases rely on."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from financing import clock
from financing.domain.buyer_limits import BuyerLimitExceeded
from financing.domain.concentration import ConcentrationLimitExceeded
from financing.domain.credit_line import CreditLineExceeded
from financing.domain.errors import Conflict, NotFound
from financing.domain.financing_list import InvoiceQuery, ListStatus
from financing.domain.invoices import Invoice, InvoiceType, Party, PaymentExceedsOutstanding, TypeOfGoods
from financing.domain.lifecycle import Status
from financing.services.invoices import Invoices, age_receivables
from tests.unit.worlds import LENDER, TENANT, FakeWorld, World, major

AMOUNT = 100_000  # minor units; the default pricing advances 90%
ADVANCE = 90_000
TERMS = {
    "default_after_days": 30,
    "grace_days": 5,
    "late_fee_rate_percentage": 2400,
    "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
}


@pytest.fixture
def world() -> World:
    return FakeWorld()


# ------------------------------------------------------------------------------------------ given


def draft(
    world: World, *, limit: int | None = 1_000_000, buyer: Any = None, reference: str = "r-1"
) -> Invoice:
    """A draft of AMOUNT between a new supplier and `buyer` (a new one with `limit`)."""
    supplier = world.company("Supplier")
    if buyer is None:
        buyer = world.company("Buyer")
        if limit is not None:
            world.buyer_limit(buyer.id, limit)
    today = clock.today()
    return world.invoices().create(
        {
            "supplier": supplier.id,
            "buyer": buyer.id,
            "invoice_number": f"INV-{reference}",
            "client_reference_id": reference,
            "invoice_document": world.document().id,
            "amount": AMOUNT,
            "currency": "usd",
            "type_of_goods": [TypeOfGoods.OTHER],
            "issue_date": today - timedelta(days=10),
            "due_date": today + timedelta(days=60),
        }
    )


def approved(
    world: World, *, limit: int | None = 1_000_000, buyer: Any = None, reference: str = "r-1"
) -> Invoice:
    """An approved invoice: a draft submitted and signed by both parties' signatories."""
    invoice = draft(world, limit=limit, buyer=buyer, reference=reference)
    invoices = world.invoices()
    invoices.submit(invoice.id)
    invoices.request_signatures(invoice.id)
    supplier, buyer = (world.ports.companies.get(TENANT, c) for c in (invoice.supplier, invoice.buyer))
    invoices.sign(invoice.id, Party.SUPPLIER, supplier.contacts[0].id)
    return invoices.sign(invoice.id, Party.BUYER, buyer.contacts[0].id)


def fund(world: World, invoice: Invoice, invoices: Invoices | None = None) -> Invoice:
    return (invoices or world.invoices()).fund(invoice.id, None, None, None)


class StaleInvoices:
    """The invoice store, except that the given invoices read as they were (a request that read them
    before another one committed)."""

    def __init__(self, store: Any, *invoices: Invoice) -> None:
        self.store, self.as_read = store, {i.id: i for i in invoices}

    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        return self.as_read.get(invoice_id) or self.store.get(tenant_id, invoice_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class FundingReadFirst:
    """The reads, except that each invoice's funding facts are those read now, before anything commits
    (requests that all read before any of them commits)."""

    def __init__(self, reads: Any, *invoices: Invoice) -> None:
        self.reads, self.as_read = reads, {i.id: reads.funding(TENANT, i) for i in invoices}

    def funding(self, tenant_id: str, invoice: Invoice) -> Any:
        return self.as_read[invoice.id]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.reads, name)


def untouched(world: World, invoice: Invoice, events_before: list[str]) -> None:
    """Nothing of a refused change was written: the invoice as it was, no entry, no event."""
    stored = world.invoices().get(invoice.id)
    assert (stored.status, stored.version) == (invoice.status, invoice.version)
    assert world.journal(invoice.id) == []
    assert world.events() == events_before


# -------------------------------------------------------------------------------------------- fund


def test_funding_finances_the_invoice_draws_the_buyers_limit_and_posts_one_balanced_entry(world):
    invoice = approved(world)
    funded = fund(world, invoice)
    assert funded.status == Status.FINANCED and funded.financing.first_payment == ADVANCE
    stored = world.invoices().get(invoice.id)
    assert (stored.status, stored.version, stored.financing) == (
        Status.FINANCED,
        invoice.version + 1,
        funded.financing,
    )
    assert world.exposure(invoice.buyer).outstanding == ADVANCE
    (entry,) = world.journal(invoice.id)
    assert entry.balanced and entry.invoice_version == funded.version
    assert world.events().count("invoice.financed") == 1
    assert [h["to"] for h in world.invoices().history(invoice.id, limit=10, after=None)[0]][-1] == "financed"


def test_funding_beyond_the_buyers_available_limit_is_refused_and_writes_nothing(world):
    invoice = approved(world, limit=ADVANCE - 1)
    before = world.events()
    with pytest.raises(BuyerLimitExceeded) as refused:
        fund(world, invoice)
    assert refused.value.code == "buyer_limit_exceeded"
    untouched(world, invoice, before)
    assert world.exposure(invoice.buyer).outstanding == 0


def test_two_fundings_decided_on_one_read_of_the_buyers_limit_cannot_both_commit(world):
    """The limit holds one advance; both fundings read it empty before either commits. The second's own
    check passes on what it read, so only the store's guard can refuse it."""
    first = approved(world, limit=ADVANCE + ADVANCE // 2, reference="r-1")
    buyer = world.ports.companies.get(TENANT, first.buyer)
    second = approved(world, buyer=buyer, reference="r-2")
    racing = Invoices(LENDER, replace(world.ports, reads=FundingReadFirst(world.ports.reads, first, second)))
    fund(world, first, racing)
    before = world.events()
    with pytest.raises(BuyerLimitExceeded) as refused:
        fund(world, second, racing)
    assert refused.value.code == "buyer_limit_exceeded"
    untouched(world, second, before)
    assert world.exposure(buyer.id).outstanding == ADVANCE


def test_two_fundings_decided_on_one_read_of_the_credit_line_cannot_both_commit(world):
    world.credit_line(ADVANCE + ADVANCE // 2)
    first, second = approved(world, reference="r-1"), approved(world, reference="r-2")
    racing = Invoices(LENDER, replace(world.ports, reads=FundingReadFirst(world.ports.reads, first, second)))
    assert fund(world, first, racing).financing.on_credit_line
    before = world.events()
    with pytest.raises(CreditLineExceeded) as refused:
        fund(world, second, racing)
    assert refused.value.code == "credit_line_exceeded"
    untouched(world, second, before)
    assert world.line_outstanding() == ADVANCE
    assert world.exposure(second.buyer).outstanding == 0


def test_a_change_decided_on_a_stale_read_of_the_invoice_is_refused_and_writes_nothing(world):
    invoice = approved(world)
    declined = world.invoices().decline(invoice.id, "documents do not match")
    stale = Invoices(LENDER, replace(world.ports, invoices=StaleInvoices(world.ports.invoices, invoice)))
    before = world.events()
    with pytest.raises(Conflict) as lost:
        fund(world, invoice, stale)
    assert lost.value.code == "conflict"
    untouched(world, declined, before)
    assert world.exposure(invoice.buyer).outstanding == 0


def test_a_funding_that_would_breach_the_concentration_limit_is_refused_and_writes_nothing(world):
    """Cap 50% above one advance: Alpha's first funding is within the ramp-up, Beta's makes 50%, Alpha's
    second would make Alpha 67%."""
    world.settings(**TERMS, concentration_limit_percentage=5000, concentration_limit_applies_above=ADVANCE)
    alpha = world.company("Alpha")
    world.buyer_limit(alpha.id, 10 * ADVANCE)
    fund(world, approved(world, buyer=alpha, reference="a-1"))
    fund(world, approved(world, reference="b-1"))
    again = approved(world, buyer=alpha, reference="a-2")
    before = world.events()
    with pytest.raises(ConcentrationLimitExceeded) as refused:
        fund(world, again)
    assert refused.value.code == "concentration_limit_exceeded"
    untouched(world, again, before)
    assert world.exposure(alpha.id).outstanding == ADVANCE


# ------------------------------------------------------------------------------------------ payments


def test_a_partial_payment_keeps_the_invoice_financed_and_the_rest_repays_it_releasing_the_limit(world):
    invoice = fund(world, approved(world))
    invoices, today = world.invoices(), clock.today()
    partial = invoices.record_payment(invoice.id, major(30_000), today, "pay-1")
    assert partial.status == Status.FINANCED and partial.financing.collected == 30_000
    assert world.exposure(invoice.buyer).outstanding == ADVANCE
    repaid = invoices.record_payment(invoice.id, major(AMOUNT - 30_000), today, "pay-2")
    assert repaid.status == Status.REPAID and repaid.financing.collected == AMOUNT
    assert world.exposure(invoice.buyer).outstanding == 0
    entries = world.journal(invoice.id)
    assert sorted(e.invoice_version for e in entries) == [invoice.version, partial.version, repaid.version]
    assert all(e.balanced for e in entries)
    assert world.events().count("invoice.payment_received") == 2 and "invoice.repaid" in world.events()


def test_a_payment_above_what_is_outstanding_is_refused_and_writes_nothing(world):
    invoice = fund(world, approved(world))
    before = world.events()
    with pytest.raises(PaymentExceedsOutstanding):
        world.invoices().record_payment(invoice.id, major(AMOUNT + 1), clock.today(), "pay-1")
    stored = world.invoices().get(invoice.id)
    assert (stored.status, stored.version, stored.payments) == (Status.FINANCED, invoice.version, [])
    assert world.events() == before and len(world.journal(invoice.id)) == 1


# ------------------------------------------------------------------------------------------- ageing


def test_ageing_marks_overdue_after_the_grace_period_then_defaults_and_a_second_run_changes_nothing(world):
    world.settings(**TERMS)
    invoice = fund(world, approved(world))

    def age(days_after_due: int) -> dict[str, int]:
        day = invoice.due_date + timedelta(days=days_after_due)
        return age_receivables(
            day, world.ports.invoices, world.settings_store, announce=world.ports.shapes.event
        )

    assert age(5)["overdue"] == 0 and world.invoices().get(invoice.id).status == Status.FINANCED
    assert age(6)["overdue"] == 1
    overdue = world.invoices().get(invoice.id)
    assert overdue.status == Status.OVERDUE and "invoice.overdue" in world.events()
    before = world.events()
    assert age(6) == {"seen": 1, "overdue": 0, "defaulted": 0, "accrued": 0}
    assert world.invoices().get(invoice.id).version == overdue.version and world.events() == before
    assert age(30)["defaulted"] == 1
    assert world.invoices().get(invoice.id).status == Status.DEFAULTED
    assert world.exposure(invoice.buyer).outstanding == ADVANCE  # a defaulted advance still uses the limit
    assert age(31)["seen"] == 0


# ------------------------------------------------------------------------------------------- drafts


def test_a_client_reference_moves_with_an_edit_and_is_freed_by_a_delete(world):
    invoices = world.invoices()
    first = draft(world, reference="r-1")
    edited = invoices.edit(first.id, {"client_reference_id": "r-2"})
    assert (edited.client_reference_id, edited.version) == ("r-2", first.version + 1)
    second = draft(world, reference="r-1")  # freed by the edit
    with pytest.raises(Conflict) as taken:
        invoices.edit(second.id, {"client_reference_id": "r-2"})
    assert taken.value.code == "duplicate_client_reference_id"
    assert invoices.get(second.id).client_reference_id == "r-1"
    invoices.delete(edited.id)
    with pytest.raises(NotFound):
        invoices.get(edited.id)
    assert draft(world, reference="r-2").client_reference_id == "r-2"  # freed by the delete


def test_an_edit_or_a_delete_of_a_stale_draft_is_refused(world):
    first = draft(world)
    world.invoices().edit(first.id, {"invoice_number": "INV-2"})
    stale = Invoices(LENDER, replace(world.ports, invoices=StaleInvoices(world.ports.invoices, first)))
    with pytest.raises(Conflict) as lost_edit:
        stale.edit(first.id, {"invoice_number": "INV-3"})
    with pytest.raises(Conflict) as lost_delete:
        stale.delete(first.id)
    assert lost_edit.value.code == lost_delete.value.code == "conflict"
    assert world.invoices().get(first.id).invoice_number == "INV-2"


def test_submitting_several_drafts_is_all_or_nothing(world):
    first, second = draft(world, reference="r-1"), draft(world, reference="r-2")
    world.invoices().edit(second.id, {"invoice_number": "INV-changed"})
    stale = Invoices(LENDER, replace(world.ports, invoices=StaleInvoices(world.ports.invoices, second)))
    wanted = [(first.id, InvoiceType.RECEIVABLE), (second.id, InvoiceType.RECEIVABLE)]
    before = world.events()
    with pytest.raises(Conflict) as lost:
        stale.submit_many(wanted)
    assert lost.value.code == "conflict"
    assert world.invoices().get(first.id).status == Status.DRAFT and world.events() == before
    submitted = world.invoices().submit_many(wanted)
    assert [i.status for i in submitted] == [Status.NEW, Status.NEW]
    assert len({i.sessions[0].id for i in submitted}) == 1
    assert world.events().count("invoice.new") == 2


# ------------------------------------------------------------------------------------------ reading


def test_lists_are_newest_first_filtered_and_paged(world):
    drafted = draft(world, reference="r-1")
    waiting = approved(world, reference="r-2")
    funded = fund(world, approved(world, reference="r-3"))
    ids = sorted(i.id for i in (drafted, waiting, funded))
    invoices = world.invoices()
    page = invoices.page(limit=2, after=None, filters={})
    assert [i.id for i in page.invoices] == ids[::-1][:2] and page.more
    rest = invoices.page(limit=2, after=page.last_examined, filters={})
    assert [i.id for i in rest.invoices] == ids[:1] and not rest.more
    financed = invoices.page(limit=5, after=None, filters={"status": "financed"})
    assert [i.id for i in financed.invoices] == [funded.id]
    of_buyer = invoices.page(limit=5, after=None, filters={"buyer": waiting.buyer})
    assert [i.id for i in of_buyer.invoices] == [waiting.id]
    listed = invoices.financing_page(InvoiceQuery(statuses=[ListStatus.FUNDED]), after=None, backward=False)
    assert [i.id for i in listed.invoices] == [funded.id] and not listed.more
    first_two = invoices.financing_page(InvoiceQuery(limit=2), after=None, backward=False)
    assert [i.id for i in first_two.invoices] == ids[:2] and first_two.more
    assert invoices.buyer_names([waiting, funded]) == {waiting.buyer: "Buyer", funded.buyer: "Buyer"}


def test_an_invoices_history_is_oldest_first_and_paged(world):
    invoice = approved(world)
    invoices = world.invoices()
    first, more = invoices.history(invoice.id, limit=2, after=None)
    assert [(e["action"], e["to"]) for e in first] == [
        ("submit", "new"),
        ("request_signatures", "requesting_signatures"),
    ]
    assert more and all(e["actor"] == LENDER.subject for e in first)
    rest, more = invoices.history(invoice.id, limit=5, after=first[-1]["sk"])
    assert [(e["action"], e["to"]) for e in rest] == [("sign", "requesting_signatures"), ("sign", "approved")]
    assert not more


def test_a_second_draft_with_the_same_client_reference_is_refused(world):
    invoice = approved(world, reference="r-1")
    with pytest.raises(Conflict) as refused:
        approved(world, reference="r-1")
    assert refused.value.code == "duplicate_client_reference_id"
    assert refused.value.details == {"invoice": invoice.id}
