"""The ledger through the API: entries written with each change, the journal, balances, reports, CSV."""

import csv
import io
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import botocore.client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.adapters.dynamo import EntityTable, TransactionRefused
from financing.adapters.invoices import InvoiceStore
from financing.adapters.ledger import LedgerStore, entry_write
from financing.domain.ledger import (
    claim_outstanding,
    entry_for,
    invoice_balances,
    month_of,
    next_month,
    previous_month,
)
from local import moto_transactions
from tests.integration.harness import Context, api_event, call, handler
from tests.integration.invoice_fixtures import LENDER, act, company, get, uploaded_document
from tests.integration.test_invoice_ageing_and_races import age, financed_invoice

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.reset_clock()


def ledger(path, query=None, scope=LENDER, function=None):
    name = (
        function
        or {
            "/v1/ledger/entries": "list_ledger_entries",
            "/v1/ledger/entries.csv": "export_ledger_entries",
            "/v1/ledger/balances": "get_ledger_balances",
            "/v1/reports/aging": "get_aging_report",
            "/v1/reports/exposure": "get_exposure_report",
            "/v1/reports/volume": "get_volume_report",
        }[path]
    )
    return call(name, "GET", path, query=query, scope=scope)


def pay(invoice_id, amount, on=None, reference="pay"):
    paid = (on or clock.today()).isoformat()
    body = {"amount": amount, "paid_date": paid, "reference": reference}
    return act("record_invoice_payment", "payments", invoice_id, body)


def entries(query=None):
    reply = ledger("/v1/ledger/entries", {"limit": "100", **(query or {})})
    assert reply.status == 200, reply.json
    return reply.json["data"]


def books(query=None):
    reply = ledger("/v1/ledger/balances", query)
    assert reply.status == 200, reply.json
    return {
        tb["currency"]: {a["account"]: round((a["debit"] - a["credit"]) * 100) for a in tb["accounts"]}
        for tb in reply.json["data"]
    }


def test_funding_and_payments_write_balanced_entries_carrying_their_event_and_correlation_id():
    invoice, _ = financed_invoice()
    funded = act("fund_invoice", "fund", invoice["id"], {}, headers={"x-correlation-id": "corr-fund-1"})
    assert funded.status == 200
    assert pay(invoice["id"], 50000).status == 200
    assert pay(invoice["id"], 38000).status == 200  # 88,000.00 in all: repaid, the rebate paid out

    journal = entries({"invoice": invoice["id"]})
    assert [e["object"] for e in journal] == ["ledger_entry"] * 3
    assert journal[0]["correlation_id"] == "corr-fund-1" and journal[0]["event"].startswith("evt_")
    assert [e["invoice_version"] for e in journal] == sorted(e["invoice_version"] for e in journal)
    for entry in journal:
        debits = sum(line["amount"] for line in entry["lines"] if line["side"] == "debit")
        credits = sum(line["amount"] for line in entry["lines"] if line["side"] == "credit")
        assert round(debits * 100) == round(credits * 100) > 0
    # 88,000.00 at the default pricing: advance 79,200.00, discount 1,980.00; the rebate is the rest.
    assert {account: value for account, value in books()["usd"].items() if value} == {
        "cash": 8_800_000 - 7_920_000 - (8_800_000 - 7_920_000 - 198_000),
        "fee_income": -198_000,
    }
    assert books({"invoice": invoice["id"]})["usd"]["fee_income"] == -198_000


def test_the_sub_ledger_follows_the_invoice_through_ageing_and_default():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    age(due + timedelta(days=1))
    age(due + timedelta(days=20))
    overdue = get(invoice["id"]).json
    tenant_books = books()["usd"]
    outstanding = round(overdue["financing"]["repayment_outstanding"] * 100)
    assert tenant_books["advances_receivable"] + tenant_books["late_fees_receivable"] == outstanding
    assert tenant_books["late_fee_income"] == -round(overdue["financing"]["late_payment_fees"] * 100) < 0
    age(due + timedelta(days=95))
    assert get(invoice["id"]).json["status"] == "defaulted"
    written = books()["usd"]
    assert written["advances_receivable"] == written["late_fees_receivable"] == 0
    assert written["write_offs"] > outstanding
    assert entries({"account": "write_offs"}) == entries({"invoice": invoice["id"]})[-1:]


def test_a_retried_commit_writes_the_entry_once():
    """The same change committed twice (a retry after a lost reply) is refused the second time whole:
    the entry's key derives from the invoice version, and neither it nor the invoice is written again."""
    invoice, _ = financed_invoice()
    store = InvoiceStore()
    before = store.get("acme", invoice["id"])
    act("fund_invoice", "fund", invoice["id"], {})
    after = store.get("acme", invoice["id"])
    from financing.adapters.concentration import Guard
    from financing.composition.invoices import invoice_event
    from financing.domain.actor import Actor
    from financing.domain.errors import Conflict
    from financing.services.invoices import _events_for

    actor = Actor(tenant_id="acme", subject="dev", scopes=frozenset(), correlation_id="retry")
    with pytest.raises(Conflict):
        store.move(
            after,
            before,
            [],
            actor,
            _events_for(after, [], actor, invoice_event),
            limit_guard={"total_limit": 0, "headroom": 0},
            concentration=Guard(settings_version=0),
        )
    assert len(list(LedgerStore().of_invoice("acme", invoice["id"]))) == 1
    # The entry alone, recomputed as a retry would (new event, new correlation id), has the same key,
    # and its own condition refuses it.
    retried = entry_for(before, after, event_id="evt_retry", correlation_id="retry", at=after.updated)
    (stored,) = LedgerStore().of_invoice("acme", invoice["id"])
    assert retried.id == stored.id and retried.postings == stored.postings
    with pytest.raises(TransactionRefused) as refused:
        EntityTable().commit([entry_write(EntityTable().table_name, retried)], [])
    assert refused.value.failed == [0]


def journal_reads(queries: list[dict]) -> list[dict]:
    """The Queries of the journal's entries (month partitions or the invoice index) among those sent."""
    return [q for q in queries if ":low" in q["ExpressionAttributeValues"]]


def test_a_start_date_long_ago_or_an_end_far_ahead_reads_only_the_tenants_months(dynamodb_queries):
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    dynamodb_queries.clear()
    assert len(entries({"posted_from": "1900-01-01", "posted_to": "9999-12-31"})) == 1
    assert len(journal_reads(dynamodb_queries)) == 1


def test_a_replayed_request_writes_no_second_entry():
    invoice, _ = financed_invoice()
    headers = {"Idempotency-Key": "fund-once"}
    first = act("fund_invoice", "fund", invoice["id"], {}, headers=headers)
    again = act("fund_invoice", "fund", invoice["id"], {}, headers=headers)
    assert first.status == again.status == 200 and first.json == again.json
    assert len(entries({"invoice": invoice["id"]})) == 1


@pytest.fixture
def item_priced_transactions():
    """Transactions that cost the items they write, not the whole table, as on the local stack."""
    with moto_transactions.installed():
        yield


@pytest.mark.usefixtures("item_priced_transactions")
def test_fifty_concurrent_fundings_in_one_tenant_share_no_item(monkeypatch):
    """Each funding's transaction writes its own items only (invoice, history, entry, its buyer's exposure,
    outbox): 50 fundings run at once, all commit, and no key is written by two of them."""
    document = uploaded_document()
    supplier = company("Supplier")
    invoices = []
    for n in range(50):
        invoice, _ = financed_invoice(reference=f"r{n}", parties=(supplier, company(f"Buyer {n}"), document))
        invoices.append(invoice)
    real_call = botocore.client.BaseClient._make_api_call
    one_at_a_time = threading.Lock()  # moto is not thread-safe; the local stack serialises it the same way
    written: list[set[tuple[str, str]]] = []

    def serialised(self, operation, params):
        with one_at_a_time:
            if operation == "TransactWriteItems":
                keys = set()
                for write in params["TransactItems"]:
                    ((_, op),) = write.items()
                    item = op.get("Item") or op.get("Key")
                    keys.add((item["pk"]["S"], item["sk"]["S"]))
                written.append(keys)
            return real_call(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", serialised)
    with ThreadPoolExecutor(50) as pool:
        replies = list(pool.map(lambda i: act("fund_invoice", "fund", i["id"], {}), invoices))
    assert [r.status for r in replies] == [200] * 50, [r.json for r in replies if r.status != 200]
    fundings = [keys for keys in written if any("#LEDGER#" in pk for pk, _ in keys)]
    assert len(fundings) == 50
    every_key = [key for keys in fundings for key in keys]
    assert len(every_key) == len(set(every_key)), "two fundings wrote the same item"
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", real_call)
    assert len(entries()) == 50
    tenant_books = books()["usd"]
    assert sum(tenant_books.values()) == 0 and tenant_books["cash"] == -50 * 7_920_000


def test_the_journal_pages_by_cursor_and_filters_by_account_and_date():
    for n in range(3):
        invoice, _ = financed_invoice(reference=f"p{n}")
        act("fund_invoice", "fund", invoice["id"], {})
    pay(invoice["id"], 100)
    first = ledger("/v1/ledger/entries", {"limit": "2"}).json
    assert first["has_more"] and len(first["data"]) == 2
    rest = ledger("/v1/ledger/entries", {"limit": "2", "cursor": first["next_cursor"]}).json
    assert not rest["has_more"] and len(rest["data"]) == 2
    ids = [e["id"] for e in first["data"] + rest["data"]]
    assert len(set(ids)) == 4 and all(i.startswith("je_") for i in ids)
    assert [e["invoice"] for e in entries({"account": "fee_income"})] == [
        e["invoice"] for e in first["data"] + rest["data"]
    ][:3]
    assert len(entries({"account": "cash", "posted_from": clock.today().isoformat()})) == 4
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    assert entries({"posted_from": tomorrow, "posted_to": tomorrow}) == []
    other = ledger("/v1/ledger/entries", {"limit": "2", "account": "cash", "cursor": first["next_cursor"]})
    assert other.status == 400 and other.json["error"]["code"] == "invalid_cursor"


def test_an_earlier_month_is_read_from_its_own_partition():
    clock.set_clock(lambda: datetime(2026, 1, 20, 12, tzinfo=UTC))
    january, _ = financed_invoice(reference="jan")
    act("fund_invoice", "fund", january["id"], {})
    clock.set_clock(lambda: datetime(2026, 3, 2, 12, tzinfo=UTC))
    pay(january["id"], 100)
    journal = entries()
    assert [e["posted_at"][:7] for e in journal] == ["2026-01", "2026-03"]
    assert [e["value_date"] for e in journal] == ["2026-01-20", "2026-03-02"]
    assert books({"as_of": "2026-02-28"})["usd"]["cash"] == -7_920_000
    assert books({"as_of": "2026-03-02"})["usd"]["cash"] == -7_920_000 + 10_000
    assert [e["posted_at"][:7] for e in entries({"posted_from": "2026-02-01"})] == ["2026-03"]


def test_the_journal_exports_as_csv_one_row_per_posting():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {}, headers={"x-correlation-id": "-2-3"})
    reply = handler("export_ledger_entries")(
        api_event("GET", "/v1/ledger/entries.csv", query={"limit": "1"}, scope=LENDER), Context()
    )
    headers = {k.lower(): v[-1] for k, v in reply["multiValueHeaders"].items()}
    assert reply["statusCode"] == 200 and headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply["body"])))
    assert {r["account"] for r in rows} == {"advances_receivable", "cash", "fee_income"}
    debit = sum(float(r["debit"] or 0) for r in rows)
    assert debit == sum(float(r["credit"] or 0) for r in rows) == 79200 + 1980
    assert {r["correlation_id"] for r in rows} == {"'-2-3"}  # never a spreadsheet formula
    assert "x-next-cursor" not in headers


def test_the_aging_report_buckets_claims_by_days_past_due_per_buyer():
    invoice, (_, buyer, _) = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    current = ledger("/v1/reports/aging", {"as_of": clock.today().isoformat()}).json["data"]
    assert current[0]["currency"] == "usd" and current[0]["total"]["current"] == 81180
    clock.set_clock(lambda: datetime.combine(due + timedelta(days=45), datetime.min.time(), tzinfo=UTC))
    late = ledger("/v1/reports/aging", {"as_of": (due + timedelta(days=45)).isoformat()}).json["data"][0]
    assert late["total"]["days_31_60"] == 81180 and late["total"]["current"] == 0
    assert [b["buyer"] for b in late["buyers"]] == [buyer["id"]]


def test_the_exposure_report_shows_limits_drawn_available_and_overdue():
    invoice, (supplier, buyer, _) = financed_invoice(limit=10_000_000)
    act("fund_invoice", "fund", invoice["id"], {})
    report = ledger("/v1/reports/exposure").json
    assert report["object"] == "exposure_report"
    (row,) = [b for b in report["buyers"] if b["company"] == buyer["id"]]
    assert (row["limit"], row["drawn"], row["available"], row["overdue"]) == (100_000, 79200, 20800, 0)
    (seller,) = report["suppliers"]
    assert (seller["company"], seller["drawn"], seller["limit"]) == (supplier["id"], 79200, None)
    due = datetime.fromisoformat(get(invoice["id"]).json["due_date"]).date()
    clock.set_clock(lambda: datetime.combine(due + timedelta(days=2), datetime.min.time(), tzinfo=UTC))
    later = ledger("/v1/reports/exposure").json
    assert later["buyers"][0]["overdue"] == later["suppliers"][0]["overdue"] == 81180


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/v1/ledger/balances", {"as_of": "2026-02-30"}, "as_of"),
        ("/v1/reports/aging", {"as_of": "yesterday"}, "as_of"),
        ("/v1/ledger/entries", {"account": "petty_cash"}, "account"),
        ("/v1/ledger/entries", {"posted_from": "2026-03-02", "posted_to": "2026-03-01"}, "posted_to"),
        ("/v1/ledger/entries", {"invoice": "company_01JD0000000000000000000000"}, "invoice"),
        ("/v1/ledger/entries.csv", {"posted_from": "2026-13-01"}, "posted_from"),
        ("/v1/ledger/balances", {"as_of": "2999-01-01"}, "as_of"),
    ],
)
def test_bad_input_is_a_400_in_the_core_envelope(path, query, field):
    reply = ledger(path, query)
    assert reply.status == 400, reply.json
    error = reply.json["error"]
    assert error["type"] == "invalid_request_error" and error["correlation_id"]
    assert any(field in detail["field"] for detail in error["details"]), error


@pytest.mark.parametrize(
    "path",
    [
        "/v1/ledger/entries",
        "/v1/ledger/entries.csv",
        "/v1/ledger/balances",
        "/v1/reports/aging",
        "/v1/reports/exposure",
        "/v1/reports/volume",
    ],
)
def test_the_ledger_needs_the_lender_scope(path):
    reply = ledger(path, scope="invoices:read invoices:write")
    assert reply.status == 403 and reply.json["error"]["code"] == "missing_scope"


FUNDING_MEMOS = {"advance disbursed to the supplier", "IOF withheld from the advance"}
PAYMENT_MEMOS = {
    "buyer payment applied to the claim",
    "buyer payment applied to late fees",
    "buyer payment beyond the claim, payable to the supplier",
}


def booked_volume(journal: list[dict]) -> tuple[int, int]:
    """(funded, collected) in minor units as the entries booked them: the claim's advance lines, the
    cash of the payment lines."""
    funded = collected = 0
    for entry in journal:
        for line in entry["lines"]:
            sign = 1 if line["side"] == "debit" else -1
            cents = sign * round(line["amount"] * 100)
            if line["memo"] in FUNDING_MEMOS and line["account"] == "advances_receivable":
                funded += cents
            elif line["memo"] in PAYMENT_MEMOS and line["account"] == "cash":
                collected += cents
    return funded, collected


def test_the_volume_report_shows_funded_and_collected_by_month_as_the_ledger_booked():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    assert pay(invoice["id"], 30000).status == 200  # a partial payment
    reply = ledger("/v1/reports/volume")  # the last 12 months, this one last
    assert reply.status == 200, reply.json
    (usd,) = reply.json["data"]
    assert usd["object"] == "volume_report" and usd["currency"] == "usd"
    this_month = month_of(clock.today())
    assert len(usd["months"]) == 12 and usd["months"][-1]["month"] == this_month
    assert all(m["funded"] == m["collected"] == 0 for m in usd["months"][:-1])  # no gaps: zeros
    latest = usd["months"][-1]
    assert (latest["funded"], latest["collected"]) == (79200, 30000)
    booked = booked_volume(entries({"invoice": invoice["id"]}))
    assert booked == (round(latest["funded"] * 100), round(latest["collected"] * 100))
    (only,) = ledger("/v1/reports/volume", {"from": this_month, "to": this_month}).json["data"]
    assert only["months"] == [latest]


def test_bad_months_are_refused_in_the_core_envelope():
    this_month = month_of(clock.today())
    long_ago = this_month
    for _ in range(40):
        long_ago = previous_month(long_ago)
    for query, status in [
        ({"from": "2026-13"}, 400),
        ({"to": "2026-1"}, 400),
        ({"from": "yesterday"}, 400),
        ({"from": this_month, "to": previous_month(this_month)}, 422),  # from after to
        ({"from": long_ago, "to": this_month}, 422),  # 41 months
        ({"from": this_month, "to": next_month(this_month)}, 422),  # after this month
    ]:
        reply = ledger("/v1/reports/volume", query)
        assert reply.status == status, (query, reply.json)
        error = reply.json["error"]
        assert error["type"] == "invalid_request_error" and error["correlation_id"] and error["details"]


def test_the_earliest_months_a_query_can_name_answer_without_a_fault():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})  # a journal, whose first month is this one
    for query in ({"to": "0000-01"}, {"to": "0000-05"}, {"from": "0000-01", "to": "0002-12"}):
        reply = ledger("/v1/reports/volume", query)
        assert reply.status == 200 and reply.json["data"] == [], (query, reply.json)


def test_another_tenant_sees_no_volume():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    reply = call("get_volume_report", "GET", "/v1/reports/volume", scope=LENDER, tenant="globex")
    assert reply.status == 200 and reply.json["data"] == []


def test_another_tenant_sees_none_of_the_entries():
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    reply = call("list_ledger_entries", "GET", "/v1/ledger/entries", scope=LENDER, tenant="globex")
    assert reply.status == 200 and reply.json["data"] == []
    assert invoice_balances(LedgerStore().of_invoice("globex", invoice["id"])) == {}


def test_the_months_of_a_journal_read_cross_the_year():
    from financing.adapters.ledger import _months

    assert _months("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert _months("2026-03", "2026-02") == []


def test_a_journal_starting_after_today_is_empty_not_an_inverted_key_range(dynamodb_queries):
    """With no end date the journal ends today: a start later in the month must not send DynamoDB a
    BETWEEN whose lower bound exceeds the upper one (a ValidationException there, so a 500)."""
    clock.set_clock(lambda: datetime(2026, 3, 10, 12, tzinfo=UTC))
    invoice, _ = financed_invoice()
    act("fund_invoice", "fund", invoice["id"], {})
    assert entries({"posted_from": "2026-03-20"}) == []
    for request in journal_reads(dynamodb_queries):
        values = request["ExpressionAttributeValues"]
        assert values[":low"]["S"] <= values[":high"]["S"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("pay"), st.integers(1, 10_000)),  # a share of the outstanding amount
            st.tuples(st.just("age"), st.integers(1, 60)),  # days after the due date the daily job runs
        ),
        max_size=5,
    )
)
def test_the_stored_sub_ledger_follows_random_lifecycles_through_the_handlers(steps):
    """Through the real handlers and the table: after every step the invoice's entries, read back from
    its index, hold its claim outstanding, the cash its payments brought, and the tenant's books balance."""
    clock.reset_clock()
    invoice, _ = financed_invoice(reference=str(uuid.uuid4()))
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    due = datetime.fromisoformat(invoice["due_date"]).date()
    payments = 0
    for kind, value in steps:
        shown = get(invoice["id"]).json
        if shown["status"] == "repaid":
            break
        if kind == "pay":
            outstanding = round(shown["financing"]["outstanding_amount"] * 100)
            share = max(1, outstanding * value // 10_000)
            assert pay(invoice["id"], share / 100).status == 200
            payments += share
        else:
            day = due + timedelta(days=value)
            if day > clock.today():
                clock.set_clock(lambda day=day: datetime.combine(day, datetime.min.time(), tzinfo=UTC))
            age(clock.today())
        shown = get(invoice["id"]).json
        stored = list(LedgerStore().of_invoice("acme", invoice["id"]))
        sub_ledger = invoice_balances(stored)
        if shown["status"] != "defaulted":
            assert claim_outstanding(sub_ledger) == round(shown["financing"]["repayment_outstanding"] * 100)
        paid_in = sum(
            p.signed for e in stored for p in e.postings if p.account == "cash" and p.side == "debit"
        )
        assert paid_in == payments
        assert all(e.balanced for e in stored) and sum(books()["usd"].values()) == 0
