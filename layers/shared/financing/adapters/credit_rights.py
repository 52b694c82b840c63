"""Receivables in the entities table: pk <tenant>#CREDIT_RIGHT, sk <internal_number> (unique per tenant)."""

from typing import Any

from financing import exact_json
from financing.adapters.dynamo import EntityTable, TransactionRefused, put_versioned, tenant_key
from financing.domain.credit_rights import Receivable
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent

COLLECTION = "CREDIT_RIGHT"


def _to_item(receivable: Receivable) -> dict[str, Any]:
    return {
        "pk": tenant_key(receivable.tenant_id, COLLECTION),
        "sk": receivable.internal_number,
        "kind": "credit_right",
        **receivable.model_dump(mode="json", exclude={"internal_number", "tenant_id", "request"}),
        # Kept as the JSON text accepted, so its numbers come back exactly as sent.
        "request": exact_json.dumps(receivable.request),
    }


def _from_item(item: dict[str, Any]) -> Receivable:
    return Receivable.model_validate(
        {
            **item,
            "request": exact_json.loads(item["request"]),
            "internal_number": item["sk"],
            "tenant_id": item["pk"].rsplit("#", 1)[0],
        }
    )


class CreditRightStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, receivable: Receivable, event: DomainEvent) -> None:
        conflict = Conflict(
            f"A receivable with internal_number '{receivable.internal_number}' already exists.",
            code="duplicate_internal_number",
        )
        self.table.insert(_to_item(receivable), event, conflict)

    def page(self, tenant_id: str, *, limit: int, after: str | None) -> tuple[list[Receivable], bool]:
        """The tenant's receivables by internal number, a page beyond `after`."""
        items, more = self.table.page(
            tenant_key(tenant_id, COLLECTION), limit=limit, after_sk=after, newest_first=False
        )
        return [_from_item(item) for item in items], more

    def get(self, tenant_id: str, internal_number: str) -> Receivable | None:
        item = self.table.get(tenant_key(tenant_id, COLLECTION), internal_number)
        return _from_item(item) if item else None

    def save(self, receivable: Receivable, previous_version: int, events: list[DomainEvent]) -> None:
        try:
            self.table.commit(
                [put_versioned(self.table.table_name, _to_item(receivable), previous_version)], events
            )
        except TransactionRefused as refused:
            raise Conflict(
                f"Receivable '{receivable.internal_number}' was changed by another request; read it again and retry."
            ) from refused
