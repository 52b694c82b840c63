"""Tenant settings in the entities table: one item per tenant, replaced as a whole on a version."""

from typing import Any

from financing.adapters.concentration import portfolio_terms
from financing.adapters.dynamo import EntityTable, TransactionRefused, put_new, put_versioned, tenant_key
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent
from financing.domain.settings import TenantSettings, defaults

COLLECTION = "SETTINGS"
SORT_KEY = "current"
KIND = "settings"


def settings_key(tenant_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COLLECTION), "sk": SORT_KEY}


def _to_item(settings: TenantSettings) -> dict[str, Any]:
    return {
        **settings_key(settings.tenant_id),
        "kind": KIND,
        **settings.model_dump(mode="json", exclude={"tenant_id"}),
    }


def parse_settings(tenant_id: str, item: dict[str, Any] | None) -> TenantSettings:
    """The stored settings, or the defaults when the tenant never saved any."""
    if item is None:
        return defaults(tenant_id)
    return TenantSettings.model_validate({**item, "tenant_id": tenant_id})


class SettingsStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def get(self, tenant_id: str) -> TenantSettings:
        """The tenant's settings (one consistent read); the defaults when it never saved any."""
        key = settings_key(tenant_id)
        return parse_settings(tenant_id, self.table.get(key["pk"], key["sk"]))

    def save(self, settings: TenantSettings, event: DomainEvent) -> None:
        """The settings on their version, with what the portfolio items carry of them (the concentration
        limit's terms, adapters/concentration.py) and the event, in one transaction."""
        name, item = self.table.table_name, _to_item(settings)
        write = (
            put_new(name, item) if settings.version == 1 else put_versioned(name, item, settings.version - 1)
        )
        try:
            self.table.commit([write, *portfolio_terms(name, settings)], [event])
        except TransactionRefused as refused:
            raise Conflict(
                "The settings were changed by another request; read them again and retry."
            ) from refused
