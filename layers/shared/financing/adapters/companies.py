"""Companies in the entities table: one item per company under the tenant's COMPANY collection."""

from typing import Any

from financing.adapters.dynamo import EntityTable, tenant_key
from financing.domain.companies import Company
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent

COLLECTION = "COMPANY"


def _to_item(company: Company) -> dict[str, Any]:
    return {
        "pk": tenant_key(company.tenant_id, COLLECTION),
        "sk": company.id,
        "kind": "company",
        **company.model_dump(mode="json", exclude={"id", "tenant_id"}),
    }


def _from_item(item: dict[str, Any]) -> Company:
    tenant_id = item["pk"].rsplit("#", 1)[0]
    return Company.model_validate({**item, "id": item["sk"], "tenant_id": tenant_id})


parse_company = _from_item


def company_key(tenant_id: str, company_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COLLECTION), "sk": company_id}


class CompanyStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, company: Company, event: DomainEvent) -> None:
        self.table.insert(_to_item(company), event, Conflict(f"Company '{company.id}' already exists."))

    def get(self, tenant_id: str, company_id: str) -> Company | None:
        item = self.table.get(tenant_key(tenant_id, COLLECTION), company_id)
        return _from_item(item) if item else None

    def save(self, company: Company, event: DomainEvent) -> None:
        conflict = Conflict(
            f"Company '{company.id}' was changed by another request; read it again and retry."
        )
        self.table.replace(_to_item(company), company.version - 1, event, conflict)

    def page(self, tenant_id: str, *, limit: int, after: str | None) -> tuple[list[Company], bool]:
        items, more = self.table.page(tenant_key(tenant_id, COLLECTION), limit=limit, after_sk=after)
        return [_from_item(item) for item in items], more
