"""DynamoDB queries on the embedded AWS, made to cost the partition they read, not the whole table.

moto 5's `Table.query` takes its candidates from `all_items()`: every item of the table, sorted, for
a main-table query and for an index query alike, and only then keeps those of the partition asked
for. So a Query costs time in proportion to the whole table (seconds per page at 100,000 items).

Here, while a Query whose partition is one equality on one attribute runs (the main table's hash key,
or an index's single HASH attribute), `all_items()` answers only the items carrying that value, in
the order moto's own `all_items()` gives them; moto's query then does everything else itself (range
conditions, order, Limit, ExclusiveStartKey, LastEvaluatedKey, filters, ScannedCount, projections),
so results are moto's. Any other query is moto's own, unchanged.

The main table's partitions are moto's own `table.items[hash]`; an index's are built by one pass over
the table per attribute and write generation (bumped by every put, delete and update: batch writes,
transactions and PartiQL go through those), then kept until the next write. A partition is kept in
moto's table order, which for an index sorted by the table's range key is already the order moto
sorts it into, so that sort is a single pass.

Not safe under concurrent requests on one backend, as moto itself is not: the local stack serializes
DynamoDB requests (local/stack.py start_moto). The restriction to a partition is per thread, so a
concurrent scan or query on another thread sees moto's own `all_items()`.
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

_installed: dict[str, Any] = {}
_current = threading.local()  # .partitions: {table: the items its running query may see}


@dataclass
class _Cache:
    generation: int = 0  # bumped by every write to the table
    built: int = 0  # the generation `partitions` and `buckets` were built from
    partitions: dict[tuple[str | None, Any], list[Any]] = field(default_factory=dict)
    buckets: dict[str, dict[Any, list[Any]]] = field(default_factory=dict)


_caches: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()


def install() -> None:
    """Patch moto's DynamoDB Table and backend in this process (idempotent)."""
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    _installed.update(
        query=Table.query,
        all_items=Table.all_items,
        put_item=Table.put_item,
        delete_item=Table.delete_item,
        update_item=DynamoDBBackend.update_item,
        signature=inspect.signature(Table.query),
    )
    Table.query = _query
    Table.all_items = _all_items
    Table.put_item = _writing(Table.put_item)
    Table.delete_item = _writing(Table.delete_item)
    DynamoDBBackend.update_item = _updating(DynamoDBBackend.update_item)


def uninstall() -> None:
    if not _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    Table.query = _installed.pop("query")
    Table.all_items = _installed.pop("all_items")
    Table.put_item = _installed.pop("put_item")
    Table.delete_item = _installed.pop("delete_item")
    DynamoDBBackend.update_item = _installed.pop("update_item")
    _installed.clear()
    _caches.clear()


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()


# ------------------------------------------------------------------------------------------ writes


def _touch(table: Any) -> None:
    cache = _caches.get(table)
    if cache is not None:
        cache.generation += 1


def _writing(original: Any) -> Any:
    @functools.wraps(original)
    def write(table: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(table, *args, **kwargs)
        finally:
            _touch(table)

    return write


def _updating(original: Any) -> Any:
    """The backend's update_item changes an existing item in place, not through the table."""

    @functools.wraps(original)
    def update_item(backend: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        table = backend.get_table(table_name)  # raises what moto's update_item would
        try:
            return original(backend, table_name, *args, **kwargs)
        finally:
            _touch(table)

    return update_item


# ----------------------------------------------------------------------------------------- queries


def _query(table: Any, *args: Any, **kwargs: Any) -> Any:
    original = _installed["query"]
    asked = _installed["signature"].bind(table, *args, **kwargs).arguments
    candidates = _partition(
        table, asked.get("index_name"), asked.get("hash_key"), asked.get("hash_key_conditions")
    )
    if candidates is None:
        return original(table, *args, **kwargs)
    partitions = _running()
    partitions[table] = candidates
    try:
        return original(table, *args, **kwargs)
    finally:
        del partitions[table]


def _all_items(table: Any) -> list[Any]:
    candidates = _running().get(table)
    if candidates is None:
        return _installed["all_items"](table)
    return list(candidates)


def _running() -> dict[Any, list[Any]]:
    if not hasattr(_current, "partitions"):
        _current.partitions = {}
    return _current.partitions


def _partition(table: Any, index_name: str | None, hash_key: Any, conditions: Any) -> list[Any] | None:
    """The items a query may match, in moto's table order; None when the query is not one partition."""
    if index_name is None:
        return None if hash_key is None else _cached(table, None, hash_key)
    index = next((i for i in table.all_indexes() if i.name == index_name), None)
    if index is None:
        return None  # moto reports the unknown index
    hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    if len(hashes) != 1 or not conditions or len(conditions) != 1 or conditions[0][0] != hashes[0]:
        return None  # several hash attributes, or none given: moto's own
    return _cached(table, hashes[0], conditions[0][1])


def _cached(table: Any, attribute: str | None, value: Any) -> list[Any] | None:
    """The items whose `attribute` (None: the table's hash key) equals `value`."""
    try:
        hash(value)
    except TypeError:
        return None
    cache = _caches.get(table)
    if cache is None:
        cache = _caches[table] = _Cache()
    if cache.built != cache.generation:
        cache.partitions, cache.buckets, cache.built = {}, {}, cache.generation
    found = cache.partitions.get((attribute, value))
    if found is None:
        if attribute is None:
            members = table.items.get(value)  # not [value]: a defaultdict would add the partition
            members = [] if members is None else list(members.values()) if table.range_key_attr else [members]
        else:
            members = _buckets(table, cache, attribute).get(value, [])
        found = cache.partitions[(attribute, value)] = _in_table_order(members)
    return found


def _buckets(table: Any, cache: _Cache, attribute: str) -> dict[Any, list[Any]]:
    """Every item of the table by its value of `attribute`, from one pass over the table."""
    buckets = cache.buckets.get(attribute)
    if buckets is None:
        buckets = cache.buckets[attribute] = defaultdict(list)
        for stored in table.items.values():
            for item in stored.values() if table.range_key_attr else [stored]:
                value = item.attrs.get(attribute)
                if value is None:
                    continue
                try:
                    buckets[value].append(item)
                except TypeError:
                    continue  # a list, map or set: never equal to a key value
    return buckets


def _in_table_order(items: list[Any]) -> list[Any]:
    """The order moto's Table.all_items() gives (its sort key, verbatim)."""
    return sorted(items, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)
