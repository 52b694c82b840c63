"""Consent use cases: grant one for a customer, read it, revoke it (each change announced through the outbox)."""

from datetime import datetime

from financing.clock import now
from financing.domain import consents as rules
from financing.domain.actor import Actor
from financing.domain.consents import Consent
from financing.domain.errors import NotFound
from financing.ids import is_id
from financing.services.ports import Announces, Consents


def create_consent(
    store: Consents,
    actor: Actor,
    *,
    customer_document: str,
    permissions: list[str],
    expiration: datetime,
    announce: Announces[Consent],
) -> Consent:
    consent = rules.grant_consent(
        tenant_id=actor.tenant_id,
        customer_document=customer_document,
        permissions=permissions,
        expiration_date_time=expiration,
        now=now(),
    )
    store.add(consent, announce(rules.CREATED, actor, consent))
    return consent


def get_consent(store: Consents, actor: Actor, consent_id: str) -> Consent:
    consent = store.get(actor.tenant_id, consent_id) if is_id("consent", consent_id) else None
    if consent is None:
        raise NotFound("consent", consent_id)
    return consent


def revoke_consent(
    store: Consents, actor: Actor, consent_id: str, *, announce: Announces[Consent]
) -> Consent:
    """Revoke at once: the next Open Finance request under it is refused. Revoking twice changes nothing."""
    consent = get_consent(store, actor, consent_id)
    revoked = rules.revoke(consent, now())
    if revoked is not consent:
        store.save(revoked, announce(rules.REVOKED, actor, revoked))
    return revoked
