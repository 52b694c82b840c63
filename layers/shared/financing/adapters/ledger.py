"""Journal entries in the entities table: written with the invoice change that causes them, read by
month (the tenant's journal in date order) or by invoice (its sub-ledger).

Keys:
  entry     pk <tenant>#LEDGER#<yyyy-mm>    sk <posted at, ISO ms>#<entry id>   (one item per entry)
  closing   pk <tenant>#LEDGER_CLOSING      sk <yyyy-mm>   (a final month's closing, written once: the
            balances and the aging positions every entry through the month sums to, and the month's
            own volume funded and collected)
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

from botocore.exceptions import ClientError

from financing.adapters import read_budget
from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable, from_item, put_new, tenant_key, to_item
from financing.adapters.read_budget import BudgetSpent, Reads
from financing.domain.ledger import (
    Account,
    AgingPositions,
    JournalEntry,
    MonthClosing,
    Volume,
    month_of,
    next_month,
    previous_month,
)
from financing.ids import parse_id
from financing.observability import logger

INVOICE_INDEX = "ledger-by-invoice"
KIND = "ledger_entry"
CLOSING_KIND = "ledger_closing"
HIGHEST = "~"  # sorts after every character an entry's sort key holds
LOWEST = "0"  # sorts before every entry's sort key (a year)


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


def closing_partition(tenant_id: str) -> str:
    return tenant_key(tenant_id, "LEDGER_CLOSING")


def closing_item(closing: MonthClosing) -> dict[str, Any]:
    per_currency: dict[str, dict[str, int]] = {}
    for (currency, account), balance in closing.balances.items():
        per_currency.setdefault(currency, {})[account.value] = balance
    aging = closing.aging
    return {
        "pk": closing_partition(closing.tenant_id),
        "sk": closing.month,
        "kind": CLOSING_KIND,
        "balances": per_currency,
        "claims": [[c, buyer, due.isoformat(), amount] for (c, buyer, due), amount in aging.claims.items()],
        "written_off": [[c, buyer, amount] for (c, buyer), amount in aging.written_off.items()],
        "currencies": sorted(aging.currencies),
        **({} if closing.volume is None else {"volume": _volume_item(closing.volume)}),
    }


def _volume_item(volume: dict[str, Volume]) -> dict[str, dict[str, int]]:
    return {currency: {"funded": v.funded, "collected": v.collected} for currency, v in volume.items()}


def _parse_volume(item: dict[str, Any]) -> dict[str, Volume] | None:
    """A closing's volume; None when it was stored before closings kept one."""
    if "volume" not in item:
        return None
    return {c: Volume(int(v["funded"]), int(v["collected"])) for c, v in item["volume"].items()}


def parse_closing(item: dict[str, Any]) -> MonthClosing:
    return MonthClosing(
        tenant_id=item["pk"].removesuffix("#LEDGER_CLOSING"),
        month=item["sk"],
        balances={
            (currency, Account(account)): int(balance)
            for currency, accounts in item["balances"].items()
            for account, balance in accounts.items()
        },
        aging=AgingPositions(
            claims={
                (c, buyer, date.fromisoformat(due)): int(amount) for c, buyer, due, amount in item["claims"]
            },
            written_off={(c, buyer): int(amount) for c, buyer, amount in item["written_off"]},
            currencies=frozenset(item["currencies"]),
        ),
        volume=_parse_volume(item),
    )


def entry_write(table_name: str, entry: JournalEntry) -> dict[str, Any]:
    """The transaction write of a new entry: refused if that entry (same id, same key) exists already."""
    return put_new(table_name, entry_item(entry))


def _months(first: str, last: str) -> list[str]:
    months = []
    while first <= last:
        months.append(first)
        first = next_month(first)
    return months


def month_done(month: str) -> str:
    """The position of a month read to its end: below every key of the next month (day 00), so a
    journal resumed there starts with the next month's partition."""
    return f"{next_month(month)}-00"


class LedgerStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def first_month(self, tenant_id: str, reads: Reads | None = None) -> str | None:
        """The month of the tenant's oldest invoice (ids carry their creation time): no entry is older."""
        request = {
            "TableName": self.table.table_name,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": tenant_key(tenant_id, "INVOICE")}},
            "ProjectionExpression": "sk",
            "Limit": 1,
        }
        response = reads.query(request) if reads else client("dynamodb").query(**request)
        items = response.get("Items", [])
        if not items:
            return None
        ulid = parse_id("inv", items[0]["sk"]["S"])
        return month_of(ulid.datetime) if ulid else None

    def _query(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        while True:
            response = client("dynamodb").query(**request)
            yield from (from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _month_requests(
        self,
        tenant_id: str,
        start: date | None,
        end: date,
        after: str | None,
        account: Account | None,
        reads: Reads | None = None,
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Per month partition of the journal within the bounds, oldest first: the position reached
        once it is read to its end, and its Query."""
        # No entry is older than the tenant's oldest invoice: an earlier start reads no empty months.
        # A resumed page starts at its position's month, which the first page found.
        first = after[:7] if after is not None else self.first_month(tenant_id, reads)
        if first is None:
            return
        if start is not None:
            first = max(first, month_of(start))
        low = day_bound(start, end=False) if start else LOWEST
        high = day_bound(end, end=True)
        for month in _months(first, month_of(end)):
            request = _within(
                {
                    "TableName": self.table.table_name,
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
            yield month_done(month), request

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
        after the sort key `after`; with `account`, only the entries that post to it (every one read:
        for a request's page, use `page`)."""
        for _, request in self._month_requests(tenant_id, start, end, after, account):
            yield from (parse_entry(item) for item in self._query(request))

    def journal_from(self, tenant_id: str, month: str, *, end: date) -> Iterator[JournalEntry]:
        """The tenant's entries posted from the start of `month` through `end`, oldest first."""
        for _, request in self._month_requests(tenant_id, None, end, month_done(previous_month(month)), None):
            yield from (parse_entry(item) for item in self._query(request))

    def closing(self, tenant_id: str, *, through: str) -> MonthClosing | None:
        """The latest month's closing stored for the tenant, of `through` or earlier (one Query)."""
        response = client("dynamodb").query(
            TableName=self.table.table_name,
            KeyConditionExpression="pk = :p AND sk <= :through",
            ExpressionAttributeValues={":p": {"S": closing_partition(tenant_id)}, ":through": {"S": through}},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return parse_closing(from_item(items[0])) if items else None

    def volumes(self, tenant_id: str, *, first: str, last: str) -> dict[str, dict[str, Volume]]:
        """Per month from `first` through `last`, the volume its stored closing holds (a month without a
        closing, or whose closing has no volume, is left out). One Query reading the volumes only."""
        if first > last:
            return {}
        request = {
            "TableName": self.table.table_name,
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":p": {"S": closing_partition(tenant_id)},
                ":first": {"S": first},
                ":last": {"S": last},
            },
            "ProjectionExpression": "sk, #volume",
            "ExpressionAttributeNames": {"#volume": "volume"},
            "ConsistentRead": True,
        }
        found = {}
        for item in self._query(request):
            volume = _parse_volume(item)
            if volume is not None:
                found[item["sk"]] = volume
        return found

    def close(self, closing: MonthClosing) -> None:
        """Store a month's closing once: a closing of a final month never changes, so a concurrent
        request's equal one already stored is kept."""
        try:
            client("dynamodb").put_item(
                TableName=self.table.table_name,
                Item=to_item(closing_item(closing)),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            code, message = error.response["Error"]["Code"], error.response["Error"].get("Message", "")
            if code == "ValidationException" and "size" in message.lower():
                # Beyond some 5,000 open (buyer, due date) pairs the closing does not fit one item: the
                # answer stands, later requests read the months again (slower, never wrong).
                logger.warning("ledger closing too large to store", extra={"month": closing.month})
                return
            if code != "ConditionalCheckFailedException":
                raise

    def page(
        self,
        tenant_id: str,
        *,
        invoice_id: str | None,
        start: date | None,
        end: date | None,
        after: str | None,
        account: Account | None,
        limit: int,
    ) -> tuple[list[JournalEntry], str | None]:
        """Up to `limit` entries of the tenant's journal (or of one invoice's index) beyond `after`, and
        the position the next page resumes from (None: nothing more). The page reads under the list
        budget (adapters/read_budget.py), its Queries' Limits summing to at most MAX_ITEMS_READ: when
        it runs out, the page ends early, even empty, at the last entry examined, a month read to its
        end moving the position on to the next month."""
        reads = Reads()
        if invoice_id is None:
            assert end is not None  # the journal's end is always a day (the service's today at most)
            requests = self._month_requests(tenant_id, start, end, after, account, reads)
        else:
            low = day_bound(start, end=False) if start else LOWEST
            high = day_bound(end, end=True) if end else HIGHEST
            request: dict[str, Any] = {
                "TableName": self.table.table_name,
                "IndexName": INVOICE_INDEX,
                "KeyConditionExpression": "ledger_invoice_pk = :p",
                "ExpressionAttributeValues": {":p": {"S": invoice_partition(tenant_id, invoice_id)}},
            }
            bounded = _within(request, low, high, after, account)
            requests = iter([(HIGHEST, bounded)] if bounded else [])
        found: list[JournalEntry] = []
        position = after
        asked = 0  # entries the page's Queries may examine (their Limits): never beyond the budget
        try:
            for finished, request in requests:
                chunk = limit + 1 - len(found)
                while True:
                    items_left = read_budget.MAX_ITEMS_READ - asked
                    if items_left <= 0 and position is not None:
                        return found, position
                    request["Limit"] = max(1, min(chunk, items_left))
                    asked += request["Limit"]
                    response = reads.query(request)
                    for item in response.get("Items", []):
                        found.append(parse_entry(from_item(item)))
                        if len(found) > limit:
                            del found[limit:]
                            return found, sort_key(found[-1])
                    if "LastEvaluatedKey" not in response:
                        break
                    position = response["LastEvaluatedKey"]["sk"]["S"]
                    request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
                    chunk *= 2  # a sparse filter: examine more at a time, within the budget
                position = finished
        except BudgetSpent:
            # Every entry up to `position` was examined; the next page resumes beyond it.
            return found, position
        return found, None

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
            "TableName": self.table.table_name,
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
