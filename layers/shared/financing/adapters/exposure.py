"""Buyer exposure in the entities table: one item per buyer company, shared by limits and funding.

    pk = "<tenant>#EXPOSURE", sk = <company id>
    current_limit_id  S  the buyer's latest limit request (a newer request supersedes it)
    limit_status      S  pending | approved | denied: that request's status
    total_limit       N  minor units; 0 until a limit is approved, then the latest approved total
    currency          S  every limit and advance of the buyer is in this currency
    outstanding       N  minor units: the advances of the buyer's financed, overdue and defaulted invoices
    version           N  incremented by every limit write (request, approval, denial)
    concentration_since N  set while the tenant has a concentration limit: the limit's epoch in which
                         `outstanding` is counted in the tenant's portfolio (adapters/concentration.py)

Limit writes set current_limit_id, limit_status, currency and total_limit, and only initialise
`outstanding` (to 0, with if_not_exists); funding and repayment change `outstanding`. DynamoDB
conditions cannot add, so a funding write that must stay within the limit conditions on what it
read: `limit_status = approved AND total_limit = :total AND outstanding <= :total - advance`.
A new limit request keeps total_limit but sets limit_status to pending, so the status belongs in
that condition.
"""

import re
from typing import Any

from financing.adapters.dynamo import EntityTable, tenant_key
from financing.domain.buyer_limits import Exposure, LimitStatus

COLLECTION = "EXPOSURE"
KIND = "exposure"

# Attribute names: every expression goes through ExpressionAttributeNames (#<name>).
CURRENT_LIMIT_ID = "current_limit_id"
LIMIT_STATUS = "limit_status"
TOTAL_LIMIT = "total_limit"
CURRENCY = "currency"
OUTSTANDING = "outstanding"
VERSION = "version"
SINCE = "concentration_since"  # the epoch the outstanding is counted in (adapters/concentration.py)
ATTRIBUTES = (CURRENT_LIMIT_ID, LIMIT_STATUS, TOTAL_LIMIT, CURRENCY, OUTSTANDING, VERSION, "kind")


def names(*expressions: str) -> dict[str, str]:
    """ExpressionAttributeNames for the `#attribute` placeholders the expressions use (DynamoDB refuses
    unused ones)."""
    used = {match for expression in expressions for match in re.findall(r"#(\w+)", expression)}
    return {f"#{name}": name for name in ATTRIBUTES if name in used}


def exposure_key(tenant_id: str, company_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COLLECTION), "sk": company_id}


def exposure_from_item(item: dict[str, Any]) -> Exposure:
    return Exposure(
        company_id=item["sk"],
        current_limit_id=item[CURRENT_LIMIT_ID],
        limit_status=LimitStatus(item[LIMIT_STATUS]),
        total_limit=int(item.get(TOTAL_LIMIT, 0)),
        currency=item[CURRENCY],
        outstanding=int(item.get(OUTSTANDING, 0)),
        version=int(item.get(VERSION, 0)),
        concentration_since=int(item[SINCE]) if item.get(SINCE) is not None else None,
    )


class ExposureStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def get(self, tenant_id: str, company_id: str) -> Exposure | None:
        """One consistent read of a buyer's exposure."""
        key = exposure_key(tenant_id, company_id)
        item = self.table.get(key["pk"], key["sk"])
        return exposure_from_item(item) if item else None

    def get_many(self, tenant_id: str, company_ids: set[str]) -> dict[str, Exposure]:
        """Several buyers' exposures by company id, in one consistent BatchGetItem (at most 100 buyers)."""
        keys = [exposure_key(tenant_id, company_id) for company_id in sorted(company_ids)]
        return {sk: exposure_from_item(item) for (_, sk), item in self.table.get_many(keys).items()}

    def all(self, tenant_id: str, page_size: int = 100) -> list[Exposure]:
        """Every buyer's exposure of the tenant (one item per buyer), page by page."""
        found: list[Exposure] = []
        after = None
        while True:
            items, more = self.table.page(
                tenant_key(tenant_id, COLLECTION), limit=page_size, after_sk=after, newest_first=False
            )
            found += [exposure_from_item(item) for item in items]
            if not more:
                return found
            after = items[-1]["sk"]
