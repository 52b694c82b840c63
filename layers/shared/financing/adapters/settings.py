"""Tenant settings in the entities table: one item per tenant, replaced as a whole on a version."""

from typing import Any

from financing.adapters.dynamo import EntityTable, tenant_key
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
        conflict = Conflict("The settings were changed by another request; read them again and retry.")
        if settings.version == 1:
            self.table.insert(_to_item(settings), event, conflict)
        else:
            self.table.replace(_to_item(settings), settings.version - 1, event, conflict)
