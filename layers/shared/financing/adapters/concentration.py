"""The tenant's portfolio per currency, kept only while the tenant has a concentration limit.

    pk = "<tenant>#PORTFOLIO", sk = "<currency>#<epoch>"
    outstanding   N  the advances of the tracked buyer exposures in that currency
    cap           N  the limit's terms as the settings hold them: every settings save while the limit
    applies_above N  is on rewrites them in its own transaction, and a funding conditions on the terms
                     it was decided with (as a funding conditions on the buyer's total_limit)

Switching the limit on creates the epoch's item for every currency, in the settings' transaction, so
the items always exist while the limit is on.

The epoch is the settings version that switched the limit on (`concentration_since`), so switching it
off and on again starts fresh items instead of trusting stale ones. A buyer exposure is tracked (its
`outstanding` counted in the portfolio) once it carries `concentration_since = <epoch>`:

- switching the limit on tracks every exposure (PUT /v1/settings, `track_exposures`), each moved into
  the portfolio in a transaction that holds its `outstanding` to the value read;
- a funding or release of an untracked exposure under the limit tracks it in its own transaction;
- a funding or release decided with the limit off conditions the exposure on not being tracked in a
  later epoch (`concentration_since <= <settings version read>`), so a request that read the settings
  before the limit was switched on cannot change a tracked exposure behind the portfolio's back.

So the portfolio never counts more than the tracked exposures hold, and never more than the tenant's
outstanding: an exposure not yet tracked only makes the total smaller, which makes a share larger
(a check stricter). Tenants without a limit write no portfolio item.
"""

from typing import Any

from financing.adapters.aws import client
from financing.adapters.dynamo import (
    EntityTable,
    TransactionRefused,
    from_item,
    put_new,
    tenant_key,
    update,
)
from financing.adapters.exposure import SINCE, exposure_key
from financing.domain.concentration import ConcentrationRaced, Guard, Within
from financing.domain.money import EXPONENTS
from financing.domain.settings import TenantSettings

COLLECTION = "PORTFOLIO"
KIND = "portfolio"
CHUNK = 50  # exposures tracked per transaction (with one portfolio write per currency, under 100)


def portfolio_key(tenant_id: str, currency: str, since: int) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COLLECTION), "sk": f"{currency}#{since}"}


def exposure_change(
    table_name: str,
    tenant_id: str,
    buyer: str,
    currency: str,
    delta: int,
    limit_guard: dict[str, Any] | None,
    guard: Guard,
) -> list[dict[str, Any]]:
    """The transaction writes changing a buyer's exposure by `delta` (a funding's limit guard included),
    and the portfolio's with it while the limit is on."""
    values: dict[str, Any] = {":delta": delta}
    expression = "SET outstanding = outstanding + :delta"
    conditions = []
    if delta > 0:
        assert limit_guard is not None, "an exposure increase must be guarded by the limit"
        expression += ", version = version + :one"
        conditions.append("limit_status = :approved AND total_limit = :total AND outstanding <= :headroom")
        values |= {
            ":one": 1,
            ":approved": "approved",
            ":total": limit_guard["total_limit"],
            ":headroom": limit_guard["headroom"],
        }
    names = {"#since": SINCE}
    if guard.since is None:
        conditions.append("(attribute_not_exists(#since) OR #since <= :settings)")
        values[":settings"] = guard.settings_version
    elif guard.tracked:
        conditions.append("#since = :since")
        values[":since"] = guard.since
        if delta > 0 and guard.within == Within.CAP:
            conditions.append("outstanding <= :buyer")
            values[":buyer"] = guard.buyer
    else:
        expression += ", #since = :since"
        conditions.append("(attribute_not_exists(#since) OR #since <> :since) AND outstanding = :buyer")
        values |= {":since": guard.since, ":buyer": guard.buyer}
    writes = [
        update(
            table_name,
            exposure_key(tenant_id, buyer),
            expression,
            values,
            condition=" AND ".join(conditions),
            names=names,
        )
    ]
    if guard.since is not None:
        writes.append(_portfolio_write(table_name, tenant_id, currency, delta, guard))
    return writes


def _portfolio_write(table_name: str, tenant_id: str, currency: str, delta: int, guard: Guard) -> dict:
    assert guard.since is not None
    values: dict[str, Any] = {":add": delta + (0 if guard.tracked else guard.buyer)}
    condition = "attribute_exists(pk)"
    if delta > 0:
        condition = "cap = :cap AND applies_above = :above AND "
        values |= {":cap": guard.cap, ":above": guard.applies_above}
        if guard.within == Within.CAP:
            condition += "outstanding >= :read"  # a larger total only lowers the share
            values[":read"] = guard.portfolio
        else:
            condition += "outstanding <= :room"
            values[":room"] = guard.room
    return update(
        table_name,
        portfolio_key(tenant_id, currency, guard.since),
        "SET outstanding = outstanding + :add",
        values,
        condition=condition,
    )


def portfolio_terms(table_name: str, settings: TenantSettings) -> list[dict[str, Any]]:
    """The writes a settings save carries while the limit is on: switching it on creates the epoch's
    items (one per currency, nothing counted yet); any later save rewrites their terms."""
    limit, since = settings.concentration_limit(), settings.concentration_since
    if limit is None or since is None:
        return []
    terms = {"cap": limit.cap, "applies_above": limit.applies_above}
    keys = [portfolio_key(settings.tenant_id, currency, since) for currency in sorted(EXPONENTS)]
    if since == settings.version:
        return [put_new(table_name, {**key, "kind": KIND, "outstanding": 0, **terms}) for key in keys]
    return [
        update(
            table_name,
            key,
            "SET cap = :cap, applies_above = :above",
            {":cap": limit.cap, ":above": limit.applies_above},
            condition="attribute_exists(pk)",
        )
        for key in keys
    ]


class Portfolio:
    """The tenant's portfolio items, for switching the limit on."""

    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def track(self, tenant_id: str, since: int) -> int:
        return track_exposures(self.table, tenant_id, since)


def track_exposures(table: EntityTable, tenant_id: str, since: int) -> int:
    """Count every buyer exposure not yet tracked in epoch `since` into the portfolio; returns how many.

    A bounded query of the tenant's exposure partition (one item per buyer), then transactions of up to
    CHUNK exposures, each held to the outstanding read; a chunk that loses a race is retried one
    exposure at a time from a fresh read."""
    untracked = [item for item in _exposures(table, tenant_id) if item.get(SINCE) != since]
    for start in range(0, len(untracked), CHUNK):
        chunk = untracked[start : start + CHUNK]
        try:
            table.commit(_tracking_writes(table.table_name, tenant_id, since, chunk), [])
        except TransactionRefused:
            for item in chunk:
                _track_one(table, tenant_id, since, item["sk"])
    return len(untracked)


def _track_one(table: EntityTable, tenant_id: str, since: int, buyer: str, attempts: int = 5) -> None:
    for _ in range(attempts):
        item = table.get(**exposure_key(tenant_id, buyer))
        if item is None or item.get(SINCE) == since:
            return
        try:
            table.commit(_tracking_writes(table.table_name, tenant_id, since, [item]), [])
            return
        except TransactionRefused:
            continue
    raise ConcentrationRaced(
        "The buyer exposures kept changing while the concentration limit was switched on; "
        "send the settings again to finish.",
        code="conflict",
    )


def _tracking_writes(table_name: str, tenant_id: str, since: int, items: list[dict]) -> list[dict]:
    writes, totals = [], {}
    for item in items:
        outstanding = int(item.get("outstanding", 0))
        totals[item["currency"]] = totals.get(item["currency"], 0) + outstanding
        writes.append(
            update(
                table_name,
                exposure_key(tenant_id, item["sk"]),
                "SET #since = :since",
                {":since": since, ":read": outstanding},
                condition="(attribute_not_exists(#since) OR #since <> :since) AND outstanding = :read",
                names={"#since": SINCE},
            )
        )
    for currency, total in sorted(totals.items()):
        writes.append(
            update(
                table_name,
                portfolio_key(tenant_id, currency, since),
                "SET outstanding = outstanding + :add",
                {":add": total},
                condition="attribute_exists(pk)",
            )
        )
    return writes


def _exposures(table: EntityTable, tenant_id: str) -> list[dict[str, Any]]:
    """Every buyer exposure of the tenant: one partition, read to its end (one item per buyer)."""
    request: dict[str, Any] = {
        "TableName": table.table_name,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": tenant_key(tenant_id, "EXPOSURE")}},
        "ConsistentRead": True,
    }
    found = []
    while True:
        response = client("dynamodb").query(**request)
        found += [from_item(item) for item in response.get("Items", [])]
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
