"""Companies in the core shape: the request bodies it accepts and the object it returns."""

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from financing.clock import iso
from financing.domain.companies import Company
from financing.families.json_input import JsonBool, json_text
from financing.ids import id_pattern

Text = json_text(200)
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()\-]{5,24}$")]
# Spelled out so JSON Schema's regex and Python's agree on what a space is.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+")
# What is a space to Python or to JSON Schema (ECMA-262), whose `\s` differ: Python's takes in the
# information separators and NEL, ECMA's the byte order mark.
_SPACES = r"\s\x1c-\x1f\x85\ufeff"
_WEBSITE = re.compile(rf"https?://[^{_SPACES}/$.?#][^{_SPACES}]*", re.IGNORECASE)


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError("must be an email address")
    return value


def _website(value: str) -> str:
    if len(value) > 2048 or not _WEBSITE.fullmatch(value):
        raise ValueError("must be an http or https URL")
    return value


Email = Annotated[
    str,
    AfterValidator(_email),
    # Anchored for JSON Schema, whose patterns search (and whose `$` is the end of the text).
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": f"^{_EMAIL.pattern}$"}),
]
Website = Annotated[
    str,
    AfterValidator(_website),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 2048,
            "pattern": rf"^[hH][tT][tT][pP][sS]?://[^{_SPACES}/$.?#][^{_SPACES}]*$",
        }
    ),
]
TaxId = json_text(40)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressIn(Strict):
    street: Text | None = None
    city: Text | None = None
    state: Text | None = None
    country_code: CountryCode = Field(description="ISO 3166-1 alpha-2, uppercase")


class ContactIn(Strict):
    first_name: Text
    last_name: Text
    email: Email | None = None
    phone: Phone | None = None
    is_signatory: JsonBool = False
    is_request_recipient: JsonBool = False


class ContactPatch(ContactIn):
    id: str | None = Field(
        default=None,
        description="Keep an existing contact by giving its id",
        json_schema_extra={"anyOf": [{"type": "string", "pattern": id_pattern("contact")}, {"type": "null"}]},
    )


class CompanyCreate(Strict):
    name: Text
    address: AddressIn
    website: Website | None = None
    tax_id: TaxId | None = Field(
        default=None, description="CPF or CNPJ with check digits when country_code is BR"
    )
    contacts: list[ContactIn] = Field(default=[], max_length=50)


class CompanyUpdate(Strict):
    """Partial update: only the fields present change; `contacts` replaces the list."""

    name: Text | SkipJsonSchema[None] = None
    address: AddressIn | SkipJsonSchema[None] = None
    website: Website | None = None
    tax_id: TaxId | None = None
    contacts: Annotated[list[ContactPatch], Field(max_length=50)] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> "CompanyUpdate":
        for name in ("name", "address", "contacts"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class AddressOut(BaseModel):
    street: str | None
    city: str | None
    state: str | None
    country_code: str


class ContactOut(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    is_signatory: bool
    is_request_recipient: bool


class CompanyObject(BaseModel):
    id: str
    object: Literal["company"] = "company"
    name: str
    address: AddressOut
    website: str | None
    tax_id: str | None
    contacts: list[ContactOut]
    created: str
    updated: str


def company_object(company: Company) -> CompanyObject:
    return CompanyObject(
        id=company.id,
        name=company.name,
        address=AddressOut(**company.address.model_dump()),
        website=company.website,
        tax_id=company.tax_id,
        contacts=[ContactOut(**contact.model_dump()) for contact in company.contacts],
        created=iso(company.created),
        updated=iso(company.updated),
    )


def creation_details(body: CompanyCreate) -> dict:
    return body.model_dump()


def update_changes(body: CompanyUpdate) -> dict:
    """Only the fields the caller sent; `null` clears an optional field, but name and address are required."""
    return body.model_dump(include=body.model_fields_set)
