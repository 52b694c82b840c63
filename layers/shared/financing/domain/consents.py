"""Open Finance consents: a customer's permission for a receiving institution to read its contracts.

A consent names the customer (CPF or CNPJ), the permissions it grants and when it expires. It is
AUTHORISED when created and REVOKED when deleted; past its expiry it grants nothing. Every Open
Finance request checks its consent (`check_access`), so a revocation or expiry applies at once.
"""

from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel

from financing.domain.errors import DomainError, FieldProblem, InvalidInput
from financing.domain.tax_id import brazilian_document_problem, digits
from financing.ids import new_id

# Open Finance Brasil's amounts are in Brazil's currency: only a brl financing is a contract it shares.
CONTRACT_CURRENCY = "brl"
CREATED = "consent.created"
REVOKED = "consent.revoked"


class Permission(StrEnum):
    INVOICE_FINANCINGS_READ = "INVOICE_FINANCINGS_READ"
    INVOICE_FINANCINGS_WARRANTIES_READ = "INVOICE_FINANCINGS_WARRANTIES_READ"
    INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ = "INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ"
    INVOICE_FINANCINGS_PAYMENTS_READ = "INVOICE_FINANCINGS_PAYMENTS_READ"
    RESOURCES_READ = "RESOURCES_READ"


class ConsentStatus(StrEnum):
    AUTHORISED = "AUTHORISED"
    REVOKED = "REVOKED"


class Consent(BaseModel):
    id: str
    tenant_id: str
    customer_document: str  # CPF (11 digits) or CNPJ (14 digits), bare digits
    permissions: list[Permission]
    expiration_date_time: datetime
    status: ConsentStatus = ConsentStatus.AUTHORISED
    created: datetime
    updated: datetime
    version: int = 1

    def expired(self, at: datetime) -> bool:
        return at >= self.expiration_date_time


class ConsentRefused(DomainError):
    """The consent does not allow this request (403): unknown, revoked, expired or lacking the permission."""

    code = "consent_refused"


def grant_consent(
    *,
    tenant_id: str,
    customer_document: str,
    permissions: list[str],
    expiration_date_time: datetime,
    now: datetime,
) -> Consent:
    problems = []
    if problem := brazilian_document_problem(customer_document):
        problems.append(FieldProblem("customer_document", problem))
    known = {p.value for p in Permission}
    if not permissions:
        problems.append(FieldProblem("permissions", "must name at least one permission"))
    for value in permissions:
        if value not in known:
            problems.append(
                FieldProblem(
                    "permissions", f"unknown permission '{value}'; one of {', '.join(sorted(known))}"
                )
            )
    if expiration_date_time.tzinfo is None:
        problems.append(
            FieldProblem("expiration_date_time", "must carry a time zone (e.g. 2030-01-01T00:00:00Z)")
        )
    elif expiration_date_time <= now:
        problems.append(FieldProblem("expiration_date_time", "must be in the future"))
    if problems:
        raise InvalidInput(problems)
    return Consent(
        id=new_id("consent"),
        tenant_id=tenant_id,
        customer_document=digits(customer_document),
        permissions=sorted({Permission(p) for p in permissions}),
        expiration_date_time=expiration_date_time.astimezone(UTC),
        created=now,
        updated=now,
    )


def revoke(consent: Consent, now: datetime) -> Consent:
    """The consent, revoked; revoking it again changes nothing (the same object is returned)."""
    if consent.status == ConsentStatus.REVOKED:
        return consent
    return consent.model_copy(
        update={"status": ConsentStatus.REVOKED, "updated": now, "version": consent.version + 1}
    )


def check_access(consent: Consent | None, permission: Permission, now: datetime) -> Consent:
    """The consent, if it allows reading with `permission` now; otherwise ConsentRefused saying why."""
    if consent is None:
        raise ConsentRefused("The consent does not exist.")
    if consent.status == ConsentStatus.REVOKED:
        raise ConsentRefused("The consent was revoked.")
    if consent.expired(now):
        raise ConsentRefused("The consent has expired.")
    if permission not in consent.permissions:
        raise ConsentRefused(f"The consent does not grant {permission.value}.")
    return consent


def is_shared_currency(currency: str) -> bool:
    """Whether a financing in `currency` is an Open Finance contract at all (another is never shared)."""
    return currency.lower() == CONTRACT_CURRENCY
