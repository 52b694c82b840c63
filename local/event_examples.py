"""Realistic values for each event's example: the event models (financing.families.events) build the
examples of docs/asyncapi.json from them, so an example that no longer fits its model fails generation."""

from typing import Any

from financing.domain import buyer_limits, consents, credit_rights, documents, invoices
from financing.domain.lifecycle import Status

TENANT = "acme"
AT = "2026-03-02T10:15:00Z"

COMPANY = {
    "id": "company_01JNQ3Z8X4W6T2R9B5M7K1C0DE",
    "object": "company",
    "name": "Acme Trading Ltd",
    "address": {"street": "1 Harbour Road", "city": "Southampton", "state": None, "country_code": "GB"},
    "website": "https://acme-trading.example",
    "tax_id": None,
    "contacts": [
        {
            "id": "contact_01JNQ3Z8X4W6T2R9B5M7K1C0DF",
            "first_name": "Ada",
            "last_name": "Byrne",
            "email": "ada.byrne@acme-trading.example",
            "phone": None,
            "is_signatory": True,
            "is_request_recipient": True,
        }
    ],
    "created": "2026-03-01T09:00:00Z",
    "updated": AT,
}

SETTINGS = {
    "object": "settings",
    "default_after_days": 60,
    "grace_days": 5,
    "late_fee_rate_percentage": 200,
    "pricing": {"advance_rate_percentage": 8000, "fee_percentage": 300},
    "iof": {"daily_rate": 82, "additional_rate": 3800},
    "brand_name": "Acme Capital",
    "institution_cnpj": None,
    "concentration_limit_percentage": 2500,
    "concentration_limit_applies_above": 10000000,
    "updated": AT,
}

CONSENT = {
    "object": "consent",
    "consent_id": "urn:acme:6f0b2c1e-9d4a-4b7e-8a55-3c2d1e0f9a8b",
    "customer_document": "12345678000195",
    "permissions": ["INVOICE_FINANCINGS_READ", "INVOICE_FINANCINGS_PAYMENTS_READ", "RESOURCES_READ"],
    "status": "AUTHORISED",
    "expiration_date_time": "2027-03-02T10:15:00Z",
    "created": AT,
    "updated": AT,
}

BUYER_LIMIT = {
    "id": "bl_01JNQ40ZP3S8V1K6D2F4H7J9MN",
    "object": "buyer_limit",
    "company": "company_01JNQ3Z8X4W6T2R9B5M7K1C0DE",
    "currency": "gbp",
    "requested_limit": "250000.00",
    "total_limit": None,
    "available_limit": "0.00",
    "status": "pending",
    "reason": None,
    "created": AT,
    "decided_at": None,
}

DOCUMENT = {
    "id": "doc_01JNQ41A7B3C5D7E9F1G3H5J7K",
    "object": "document",
    "name": "INV-2026-0042.pdf",
    "purpose": "invoice",
    "file_format": "pdf",
    "status": "pending_upload",
    "created": AT,
    "upload": None,
    "download": None,
}

INVOICE = {
    "id": "inv_01JNQ42M4N6P8Q0R2S4T6V8W0X",
    "object": "invoice",
    "supplier": "company_01JNQ3Z8X4W6T2R9B5M7K1C0DE",
    "buyer": "company_01JNQ43B1C3D5E7F9G1H3J5K7M",
    "invoice_number": "INV-2026-0042",
    "client_reference_id": "PO-88-1931",
    "invoice_document": {"id": "doc_01JNQ41A7B3C5D7E9F1G3H5J7K", "object": "document"},
    "amount": "12500.00",
    "currency": "gbp",
    "type_of_goods": ["other"],
    "issue_date": "2026-02-27",
    "due_date": "2026-04-28",
    "type": "receivable",
    "description": "Steel fixings, March delivery",
    "credit_rights_internal_number": None,
    "status": "draft",
    "status_reason": None,
    "signatures": {},
    "payments": [],
    "financing": {
        "first_payment": None,
        "second_payment": None,
        "discount": None,
        "late_payment_fees": None,
        "advance_rate_percentage": None,
        "fee_percentage": None,
        "repayment_amount": None,
        "outstanding_amount": "0.00",
        "repayment_outstanding": None,
        "funded_at": None,
        "disbursement_date": None,
        "sessions": {"object": "list", "data": []},
    },
    "created": "2026-03-01T09:30:00Z",
    "updated": AT,
}

FUNDED = {
    "first_payment": "10000.00",
    "second_payment": "2125.00",
    "discount": "375.00",
    "late_payment_fees": "0.00",
    "advance_rate_percentage": 8000,
    "fee_percentage": 300,
    "repayment_amount": "10375.00",
    "outstanding_amount": "10375.00",
    "repayment_outstanding": "10375.00",
    "funded_at": AT,
    "disbursement_date": "2026-03-02",
}

OFFERS = {
    "business_status": "ONBOARDED",
    "offers": [
        {
            "status": "CURRENT",
            "total_amount": 50000000,
            "available_amount": 48962500,
            "currency": "GBP",
            "pricing_plans": [
                {"advance_rate_percentage": 8000, "fee_percentage": 300, "repayment_type": "FIXED_DATE"},
                {
                    "advance_rate_percentage": 7500,
                    "fee_percentage": 250,
                    "repayment_type": "FIXED_DURATION",
                    "repayment_duration_days": 60,
                },
            ],
        }
    ],
}

RECEIVABLE = {
    "credit_rights_receivable_type": 1,
    "debtor_document_number": "11222333000181",
    "debtor_name": "Comercial Paulista Ltda",
    "face_value": "15000.00",
    "holding_number": "4821.1",
    "ibge_code": 3550308,
    "internal_number": "CR-2026-000731",
    "interop_holding_number": None,
}

SUBSCRIPTION = {
    "id": "whsub_01JNQ45C2D4E6F8G0H2J4K6M8N",
    "object": "webhook_subscription",
    "url": "https://hooks.acme-trading.example/financing",
    "event_types": ["invoice.financed", "invoice.repaid"],
    "description": "Treasury notifications",
    "enabled": True,
    "created": AT,
    "updated": AT,
}


def _invoice(event_type: str) -> dict[str, Any]:
    reached = {name: status for status, name in invoices.REACHED.items()}
    status = reached.get(event_type)
    if event_type in (invoices.SIGNED,):
        status = Status.REQUESTING_SIGNATURES
    if event_type in (invoices.PAYMENT_RECEIVED, invoices.LATE_FEES_ACCRUED):
        status = Status.FINANCED
    example = {**INVOICE, "status": (status or Status.DRAFT).value}
    if status in (Status.FINANCED, Status.OVERDUE, Status.REPAID, Status.DEFAULTED):
        example["financing"] = {**INVOICE["financing"], **FUNDED}
    if event_type == invoices.PAYMENT_RECEIVED:
        example["payments"] = [
            {
                "id": "pay_01JNQ46D3E5F7G9H1J3K5M7N9P",
                "object": "invoice.payment",
                "amount": "5000.00",
                "paid_date": "2026-04-20",
                "reference": "BACS 88123",
                "created": AT,
            }
        ]
        example["financing"] = {**example["financing"], "outstanding_amount": "5375.00"}
    return example


def object_values(event_type: str) -> dict[str, Any]:
    """The object an event of `event_type` would carry, as plain values for its model to validate."""
    group = event_type.split(".", 1)[0]
    if event_type in invoices.EVENT_NAMES:
        return _invoice(event_type)
    if event_type == consents.REVOKED:
        return {**CONSENT, "status": "REVOKED"}
    if event_type in (buyer_limits.APPROVED, buyer_limits.DENIED):
        approved = event_type == buyer_limits.APPROVED
        return {
            **BUYER_LIMIT,
            "status": "approved" if approved else "denied",
            "total_limit": "200000.00" if approved else None,
            "available_limit": "200000.00" if approved else "0.00",
            "reason": None if approved else "Buyer's filed accounts show negative equity",
            "decided_at": AT,
        }
    if event_type == documents.UPLOADED:
        return {**DOCUMENT, "status": "uploaded"}
    if event_type in (credit_rights.SUCCESS, credit_rights.STATUS_CHANGE_SUCCESS):
        return {**RECEIVABLE, "interop_holding_number": "B3-2026-0007311"}
    if event_type in (credit_rights.FAILURE, credit_rights.STATUS_CHANGE_FAILURE):
        return {**RECEIVABLE, "invoice_number": 4821, "message": "receivable already registered"}
    if event_type == credit_rights.ATTEMPT_FAILED:
        return {**RECEIVABLE, "error": "registrar timed out after 10 s"}
    by_group = {
        "company": COMPANY,
        "settings": SETTINGS,
        "consent": CONSENT,
        "buyer_limit": BUYER_LIMIT,
        "document": DOCUMENT,
        "financing_offer": OFFERS,
        "credit_rights": RECEIVABLE,
        "webhook_subscription": SUBSCRIPTION,
    }
    return by_group[group]
