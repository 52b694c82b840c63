"""The consent use cases on in-memory fakes (tests/unit/fakes.py), beside their moto tests
(tests/integration/test_consents_api.py): grants and revocations announced as the injected renderer shows
them, revoking twice announces once, and another tenant's consent is not found."""

from datetime import UTC, timedelta

import pytest

from financing.clock import now
from financing.composition.consents import consent_event
from financing.domain.actor import Actor
from financing.domain.consents import Consent, ConsentStatus
from financing.domain.errors import NotFound
from financing.services.consents import create_consent, get_consent, revoke_consent
from tests.unit.fakes import Books, FakeConsents, announcing

ACME = Actor(tenant_id="acme", subject="ops", scopes=frozenset(), correlation_id="corr-1")
GLOBEX = Actor(tenant_id="globex", subject="ops", scopes=frozenset(), correlation_id="corr-2")


@announcing
def _shown(consent: Consent) -> dict:
    return {"shown": consent.id, "status": consent.status.value}


def _grant(books: Books, announce=_shown) -> Consent:
    return create_consent(
        FakeConsents(books),
        ACME,
        customer_document="529.982.247-25",
        permissions=["INVOICE_FINANCINGS_READ"],
        expiration=now().astimezone(UTC) + timedelta(days=30),
        announce=announce,
    )


def test_a_grant_is_stored_and_announced_as_the_renderer_shows_it():
    books = Books()
    consent = _grant(books)
    assert get_consent(FakeConsents(books), ACME, consent.id) == consent
    [event] = books.outbox
    assert (event.type, event.tenant_id, event.object) == (
        "consent.created",
        "acme",
        {"shown": consent.id, "status": "AUTHORISED"},
    )


def test_revoking_twice_revokes_and_announces_once():
    books = Books()
    consent = _grant(books)
    revoked = revoke_consent(FakeConsents(books), ACME, consent.id, announce=_shown)
    again = revoke_consent(FakeConsents(books), ACME, consent.id, announce=_shown)
    assert revoked.status == again.status == ConsentStatus.REVOKED
    assert [e.type for e in books.outbox] == ["consent.created", "consent.revoked"]
    assert books.outbox[-1].object == {"shown": consent.id, "status": "REVOKED"}


@pytest.mark.parametrize("consent_id", ["nope", "consent_01"])
def test_a_malformed_or_missing_consent_is_not_found(consent_id):
    with pytest.raises(NotFound):
        get_consent(FakeConsents(Books()), ACME, consent_id)


def test_another_tenants_consent_is_not_found_and_cannot_be_revoked():
    books = Books()
    consent = _grant(books)
    with pytest.raises(NotFound):
        revoke_consent(FakeConsents(books), GLOBEX, consent.id, announce=_shown)
    assert get_consent(FakeConsents(books), ACME, consent.id).status == ConsentStatus.AUTHORISED
    assert len(books.outbox) == 1


def test_the_real_renderer_shows_the_core_consent_object():
    books = Books()
    consent = _grant(books, announce=consent_event)
    assert books.outbox[0].object == consent_event("consent.created", ACME, consent).object
