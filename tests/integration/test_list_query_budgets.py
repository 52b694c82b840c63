"""Bounded list queries: no list request sends more DynamoDB Queries than its documented budget, however
wide its date range or however sparse its filters; a page that spends its budget ends early with a
cursor, and walking the cursors still returns every matching invoice exactly once.

Counted with the `dynamodb_queries` fixture (every Query the real boto3 client sends)."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financing.adapters import invoice_list, read_budget
from financing.domain.lifecycle import Status
from financing.ids import as_uuid
from tests.integration.harness import call
from tests.integration.monite_fixtures import list_invoices, store, stored_invoice

pytestmark = pytest.mark.usefixtures("aws")

START = datetime(2024, 3, 1, tzinfo=UTC)
tenants = itertools.count()


def invoices_due(tenant: str, months: list[tuple[int, int]], per_month: int) -> list:
    """`per_month` invoices due on the 10th of each (year, month), created a second apart, month by month
    (so a page in id order drains one month's partition after another)."""
    invoices = [
        stored_invoice(
            tenant,
            due=date(year, month, 10),
            issue=date(year, month, 1) - timedelta(days=40),
            created=START + timedelta(seconds=per_month * m + n),
        )
        for n in range(per_month)
        for m, (year, month) in enumerate(months)
    ]
    store(invoices)
    return sorted(invoices, key=lambda i: i.id)


def counted_walk(query: dict, tenant: str, sent: list) -> tuple[list[str], list[str], list[int]]:
    """Every page forward, then backward from the last; the ids each way in list order, and the Queries
    each request sent."""
    per_request: list[int] = []

    def page(params: dict) -> dict:
        before = len(sent)
        reply = list_invoices(params, tenant=tenant)
        per_request.append(len(sent) - before)
        assert reply.status == 200, reply.json
        return reply.json

    pages = [page(query)]
    while pages[-1]["next_pagination_token"]:
        pages.append(page({"pagination_token": pages[-1]["next_pagination_token"]}))
        assert len(pages) < 300, "the walk does not end"
    back = [pages[-1]]
    while back[-1]["prev_pagination_token"]:
        back.append(page({"pagination_token": back[-1]["prev_pagination_token"]}))
        assert len(back) < 300, "the walk back does not end"
    forward = [i["invoice_id"] for p in pages for i in p["data"]]
    backward = [i["invoice_id"] for p in reversed(back) for i in p["data"]]
    return forward, backward, per_request


def uuids(invoices) -> list[str]:
    return [str(as_uuid(i.id)) for i in invoices]


# ------------------------------------------------------------------------------- the date span (Monite)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"due_date__gte": "2020-01-01", "due_date__lte": "2030-01-01"}, 200),
        ({"due_date__gt": "2019-12-31", "due_date__lt": "2030-01-02"}, 200),
        ({"due_date__gte": "2020-02-29", "due_date__lte": "2030-02-28"}, 200),
        ({"due_date__gte": "2020-01-01", "due_date__lte": "2030-01-02"}, 422),
        ({"due_date__gt": "2019-12-31", "due_date__lte": "2030-01-02"}, 422),
        ({"due_date__gte": "9995-01-01", "due_date__lte": "9999-12-31"}, 200),
    ],
)
def test_due_bounds_may_be_ten_years_apart_and_no_more(query, status):
    reply = list_invoices(query)
    assert reply.status == status, reply.json
    if status == 422:
        assert [d["loc"] for d in reply.json["detail"]] == [["query", name] for name in query]


@pytest.mark.parametrize(
    "query",
    [
        {"due_date__gte": "0001-01-01"},
        {"due_date__lte": "9999-12-31"},
        {"due_date__gt": "2015-12-31", "due_date__lt": "2026-01-01"},
    ],
    ids=["from-year-1", "to-year-9999", "ten-years"],
)
def test_a_wide_due_range_reads_only_the_months_the_tenant_has_invoices_due_in(query, dynamodb_queries):
    """An open bound, or a wide one, is clamped to the tenant's earliest and latest due dates: invoices
    due from January to June cost the two edge look-ups and the six month partitions between, not one
    Query per month of the calendar."""
    tenant = f"wide{next(tenants)}"
    invoices = invoices_due(tenant, [(2024, 1), (2024, 4), (2024, 6)], per_month=2)
    reply = list_invoices(query, tenant=tenant)
    assert reply.status == 200, reply.json
    assert [i["invoice_id"] for i in reply.json["data"]] == uuids(invoices)
    assert len(dynamodb_queries) == 2 + 6


def test_a_due_range_beyond_the_tenants_invoices_reads_no_month():
    tenant = f"beyond{next(tenants)}"
    invoices_due(tenant, [(2024, 1)], per_month=1)
    reply = list_invoices({"due_date__gte": "2025-01-01"}, tenant=tenant)
    assert reply.status == 200 and reply.json["data"] == []
    assert reply.json["next_pagination_token"] is None


# ------------------------------------------------------------------------------- the Query budget (Monite)


def test_a_page_never_sends_more_queries_than_the_budget_and_the_walk_misses_nothing(
    monkeypatch, dynamodb_queries
):
    """Forty invoices in each of five due months and a budget of eight Queries: a page of 100 would need
    two edge look-ups, five partitions and more chunks of each, so pages end early with a token; walking
    the tokens both ways returns every invoice once, in order, and no request exceeds the budget."""
    monkeypatch.setattr(read_budget, "MAX_QUERIES", 8)
    tenant = f"budget{next(tenants)}"
    invoices = invoices_due(tenant, [(2024, m) for m in range(1, 6)], per_month=40)
    query = {"due_date__gte": "2024-01-01", "due_date__lte": "2024-12-31", "limit": "100"}
    forward, backward, per_request = counted_walk(query, tenant, dynamodb_queries)
    assert forward == backward == uuids(invoices)
    assert max(per_request) <= 8
    assert len(per_request) > 4  # the budget did end pages early


def test_more_due_months_than_the_budget_can_open_reads_the_tenants_invoices_instead(
    monkeypatch, dynamodb_queries
):
    """With invoices due in more months than a page's Queries could open one partition each, the page
    reads the tenant's invoices in id order and filters them: still every match once, within budget."""
    monkeypatch.setattr(read_budget, "MAX_QUERIES", 5)
    tenant = f"months{next(tenants)}"
    invoices = invoices_due(tenant, [(2024, m) for m in range(1, 13)], per_month=2)
    wanted = [i for i in invoices if i.due_date >= date(2024, 3, 1)]
    forward, backward, per_request = counted_walk(
        {"due_date__gte": "2024-03-01", "limit": "5"}, tenant, dynamodb_queries
    )
    assert forward == backward == uuids(wanted)
    assert max(per_request) <= 5


def test_due_dates_over_more_than_two_years_read_the_tenants_invoices_not_a_partition_a_month(
    dynamodb_queries,
):
    """Invoices due in January 2024 and in June 2026 (30 months): a range over both reads the tenant's
    partition once (plus the two edge look-ups) rather than opening 30 month partitions."""
    tenant = f"span{next(tenants)}"
    invoices = invoices_due(tenant, [(2024, 1), (2026, 6)], per_month=3)
    reply = list_invoices({"due_date__gte": "2024-01-01", "limit": "10"}, tenant=tenant)
    assert [i["invoice_id"] for i in reply.json["data"]] == uuids(invoices)
    assert len(dynamodb_queries) == 2 + 1
    assert invoice_list.MAX_MONTH_PARTITIONS < 30


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    months=st.lists(st.integers(0, 30), min_size=0, max_size=10),
    budget=st.integers(3, 12),
    limit=st.integers(1, 7),
    bounds=st.tuples(st.integers(-3, 33), st.integers(-3, 33)),
    status=st.sampled_from([None, "DRAFT", "NEW"]),
)
def test_any_budget_pages_a_due_range_like_a_plain_filter(
    monkeypatch, dynamodb_queries, months, budget, limit, bounds, status
):
    """Invoices due in any months (each entry one invoice), any budget of at least three Queries, any
    due range and page size: the walk both ways equals a plain filter of the invoices, and no request
    sends more Queries than the budget."""
    monkeypatch.setattr(read_budget, "MAX_QUERIES", budget)
    tenant = f"prop{next(tenants)}"
    base = date(2023, 1, 1)

    def month(n: int) -> date:
        return date(base.year + (base.month - 1 + n) // 12, (base.month - 1 + n) % 12 + 1, 1)

    invoices = [
        stored_invoice(
            tenant,
            status=[Status.DRAFT, Status.NEW][n % 2],
            due=month(m) + timedelta(days=n % 27),
            created=START + timedelta(seconds=n),
        )
        for n, m in enumerate(months)
    ]
    store(invoices)
    low, high = month(bounds[0]), month(bounds[1]) + timedelta(days=30)
    query = {"due_date__gte": low.isoformat(), "due_date__lte": high.isoformat(), "limit": str(limit)}
    if status:
        query["status"] = status
    expected = [
        i
        for i in sorted(invoices, key=lambda i: i.id)
        if low <= i.due_date <= high and (status is None or i.status.value.upper() == status)
    ]
    forward, backward, per_request = counted_walk(query, tenant, dynamodb_queries)
    assert forward == backward == uuids(expected)
    assert max(per_request) <= budget


# ---------------------------------------------------------------------------- two filters (core /v1/invoices)


def core_walk(query: dict, sent: list, tenant: str = "acme") -> tuple[list[str], list[int]]:
    """Every page of GET /v1/invoices by its cursors: the ids in list order, and the Queries each request sent."""
    ids: list[str] = []
    per_request: list[int] = []
    cursor = None
    while True:
        before = len(sent)
        params = {**query, **({"cursor": cursor} if cursor else {})}
        reply = call("list_invoices", "GET", "/v1/invoices", query=params, tenant=tenant)
        per_request.append(len(sent) - before)
        assert reply.status == 200, reply.json
        ids += [i["id"] for i in reply.json["data"]]
        assert reply.json["has_more"] == (reply.json["next_cursor"] is not None)
        cursor = reply.json["next_cursor"]
        if cursor is None:
            return ids, per_request
        assert len(per_request) < 300, "the walk does not end"


def test_two_core_filters_over_a_sparse_match_end_pages_early_instead_of_reading_the_partition(
    monkeypatch, dynamodb_queries
):
    """`/v1/invoices?buyer=...&supplier=...`: the buyer's index is read and the supplier filtered in the
    page. Before, a rare supplier made one request read the buyer's whole partition; now a page stops at
    the budget with a cursor (even a page with nothing in it), and the walk returns every match once,
    newest first."""
    monkeypatch.setattr(read_budget, "MAX_QUERIES", 4)
    buyer = "company_01JD00000000000000000000BB"
    rare = "company_01JD00000000000000000000RR"
    invoices = [stored_invoice("acme", buyer=buyer, created=START + timedelta(seconds=n)) for n in range(120)]
    invoices = [
        i.model_copy(update={"supplier": rare}) if n in (3, 4, 90) else i for n, i in enumerate(invoices)
    ]
    store(invoices)
    matching = [i.id for i in sorted(invoices, key=lambda i: i.id, reverse=True) if i.supplier == rare]
    ids, per_request = core_walk({"buyer": buyer, "supplier": rare, "limit": "2"}, dynamodb_queries)
    assert ids == matching
    assert max(per_request) <= 4
    assert len(per_request) > 2  # the budget did end pages early


@pytest.mark.parametrize("query", [{}, {"status": "draft"}, {"status": "draft", "buyer": "B"}])
def test_core_lists_page_every_invoice_once_within_the_budget(monkeypatch, dynamodb_queries, query):
    monkeypatch.setattr(read_budget, "MAX_QUERIES", 3)
    buyer = "company_01JD00000000000000000000BB"
    invoices = [stored_invoice("acme", buyer=buyer, created=START + timedelta(seconds=n)) for n in range(25)]
    store(invoices)
    query = {k: buyer if v == "B" else v for k, v in query.items()}
    ids, per_request = core_walk({**query, "limit": "4"}, dynamodb_queries)
    assert ids == [i.id for i in sorted(invoices, key=lambda i: i.id, reverse=True)]
    assert max(per_request) <= 3


SUPPLIERS = ["company_01JD00000000000000000000S1", "company_01JD00000000000000000000S2"]
BUYERS = ["company_01JD00000000000000000000B1", "company_01JD00000000000000000000B2"]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(
        st.tuples(
            st.sampled_from([Status.DRAFT, Status.NEW]), st.sampled_from(SUPPLIERS), st.sampled_from(BUYERS)
        ),
        max_size=25,
    ),
    filters=st.fixed_dictionaries(
        {},
        optional={
            "status": st.sampled_from(["draft", "new"]),
            "supplier": st.sampled_from(SUPPLIERS),
            "buyer": st.sampled_from(BUYERS),
        },
    ),
    budget=st.integers(1, 4),
    limit=st.integers(1, 5),
)
def test_any_core_filters_under_any_budget_page_like_a_plain_filter(
    monkeypatch, dynamodb_queries, specs, filters, budget, limit
):
    """Invoices of any status, supplier and buyer, any filters of /v1/invoices and any budget: walking
    the cursors returns exactly the plain filter's invoices, newest first, each once, and no request
    sends more Queries than the budget."""
    monkeypatch.setattr(read_budget, "MAX_QUERIES", budget)
    tenant = f"core{next(tenants)}"
    invoices = [
        stored_invoice(tenant, status=status, buyer=buyer, created=START + timedelta(seconds=n)).model_copy(
            update={"supplier": supplier}
        )
        for n, (status, supplier, buyer) in enumerate(specs)
    ]
    store(invoices)
    expected = [
        i.id
        for i in sorted(invoices, key=lambda i: i.id, reverse=True)
        if all(str(getattr(i, name)) == value for name, value in filters.items())
    ]
    ids, per_request = core_walk({**filters, "limit": str(limit)}, dynamodb_queries, tenant=tenant)
    assert ids == expected
    assert max(per_request) <= budget
