"""Every event the platform announces on its bus: the one list webhook subscriptions are checked against,
the event models (financing.families.events) cover and the README's event table documents (tests keep
them equal). Each name is written once, as a constant of the domain module whose change it announces."""

from financing.domain import (
    buyer_limits,
    companies,
    consents,
    credit_line,
    credit_rights,
    documents,
    invoices,
    settings,
    webhooks,
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
        *invoices.EVENT_NAMES,
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
        webhooks.CREATED,
        webhooks.UPDATED,
        webhooks.DELETED,
    }
)
