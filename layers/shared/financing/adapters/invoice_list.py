"""The financing list's reads: one page of a tenant's invoices in id order, from the fewest keys.

Every source is a partition sorted by invoice id (= creation order, the ULID carries `created`), so a
page position is a key, never an offset, and a creation-time range is a key range:

    invoice_id(s)      BatchGetItem of exactly those invoices
    status(es)         by-list-status, one partition per Monite status, merged (k-way, by id)
    due_date range     by-due-month, one partition per month in the range, merged; the range is first
                       narrowed to the tenant's earliest/latest due date (by-due-date, one item each),
                       and beyond MAX_MONTH_PARTITIONS months the tenant's partition is read instead
    otherwise          the tenant's invoice partition itself

`matches` then applies every condition (the lead's own included), so filters without an index only
cost reading. Each page runs under adapters/invoice_pages.py's budget of items examined and Query calls
sent: when either runs out, the page ends early, with a position to go on from.
"""

from datetime import date

from financing.adapters.dynamo import EntityTable, tenant_key
from financing.adapters.invoice_pages import (
    HIGHEST,
    LOWEST,
    PageRead,
    Partition,
    key_range,
    read_page,
)
from financing.adapters.invoices import parse_invoice
from financing.adapters.read_budget import Reads
from financing.domain.financing_list import InvoiceQuery, Order, matches
from financing.ids import id_bound

MAX_MONTH_PARTITIONS = 24  # due months merged at most; a wider span reads the tenant's partition instead


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


class InvoiceList:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def page(self, tenant_id: str, query: InvoiceQuery, *, after: str | None, backward: bool) -> PageRead:
        """Up to `query.limit` matching invoices strictly after `after` in the direction of travel
        (the query's order, or its reverse when `backward`)."""
        reads = Reads()
        forward = (query.order == Order.ASC) != backward  # ascending ids?
        low, high = self._key_range(query, after, forward)
        if query.empty or low > high:
            return PageRead([], False, after, 0)
        if query.invoice_ids is not None:
            return self._by_ids(tenant_id, query, low, high, forward, reads)
        partitions = self._partitions(tenant_id, query, reads)
        return read_page(
            partitions,
            after=after,
            low=low,
            high=high,
            forward=forward,
            limit=query.limit,
            parse=parse_invoice,
            keep=lambda invoice: matches(invoice, query),
            reads=reads,
        )

    # ------------------------------------------------------------------------------------- planning

    @staticmethod
    def _key_range(query: InvoiceQuery, after: str | None, forward: bool) -> tuple[str, str]:
        low = LOWEST if query.created_from_ms is None else id_bound("inv", query.created_from_ms, high=False)
        high = HIGHEST if query.created_to_ms is None else id_bound("inv", query.created_to_ms, high=True)
        return key_range(after, forward, low, high)

    def _partitions(self, tenant_id: str, query: InvoiceQuery, reads: Reads) -> list[Partition]:
        """The fewest partitions holding every match. A due range is first narrowed to the tenant's
        earliest and latest due dates (two one-item reads): a range of centuries then costs the months
        the tenant has invoices due in. Each partition costs a Query to open, so when more would be
        opened than the page may send (or than MAX_MONTH_PARTITIONS), the page reads the tenant's
        invoices and filters instead."""
        name = self.table.table_name
        tenant_partition = Partition(name, None, "pk", tenant_key(tenant_id, "INVOICE"))
        partitions = [tenant_partition]
        if query.statuses is not None:
            partitions = [
                Partition(name, "by-list-status", "list_status_pk", tenant_key(tenant_id, f"FINV#{s.value}"))
                for s in query.statuses
            ]
        elif query.due_from is not None or query.due_to is not None:
            earliest = self._due_edge(tenant_id, earliest=True, reads=reads)
            latest = self._due_edge(tenant_id, earliest=False, reads=reads)
            if earliest is None or latest is None:
                return []
            first = max(earliest, query.due_from or earliest)
            last = min(latest, query.due_to or latest)
            if first > last:
                return []
            if _month_count(first, last) > MAX_MONTH_PARTITIONS:
                return [tenant_partition]
            partitions = [
                Partition(name, "by-due-month", "due_month_pk", tenant_key(tenant_id, f"FINV_DUE#{month}"))
                for month in _months(first, last)
            ]
        return partitions if len(partitions) <= reads.queries_left else [tenant_partition]

    def _due_edge(self, tenant_id: str, *, earliest: bool, reads: Reads) -> date | None:
        response = reads.query(
            {
                "TableName": self.table.table_name,
                "IndexName": "by-due-date",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": tenant_key(tenant_id, "INVOICE")}},
                "ScanIndexForward": earliest,
                "Limit": 1,
                "ProjectionExpression": "due_date_sk",
            }
        )
        items = response.get("Items", [])
        return date.fromisoformat(items[0]["due_date_sk"]["S"][:10]) if items else None

    def _by_ids(
        self, tenant_id: str, query: InvoiceQuery, low: str, high: str, forward: bool, reads: Reads
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
