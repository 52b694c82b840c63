"""How buyer payments settle the lender's claim, checked against a plain reference model."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from financing.domain.claim import claim_of, claim_payments, settled_on
from financing.domain.invoices import Financing, Invoice, Payment

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def invoice_with(payments: list[Payment], *, late_fees: int = 0) -> Invoice:
    return Invoice(
        id="inv_01JD5ZB8K6X9Q2W3E4R5T6Y7V8",
        tenant_id="acme",
        supplier="company_a",
        buyer="company_b",
        invoice_number="N",
        client_reference_id="r",
        invoice_document="doc_x",
        amount=100_000,
        currency="brl",
        type_of_goods=["other"],
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 3, 31),
        payments=payments,
        financing=Financing(
            advance_rate=9000,
            fee_rate=250,
            first_payment=90_000,
            discount=2_250,
            late_payment_fees=late_fees,
            funded_at=NOW,
            disbursement_date=date(2026, 1, 2),
        ),
        created=NOW,
        updated=NOW,
    )


payment_lists = st.lists(
    st.tuples(st.integers(1, 60_000), st.integers(0, 40), st.integers(0, 1000)), max_size=8
).map(
    lambda rows: [
        Payment(
            id=f"pay_{i}",
            amount=amount,
            paid_date=date(2026, 3, 1) + timedelta(days=day),
            reference=str(i),
            recorded_at=NOW + timedelta(seconds=second),
        )
        for i, (amount, day, second) in enumerate(rows)
    ]
)


@given(payment_lists, st.integers(0, 5_000))
def test_payments_go_to_the_claim_first_in_paid_date_order(payments, late_fees):
    invoice = invoice_with(payments, late_fees=late_fees)
    claim = 92_250 + late_fees
    # The reference: walk the payments by paid date (then recording), each paying what the claim lacks.
    expected, remaining, settled = [], claim, None
    for p in sorted(payments, key=lambda p: (p.paid_date, p.recorded_at)):
        part = min(p.amount, remaining)
        if part:
            expected.append((p.id, part))
            remaining -= part
            if remaining == 0:
                settled = p.paid_date
    assert claim_of(invoice) == claim
    assert [(a.payment.id, a.amount) for a in claim_payments(invoice)] == expected
    assert sum(a.amount for a in claim_payments(invoice)) == min(claim, sum(p.amount for p in payments))
    assert settled_on(invoice) == settled
