"""The settings use cases' wiring: how their events show the settings (the core family's settings object)."""

from typing import Any

from financing.dialects.core.settings import settings_object
from financing.domain.settings import TenantSettings


def settings_event(settings: TenantSettings) -> dict[str, Any]:
    return settings_object(settings).model_dump(mode="json")
