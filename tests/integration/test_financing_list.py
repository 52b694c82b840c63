"""GET /v1/financing_invoices (Monite-shaped) on moto: every page walk equals a plain in-memory filter,
pages are keys (not offsets), bad values are 422 in Monite's envelope, and the two Monite headers."""

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from financing.adapters import invoice_list, read_budget
from financing.domain.financing_list import LIST_STATUS
from financing.domain.invoices import InvoiceType
from financing.domain.lifecycle import Status
from financing.ids import as_uuid
from tests.integration.monite_fixtures import assert_conforms, list_invoices, store, stored_invoice, walk

pytestmark = pytest.mark.usefixtures("aws")

START = datetime(2024, 3, 1, tzinfo=UTC)
DOCS = ["doc_01JD0000000000000000000001", "doc_01JD0000000000000000000002"]
tenants = itertools.count()

# ---------------------------------------------------------------------------------- the plain filter


def plain_filter(invoices, query: dict) -> list[str]:
    """What the list must return, computed the obvious way from the raw parameters."""

    def values(name):
        raw = query.get(name)
        if raw is None:
            return None
        return [v for part in (raw if isinstance(raw, list) else [raw]) for v in part.split(",")]

    def ok(invoice) -> bool:
        status = LIST_STATUS[invoice.status].value
        checks = []
        for name, value in (("status", status), ("type", invoice.type.value)):
            if name in query:
                checks.append(value == query[name])
            if (allowed := values(f"{name}__in")) is not None:
                checks.append(value in allowed)
        if "document_id__in" in query:
            checks.append(invoice.invoice_document in values("document_id__in"))
        if "invoice_id__in" in query:
            checks.append(str(as_uuid(invoice.id)) in values("invoice_id__in"))
        for field, actual in (("due_date", invoice.due_date), ("issue_date", invoice.issue_date)):
            for op, holds in (
                ("gt", lambda a, b: a > b),
                ("gte", lambda a, b: a >= b),
                ("lt", lambda a, b: a < b),
                ("lte", lambda a, b: a <= b),
            ):
                if f"{field}__{op}" in query:
                    checks.append(holds(actual, date.fromisoformat(query[f"{field}__{op}"])))
        for op, holds in (("gt", int.__gt__), ("lte", int.__le__)):
            if f"total_amount__{op}" in query:
                checks.append(holds(invoice.amount, int(query[f"total_amount__{op}"])))
        if "created_at__gte" in query:
            checks.append(invoice.created >= datetime.fromisoformat(query["created_at__gte"]))
        if "created_at__lt" in query:
            checks.append(invoice.created < datetime.fromisoformat(query["created_at__lt"]))
        return all(checks)

    ordered = sorted(invoices, key=lambda i: i.id, reverse=query.get("order") == "desc")
    return [str(as_uuid(i.id)) for i in ordered if ok(i)]


# ------------------------------------------------------------------------------------------ strategies

invoice_specs = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(list(Status)),
            "due": st.integers(0, 150),  # days after 2024-02-01: several due months
            "issue": st.integers(0, 20),
            "amount": st.integers(1, 50_000),
            "kind": st.sampled_from(list(InvoiceType)),
            "document": st.sampled_from(DOCS),
            "minute": st.integers(0, 30),
        }
    ),
    min_size=0,
    max_size=14,
)
DAY = st.integers(0, 150).map(lambda d: (date(2024, 2, 1) + timedelta(days=d)).isoformat())
STATUS = st.sampled_from([s.value for s in {*LIST_STATUS.values()}])
filters = st.fixed_dictionaries(
    {},
    optional={
        "order": st.sampled_from(["asc", "desc"]),
        "sort": st.sampled_from(["id", "created_at"]),
        "status": STATUS,
        "status__in": st.lists(STATUS, min_size=1, max_size=3).map(
            lambda v: v if len(v) > 1 else ",".join(v)
        ),
        "type__in": st.sampled_from(["receivable", "payable", "receivable,payable"]),
        "document_id__in": st.sampled_from(DOCS),
        "due_date__gte": DAY,
        "due_date__lt": DAY,
        "issue_date__lte": st.integers(0, 20).map(
            lambda d: (date(2024, 1, 1) + timedelta(days=d)).isoformat()
        ),
        "total_amount__gt": st.integers(0, 50_000).map(str),
        "total_amount__lte": st.integers(0, 50_000).map(str),
        "created_at__gte": st.integers(0, 30).map(lambda m: (START + timedelta(minutes=m)).isoformat()),
        "created_at__lt": st.integers(0, 30).map(lambda m: (START + timedelta(minutes=m)).isoformat()),
    },
)


def build(tenant: str, specs: list[dict]):
    invoices = [
        stored_invoice(
            tenant,
            status=spec["status"],
            due=date(2024, 2, 1) + timedelta(days=spec["due"]),
            issue=date(2024, 1, 1) + timedelta(days=spec["issue"]),
            amount=spec["amount"],
            kind=spec["kind"],
            document=spec["document"],
            created=START + timedelta(minutes=spec["minute"], milliseconds=n),
        )
        for n, spec in enumerate(specs)
    ]
    store(invoices)
    return invoices


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=invoice_specs, query=filters, limit=st.integers(1, 4), pick_ids=st.booleans())
def test_every_page_walk_equals_the_plain_filter_both_ways(specs, query, limit, pick_ids):
    """Given invoices in every state and any combination of filters, walking every page forward and then
    backward returns exactly what a plain filter of the same invoices returns, in order, each once."""
    tenant = f"prop{next(tenants)}"
    invoices = build(tenant, specs)
    if pick_ids and invoices:
        query = {**query, "invoice_id__in": [str(as_uuid(i.id)) for i in invoices[::2]]}
    expected = plain_filter(invoices, query)
    forward, backward = walk({**query, "limit": str(limit)}, tenant)
    assert forward == expected
    assert backward == expected


def test_ids_outside_the_created_range_are_an_empty_page_not_an_error():
    """Found by the property test: `invoice_id__in` whose ids all fall outside a `created_at` range left
    nothing to read, and an empty BatchGetItem is refused by DynamoDB (it was a 500)."""
    invoice = stored_invoice("acme", status=Status.NEW, created=START)
    store([invoice])
    later = (START + timedelta(days=1)).isoformat()
    reply = list_invoices({"invoice_id__in": str(as_uuid(invoice.id)), "created_at__gte": later})
    assert reply.status == 200 and reply.json["data"] == [], reply.json


def test_every_field_of_a_funded_invoice_conforms_to_the_spec():
    invoice = stored_invoice("acme", status=Status.FINANCED, amount=100_000)
    store([invoice])
    reply = list_invoices({"invoice_id": str(as_uuid(invoice.id))})
    assert reply.status == 200
    assert_conforms(reply.json, "FinancingInvoiceListResponse")
    (shown,) = reply.json["data"]
    assert shown == {
        "invoice_id": str(as_uuid(invoice.id)),
        "type": "receivable",
        "status": "FUNDED",
        "document_id": invoice.invoice_document,
        "issue_date": "2024-01-10",
        "due_date": "2024-03-10",
        "total_amount": 100_000,
        "currency": "USD",
        "payer_type": "BUSINESS",
        "requested_amount": 90_000,  # the principal asked, not the invoice total (issue 12 defect 9)
        "principal_amount": 90_000,
        "advance_amount": 90_000,
        "fee_amount": 1_800,
        "repayment_amount": 91_800,
        "advance_rate_percentage": 9000,
        "fee_percentage": 200,
        "repayment_schedule": {
            "repayment_date": "2024-03-10",
            "repayment_amount": 91_800,
            "repayment_fee_amount": 1_800,
            "repayment_principal_amount": 90_000,
        },
    }


def test_a_token_replays_its_query_and_ignores_the_other_parameters():
    store([stored_invoice("acme", status=s) for s in (Status.DRAFT, Status.NEW, Status.NEW, Status.FINANCED)])
    first = list_invoices({"status": "NEW", "limit": "1"}).json
    second = list_invoices(
        {"pagination_token": first["next_pagination_token"], "status": "DRAFT", "limit": "50"}
    )
    assert [i["status"] for i in second.json["data"]] == ["NEW"]
    assert second.json["next_pagination_token"] is None and second.json["prev_pagination_token"]


def test_pages_are_positions_so_concurrent_creation_never_repeats_or_skips_an_invoice():
    """While invoices are being created, a forward walk and a backward walk each return every invoice that
    existed before the walk exactly once, in order; new ones may appear, none twice."""
    tenant = "busy"
    before = [stored_invoice(tenant, created=START + timedelta(seconds=n)) for n in range(30)]
    store(before)
    later = [stored_invoice(tenant, created=START + timedelta(hours=1, seconds=n)) for n in range(30)]
    with ThreadPoolExecutor(2) as pool:
        writer = pool.submit(lambda: [store([i]) for i in later])
        forward, backward = walk({"limit": "4"}, tenant)
        writer.result()
    for seen in (forward, backward):
        assert len(seen) == len(set(seen)) and seen == sorted(seen)
        assert [str(as_uuid(i.id)) for i in before] == seen[: len(before)]


def test_a_status_filter_reads_about_one_page_whatever_else_the_tenant_has(monkeypatch):
    reads = []
    real = invoice_list.InvoiceList.page

    def counting(self, *args, **kwargs):
        read = real(self, *args, **kwargs)
        reads.append(read.items_read)
        return read

    monkeypatch.setattr(invoice_list.InvoiceList, "page", counting)
    store([stored_invoice("acme", status=Status.DRAFT) for _ in range(60)])
    store([stored_invoice("acme", status=s) for s in (Status.NEW, Status.APPROVED) for _ in range(12)])
    reply = list_invoices({"status__in": ["NEW", "PAID"], "limit": "10"})
    assert len(reply.json["data"]) == 10
    list_invoices({"due_date__gte": "2024-03-01", "due_date__lte": "2024-03-31", "limit": "10"})
    list_invoices({"limit": "10"})
    assert reads[0] <= 2 * 11 + 2  # two statuses: NEW's stream and PAID's (empty)
    assert reads[1] <= 2 * 11 + 2  # one due month: March
    assert reads[2] <= 11


def test_a_sparse_filter_ends_a_page_early_at_its_read_budget_and_goes_on(monkeypatch):
    monkeypatch.setattr(read_budget, "MAX_ITEMS_READ", 5)
    store([stored_invoice("acme", amount=100) for _ in range(12)] + [stored_invoice("acme", amount=900)])
    forward, backward = walk({"total_amount__gt": "500", "limit": "3"}, "acme")
    assert len(forward) == 1 and forward == backward


# ------------------------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({"status": "LOST"}, ["query", "status"]),
        ({"status__in": "NEW,LOST"}, ["query", "status__in", 1]),
        ({"limit": "0"}, ["query", "limit"]),
        ({"limit": "101"}, ["query", "limit"]),
        ({"due_date__gt": "2024-13-01"}, ["query", "due_date__gt"]),
        ({"created_at__lt": "yesterday"}, ["query", "created_at__lt"]),
        ({"invoice_id": "inv_1"}, ["query", "invoice_id"]),
        ({"order": "up"}, ["query", "order"]),
        ({"sort": "amount"}, ["query", "sort"]),
        ({"pagination_token": "forged.token"}, ["query", "pagination_token"]),
    ],
)
def test_bad_values_are_422_in_monites_detail_envelope(query, where):
    reply = list_invoices(query)
    assert reply.status == 422, reply.json
    assert_conforms(reply.json, "HTTPValidationError")
    assert [d["loc"] for d in reply.json["detail"]] == [where]
    assert reply.headers["x-correlation-id"]


def test_a_token_from_another_tenant_or_altered_is_refused():
    store([stored_invoice("acme"), stored_invoice("acme")])
    token = list_invoices({"limit": "1"}).json["next_pagination_token"]
    assert list_invoices({"pagination_token": token}, tenant="globex").status == 422
    body, signature = token.split(".")
    assert list_invoices({"pagination_token": body[:-2] + "xx." + signature}).status == 422


def test_monite_headers_version_must_be_a_date_and_entity_must_be_the_tenant():
    ok = list_invoices(headers={"x-monite-version": "2024-05-25", "x-monite-entity-id": "acme"})
    assert ok.status == 200
    bad_version = list_invoices(headers={"x-monite-version": "v2"})
    assert bad_version.status == 422 and bad_version.json["detail"][0]["loc"] == [
        "header",
        "x-monite-version",
    ]
    other = list_invoices(headers={"x-monite-entity-id": "globex"})
    assert other.status == 403
    assert_conforms(other.json, "ErrorSchemaResponse")


def test_401_and_403_use_monites_error_envelope():
    unauthenticated = list_invoices(tenant=None)
    assert unauthenticated.status == 401 and set(unauthenticated.json) == {"error"}
    assert_conforms(unauthenticated.json, "ErrorSchemaResponse")
    forbidden = list_invoices(scope="invoices:write")
    assert forbidden.status == 403 and "invoices:read" in forbidden.json["error"]["message"]
