"""Consents in the entities table: pk <tenant>#CONSENT, sk <consent id>; replaced as a whole on a version."""

from typing import Any

from financing.adapters.dynamo import EntityTable, tenant_key
from financing.domain.consents import Consent
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent

COLLECTION = "CONSENT"


def consent_key(tenant_id: str, consent_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COLLECTION), "sk": consent_id}


def _to_item(consent: Consent) -> dict[str, Any]:
    return {
        **consent_key(consent.tenant_id, consent.id),
        "kind": "consent",
        **consent.model_dump(mode="json", exclude={"id", "tenant_id"}),
    }


def parse_consent(item: dict[str, Any] | None) -> Consent | None:
    if item is None:
        return None
    return Consent.model_validate({**item, "id": item["sk"], "tenant_id": item["pk"].rsplit("#", 1)[0]})


class ConsentStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, consent: Consent, event: DomainEvent) -> None:
        self.table.insert(_to_item(consent), event, Conflict(f"Consent '{consent.id}' already exists."))

    def get(self, tenant_id: str, consent_id: str) -> Consent | None:
        return parse_consent(self.table.get(**consent_key(tenant_id, consent_id)))

    def save(self, consent: Consent, event: DomainEvent) -> None:
        conflict = Conflict(
            f"Consent '{consent.id}' was changed by another request; read it again and retry."
        )
        self.table.replace(_to_item(consent), consent.version - 1, event, conflict)
