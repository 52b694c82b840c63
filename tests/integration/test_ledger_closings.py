"""Trial balances from month closings: a balance as of a day is the closing of the month before (or of
the latest final month) plus the entries posted since, so a request reads about one month of entries
however long the tenant's history. Proven against the plain definition (the sum of every entry posted
through the day) on the real store over moto."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable, tenant_key, to_item
from financing.adapters.ledger import LedgerStore, entry_write
from financing.composition.ledger import ledger_use_cases
from financing.domain import ledger
from financing.domain.actor import Actor
from financing.domain.ledger import Account, JournalEntry, Posting, Side, entry_id
from financing.ids import new_id
from tests.integration.harness import call
from tests.integration.invoice_fixtures import LENDER, act
from tests.integration.test_invoice_ageing_and_races import financed_invoice
from tests.integration.test_ledger_api import books, pay

pytestmark = pytest.mark.usefixtures("aws")
ACCOUNTS = list(Account)


@pytest.fixture(autouse=True)
def _real_clock():
    yield
    clock.reset_clock()


def at(moment: datetime) -> None:
    clock.set_clock(lambda: moment)


def new_tenant(since: datetime) -> str:
    """A tenant whose oldest invoice was created at `since` (the journal's first month comes from it)."""
    tenant = f"t{uuid.uuid4().hex[:12]}"
    marker = {"pk": tenant_key(tenant, "INVOICE"), "sk": new_id("inv", at=since), "kind": "invoice"}
    client("dynamodb").put_item(TableName=EntityTable().table_name, Item=to_item(marker))
    return tenant


def post(
    tenant: str,
    posted_at: datetime,
    currency: str,
    amount: int,
    debit: Account,
    credit: Account,
    n: int,
    buyer: str = "company_b",
    due_in: int = 0,
    memo: str = "m",
):
    """One balanced entry booked at `posted_at`, written as the store writes every entry."""
    invoice_id = new_id("inv", at=posted_at)
    entry = JournalEntry(
        id=entry_id(invoice_id, n, posted_at),
        tenant_id=tenant,
        invoice_id=invoice_id,
        invoice_version=n,
        currency=currency,
        buyer=buyer,
        supplier="company_s",
        due_date=posted_at.date() + timedelta(days=due_in),
        posted_at=posted_at,
        value_date=posted_at.date(),
        event_id="evt_x",
        correlation_id="c",
        postings=[
            Posting(account=debit, side=Side.DEBIT, amount=amount, memo=memo),
            Posting(account=credit, side=Side.CREDIT, amount=amount, memo=memo),
        ],
    )
    table = EntityTable()
    table.commit([entry_write(table.table_name, entry)], [])
    return entry


def use_cases(tenant: str):
    actor = Actor(
        tenant_id=tenant, subject="lender", scopes=frozenset({"lender:operate"}), correlation_id="c"
    )
    return ledger_use_cases(actor)


def balances_of(tenant: str, as_of: date) -> list[ledger.TrialBalance]:
    return use_cases(tenant).trial_balances(as_of)


def every_entry_through(posted: list[JournalEntry], as_of: date) -> list[ledger.TrialBalance]:
    return ledger.trial_balances(e for e in posted if e.posted_at.astimezone(UTC).date() <= as_of)


def plain_aging(entries: list[JournalEntry], as_of: date) -> list[ledger.AgingReport]:
    """The aging report by its definition: each invoice's claim (advances and late fees receivable)
    in the bucket of its days past due, its write-offs beside, per currency and buyer."""
    reports: dict[str, ledger.AgingReport] = {}
    per_invoice: dict[str, list[JournalEntry]] = {}
    for entry in entries:
        per_invoice.setdefault(entry.invoice_id, []).append(entry)
    for mine in per_invoice.values():
        first = mine[0]
        report = reports.setdefault(first.currency, ledger.AgingReport(first.currency, fresh(), {}))
        signed = [(p.account, p.signed) for e in mine for p in e.postings]
        claim = sum(v for a, v in signed if a in (Account.ADVANCES_RECEIVABLE, Account.LATE_FEES_RECEIVABLE))
        lost = sum(v for a, v in signed if a == Account.WRITE_OFFS)
        bucket = ledger.aging_bucket(first.due_date, as_of)
        for aged in (report.total, report.buyers.setdefault(first.buyer, fresh())):
            aged.buckets[bucket] += claim
            aged.written_off += lost
    for report in reports.values():
        for buyer in [b for b, aged in report.buyers.items() if not aged.total and not aged.written_off]:
            del report.buyers[buyer]
    return [reports[c] for c in sorted(reports)]


def fresh() -> ledger.Aged:
    return ledger.Aged({bucket: 0 for bucket in ledger.AGING_BUCKETS})


START = datetime(2025, 11, 20, 9, tzinfo=UTC)
step = st.one_of(
    st.tuples(st.just("wait"), st.integers(1, 40 * 24)),  # hours
    st.tuples(
        st.just("post"),
        st.sampled_from(["usd", "brl"]),
        st.integers(1, 10**9),
        st.sampled_from(ACCOUNTS),
        st.sampled_from(ACCOUNTS),
        st.integers(0, 15 * 60),  # seconds between the clock read and the commit (a Lambda's timeout)
        st.sampled_from(["company_b1", "company_b2"]),
        st.integers(-60, 120),  # the invoice's due date, days from the posting
    ),
    st.tuples(st.just("ask"), st.one_of(st.just(0), st.integers(0, 200))),  # days before today
    st.tuples(st.just("month_end"), st.integers(0, 20)),  # to the next month's start, plus minutes
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=30))
@example(  # booked 10 minutes before its commit, just after a month ended and its balance was asked
    steps=[
        ("month_end", 5),
        ("ask", 0),
        ("post", "usd", 100, Account.ADVANCES_RECEIVABLE, Account.CASH, 600, "company_b1", 0),
    ]
)
def test_balances_from_closings_equal_the_sum_of_every_entry_through_the_day(steps):
    """Random journals booked as the platform books them (each entry at the clock's time, committed up
    to 15 minutes later, the clock only moving on), balances asked at random times for random days:
    each answer equals the sum of every entry posted through that day, whichever closings were stored."""
    now = START
    at(now)
    tenant, posted = new_tenant(START), []
    for kind, *args in [*steps, ("wait", 24 * 70), ("ask", 0), ("ask", 65)]:
        if kind == "wait":
            now += timedelta(hours=args[0])
            at(now)
        elif kind == "month_end":
            start_of_next = (now.replace(day=1) + timedelta(days=32)).replace(
                day=1, hour=0, minute=0, second=0
            )
            now = start_of_next + timedelta(minutes=args[0])
            at(now)
        elif kind == "post":
            currency, amount, debit, credit, late, buyer, due_in = args
            if debit != credit:
                # Decided `late` seconds ago (never before the tenant's start), committed now.
                moment = max(START, now - timedelta(seconds=late))
                n = len(posted)
                posted.append(post(tenant, moment, currency, amount, debit, credit, n, buyer, due_in))
        else:
            as_of = now.date() - timedelta(days=args[0])
            assert balances_of(tenant, as_of) == every_entry_through(posted, as_of), as_of
            through = [e for e in posted if e.posted_at.astimezone(UTC).date() <= as_of]
            assert use_cases(tenant).aging(as_of) == plain_aging(through, as_of), as_of


def test_an_entry_committed_just_after_its_month_ended_is_in_that_months_closing():
    tenant = new_tenant(datetime(2026, 5, 3, tzinfo=UTC))
    at(datetime(2026, 7, 1, 0, 20, tzinfo=UTC))  # June ended 20 minutes ago: not final yet
    assert balances_of(tenant, date(2026, 7, 1)) == []
    late = post(
        tenant, datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC), "usd", 500, Account.CASH, Account.FEE_INCOME, 1
    )
    assert LedgerStore().closing(tenant, through="2026-06") is not None  # May's, stored on the way
    assert LedgerStore().closing(tenant, through="2026-06").month == "2026-05"
    at(datetime(2026, 7, 1, 1, 30, tzinfo=UTC))  # now June is final
    assert balances_of(tenant, date(2026, 7, 1)) == every_entry_through([late], date(2026, 7, 1))
    june = LedgerStore().closing(tenant, through="2026-06")
    assert june.month == "2026-06" and june.balances[("usd", Account.CASH)] == 500


def test_a_backdated_payment_is_booked_today_and_leaves_closed_months_as_they_were():
    """A payment recorded in June with an April paid date carries April as its value date, but it is
    posted (booked) in June: April's and May's closings, already stored, stay true."""
    at(datetime(2026, 4, 10, 12, tzinfo=UTC))
    invoice, _ = financed_invoice()
    assert act("fund_invoice", "fund", invoice["id"], {}).status == 200
    at(datetime(2026, 6, 15, 12, tzinfo=UTC))
    april = books({"as_of": "2026-04-30"})
    before = books()
    assert LedgerStore().closing("acme", through="2026-05").month == "2026-05"
    assert pay(invoice["id"], 100, on=date(2026, 4, 20)).status == 200
    assert books({"as_of": "2026-04-30"}) == april
    assert books()["usd"]["cash"] == before["usd"]["cash"] + 10_000
    everything = list(LedgerStore().journal("acme", start=None, end=date(2026, 6, 15)))
    assert [e.value_date for e in everything][-1] == date(2026, 4, 20)
    for as_of in (date(2026, 4, 30), date(2026, 6, 15)):
        assert balances_of("acme", as_of) == every_entry_through(everything, as_of)


@pytest.mark.parametrize("months", [3, 15])
def test_balances_and_aging_read_a_bounded_number_of_items_however_long_the_history(dynamodb_queries, months):
    """Once the final months' closings are stored (the first request after a month ends stores them),
    a trial balance or an aging report reads the latest closing and the current month's entries: the
    same two Queries whether the tenant has 3 months of history or 15."""
    now = datetime(2026, 9, 10, 12, tzinfo=UTC)
    start = now - timedelta(days=31 * months)
    at(now)
    tenant = new_tenant(start)
    posted = [
        post(
            tenant,
            start + timedelta(days=10 * n),
            "usd",
            100 + n,
            Account.ADVANCES_RECEIVABLE,
            Account.CASH,
            n,
        )
        for n in range(31 * months // 10 + 1)
    ]
    query = {"as_of": now.date().isoformat()}
    routes = {"get_ledger_balances": "/v1/ledger/balances", "get_aging_report": "/v1/reports/aging"}
    first = {
        name: call(name, "GET", path, query=query, scope=LENDER, tenant=tenant)
        for name, path in routes.items()
    }
    assert all(reply.status == 200 for reply in first.values())
    total = sum(e.postings[0].amount for e in posted)
    (usd,) = first["get_ledger_balances"].json["data"]
    assert {a["account"]: round((a["debit"] - a["credit"]) * 100) for a in usd["accounts"]} == {
        "advances_receivable": total,
        "cash": -total,
    }
    (aged,) = first["get_aging_report"].json["data"]
    assert round(aged["total"]["total"] * 100) == total
    for name, path in routes.items():
        dynamodb_queries.clear()
        again = call(name, "GET", path, query=query, scope=LENDER, tenant=tenant)
        assert again.json == first[name].json
        # The latest closing (one Query) and this month's partition (one Query).
        assert len(dynamodb_queries) == 2, (name, dynamodb_queries)
        read = {q["ExpressionAttributeValues"][":p"]["S"] for q in dynamodb_queries}
        assert read == {tenant_key(tenant, "LEDGER_CLOSING"), tenant_key(tenant, "LEDGER#2026-09")}


def test_a_closing_too_large_for_one_item_is_not_stored_and_the_request_still_answers():
    """Some 5,000 open (buyer, due date) pairs fill DynamoDB's 400 KB item: beyond, the closing is not
    stored (later requests read the months again) rather than failing the request."""
    claims = {
        ("usd", f"company_{n:026d}", date(2026, 1, 1) + timedelta(days=n % 300)): 1 for n in range(9000)
    }
    huge = ledger.MonthClosing("acme", "2026-01", {}, ledger.AgingPositions(claims, {}, frozenset({"usd"})))
    LedgerStore().close(huge)
    assert LedgerStore().closing("acme", through="2026-12") is None


FUNDING = ("advance disbursed to the supplier", Account.ADVANCES_RECEIVABLE, Account.CASH)
PAYMENT = ("buyer payment applied to the claim", Account.CASH, Account.ADVANCES_RECEIVABLE)


def volume_history(tenant: str, start: datetime, months: int) -> list[JournalEntry]:
    """A funding every 10 days from `start` and a payment of each 5 days later, booked as the platform
    books them (through this month)."""
    posted = []
    for n in range(31 * months // 10 + 1):
        for (memo, debit, credit), days, amount in (
            (FUNDING, 10 * n, 1000 + n),
            (PAYMENT, 10 * n + 5, 300 + n),
        ):
            moment = start + timedelta(days=days)
            if moment <= clock.now():
                posted.append(post(tenant, moment, "usd", amount, debit, credit, len(posted), memo=memo))
    return posted


def plain_volume(posted: list[JournalEntry], first: str, last: str) -> list[tuple[str, int, int]]:
    """The report's months by their definition: (month, funded, collected) in minor units."""
    (report,) = ledger.volume_report(ledger.volumes(posted), first, last)
    return [(month, v.funded, v.collected) for month, v in report.months]


def in_minor_units(months: list[dict]) -> list[tuple[str, int, int]]:
    return [(m["month"], round(m["funded"] * 100), round(m["collected"] * 100)) for m in months]


@pytest.mark.parametrize("months", [3, 15])
def test_the_volume_report_reads_a_bounded_number_of_items_however_long_the_history(dynamodb_queries, months):
    """Once the final months' closings are stored, the volume of any span (here the last 12 months)
    reads the latest closing, the closings' volumes (one Query) and this month's entries, the tenant's
    first month besides when the span starts before it: whether the history is 3 months or 15."""
    now = datetime(2026, 9, 10, 12, tzinfo=UTC)
    start = now - timedelta(days=31 * months)
    at(now)
    tenant = new_tenant(start)
    posted = volume_history(tenant, start, months)
    first = call("get_volume_report", "GET", "/v1/reports/volume", scope=LENDER, tenant=tenant)
    assert first.status == 200, first.json
    (usd,) = first.json["data"]
    assert in_minor_units(usd["months"]) == plain_volume(posted, "2025-10", "2026-09")
    dynamodb_queries.clear()
    again = call("get_volume_report", "GET", "/v1/reports/volume", scope=LENDER, tenant=tenant)
    assert again.json == first.json
    read = [q["ExpressionAttributeValues"][":p"]["S"] for q in dynamodb_queries]
    expected = [tenant_key(tenant, "LEDGER_CLOSING")] * 2 + [tenant_key(tenant, "LEDGER#2026-09")]
    if months < 12:  # the span starts before the tenant's first month, which one Query finds
        expected.append(tenant_key(tenant, "INVOICE"))
    assert sorted(read) == sorted(expected), read


def test_a_months_closing_without_its_volume_is_read_from_its_entries():
    """A closing stored before closings kept their month's volume (or none, when too large to store):
    that month's figures come from its own entries."""
    now = datetime(2026, 9, 10, 12, tzinfo=UTC)
    start = datetime(2026, 4, 2, tzinfo=UTC)
    at(now)
    tenant = new_tenant(start)
    posted = volume_history(tenant, start, 6)
    first = use_cases(tenant).volume("2026-03", "2026-09")
    client("dynamodb").update_item(
        TableName=EntityTable().table_name,
        Key=to_item({"pk": tenant_key(tenant, "LEDGER_CLOSING"), "sk": "2026-05"}),
        UpdateExpression="REMOVE #volume",
        ExpressionAttributeNames={"#volume": "volume"},
    )
    assert "2026-05" not in LedgerStore().volumes(tenant, first="2026-03", last="2026-09")
    assert use_cases(tenant).volume("2026-03", "2026-09") == first
    assert first == ledger.volume_report(ledger.volumes(posted), "2026-03", "2026-09")
