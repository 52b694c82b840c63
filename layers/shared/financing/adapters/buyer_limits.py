"""Buyer limits in the entities table, written in one transaction with the buyer's exposure and the event.

    pk = "<tenant>#BUYER_LIMIT",              sk = <limit id>   the limit
    pk = "<tenant>#BUYER_LIMIT#<company id>", sk = <limit id>   a copy, to list one buyer's limits by key

The copy is rewritten in every transaction that writes the limit, so both always agree.
"""

from typing import Any

from financing.adapters import companies
from financing.adapters import exposure as exp
from financing.adapters.dynamo import (
    EntityTable,
    TransactionRefused,
    put_new,
    put_versioned,
    tenant_key,
    to_item,
    update,
)
from financing.domain.buyer_limits import BuyerLimit, LimitStatus, superseded
from financing.domain.errors import Conflict, FieldProblem, InvalidInput
from financing.domain.events import DomainEvent

COLLECTION = "BUYER_LIMIT"
KIND = "buyer_limit"
COPY_KIND = "buyer_limit_by_company"


def _collection(tenant_id: str, company_id: str | None = None) -> str:
    return tenant_key(tenant_id, COLLECTION if company_id is None else f"{COLLECTION}#{company_id}")


def _to_item(limit: BuyerLimit, *, by_company: bool = False) -> dict[str, Any]:
    return {
        "pk": _collection(limit.tenant_id, limit.company_id if by_company else None),
        "sk": limit.id,
        "kind": COPY_KIND if by_company else KIND,
        **limit.model_dump(mode="json", exclude={"id", "tenant_id"}),
    }


def _from_item(tenant_id: str, item: dict[str, Any]) -> BuyerLimit:
    return BuyerLimit.model_validate({**item, "id": item["sk"], "tenant_id": tenant_id})


class BuyerLimitStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, limit: BuyerLimit, event: DomainEvent) -> None:
        """The limit, its copy, the buyer's exposure pointing at it and the event, if the company exists
        and the buyer's exposure (if any) is in the same currency."""
        name = self.table.table_name
        company_exists = {
            "ConditionCheck": {
                "TableName": name,
                "Key": to_item(
                    {"pk": tenant_key(limit.tenant_id, companies.COLLECTION), "sk": limit.company_id}
                ),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        expression = (
            "SET #current_limit_id = :id, #limit_status = :pending, #currency = :currency, "
            "#total_limit = if_not_exists(#total_limit, :zero), "
            "#outstanding = if_not_exists(#outstanding, :zero), "
            "#version = if_not_exists(#version, :zero) + :one, #kind = :kind"
        )
        condition = "attribute_not_exists(#currency) OR #currency = :currency"
        point_exposure = update(
            name,
            exp.exposure_key(limit.tenant_id, limit.company_id),
            expression,
            {
                ":id": limit.id,
                ":pending": LimitStatus.PENDING.value,
                ":currency": limit.currency,
                ":zero": 0,
                ":one": 1,
                ":kind": exp.KIND,
            },
            condition=condition,
            names=exp.names(expression, condition),
        )
        writes = [
            put_new(name, _to_item(limit)),
            put_new(name, _to_item(limit, by_company=True)),
            company_exists,
            point_exposure,
        ]
        try:
            self.table.commit(writes, [event])
        except TransactionRefused as refused:
            if 2 in refused.failed:
                raise InvalidInput(
                    [FieldProblem("company", f"no such company: '{limit.company_id}'")]
                ) from refused
            if 3 in refused.failed:
                raise Conflict(
                    f"Company '{limit.company_id}' already has a limit in another currency; "
                    "request it in that currency.",
                    code="currency_mismatch",
                    details={"currency": f"'{limit.currency}' differs from the buyer's limit currency"},
                ) from refused
            raise Conflict(f"Buyer limit '{limit.id}' already exists.") from refused

    def get(self, tenant_id: str, limit_id: str) -> BuyerLimit | None:
        item = self.table.get(_collection(tenant_id), limit_id)
        return _from_item(tenant_id, item) if item else None

    def decide(self, limit: BuyerLimit, event: DomainEvent) -> None:
        """The approved or denied limit, its copy, the exposure's status (and total on approval) and the
        event, if nobody changed the limit meanwhile and it is still the buyer's current request."""
        name = self.table.table_name
        expression = "SET #limit_status = :status, #version = #version + :one"
        values: dict[str, Any] = {":status": limit.status.value, ":one": 1, ":this": limit.id}
        if limit.status == LimitStatus.APPROVED:
            expression += ", #total_limit = :total"
            values[":total"] = limit.total_limit
        condition = "#current_limit_id = :this"
        copy = _to_item(limit, by_company=True)
        writes = [
            put_versioned(name, _to_item(limit), limit.version - 1),
            {"Put": {"TableName": name, "Item": to_item(copy)}},
            update(
                name,
                exp.exposure_key(limit.tenant_id, limit.company_id),
                expression,
                values,
                condition=condition,
                names=exp.names(expression, condition),
            ),
        ]
        try:
            self.table.commit(writes, [event])
        except TransactionRefused as refused:
            if 0 not in refused.failed and 2 in refused.failed:
                raise superseded(limit.id) from refused
            raise Conflict(
                f"Buyer limit '{limit.id}' was changed by another request; read it again."
            ) from refused

    def page(
        self, tenant_id: str, *, company_id: str | None, limit: int, after: str | None
    ) -> tuple[list[BuyerLimit], bool]:
        """Newest first: all of the tenant's limits, or one buyer's."""
        items, more = self.table.page(_collection(tenant_id, company_id), limit=limit, after_sk=after)
        return [_from_item(tenant_id, item) for item in items], more
