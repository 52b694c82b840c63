"""What Pismo's registration events carry about a receivable: the objects of the registry's events."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema

from financing.domain.credit_rights import Receivable
from financing.domain.money import to_major

# BRL major units as a JSON number (never a string, never a float: financing.exact_json writes it exactly).
Reais = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "BRL major units, e.g. 1500.00"})]


class ReceivableFields(BaseModel):
    """The receivable as the registry's events show it (the registrar's reference once it has one)."""

    credit_rights_receivable_type: int = Field(description="1 mercantile, 2 service")
    debtor_document_number: str
    debtor_name: str
    face_value: Reais
    holding_number: str
    ibge_code: int
    internal_number: str
    interop_holding_number: str | None = Field(description="the registrar's reference, once registered")

    @classmethod
    def of(cls, receivable: Receivable, **extra: Any) -> "ReceivableFields":
        r = receivable.request
        return cls(
            credit_rights_receivable_type=r["credit_rights_receivable_type"],
            debtor_document_number=r["debtor_document_number"],
            debtor_name=r["debtor_name"],
            face_value=to_major(receivable.face_value, "brl"),
            holding_number=r["holding_number"],
            ibge_code=r["ibge_code"],
            internal_number=receivable.internal_number,
            interop_holding_number=receivable.registrar_reference,
            **extra,
        )


class ReceivableRefused(ReceivableFields):
    """The registrar refused a registration or an inactivation: why, and the invoice it was for."""

    invoice_number: int | None
    message: str | None


class ReceivableAttemptFailed(ReceivableFields):
    """A transient registrar failure; the request will be retried."""

    error: str
