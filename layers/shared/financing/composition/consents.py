"""The consent use cases' wiring: how their events show a consent (the core family's consent object)."""

from financing.composition.events import announcing
from financing.domain.consents import Consent
from financing.families.core.consents import consent_object
from financing.services.ports import Announces

# Its events carry the core family's consent object.
consent_event: Announces[Consent] = announcing(consent_object)
