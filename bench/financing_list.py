"""The financing list's first page of 100 with 1,000 and with 100,000 invoices in the tenant: time, and
items read (DynamoDB's ScannedCount, the figure that carries over to DynamoDB). moto's own Query visits
every item of the table whatever the key, so its time grows with the table; measured with
local/moto_queries.py installed, which gives moto's Query only the partition read."""

import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QUERIES = {
    "default": {},
    "status__in=NEW,FUNDED": {"status__in": "NEW,FUNDED"},
    "due_date in one month": {"due_date__gte": "2024-06-01", "due_date__lte": "2024-06-30"},
}
REPEATS = 5


def _load(tenant: str, count: int) -> None:
    """`count` invoices in every status and due month, written with BatchWriteItem (not through the API)."""
    from financing.adapters.aws import client
    from financing.adapters.dynamo import to_item
    from financing.adapters.invoices import invoice_item
    from financing.config import settings
    from financing.domain.lifecycle import Status
    from tests.integration.monite_fixtures import stored_invoice

    statuses = list(Status)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    ddb, table = client("dynamodb"), settings().table_name
    batch = []
    for n in range(count):
        invoice = stored_invoice(
            tenant,
            status=statuses[n % len(statuses)],
            due=date(2024, 1, 1) + timedelta(days=n % 365),
            created=start + timedelta(seconds=n),
        )
        batch.append({"PutRequest": {"Item": to_item(invoice_item(invoice))}})
        if len(batch) == 25 or n == count - 1:
            request = {table: batch}
            while request:
                request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
            batch = []


def _first_page(tenant: str, query: dict) -> tuple[float, int, int]:
    """Median ms of the handler serving the first page, the items it read, and how many it returned."""
    from financing.adapters import invoice_list
    from tests.integration.monite_fixtures import list_invoices

    read: list[int] = []
    real = invoice_list.InvoiceList.page

    def counting(self, *args, **kwargs):
        page = real(self, *args, **kwargs)
        read.append(page.items_read)
        return page

    invoice_list.InvoiceList.page = counting
    try:
        samples = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            reply = list_invoices({**query, "limit": "100"}, tenant=tenant)
            samples.append((time.perf_counter() - started) * 1000)
            assert reply.status == 200, reply.json
    finally:
        invoice_list.InvoiceList.page = real
    return statistics.median(samples), read[-1], len(reply.json["data"])


def _importable() -> None:
    """The product's code and a region, also when `make bench` runs this part alone."""
    for path in (str(ROOT / "layers" / "shared"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def measure(large: int = 100_000) -> list[dict]:
    """Both tenants in one fresh in-process moto (the small one measured first, then again with the large
    one beside it, so the table size is what differs)."""
    _importable()
    from moto import mock_aws

    from financing.adapters.aws import client
    from financing.config import settings
    from local import moto_queries
    from local.provision import provision
    from local.template import load_template

    rows = []
    os.environ.pop("AWS_ENDPOINT_URL", None)  # in-process moto, not `make bench`'s server
    with moto_queries.installed(), mock_aws():
        settings.cache_clear()
        client.cache_clear()
        stack = provision(load_template())
        os.environ.update(stack.environment())
        settings.cache_clear()
        client.cache_clear()
        _load("small", 1_000)
        loaded = time.perf_counter()
        _load("large", large)
        load_s = time.perf_counter() - loaded
        for label, query in QUERIES.items():
            small = _first_page("small", query)
            big = _first_page("large", query)
            rows.append({"query": label, "small": small, "large": big, "load_s": load_s})
    return rows


def render(rows: list[dict], large: int = 100_000) -> str:
    lines = [
        f"Financing list, first page of 100 (in-process moto; {large:,} invoices loaded in {rows[0]['load_s']:.0f} s):\n",
        f"| query | 1,000 invoices | {large:,} invoices | ratio | items read (1,000 / {large:,}) | returned |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        (small_ms, small_read, small_n), (large_ms, large_read, large_n) = row["small"], row["large"]
        lines.append(
            f"| {row['query']} | {small_ms:.0f} ms | {large_ms:.0f} ms | {large_ms / small_ms:.2f}x | "
            f"{small_read} / {large_read} | {small_n} / {large_n} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    size = int(os.environ.get("BENCH_LIST_INVOICES", "100000"))
    print(render(measure(size), size))
