"""Tenant settings use cases: read them (defaults until saved) and replace them."""

from typing import Any

from financing.domain import settings as rules
from financing.domain.actor import Actor
from financing.domain.settings import TenantSettings
from financing.services.ports import Announces, Portfolio, Settings


def get_settings(store: Settings, actor: Actor) -> TenantSettings:
    return store.get(actor.tenant_id)


def replace_settings(
    store: Settings,
    actor: Actor,
    terms: dict[str, Any],
    portfolio: Portfolio,
    *,
    announce: Announces[TenantSettings],
) -> TenantSettings:
    """Replace every setting; sending the stored settings again writes and announces nothing.

    With a concentration limit on, every buyer exposure not yet counted in the tenant's portfolio is
    counted after the save (after, so that no funding decided without the limit can still change a
    counted exposure); sending the settings again finishes a count an earlier request did not."""
    current = store.get(actor.tenant_id)
    revised = rules.replace_settings(current, terms)
    if revised is not current:
        store.save(revised, announce(rules.UPDATED, actor, revised))
    if revised.concentration_since is not None:
        portfolio.track(actor.tenant_id, revised.concentration_since)
    return revised
