"""Journal entries in the entities table: written with the invoice change that causes them, read by
month (the tenant's journal in date order) or by invoice (its sub-ledger).

Keys:
  entry   pk <tenant>#LEDGER#<yyyy-mm>   sk <posted at, ISO ms>#<entry id>   (one item per entry)
Index `ledger-by-invoice`: ledger_invoice_pk = <tenant>#LEDGER_INVOICE#<inv id>, range sk.

No item is shared by two entries: an entry is one new item in its month partition, so concurrent
fundings of a tenant never write the same item (DynamoDB serialises writes per item, not per
partition). A tenant's journal up to a date is the month partitions up to that date, read in key
order; the first month is that of the tenant's oldest invoice (one Query), since no entry can be
posted before the invoice it belongs to was created.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable, from_item, put_new, tenant_key, to_item
from financing.domain.ledger import Account, JournalEntry
from financing.ids import parse_id

INVOICE_INDEX = "ledger-by-invoice"
KIND = "ledger_entry"
HIGHEST = "~"  # sorts after every character an entry's sort key holds
LOWEST = "0"  # sorts before every entry's sort key (a year)


def month_of(moment: date) -> str:
    # Four digits always: `%Y` drops the leading zeros of a year before 1000, which then sorts after 2026.
    return f"{moment.year:04d}-{moment.month:02d}"


def month_partition(tenant_id: str, month: str) -> str:
    return tenant_key(tenant_id, f"LEDGER#{month}")


def invoice_partition(tenant_id: str, invoice_id: str) -> str:
    return tenant_key(tenant_id, f"LEDGER_INVOICE#{invoice_id}")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sort_key(entry: JournalEntry) -> str:
    return f"{_stamp(entry.posted_at)}#{entry.id}"


def day_bound(day: date, *, end: bool) -> str:
    """The lowest (or highest) sort key an entry posted on `day` can have."""
    return f"{day.isoformat()}T{HIGHEST if end else ''}"


def entry_item(entry: JournalEntry) -> dict[str, Any]:
    return {
        "pk": month_partition(entry.tenant_id, month_of(entry.posted_at)),
        "sk": sort_key(entry),
        "kind": KIND,
        "ledger_invoice_pk": invoice_partition(entry.tenant_id, entry.invoice_id),
        **entry.model_dump(mode="json", exclude={"tenant_id", "posted_at"}),
        "posted_at": _stamp(entry.posted_at),
        "accounts": {p.account.value for p in entry.postings},
    }


def parse_entry(item: dict[str, Any]) -> JournalEntry:
    """An entry from its item (numbers come back as whole Decimals, which the model takes as ints)."""
    fields = {k: v for k, v in item.items() if k in JournalEntry.model_fields}
    return JournalEntry.model_validate({**fields, "tenant_id": item["pk"].split("#LEDGER#")[0]})


def entry_write(table_name: str, entry: JournalEntry) -> dict[str, Any]:
    """The transaction write of a new entry: refused if that entry (same id, same key) exists already."""
    return put_new(table_name, entry_item(entry))


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class LedgerStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def first_month(self, tenant_id: str) -> str | None:
        """The month of the tenant's oldest invoice (ids carry their creation time): no entry is older."""
        response = client("dynamodb").query(
            TableName=self.table.table_name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": tenant_key(tenant_id, "INVOICE")}},
            ProjectionExpression="sk",
            Limit=1,
        )
        items = response.get("Items", [])
        if not items:
            return None
        ulid = parse_id("inv", items[0]["sk"]["S"])
        return month_of(ulid.datetime) if ulid else None

    def _query(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        request = {"TableName": self.table.table_name, **request}
        while True:
            response = client("dynamodb").query(**request)
            yield from (from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def journal(
        self,
        tenant_id: str,
        *,
        start: date | None,
        end: date,
        after: str | None = None,
        account: Account | None = None,
    ) -> Iterator[JournalEntry]:
        """The tenant's entries posted from `start` (None: the beginning) through `end`, oldest first,
        after the sort key `after`; with `account`, only the entries that post to it."""
        # No entry is older than the tenant's oldest invoice: an earlier start reads no empty months.
        first = self.first_month(tenant_id)
        if first is None:
            return
        if start is not None:
            first = max(first, month_of(start))
        if after is not None:
            first = max(first, after[:7])
        low = day_bound(start, end=False) if start else LOWEST
        high = day_bound(end, end=True)
        for month in _months(first, month_of(end)):
            request = _within(
                {
                    "KeyConditionExpression": "pk = :p",
                    "ExpressionAttributeValues": {":p": {"S": month_partition(tenant_id, month)}},
                    "ConsistentRead": True,
                },
                low,
                high,
                after,
                account,
            )
            if request is None:
                return
            yield from (parse_entry(item) for item in self._query(request))

    def of_invoice(
        self,
        tenant_id: str,
        invoice_id: str,
        *,
        start: date | None = None,
        end: date | None = None,
        after: str | None = None,
        account: Account | None = None,
    ) -> Iterator[JournalEntry]:
        """One invoice's entries (its sub-ledger), oldest first."""
        request: dict[str, Any] = {
            "IndexName": INVOICE_INDEX,
            "KeyConditionExpression": "ledger_invoice_pk = :p",
            "ExpressionAttributeValues": {":p": {"S": invoice_partition(tenant_id, invoice_id)}},
        }
        low = day_bound(start, end=False) if start else LOWEST
        high = day_bound(end, end=True) if end else HIGHEST
        bounded = _within(request, low, high, after, account)
        if bounded is not None:
            yield from (parse_entry(item) for item in self._query(bounded))


def _within(
    request: dict[str, Any], low: str, high: str, after: str | None, account: Account | None
) -> dict[str, Any] | None:
    """Bound a query's sort key to [low, high] beyond `after` and filter on the account; None when that
    range is empty (DynamoDB refuses a BETWEEN whose bounds are inverted)."""
    # BETWEEN is inclusive: the least key greater than `after` is `after` + NUL.
    low = max(low, after + "\x00") if after is not None else low
    if low > high:
        return None
    values = request["ExpressionAttributeValues"]
    request["KeyConditionExpression"] += " AND sk BETWEEN :low AND :high"
    values[":low"] = {"S": low}
    values[":high"] = {"S": high}
    if account is not None:
        request["FilterExpression"] = "contains(accounts, :account)"
        values[":account"] = to_item({"a": account.value})["a"]
    return request
