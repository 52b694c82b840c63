"""Consents: what a grant needs, and when a consent allows a read."""

from datetime import UTC, datetime, timedelta

import pytest

from financing.domain.consents import (
    ConsentRefused,
    ConsentStatus,
    Permission,
    check_access,
    grant_consent,
    revoke,
)
from financing.domain.errors import InvalidInput

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def granted(**overrides):
    values = {
        "tenant_id": "acme",
        "customer_document": "529.982.247-25",
        "permissions": ["INVOICE_FINANCINGS_READ", "INVOICE_FINANCINGS_READ"],
        "expiration_date_time": NOW + timedelta(days=1),
        "now": NOW,
    }
    return grant_consent(**{**values, **overrides})


def test_a_grant_is_authorised_with_bare_digits_and_unique_permissions():
    consent = granted()
    assert consent.status == ConsentStatus.AUTHORISED and consent.customer_document == "52998224725"
    assert consent.permissions == [Permission.INVOICE_FINANCINGS_READ]


def test_a_grant_lists_every_problem():
    with pytest.raises(InvalidInput) as refused:
        granted(customer_document="123", permissions=["NOPE"], expiration_date_time=NOW)
    assert [p.field for p in refused.value.problems] == [
        "customer_document",
        "permissions",
        "expiration_date_time",
    ]


def test_access_needs_an_authorised_unexpired_consent_with_the_permission():
    consent = granted()
    read = Permission.INVOICE_FINANCINGS_READ
    assert check_access(consent, read, NOW) is consent
    for refused_consent, permission, at, reason in [
        (None, read, NOW, "does not exist"),
        (revoke(consent, NOW), read, NOW, "revoked"),
        (consent, read, NOW + timedelta(days=1), "expired"),
        (consent, Permission.INVOICE_FINANCINGS_PAYMENTS_READ, NOW, "does not grant"),
    ]:
        with pytest.raises(ConsentRefused, match=reason):
            check_access(refused_consent, permission, at)


def test_revoking_twice_changes_nothing():
    revoked = revoke(granted(), NOW)
    assert revoked.version == 2 and revoke(revoked, NOW) is revoked
