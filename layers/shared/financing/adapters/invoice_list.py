"""The financing list's reads: one page of a tenant's invoices in id order, from the fewest keys.

Every source is a partition sorted by invoice id (= creation order, the ULID carries `created`), so a
page position is a key, never an offset, and a creation-time range is a key range:

    invoice_id(s)      BatchGetItem of exactly those invoices
    status(es)         by-list-status, one partition per Monite status, merged (k-way, by id)
    due_date range     by-due-month, one partition per month in the range, merged; an open range is
                       closed by the tenant's earliest/latest due date (by-due-date, one item each)
    otherwise          the tenant's invoice partition itself

Each partition is read lazily in chunks of about limit/k items, so a page reads about one page of
items; `matches` then applies every condition (the lead's own included), so filters without an index
only cost reading. A read budget bounds such a page: when it runs out, the page ends early, with a
position to go on from.
"""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from math import ceil
from typing import Any

from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable, from_item, tenant_key
from financing.adapters.invoices import parse_invoice
from financing.domain.financing_list import InvoiceQuery, Order, matches
from financing.domain.invoices import Invoice
from financing.ids import id_bound

MAX_ITEMS_READ = 1000  # per page: ten pages' worth before a sparse filter ends the page early
LOWEST, HIGHEST = "inv_", "inv_~"  # below and above every invoice id


@dataclass
class PageRead:
    invoices: list[Invoice]  # in the direction read
    more: bool  # whether matching invoices may follow in that direction
    last_examined: str | None  # the position reached (the last id looked at)
    items_read: int = 0


@dataclass
class _Reads:
    items: int = 0
    requests: list[str] = field(default_factory=list)


class _Partition:
    """A partition of the table or an index whose range key is the invoice id (`sk`)."""

    def __init__(self, table: str, index: str | None, attribute: str, value: str) -> None:
        self.table, self.index, self.attribute, self.value = table, index, attribute, value

    def read(self, low: str, high: str, forward: bool, chunk: int, reads: _Reads) -> Iterator[dict]:
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#p = :p AND sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#p": self.attribute},
            "ExpressionAttributeValues": {":p": {"S": self.value}, ":low": {"S": low}, ":high": {"S": high}},
            "ScanIndexForward": forward,
            "Limit": chunk,
        }
        if self.index:
            request["IndexName"] = self.index
        while True:
            response = client("dynamodb").query(**request)
            reads.items += response.get("ScannedCount", 0)
            reads.requests.append("Query")
            yield from (from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class InvoiceList:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def page(self, tenant_id: str, query: InvoiceQuery, *, after: str | None, backward: bool) -> PageRead:
        """Up to `query.limit` matching invoices strictly after `after` in the direction of travel
        (the query's order, or its reverse when `backward`)."""
        reads = _Reads()
        forward = (query.order == Order.ASC) != backward  # ascending ids?
        low, high = self._key_range(query, after, forward)
        if query.empty or low > high:
            return PageRead([], False, after, 0)
        if query.invoice_ids is not None:
            return self._by_ids(tenant_id, query, low, high, forward, reads)
        partitions = self._partitions(tenant_id, query, reads)
        chunk = max(2, ceil((query.limit + 1) / max(1, len(partitions))))
        streams = [p.read(low, high, forward, chunk, reads) for p in partitions]
        merged = heapq.merge(*streams, key=lambda item: item["sk"], reverse=not forward)
        found: list[Invoice] = []
        last = after
        for examined, item in enumerate(merged, start=1):
            last = item["sk"]
            invoice = parse_invoice(item)
            if matches(invoice, query):
                found.append(invoice)
                if len(found) > query.limit:
                    return PageRead(found[: query.limit], True, found[query.limit - 1].id, reads.items)
            if examined >= MAX_ITEMS_READ:
                return PageRead(found, True, last, reads.items)
        return PageRead(found, False, last, reads.items)

    # ------------------------------------------------------------------------------------- planning

    @staticmethod
    def _key_range(query: InvoiceQuery, after: str | None, forward: bool) -> tuple[str, str]:
        low = LOWEST if query.created_from_ms is None else id_bound("inv", query.created_from_ms, high=False)
        high = HIGHEST if query.created_to_ms is None else id_bound("inv", query.created_to_ms, high=True)
        if after is not None:
            # Every id has the same length, so these are the nearest strings beyond `after`.
            if forward:
                low = max(low, after + "0")
            else:
                high = min(high, after[:-1] + chr(ord(after[-1]) - 1) + "~")
        return low, high

    def _partitions(self, tenant_id: str, query: InvoiceQuery, reads: _Reads) -> list[_Partition]:
        name = self.table.table_name
        if query.statuses is not None:
            return [
                _Partition(name, "by-list-status", "list_status_pk", tenant_key(tenant_id, f"FINV#{s.value}"))
                for s in query.statuses
            ]
        if query.due_from is not None or query.due_to is not None:
            first = query.due_from or self._due_edge(tenant_id, earliest=True, reads=reads)
            last = query.due_to or self._due_edge(tenant_id, earliest=False, reads=reads)
            if first is None or last is None:
                return []
            return [
                _Partition(name, "by-due-month", "due_month_pk", tenant_key(tenant_id, f"FINV_DUE#{month}"))
                for month in _months(first, last)
            ]
        return [_Partition(name, None, "pk", tenant_key(tenant_id, "INVOICE"))]

    def _due_edge(self, tenant_id: str, *, earliest: bool, reads: _Reads) -> date | None:
        response = client("dynamodb").query(
            TableName=self.table.table_name,
            IndexName="by-due-date",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": tenant_key(tenant_id, "INVOICE")}},
            ScanIndexForward=earliest,
            Limit=1,
            ProjectionExpression="due_date_sk",
        )
        reads.items += response.get("ScannedCount", 0)
        items = response.get("Items", [])
        return date.fromisoformat(items[0]["due_date_sk"]["S"][:10]) if items else None

    def _by_ids(
        self, tenant_id: str, query: InvoiceQuery, low: str, high: str, forward: bool, reads: _Reads
    ) -> PageRead:
        wanted = sorted((i for i in query.invoice_ids or [] if low <= i <= high), reverse=not forward)
        found = self.table.get_many([{"pk": tenant_key(tenant_id, "INVOICE"), "sk": i} for i in wanted])
        reads.items += len(found)
        invoices = [
            invoice
            for i in wanted
            if (item := found.get((tenant_key(tenant_id, "INVOICE"), i)))
            and matches(invoice := parse_invoice(item), query)
        ]
        more = len(invoices) > query.limit
        page = invoices[: query.limit]
        return PageRead(page, more, page[-1].id if page else (wanted[-1] if wanted else None), reads.items)
