"""The reads the invoice use cases make beside the invoice (services/ports.InvoiceReads): each one
consistent BatchGetItem of independent items, parsed into domain values."""

from typing import Any

from financing.adapters.companies import company_key, parse_company
from financing.adapters.concentration import portfolio_key
from financing.adapters.credit_line import credit_line_from_item, credit_line_key
from financing.adapters.documents import document_key, parse_document
from financing.adapters.dynamo import EntityTable, tenant_key
from financing.adapters.exposure import exposure_from_item, exposure_key
from financing.adapters.settings import parse_settings, settings_key
from financing.domain.buyer_limits import Exposure
from financing.domain.companies import Company
from financing.domain.documents import Document
from financing.domain.funding_facts import FundingFacts
from financing.domain.invoices import Invoice
from financing.domain.settings import TenantSettings


def receivable_key(tenant_id: str, internal_number: str) -> dict[str, str]:
    # The key adapters/credit_rights.py stores a receivable under (not imported: funding reads its status only).
    return {"pk": tenant_key(tenant_id, "CREDIT_RIGHT"), "sk": internal_number}


class InvoiceReads:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def _read(self, keys: dict[str, dict[str, str]]) -> dict[str, dict[str, Any] | None]:
        """Independent items in one consistent BatchGetItem, by name."""
        found = self.table.get_many(list(keys.values())) if keys else {}
        return {name: found.get((key["pk"], key["sk"])) for name, key in keys.items()}

    def references(
        self, tenant_id: str, company_ids: list[str], document_id: str | None
    ) -> tuple[dict[str, Company], Document | None]:
        keys = {company_id: company_key(tenant_id, company_id) for company_id in company_ids}
        if document_id is not None:
            keys[_DOCUMENT] = document_key(tenant_id, document_id)
        found = self._read(keys)
        document = found.pop(_DOCUMENT, None)
        companies = {company_id: parse_company(item) for company_id, item in found.items() if item}
        return companies, parse_document(document) if document else None

    def submission(
        self, tenant_id: str, buyer: str, document_id: str
    ) -> tuple[Exposure | None, Document | None]:
        found = self._read(
            {"exposure": exposure_key(tenant_id, buyer), "document": document_key(tenant_id, document_id)}
        )
        exposure, document = found["exposure"], found["document"]
        return (
            exposure_from_item(exposure) if exposure else None,
            parse_document(document) if document else None,
        )

    def funding(self, tenant_id: str, invoice: Invoice) -> FundingFacts:
        keys = {
            "settings": settings_key(tenant_id),
            "exposure": exposure_key(tenant_id, invoice.buyer),
            "credit_line": credit_line_key(tenant_id),
            "supplier": company_key(tenant_id, invoice.supplier),
        }
        if invoice.credit_rights_internal_number:
            keys["receivable"] = receivable_key(tenant_id, invoice.credit_rights_internal_number)
        found = self._read(keys)
        exposure, supplier, receivable = found["exposure"], found["supplier"], found.get("receivable")
        return FundingFacts(
            settings=parse_settings(tenant_id, found["settings"]),
            exposure=exposure_from_item(exposure) if exposure else None,
            credit_line=credit_line_from_item(tenant_id, found["credit_line"]),
            supplier=parse_company(supplier) if supplier else None,
            receivable_status=receivable.get("status") if receivable else None,
        )

    def exposure(self, tenant_id: str, buyer: str) -> tuple[TenantSettings, Exposure | None]:
        found = self._read({"settings": settings_key(tenant_id), "exposure": exposure_key(tenant_id, buyer)})
        exposure = found["exposure"]
        return parse_settings(tenant_id, found["settings"]), exposure_from_item(
            exposure
        ) if exposure else None

    def portfolio(self, tenant_id: str, currency: str, since: int) -> int:
        item = self.table.get(**portfolio_key(tenant_id, currency, since))
        return int(item.get("outstanding", 0)) if item else 0


_DOCUMENT = "#document"  # not a company id
