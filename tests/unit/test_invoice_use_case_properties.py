"""Property: whatever the order of fundings (some decided on a read taken before any of them committed)
and payments, the use cases on the fakes agree with a plain model of a buyer's limit, and a refused
action writes nothing. An advance holds the buyer's limit from funding until its claim is settled."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.domain.errors import DomainError
from financing.domain.lifecycle import EXPOSED, Status
from financing.services.invoices import Invoices
from tests.unit.test_invoice_use_cases import ADVANCE, AMOUNT, FundingReadFirst, approved
from tests.unit.worlds import LENDER, FakeWorld, major

INVOICES = 4
steps = st.lists(
    st.tuples(
        st.sampled_from(["fund", "fund_on_early_read", "pay"]),
        st.integers(0, INVOICES - 1),
        st.integers(1, 100),
    ),
    max_size=14,
)


def attempt(invoices: Invoices, action: str, invoice_id: str, amount: int) -> bool:
    """Whether the action was accepted (a refusal is any domain error: the API answers it 4xx)."""
    try:
        if action == "pay":
            invoices.record_payment(invoice_id, major(amount), clock.today(), "pay")
        else:
            invoices.fund(invoice_id, None, None, None)
    except DomainError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(halves=st.integers(1, 2 * INVOICES + 1), steps=steps)
def test_a_buyer_never_owes_more_than_its_limit_and_a_refusal_writes_nothing(halves, steps):
    limit = halves * ADVANCE // 2  # room for halves // 2 advances
    world = FakeWorld()
    first = approved(world, limit=limit, reference="r-0")
    buyer = world.ports.companies.get(first.tenant_id, first.buyer)
    invoices = [first] + [approved(world, buyer=buyer, reference=f"r-{n}") for n in range(1, INVOICES)]
    early = Invoices(LENDER, replace(world.ports, reads=FundingReadFirst(world.ports.reads, *invoices)))
    model = {"outstanding": 0, "collected": [0] * INVOICES, "status": [Status.APPROVED] * INVOICES}

    for action, n, percent in steps:
        invoice_id = invoices[n].id
        status = model["status"][n]
        before = (world.events(), world.invoices().get(invoice_id).version)
        if action == "pay":
            amount = max(1, (AMOUNT - model["collected"][n]) * percent // 100)
            expected = status in EXPOSED
        else:
            amount = 0
            expected = status == Status.APPROVED and model["outstanding"] + ADVANCE <= limit
        accepted = attempt(
            early if action == "fund_on_early_read" else world.invoices(), action, invoice_id, amount
        )
        assert accepted == expected, (action, n, model)
        if not accepted:
            assert (world.events(), world.invoices().get(invoice_id).version) == before
        elif action == "pay":
            claim = world.invoices().get(invoice_id).financing.repayment_amount  # no late fees here
            settled_before = model["collected"][n] >= claim
            model["collected"][n] += amount
            if model["collected"][n] >= claim and not settled_before:  # the claim settled: limit released
                model["outstanding"] -= ADVANCE
            if model["collected"][n] == AMOUNT:
                model["status"][n] = Status.REPAID
        else:
            model["status"][n], model["outstanding"] = Status.FINANCED, model["outstanding"] + ADVANCE

        stored = [world.invoices().get(i.id) for i in invoices]
        assert [i.status for i in stored] == model["status"]
        assert world.exposure(buyer.id).outstanding == model["outstanding"] == sum(i.exposure for i in stored)
        assert model["outstanding"] <= limit
        assert all(entry.balanced for i in invoices for entry in world.journal(i.id))
