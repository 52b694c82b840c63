"""DynamoDB transactions on the embedded AWS, made to cost what they cost on DynamoDB.

moto 5 makes a TransactWriteItems all-or-nothing by deep-copying every table it touches before the
first write, so each transaction costs time in proportion to the whole table: with a few thousand
items, one transaction outlasts botocore's read timeout, the SDK retries, and the retry meets the
first attempt's writes (a false conflict, since moto also ignores `ClientRequestToken`).

Here a transaction checks every condition first against the state before it (DynamoDB forbids two
operations on one item, so that is the state each condition would see), writes only when all
pass, and keeps the previous version of just the items it writes, to undo them (and their stream
records) if a write fails. A `ClientRequestToken` seen in the last ten minutes with the same items
succeeds without writing again, and with other items is `IdempotentParameterMismatchException`,
as DynamoDB does.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

TOKEN_TTL_SECONDS = 600
_installed: dict[str, Any] = {}
_tokens: dict[str, tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def install() -> None:
    """Patch moto's DynamoDB backend and handler in this process (idempotent)."""
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    _installed["backend"] = DynamoDBBackend.transact_write_items
    _installed["handler"] = DynamoHandler.transact_write_items
    DynamoDBBackend.transact_write_items = _transact_write_items
    DynamoHandler.transact_write_items = _with_client_request_token(DynamoHandler.transact_write_items)


def uninstall() -> None:
    if not _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    DynamoDBBackend.transact_write_items = _installed.pop("backend")
    DynamoHandler.transact_write_items = _installed.pop("handler")
    _tokens.clear()


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()


def _with_client_request_token(original: Any) -> Any:
    def transact_write_items(handler: Any) -> Any:
        from moto.core.responses import ActionResult
        from moto.dynamodb.exceptions import DynamodbException

        token = handler.body.get("ClientRequestToken")
        if not token:
            return original(handler)
        fingerprint = hashlib.sha256(
            json.dumps(handler.body["TransactItems"], sort_keys=True).encode()
        ).hexdigest()
        now = time.monotonic()
        with _tokens_lock:
            for stale in [t for t, (_, at) in _tokens.items() if now - at > TOKEN_TTL_SECONDS]:
                del _tokens[stale]
            seen = _tokens.get(token)
        if seen is not None:
            if seen[0] != fingerprint:
                raise DynamodbException(
                    "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
                    "The request uses the same client token as a previous, but non-identical request.",
                )
            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = original(handler)
        with _tokens_lock:
            _tokens[token] = (fingerprint, now)
        return result

    return transact_write_items


def _transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )
    from moto.dynamodb.models import get_filter_expression

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    targets: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    planned: list[tuple[str, dict[str, Any], Any, dict[str, Any], Any]] = []
    for entry in transact_items:
        if len(entry) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        returned_item = None
        try:
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table = backend.get_table(op["TableName"])
            key = _key(table, op) if op_type == "Put" else op["Key"]
            target = (op["TableName"], str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            current = backend.get_item(op["TableName"], key)
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not check.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        returned_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=returned_item)
            planned.append((op_type, op, table, key, copy.deepcopy(current)))
            errors.append((None, None, None))
        except MockValidationException:
            raise  # nothing is written yet
        except ConditionalCheckFailed as failed:
            errors.append(("ConditionalCheckFailed", str(failed.message), returned_item))
        except Exception as failed:  # reported per item, as moto and DynamoDB do
            errors.append((type(failed).__name__, str(failed), returned_item))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    _apply(backend, planned, TransactionCanceledException)


def _apply(backend: Any, planned: list, cancelled: type[Exception]) -> None:
    streams = {id(t): (t, len(t.stream_shard.items)) for _, _, t, _, _ in planned if t.stream_shard}
    done: list[tuple[Any, dict[str, Any], Any]] = []
    for index, (op_type, op, table, key, previous) in enumerate(planned):
        if op_type == "ConditionCheck":
            continue
        try:
            if op_type == "Put":
                backend.put_item(op["TableName"], op["Item"])
            elif op_type == "Delete":
                backend.delete_item(op["TableName"], key)
            else:
                backend.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=op.get("ExpressionAttributeNames"),
                    expression_attribute_values=op.get("ExpressionAttributeValues"),
                )
            done.append((table, key, previous))
        except Exception as failed:
            # The failed write too: an update may have changed its item in place before failing.
            for written_table, written_key, before in reversed([*done, (table, key, previous)]):
                _restore(backend, written_table, written_key, before)
            for table_, mark in streams.values():
                del table_.stream_shard.items[mark:]
            reasons = [(None, None, None)] * len(planned)
            reasons[index] = (type(failed).__name__, str(failed), None)
            raise cancelled(reasons) from failed


def _key(table: Any, op: dict[str, Any]) -> dict[str, Any]:
    item = op["Item"]
    key = {table.hash_key_attr: item[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = item[table.range_key_attr]
    return key


def _restore(backend: Any, table: Any, key: dict[str, Any], before: Any) -> None:
    hash_value, range_value = backend.get_keys_value(table, key)
    if range_value is None:
        if before is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = before
    elif before is None:
        table.items[hash_value].pop(range_value, None)
    else:
        table.items[hash_value][range_value] = before
