"""Open Finance reads: a customer's financed contracts, under a consent checked on every request.

Each request costs few DynamoDB calls and never trusts a cache: a contract endpoint reads the consent,
the tenant's settings and the invoice in one consistent BatchGetItem; the list reads the consent and
settings in one, then the customer's contract keys from the `by-contract-customer` index.
"""

from dataclasses import dataclass
from typing import Any

from financing.adapters.consents import consent_key, parse_consent
from financing.adapters.dynamo import EntityTable, tenant_key
from financing.adapters.invoices import CONTRACTS, InvoiceStore
from financing.adapters.settings import parse_settings, settings_key
from financing.clock import now
from financing.dialects.open_finance.contracts import invoice_id_of
from financing.dialects.open_finance.pagination import PageRequest, page_request
from financing.domain.actor import Actor
from financing.domain.consents import Consent, ConsentRefused, Permission, check_access, is_shared_currency
from financing.domain.errors import NotFound
from financing.domain.invoices import Invoice
from financing.domain.settings import TenantSettings, require_institution
from financing.ids import is_id


@dataclass(frozen=True)
class Shared:
    """What a consent lets one request see: the consent, the institution's settings, and the contract."""

    consent: Consent
    settings: TenantSettings
    invoice: Invoice | None = None


class SharedContracts:
    def __init__(self, actor: Actor, consent_id: str | None) -> None:
        self.actor = actor
        self.consent_id = consent_id
        self.store = InvoiceStore()
        self.table: EntityTable = self.store.table

    def _read(self, permission: Permission, invoice_id: str | None = None) -> tuple[Shared, dict | None]:
        if not self.consent_id or not is_id("consent", self.consent_id):
            raise ConsentRefused(
                "The token carries no consent." if not self.consent_id else "The consent does not exist."
            )
        tenant = self.actor.tenant_id
        keys = {"consent": consent_key(tenant, self.consent_id), "settings": settings_key(tenant)}
        if invoice_id:
            keys["invoice"] = {"pk": tenant_key(tenant, "INVOICE"), "sk": invoice_id}
        found = self.table.get_many(list(keys.values()))
        item = {name: found.get((key["pk"], key["sk"])) for name, key in keys.items()}
        consent = check_access(parse_consent(item["consent"]), permission, now())
        settings = require_institution(parse_settings(tenant, item["settings"]))
        return Shared(consent, settings), item.get("invoice")

    def contract(self, contract_id: str, permission: Permission) -> Shared:
        """One contract of the consent's customer; any other invoice (or none) is 404."""
        invoice_id = invoice_id_of(contract_id)
        shared, item = self._read(permission, invoice_id)
        invoice = self.store.parse(item) if item else None
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
    ) -> tuple[Shared, PageRequest]:
        """One contract's `part` (warranties, payments...) and the page of it asked for."""
        shared = self.contract(contract_id, permission)
        return shared, self.page(page, size, pagination_key, f"{contract_id}/{part}")

    def contracts(
        self, page: int, size: int, pagination_key: str | None
    ) -> tuple[Shared, PageRequest, list[dict[str, Any]]]:
        """The consent's customer's contracts funded by the listing's snapshot, newest first ({"id", "type"})."""
        shared, _ = self._read(Permission.INVOICE_FINANCINGS_READ)
        request = self.page(page, size, pagination_key, "contracts")
        keys = self.store.contract_keys(
            self.actor.tenant_id, shared.consent.customer_document, funded_by=request.snapshot
        )
        return shared, request, keys

    def page(self, page: int, size: int, pagination_key: str | None, listing: str) -> PageRequest:
        """The page asked for, its pagination-key bound to this tenant, consent and listing."""
        return page_request(page, size, pagination_key, f"{self.actor.tenant_id}:{self.consent_id}:{listing}")
