"""Every event the platform announces on its bus: the one list webhook subscriptions are checked against
and the README's event table documents (a test keeps the two equal)."""

from financing.domain import (
    buyer_limits,
    companies,
    consents,
    credit_line,
    credit_rights,
    documents,
    settings,
)
from financing.domain.lifecycle import Status

# The lifecycle announces each status an invoice reaches as `invoice.<status>` (a draft is `created`).
_INVOICE = (
    "invoice.created",
    "invoice.updated",
    "invoice.deleted",
    *(f"invoice.{status.value}" for status in Status if status is not Status.DRAFT),
    "invoice.signed",
    "invoice.payment_received",
    "invoice.late_fees_accrued",
)

EVENT_TYPES: frozenset[str] = frozenset(
    {
        companies.CREATED,
        companies.UPDATED,
        settings.UPDATED,
        buyer_limits.CREATED,
        buyer_limits.APPROVED,
        buyer_limits.DENIED,
        documents.CREATED,
        documents.UPLOADED,
        *_INVOICE,
        credit_rights.REGISTRATION_REQUESTED,
        credit_rights.INACTIVATION_REQUESTED,
        credit_rights.SUCCESS,
        credit_rights.FAILURE,
        credit_rights.ATTEMPT_FAILED,
        credit_rights.STATUS_CHANGE_SUCCESS,
        credit_rights.STATUS_CHANGE_FAILURE,
        credit_line.UPDATED,
        consents.CREATED,
        consents.REVOKED,
        "webhook_subscription.created",
        "webhook_subscription.updated",
        "webhook_subscription.deleted",
    }
)
