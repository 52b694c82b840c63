"""Pages of invoices read in id order from DynamoDB partitions, under one read budget per page
(adapters/read_budget.py).

A partition here is the table's or an index's whose range key is the invoice id (`sk`), so a position in
a list is an id and a page is a key range.
Several partitions are merged by id (k-way); each is read lazily, its chunks doubling from its share of
the page, so a partition holding most of the page costs a few Queries, not one per share.
"""

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from financing.adapters import read_budget
from financing.adapters.dynamo import from_item
from financing.adapters.read_budget import BudgetSpent, Reads
from financing.domain.invoices import Invoice

LOWEST, HIGHEST = "inv_", "inv_~"  # below and above every invoice id


@dataclass
class PageRead:
    invoices: list[Invoice]  # in the direction read
    more: bool  # whether matching invoices may follow in that direction
    last_examined: str | None  # the position reached (the last id looked at)
    items_read: int = 0
    queries: int = 0


class Partition:
    """A partition of the table or an index whose range key is the invoice id (`sk`)."""

    def __init__(self, table: str, index: str | None, attribute: str, value: str) -> None:
        self.table, self.index, self.attribute, self.value = table, index, attribute, value

    def read(
        self, low: str, high: str, forward: bool, chunk: int, most: int, reads: Reads
    ) -> Iterator[dict[str, Any]]:
        """Items with `low` <= id <= `high`, in id order (`forward`: ascending), `chunk` at a time, each
        next chunk twice the last up to `most`."""
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
            response = reads.query(request)
            yield from (from_item(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            request["Limit"] = max(chunk, min(request["Limit"] * 2, most))


def key_range(after: str | None, forward: bool, low: str = LOWEST, high: str = HIGHEST) -> tuple[str, str]:
    """The ids strictly beyond `after` in the direction of travel, within [low, high]."""
    if after is not None:
        # Every id has the same length, so these are the nearest strings beyond `after`.
        if forward:
            low = max(low, after + "0")
        else:
            high = min(high, after[:-1] + chr(ord(after[-1]) - 1) + "~")
    return low, high


def read_page(
    partitions: list[Partition],
    *,
    after: str | None,
    low: str,
    high: str,
    forward: bool,
    limit: int,
    parse: Callable[[dict[str, Any]], Invoice],
    keep: Callable[[Invoice], bool],
    reads: Reads,
) -> PageRead:
    """Up to `limit` invoices that `keep` accepts, merged from `partitions` in id order between `low`
    and `high`, within the page's budget. Opening a partition costs one Query, so the caller gives no
    more partitions than `reads.queries_left`: then the page always examines at least one invoice (or
    reaches the end) and every walk of pages moves on."""
    chunk = max(2, -(-(limit + 1) // max(1, len(partitions))))
    streams = [p.read(low, high, forward, chunk, limit + 1, reads) for p in partitions]
    merged = heapq.merge(*streams, key=lambda item: item["sk"], reverse=not forward)
    found: list[Invoice] = []
    last = after

    def page(more: bool) -> PageRead:
        return PageRead(found, more, last, reads.items, reads.queries)

    try:
        for examined, item in enumerate(merged, start=1):
            last = item["sk"]
            invoice = parse(item)
            if keep(invoice):
                found.append(invoice)
                if len(found) > limit:
                    del found[limit:]
                    last = found[-1].id
                    return page(True)
            if examined >= read_budget.MAX_ITEMS_READ:
                return page(True)
    except BudgetSpent:
        # Every invoice up to `last` was examined: a stream that could not read on held only later ones.
        return page(True)
    return page(False)
