"""Open Finance consents in the core shape: the POST body and the consent object."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from financing.clock import iso, now
from financing.domain.consents import Consent, ConsentStatus, Permission
from financing.domain.tax_id import CPF_OR_CNPJ_PATTERN


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_document: Annotated[
        str,
        Field(
            min_length=1,
            max_length=32,
            description="The customer's CPF or CNPJ (check digits verified)",
            json_schema_extra={"pattern": CPF_OR_CNPJ_PATTERN},
        ),
    ]
    permissions: Annotated[
        list[str],
        Field(
            min_length=1,
            max_length=len(Permission),
            description="What the consent allows: " + ", ".join(p.value for p in Permission),
            json_schema_extra={"items": {"enum": [p.value for p in Permission], "type": "string"}},
        ),
    ]
    expiration_date_time: Annotated[
        AwareDatetime, Field(description="When the consent stops granting access (ISO 8601, in the future)")
    ]


class ConsentObject(BaseModel):
    object: Literal["consent"] = "consent"
    consent_id: str
    customer_document: str
    permissions: list[Permission]
    status: ConsentStatus | Literal["EXPIRED"] = Field(
        description="AUTHORISED, REVOKED, or EXPIRED once an authorised consent is past its expiry"
    )
    expiration_date_time: str
    created: str
    updated: str


def consent_object(consent: Consent, at: datetime | None = None) -> ConsentObject:
    status = consent.status
    if status == ConsentStatus.AUTHORISED and consent.expired(at or now()):
        status = "EXPIRED"
    return ConsentObject(
        consent_id=consent.id,
        customer_document=consent.customer_document,
        permissions=consent.permissions,
        status=status,
        expiration_date_time=iso(consent.expiration_date_time),
        created=iso(consent.created),
        updated=iso(consent.updated),
    )
