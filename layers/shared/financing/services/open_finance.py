"""Open Finance reads: a customer's financed contracts, under a consent checked on every request.

Each request costs few DynamoDB calls and never trusts a cache: a contract endpoint reads the consent,
the tenant's settings and the invoice in one consistent read; the list reads the consent and settings in
one, then the customer's contract keys (ports.ConsentedReads).
"""

from dataclasses import dataclass
from typing import Any

from financing.clock import now
from financing.domain.actor import Actor
from financing.domain.consents import Consent, ConsentRefused, Permission, check_access, is_shared_currency
from financing.domain.errors import NotFound
from financing.domain.invoices import Invoice
from financing.domain.lifecycle import CONTRACTS
from financing.domain.settings import TenantSettings, require_institution
from financing.ids import is_id
from financing.services.ports import ContractPage, OpenFinancePorts


@dataclass(frozen=True)
class Shared:
    """What a consent lets one request see: the consent, the institution's settings, and the contract."""

    consent: Consent
    settings: TenantSettings
    invoice: Invoice | None = None


class SharedContracts:
    """The contracts one request may see under its consent (constructed per request by
    financing.composition.open_finance)."""

    def __init__(self, actor: Actor, consent_id: str | None, ports: OpenFinancePorts) -> None:
        self.actor = actor
        self.consent_id = consent_id
        self.ports = ports

    def _read(self, permission: Permission, invoice_id: str | None = None) -> tuple[Shared, Invoice | None]:
        if not self.consent_id or not is_id("consent", self.consent_id):
            raise ConsentRefused(
                "The token carries no consent." if not self.consent_id else "The consent does not exist."
            )
        consent, settings, invoice = self.ports.reads.consented(
            self.actor.tenant_id, self.consent_id, invoice_id
        )
        consent = check_access(consent, permission, now())
        return Shared(consent, require_institution(settings)), invoice

    def contract(self, contract_id: str, permission: Permission) -> Shared:
        """One contract of the consent's customer; any other invoice (or none) is 404."""
        shared, invoice = self._read(permission, self.ports.invoice_id_of(contract_id))
        if (
            invoice is None
            or invoice.status not in CONTRACTS
            or not is_shared_currency(invoice.currency)
            or invoice.financing is None
            or invoice.financing.customer_document != shared.consent.customer_document
        ):
            raise NotFound("contract", contract_id)
        return Shared(shared.consent, shared.settings, invoice)

    def contract_page(
        self,
        contract_id: str,
        permission: Permission,
        page: int,
        size: int,
        pagination_key: str | None,
        part: str,
    ) -> tuple[Shared, ContractPage]:
        """One contract's `part` (warranties, payments...) and the page of it asked for."""
        shared = self.contract(contract_id, permission)
        return shared, self.page(page, size, pagination_key, f"{contract_id}/{part}")

    def contracts(
        self, page: int, size: int, pagination_key: str | None
    ) -> tuple[Shared, ContractPage, list[dict[str, Any]]]:
        """The consent's customer's contracts funded by the listing's snapshot, newest first ({"id", "type"})."""
        shared, _ = self._read(Permission.INVOICE_FINANCINGS_READ)
        request = self.page(page, size, pagination_key, "contracts")
        keys = self.ports.reads.contract_keys(
            self.actor.tenant_id, shared.consent.customer_document, funded_by=request.snapshot
        )
        return shared, request, keys

    def page(self, page: int, size: int, pagination_key: str | None, listing: str) -> ContractPage:
        """The page asked for, its pagination-key bound to this tenant, consent and listing."""
        binding = f"{self.actor.tenant_id}:{self.consent_id}:{listing}"
        return self.ports.page_request(page, size, pagination_key, binding)
