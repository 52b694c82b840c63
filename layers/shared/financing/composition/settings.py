"""The settings use cases' wiring: how their events show the settings (the core family's settings object)."""

from financing.composition.events import announcing
from financing.domain.settings import TenantSettings
from financing.families.core.settings import settings_object
from financing.services.ports import Announces

# Its events carry the core family's settings object.
settings_event: Announces[TenantSettings] = announcing(settings_object)
