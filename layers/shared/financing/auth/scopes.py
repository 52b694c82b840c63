"""The scopes a bearer token can grant, one per kind of caller; each API route needs exactly one of them.

This module imports nothing of ours: the local tools (`make token`, the sample-event generator) load it
by its file path, without the layer on their import path."""

from enum import StrEnum


class Scope(StrEnum):
    INVOICES_READ = "invoices:read"
    INVOICES_WRITE = "invoices:write"
    LENDER_OPERATE = "lender:operate"
    CREDIT_RIGHTS_READ = "credit-rights:read"
    CREDIT_RIGHTS_WRITE = "credit-rights:write"
    WEBHOOKS_MANAGE = "webhooks:manage"
    CONSENTS_MANAGE = "consents:manage"
    INVOICE_FINANCINGS = "invoice-financings"
