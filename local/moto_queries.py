"""DynamoDB queries on the embedded AWS, made to cost a page, not the table.

moto 5's `Table.query` lists every item of the table (`all_items()`, sorted), keeps those of the
partition asked for, sorts them, and walks them from the first to the page: a Query costs time in
proportion to the table, then to the partition.

Here every order a query reads -- the table's own, and each index's -- is kept per partition (the
hash key's value) as a list sorted by moto's own sort key (`Table._generate_attr_to_sort_by`: the
index's range key, then the table's keys), so a Query bisects to where its key condition on the
range key (=, <, <=, >, >=, BETWEEN, begins_with) and its ExclusiveStartKey start it, and walks only
its page, forwards or backwards. The walk is moto's own, step for step: the same Limit and 1 MB
page checks on the same items, the same ScannedCount (items matching the key condition, filtered or
not), the same LastEvaluatedKey (moto's `_get_last_evaluated_key`), then moto's own deep copy,
index projection, FilterExpression and ProjectionExpression on the page. A unit test compares every
answer with moto's own on random tables.

Anything else is moto's own query, unchanged (correct, only slower): legacy QueryFilter, indexes
with several hash or range attributes, key attributes of a type other than S or N, values whose
type is not the attribute's declared type, a partition holding such an item, an ExclusiveStartKey
missing a key attribute, and what moto refuses (an unknown index, a consistent read of a GSI).

An order is built by one pass over the table the first time it is queried, then kept up to date:
every put, delete and update (batch writes, transactions and PartiQL go through them) notes the key
it wrote, and the next query of the order re-places just those items (a bisect and a list insert
each), or rebuilds the order when more than an eighth of it was written meanwhile. A write that
changes an item without going through them is not seen (moto has none; local/moto_transactions.py
undoes a cancelled transaction directly, but only on keys its own writes already noted). Past the
matching items, moto would end a page early on any later item that no longer fits in 1 MB; that is
checked only when the page is within 405,000 bytes (the largest item moto stores) of 1 MB.

Not safe under concurrent requests on one backend, as moto itself is not (a write may change the
table while a query reads it): the local stack serializes DynamoDB requests (local/stack.py
start_moto). The kept orders themselves are guarded by a lock, so threads calling an in-process moto
(some integration tests do) never see one half updated.
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
import weakref
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

ITEM_SIZE_LIMIT = 405_000  # the largest item moto stores (moto.dynamodb.models.dynamo_type.LimitedSizeDict)
REBUILD_SHARE = 8  # more pending writes than 1/8 of an order's members: rebuild it instead
KEY_TYPES = frozenset({"S", "N"})
OPERATORS = {"=": "=", "EQ": "=", "<": "<", "LT": "<", "<=": "<=", "LE": "<=", ">": ">", "GT": ">"}
OPERATORS |= {">=": ">=", "GE": ">=", "BETWEEN": "BETWEEN", "BEGINS_WITH": "BEGINS_WITH"}

_installed: dict[str, Any] = {}
_first = itemgetter(0)
_lock = threading.Lock()  # the kept orders, between threads calling an in-process moto


@dataclass
class _Partition:
    keys: list[tuple] = field(default_factory=list)  # ascending: the order's sort attributes but the first
    items: list[Any] = field(default_factory=list)  # the item of each key
    odd: int = 0  # members whose key attributes are not of their declared type: moto's own answers


@dataclass
class _Order:
    """The table's own order (index None) or one index's, by partition."""

    attrs: list[str]  # moto's sort attributes; the first is the partition's (the hash key)
    types: list[str]  # their declared types
    needs: list[str]  # what else an item must carry to be in the index (its range key)
    range_attr: str | None  # the attribute a key condition may compare
    partitions: dict[Any, _Partition] = field(default_factory=dict)
    where: dict[tuple, tuple[Any, tuple | None]] = field(default_factory=dict)  # key: partition, sort key
    pending: set[tuple] = field(
        default_factory=set
    )  # keys written since the order was last brought up to date


# table -> index name (None: the table) -> its order, or None when moto's own answers its queries
_orders: weakref.WeakKeyDictionary[Any, dict[str | None, _Order | None]] = weakref.WeakKeyDictionary()


def install() -> None:
    """Patch moto's DynamoDB Table and backend in this process (idempotent)."""
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models import table as tables
    from moto.dynamodb.models.table import Table

    _installed.update(
        query=Table.query,
        put_item=Table.put_item,
        delete_item=Table.delete_item,
        update_item=DynamoDBBackend.update_item,
        signature=inspect.signature(Table.query),
        page_limit=tables.RESULT_SIZE_LIMIT,
        global_index=tables.GlobalSecondaryIndex,
    )
    Table.query = _query
    Table.put_item = _putting(Table.put_item)
    Table.delete_item = _deleting(Table.delete_item)
    DynamoDBBackend.update_item = _updating(DynamoDBBackend.update_item)


def uninstall() -> None:
    if not _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    Table.query = _installed["query"]
    Table.put_item = _installed["put_item"]
    Table.delete_item = _installed["delete_item"]
    DynamoDBBackend.update_item = _installed["update_item"]
    _installed.clear()
    _orders.clear()


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()


# ------------------------------------------------------------------------------------------ writes


def _written(table: Any, key: Any) -> None:
    """Note a written key in every order built for the table (the next query of each re-places it)."""
    orders = _orders.get(table)
    if not orders:
        return
    key = key()
    if key is None:
        return
    with _lock:
        for order in orders.values():
            if order is not None:
                order.pending.add(key)


def _key(table: Any, hash_value: Any, range_value: Any) -> tuple | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    if not isinstance(hash_value, DynamoType):
        return None
    if table.range_key_attr is None:
        return (hash_value, None)
    return (hash_value, range_value) if isinstance(range_value, DynamoType) else None


def _putting(original: Any) -> Any:
    @functools.wraps(original)
    def put_item(table: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return original(table, item_attrs, *args, **kwargs)
        finally:
            _written(table, lambda: _key_of_attrs(table, item_attrs))

    return put_item


def _key_of_attrs(table: Any, attrs: Any) -> tuple | None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        hash_value = DynamoType(attrs[table.hash_key_attr])
        range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError, IndexError, AttributeError):
        return None  # no key: moto wrote nothing
    return _key(table, hash_value, range_value)


def _deleting(original: Any) -> Any:
    @functools.wraps(original)
    def delete_item(table: Any, hash_key: Any, range_key: Any = None, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(table, hash_key, range_key, *args, **kwargs)
        finally:
            _written(table, lambda: _key(table, hash_key, range_key))

    return delete_item


def _updating(original: Any) -> Any:
    """The backend's update_item changes an existing item in place, not through the table."""

    @functools.wraps(original)
    def update_item(backend: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        table = backend.get_table(table_name)  # raises what moto's update_item would
        try:
            return original(backend, table_name, key, *args, **kwargs)
        finally:
            _written(table, lambda: _key_of_attrs(table, key))

    return update_item


# ------------------------------------------------------------------------------------------ orders


def _order(table: Any, index_name: str | None) -> _Order | None:
    """The order a query of `index_name` reads, up to date; None when moto's own answers it."""
    orders = _orders.get(table)
    if orders is None:
        orders = _orders[table] = {}
    if index_name not in orders:
        order = orders[index_name] = _shape(table, index_name)
        if order is not None:
            _fill(table, order)
        return order
    order = orders[index_name]
    if order is not None and order.pending:
        _catch_up(table, order)
    return order


def _shape(table: Any, index_name: str | None) -> _Order | None:
    """The order's sort attributes, as moto's Table.query sorts them; None when not supported."""
    if index_name is None:
        attrs = table._generate_attr_to_sort_by([table.hash_key_attr], [table.range_key_attr])
        needs, range_attr = [], table.range_key_attr
    else:
        index = next((i for i in table.all_indexes() if i.name == index_name), None)
        if index is None:
            return None  # moto reports the unknown index
        hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
        if len(hashes) != 1 or len(ranges) > 1:
            return None  # several hash or range attributes: moto's own
        if ranges:
            in_order = ranges[0]
        elif isinstance(index, _installed["global_index"]) and table.range_key_attr:
            in_order = table.range_key_attr
        else:
            in_order = table.hash_key_attr
        attrs = table._generate_attr_to_sort_by(
            [hashes[0], table.hash_key_attr], [in_order, table.range_key_attr]
        )
        needs, range_attr = ranges, (ranges[0] if ranges else None)
    declared = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
    types = [declared.get(name) for name in attrs]
    if any(kind not in KEY_TYPES for kind in types):
        return None
    return _Order(attrs=attrs, types=types, needs=needs, range_attr=range_attr)


def _items(table: Any) -> Iterator[Any]:
    for stored in table.items.values():
        if table.range_key_attr:
            yield from stored.values()
        else:
            yield stored


def _stored(table: Any, key: tuple) -> Any:
    hash_value, range_value = key
    stored = table.items.get(hash_value)  # not [hash_value]: a defaultdict would add the partition
    if stored is None or not table.range_key_attr:
        return stored
    return stored.get(range_value)


def _place(order: _Order, item: Any) -> tuple[Any, tuple | None] | None:
    """The item's partition and sort key in the order (sort key None: a key of another type); None
    when the item is not in the order (or only in a partition whose key has another type)."""
    attrs = item.attrs
    value = attrs.get(order.attrs[0])
    if value is None or value.type != order.types[0]:
        return None
    if any(attrs.get(name) is None for name in order.needs):
        return None
    sort = []
    for name, kind in zip(order.attrs[1:], order.types[1:], strict=True):
        found = attrs.get(name)
        cast = _cast(found, kind) if found is not None else None
        if cast is None:
            return value, None
        sort.append(cast)
    return value, tuple(sort)


def _cast(value: Any, kind: str) -> Any:
    """moto's `cast_value` for a key value of the declared type (str, or a finite Decimal); else None."""
    if value.type != kind or not isinstance(value.value, str):
        return None
    if kind == "S":
        return value.value
    try:
        number = Decimal(value.value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fill(table: Any, order: _Order) -> None:
    """Every item of the table in the order, from one pass."""
    members: dict[Any, list[tuple[tuple | None, Any]]] = defaultdict(list)
    order.partitions, order.where, order.pending = {}, {}, set()
    for item in _items(table):
        placed = _place(order, item)
        if placed is None:
            continue
        order.where[(item.hash_key, item.range_key)] = placed
        members[placed[0]].append((placed[1], item))
    for value, found in members.items():
        regular = sorted(((sort, item) for sort, item in found if sort is not None), key=_first)
        order.partitions[value] = _Partition(
            keys=[sort for sort, _ in regular],
            items=[item for _, item in regular],
            odd=len(found) - len(regular),
        )


def _catch_up(table: Any, order: _Order) -> None:
    """Re-place the items written since the order was last brought up to date."""
    if len(order.pending) * REBUILD_SHARE > max(len(order.where), 64):
        _fill(table, order)
        return
    pending, order.pending = order.pending, set()
    for key in pending:
        before = order.where.pop(key, None)
        if before is not None and not _remove(order, *before):
            _fill(table, order)  # the order no longer holds what it noted: never seen, but rebuilt
            return
        item = _stored(table, key)
        placed = None if item is None else _place(order, item)
        if placed is not None:
            order.where[key] = placed
            _insert(order, *placed, item)


def _remove(order: _Order, value: Any, sort: tuple | None) -> bool:
    partition = order.partitions.get(value)
    if partition is None:
        return False
    if sort is None:
        partition.odd -= 1
    else:
        at = bisect_left(partition.keys, sort)
        if at == len(partition.keys) or partition.keys[at] != sort:
            return False
        del partition.keys[at], partition.items[at]
    if not partition.keys and not partition.odd:
        del order.partitions[value]
    return True


def _insert(order: _Order, value: Any, sort: tuple | None, item: Any) -> None:
    partition = order.partitions.get(value)
    if partition is None:
        partition = order.partitions[value] = _Partition()
    if sort is None:
        partition.odd += 1
    else:
        at = bisect_left(partition.keys, sort)
        partition.keys.insert(at, sort)
        partition.items.insert(at, item)


# ----------------------------------------------------------------------------------------- queries


def _query(table: Any, *args: Any, **kwargs: Any) -> Any:
    asked = _installed["signature"].bind(table, *args, **kwargs).arguments
    with _lock:
        answer = _answer(table, asked)
    if answer is None:
        return _installed["query"](table, *args, **kwargs)
    return answer


def _answer(table: Any, asked: dict[str, Any]) -> tuple[list[Any], int, dict[str, Any] | None] | None:
    """moto's answer to the query from its page alone; None when moto's own must answer."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    index_name = asked.get("index_name")
    limit, forward = asked.get("limit"), asked.get("scan_index_forward", True)
    if asked.get("filter_kwargs") or not isinstance(forward, bool):
        return None
    if limit is not None and (type(limit) is not int or limit < 1):
        return None
    if index_name is None:
        value = asked.get("hash_key")
    else:
        if asked.get("consistent_read") and any(i.name == index_name for i in table.global_indexes or []):
            return None  # moto refuses it
        conditions = asked.get("hash_key_conditions") or []
        value = conditions[0][1] if len(conditions) == 1 else None
    order = _order(table, index_name)
    if order is None or not isinstance(value, DynamoType) or _cast(value, order.types[0]) is None:
        return None
    if index_name is not None and asked["hash_key_conditions"][0][0] != order.attrs[0]:
        return None
    partition = order.partitions.get(value) or _Partition()
    if partition.odd:
        return None
    matching = _matching(order, partition.keys, asked)
    start = _start(order, value, partition.keys, asked.get("exclusive_start_key"), forward)
    if matching is None or start is None:
        return None
    page, last = _walk(partition, matching, start, forward, limit)
    evaluated = table._get_last_evaluated_key(last, index_name) if last is not None else None
    return _finish(table, asked, page), len(page), evaluated


def _matching(order: _Order, keys: list[tuple], asked: dict[str, Any]) -> tuple[int, int] | None:
    """Where the items matching the key condition on the range key are in the partition (from, to)."""
    comparison = asked.get("range_comparison")
    conditions = asked.get("range_key_conditions") or []
    if not comparison:
        return None if conditions else (0, len(keys))
    operator = OPERATORS.get(comparison)
    if len(conditions) > 1 or operator is None or order.range_attr is None:
        return None
    if (conditions[0][0] if conditions else order.range_attr) != order.range_attr:
        return None
    values = [_cast(value, order.types[1]) for value in asked.get("range_objs") or []]
    if len(values) != (2 if operator == "BETWEEN" else 1) or None in values:
        return None
    value = values[0]
    if operator == "=":
        return bisect_left(keys, value, key=_first), bisect_right(keys, value, key=_first)
    if operator == "<":
        return 0, bisect_left(keys, value, key=_first)
    if operator == "<=":
        return 0, bisect_right(keys, value, key=_first)
    if operator == ">":
        return bisect_right(keys, value, key=_first), len(keys)
    if operator == ">=":
        return bisect_left(keys, value, key=_first), len(keys)
    if operator == "BETWEEN":
        low = bisect_left(keys, value, key=_first)
        return low, max(low, bisect_right(keys, values[1], key=_first))
    if order.types[1] != "S":
        return None  # begins_with on a number: moto compares its digits
    size = len(value)

    def prefix(key: tuple) -> str:
        return key[0][:size]

    return bisect_left(keys, value, key=prefix), bisect_right(keys, value, key=prefix)


def _start(order: _Order, value: Any, keys: list[tuple], start_key: Any, forward: bool) -> int | None:
    """The first position the walk visits (forward), or the last (backward): moto's walk skips every
    item at or before ExclusiveStartKey in its direction (Table._item_comes_before_dct)."""
    if start_key is None:
        return 0 if forward else len(keys) - 1
    if not isinstance(start_key, dict):
        return None
    from moto.dynamodb.models.dynamo_type import DynamoType

    cast = []
    for name, kind in zip(order.attrs, order.types, strict=True):
        raw = start_key.get(name)
        if not isinstance(raw, dict) or list(raw) != [kind]:
            return None
        found = _cast(DynamoType(raw), kind)
        if found is None:
            return None
        cast.append(found)
    head = _cast(value, order.types[0])
    if cast[0] != head:  # another partition's key: every item is before it, or none is
        every = (head < cast[0]) == forward
        if forward:
            return len(keys) if every else 0
        return -1 if every else len(keys) - 1
    rest = tuple(cast[1:])
    return bisect_right(keys, rest) if forward else bisect_left(keys, rest) - 1


def _walk(
    partition: _Partition, matching: tuple[int, int], start: int, forward: bool, limit: int | None
) -> tuple[list[Any], Any]:
    """moto's walk from `start`: the page, and the item whose key is LastEvaluatedKey (None: none).

    Items outside the key condition are passed over without counting, but moto checks before each
    item it walks, matching or not, whether the page is full (Limit) or would pass 1 MB with it."""
    low, high = matching
    items, page_limit = partition.items, _installed["page_limit"]
    if forward:
        block = range(max(start, low), high)
        after = range(max(high, start), len(items))
    else:
        block = range(min(start, high - 1), low - 1, -1)
        after = range(min(low, start + 1) - 1, -1, -1)
    page: list[Any] = []
    size = 0
    for at in block:
        item = items[at]
        item_size = item.size()
        if len(page) == limit or size + item_size > page_limit:
            return page, page[-1]
        page.append(item)
        size += item_size
    if not page or not after:
        return page, None
    if len(page) == limit:
        return page, page[-1]
    if size + ITEM_SIZE_LIMIT > page_limit and any(size + items[at].size() > page_limit for at in after):
        return page, page[-1]
    return page, None


def _finish(table: Any, asked: dict[str, Any], page: list[Any]) -> list[Any]:
    """What moto's Table.query does with its page: copies, index projection, filter, projection."""
    results = copy.deepcopy(page)
    index_name = asked.get("index_name")
    if index_name:
        index = table.get_index(index_name)
        results = [index.project(item) for item in results]
    filter_expression = asked.get("filter_expression")
    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]
    projections = asked.get("projection_expressions")
    if projections:
        results = [item.project(projections) for item in results]
    return results
