"""Companies: suppliers and buyers of a tenant, and the rules their details must follow."""

from datetime import datetime

from pydantic import BaseModel

from financing.clock import now
from financing.domain.errors import FieldProblem, InvalidInput
from financing.domain.tax_id import brazilian_document_problem, normalise_tax_id
from financing.ids import new_id

CREATED = "company.created"
UPDATED = "company.updated"


class Address(BaseModel):
    street: str | None = None
    city: str | None = None
    state: str | None = None
    country_code: str


class Contact(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    is_signatory: bool = False
    is_request_recipient: bool = False


class Company(BaseModel):
    id: str
    tenant_id: str
    name: str
    address: Address
    website: str | None = None
    tax_id: str | None = None
    contacts: list[Contact] = []
    created: datetime
    updated: datetime
    version: int = 1


def _checked_tax_id(tax_id: str | None, country_code: str) -> str | None:
    """A Brazilian company's tax id must be a valid CPF or CNPJ; elsewhere it is free text."""
    if tax_id is None:
        return None
    if country_code == "BR" and (problem := brazilian_document_problem(tax_id)):
        raise InvalidInput([FieldProblem("tax_id", problem)])
    return normalise_tax_id(tax_id, country_code)


def register_company(
    *,
    tenant_id: str,
    name: str,
    address: Address | dict,
    website: str | None,
    tax_id: str | None,
    contacts: list[dict],
) -> Company:
    moment = now()
    address = Address.model_validate(address)
    return Company(
        id=new_id("company"),
        tenant_id=tenant_id,
        name=name,
        address=address,
        website=website,
        tax_id=_checked_tax_id(tax_id, address.country_code),
        contacts=[Contact(id=new_id("contact"), **contact) for contact in contacts],
        created=moment,
        updated=moment,
    )


def revise_company(company: Company, changes: dict) -> Company:
    """Apply a partial update. `contacts` replaces the whole list; keeping a contact's id keeps it."""
    fields = company.model_dump()
    for key in ("name", "website", "address", "tax_id"):
        if key in changes:
            fields[key] = changes[key]
    address = Address.model_validate(fields["address"])
    contacts = company.contacts
    if "contacts" in changes:
        known = {contact.id for contact in company.contacts}
        contacts = []
        for contact in changes["contacts"]:
            contact_id = contact.get("id")
            if contact_id is not None and contact_id not in known:
                raise InvalidInput([FieldProblem("contacts.id", f"unknown contact '{contact_id}'")])
            contacts.append(Contact(**{**contact, "id": contact_id or new_id("contact")}))
    return company.model_copy(
        update={
            "name": fields["name"],
            "website": fields["website"],
            "address": address,
            # Re-check the tax id whenever it or the country changes.
            "tax_id": _checked_tax_id(fields["tax_id"], address.country_code),
            "contacts": contacts,
            "updated": now(),
            "version": company.version + 1,
        }
    )
