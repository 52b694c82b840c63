"""The consent use cases' wiring: how their events show a consent (the core family's consent object)."""

from typing import Any

from financing.dialects.core.consents import consent_object
from financing.domain.consents import Consent


def consent_event(consent: Consent) -> dict[str, Any]:
    return consent_object(consent).model_dump(mode="json")
