"""A page of the journal is bounded like a page of invoices: whatever its filters, it examines at most
MAX_ITEMS_READ entries and sends at most MAX_QUERIES Queries, then ends early with a cursor; walking the
cursors still returns every matching entry once, in order."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.adapters import read_budget
from financing.adapters.dynamo import EntityTable
from financing.adapters.ledger import LedgerStore, entry_write
from financing.domain.ledger import entry_id
from tests.integration.harness import Context, api_event, call, handler
from tests.integration.invoice_fixtures import LENDER, act
from tests.integration.test_invoice_ageing_and_races import financed_invoice

pytestmark = pytest.mark.usefixtures("aws")
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    clock.set_clock(lambda: NOW)
    yield
    clock.reset_clock()


def journal(entries_by_day: list[int]) -> list[dict]:
    """One funded invoice, then copies of its funding entry posted on the given days before NOW (the
    store writes them as it writes any entry); the tenant's whole journal, oldest first."""
    clock.set_clock(lambda: NOW - timedelta(days=max(entries_by_day, default=0) + 40))
    invoice, _ = financed_invoice(reference=str(uuid.uuid4()))
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    clock.set_clock(lambda: NOW)
    [funding] = LedgerStore().of_invoice("acme", invoice["id"])
    table = EntityTable()
    for n, days in enumerate(entries_by_day):
        at = NOW - timedelta(days=days, seconds=n)
        copy = funding.model_copy(update={"id": entry_id(invoice["id"], 100 + n, at), "posted_at": at})
        table.commit([entry_write(table.table_name, copy)], [])
    return walk({})


def walk(query: dict, limit: int = 7) -> list[dict]:
    found, cursor = [], None
    for _ in range(500):
        reply = call(
            "list_ledger_entries",
            "GET",
            "/v1/ledger/entries",
            query={**query, "limit": str(limit), **({"cursor": cursor} if cursor else {})},
            scope=LENDER,
        )
        assert reply.status == 200, reply.json
        found += reply.json["data"]
        cursor = reply.json["next_cursor"]
        if not reply.json["has_more"]:
            return found
    raise AssertionError("the walk never ended")


def test_a_filter_matching_nothing_ends_the_page_early_within_the_query_budget(dynamodb_queries, monkeypatch):
    monkeypatch.setattr(read_budget, "MAX_QUERIES", 4)
    journal([d * 9 for d in range(40)])  # entries spread over a year of months
    dynamodb_queries.clear()
    reply = call(
        "list_ledger_entries", "GET", "/v1/ledger/entries", query={"account": "write_offs"}, scope=LENDER
    )
    assert reply.status == 200 and reply.json["data"] == []
    assert reply.json["has_more"] and reply.json["next_cursor"]
    assert len(dynamodb_queries) <= 4


def test_a_page_examines_at_most_the_item_budget(dynamodb_queries, monkeypatch):
    monkeypatch.setattr(read_budget, "MAX_ITEMS_READ", 10)
    journal([0] * 30)  # one month
    dynamodb_queries.clear()
    reply = call(
        "list_ledger_entries", "GET", "/v1/ledger/entries", query={"account": "write_offs"}, scope=LENDER
    )
    assert reply.status == 200 and reply.json["data"] == [] and reply.json["has_more"]
    assert (
        sum(q.get("Limit", 10**9) for q in dynamodb_queries[1:]) <= 10
    )  # the first: the tenant's first month


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.integers(0, 400), max_size=25),
    budget=st.integers(3, 6),
    limit=st.integers(1, 5),
    account=st.sampled_from([None, "cash", "write_offs", "fee_income"]),
)
def test_walking_bounded_pages_returns_every_matching_entry_once_in_order(
    monkeypatch, days, budget, limit, account
):
    monkeypatch.setattr(read_budget, "MAX_QUERIES", budget)
    monkeypatch.setattr(read_budget, "MAX_ITEMS_READ", budget * 2)
    everything = journal(days)
    expected = [
        e["id"] for e in everything if account is None or account in {line["account"] for line in e["lines"]}
    ]
    walked = walk({"account": account} if account else {}, limit=limit)
    assert [e["id"] for e in walked] == expected


def test_an_invoices_entries_are_read_under_the_same_budget(dynamodb_queries, monkeypatch):
    monkeypatch.setattr(read_budget, "MAX_ITEMS_READ", 4)
    everything = journal([0] * 9 + [35] * 3)  # the copies are all the one invoice's (its index)
    [invoice] = {e["invoice"] for e in everything}
    dynamodb_queries.clear()
    reply = call(
        "list_ledger_entries",
        "GET",
        "/v1/ledger/entries",
        query={"invoice": invoice, "account": "write_offs"},
        scope=LENDER,
    )
    assert reply.status == 200 and reply.json["data"] == [] and reply.json["has_more"]
    assert [q.get("IndexName") for q in dynamodb_queries] == ["ledger-by-invoice"]
    assert sum(q["Limit"] for q in dynamodb_queries) <= 4
    assert walk({"invoice": invoice, "account": "write_offs"}) == []
    assert [e["id"] for e in walk({"invoice": invoice, "account": "cash"}, limit=3)] == [
        e["id"] for e in everything
    ]


def test_the_csv_export_pages_under_the_same_budget(monkeypatch):
    monkeypatch.setattr(read_budget, "MAX_QUERIES", 4)
    journal([d * 9 for d in range(40)])
    cursor, rows, pages = None, [], 0
    while pages < 50:
        pages += 1
        query = {"account": "write_offs", **({"cursor": cursor} if cursor else {})}
        reply = handler("export_ledger_entries")(
            api_event("GET", "/v1/ledger/entries.csv", query=query, scope=LENDER), Context()
        )
        assert reply["statusCode"] == 200
        rows += list(csv.DictReader(io.StringIO(reply["body"])))
        headers = {k.lower(): v[-1] for k, v in reply["multiValueHeaders"].items()}
        cursor = headers.get("x-next-cursor")
        if cursor is None:
            break
    assert rows == [] and pages > 1  # a year of months: more than one page of at most 4 Queries
