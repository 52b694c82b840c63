"""What one invoice's life costs in AWS calls (the walk `make bench` prints), held as a test: every
state change is one transaction that carries its journal entry, and a GET of one item is one read."""

import pytest

from bench.lifecycle import walk

pytestmark = pytest.mark.usefixtures("aws")


def transactions(operations: list[str]) -> int:
    return sum(
        int(op.partition(" (")[2].rstrip(")") or 1)
        for op in operations
        if op.startswith("TransactWriteItems")
    )


def test_each_state_change_is_one_transaction_and_a_get_of_one_item_one_read(aws):
    rows = {label: operations for label, _, operations in walk(aws.environment()["DOCUMENTS_BUCKET"])}
    writes = {label: transactions(operations) for label, operations in rows.items()}
    # Two requests make two state changes each: submit also marks its document uploaded, and switching
    # the concentration limit on saves the settings, then counts the exposures into the portfolio.
    two = {
        label
        for label in writes
        if label.startswith(("POST /v1/invoices/{invoice_id}/submit", "PUT /v1/settings"))
    }
    assert len(two) == 2
    for label, count in writes.items():
        if label.startswith("GET"):
            assert count == 0, label
        else:
            assert count == (2 if label in two else 1), (label, rows[label])
        assert not any(op.startswith(("PutItem", "UpdateItem", "DeleteItem")) for op in rows[label]) or (
            label.startswith("registration worker")  # the registrar simulator's own record
        ), label
    for label in (
        "GET /v1/invoices/{invoice_id}",
        "GET /v1/invoices?status=repaid",
        "GET /v1/invoices/{invoice_id}/history",
        "GET /v1/ledger/entries?invoice=",
    ):
        assert rows[label] in (["GetItem"], ["Query"]), (label, rows[label])
