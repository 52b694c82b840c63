"""The tenant's credit line in the entities table, one item per tenant:

    pk = "<tenant>#CREDIT_LINE", sk = "line"
    total_amount N, currency S, pricing_plans L, outstanding N (principal drawn), version N

The lender's PUT sets the terms and keeps `outstanding`; funding and repayment change only
`outstanding`, inside the invoice's own transaction. DynamoDB conditions cannot add, so a draw
conditions on what it read: `total_amount = :total AND outstanding <= :total - principal`.
"""

from typing import Any

from financing.adapters.dynamo import EntityTable, TransactionRefused, tenant_key, update
from financing.domain.credit_line import CreditLine, PricingPlan
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent

KIND = "credit_line"


def credit_line_key(tenant_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, "CREDIT_LINE"), "sk": "line"}


def credit_line_from_item(tenant_id: str, item: dict[str, Any] | None) -> CreditLine | None:
    if item is None:
        return None
    return CreditLine(
        tenant_id=tenant_id,
        total_amount=int(item["total_amount"]),
        currency=item["currency"],
        pricing_plans=[PricingPlan.model_validate(plan) for plan in item["pricing_plans"]],
        outstanding=int(item.get("outstanding", 0)),
        version=int(item.get("version", 0)),
    )


def draw(table_name: str, line: CreditLine, principal: int) -> dict[str, Any]:
    """The transaction write adding `principal` to the line, refused if that would exceed what was read."""
    return update(
        table_name,
        credit_line_key(line.tenant_id),
        "SET outstanding = outstanding + :principal",
        {
            ":principal": principal,
            ":total": line.total_amount,
            ":headroom": line.total_amount - principal,
            ":currency": line.currency,
        },
        condition="total_amount = :total AND outstanding <= :headroom AND currency = :currency",
    )


def release(table_name: str, tenant_id: str, principal: int) -> dict[str, Any]:
    return update(
        table_name,
        credit_line_key(tenant_id),
        "SET outstanding = outstanding - :principal",
        {":principal": principal},
    )


class CreditLineStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def get(self, tenant_id: str) -> CreditLine | None:
        return credit_line_from_item(tenant_id, self.table.get(**credit_line_key(tenant_id)))

    def set_terms(self, line: CreditLine, event: DomainEvent) -> None:
        """Write the lender's terms with their event; the principal drawn is kept. Changing the currency
        while principal is outstanding is refused (the drawn principal is in the old currency)."""
        write = update(
            self.table.table_name,
            credit_line_key(line.tenant_id),
            "SET total_amount = :total, currency = :currency, pricing_plans = :plans, kind = :kind, "
            "outstanding = if_not_exists(outstanding, :zero), version = if_not_exists(version, :zero) + :one",
            {
                ":total": line.total_amount,
                ":currency": line.currency,
                ":plans": [plan.model_dump(mode="json", exclude_none=True) for plan in line.pricing_plans],
                ":kind": KIND,
                ":zero": 0,
                ":one": 1,
            },
            condition="attribute_not_exists(pk) OR outstanding = :zero OR currency = :currency",
        )
        try:
            self.table.commit([write], [event])
        except TransactionRefused as refused:
            raise Conflict(
                "The credit line's currency cannot change while principal is outstanding on it.",
                code="credit_line_in_use",
            ) from refused
