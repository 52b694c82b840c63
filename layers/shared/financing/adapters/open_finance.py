"""What an Open Finance request reads under its consent: the consent, the tenant's settings and a contract
in one consistent BatchGetItem, and a customer's contract keys from the `by-contract-customer` index."""

from datetime import datetime

from financing.adapters.consents import consent_key, parse_consent
from financing.adapters.dynamo import EntityTable, tenant_key
from financing.adapters.invoices import InvoiceStore
from financing.adapters.settings import parse_settings, settings_key
from financing.domain.consents import Consent
from financing.domain.invoices import Invoice
from financing.domain.settings import TenantSettings


class ConsentedReadStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.invoices = InvoiceStore(table)
        self.table: EntityTable = self.invoices.table

    def consented(
        self, tenant_id: str, consent_id: str, invoice_id: str | None
    ) -> tuple[Consent | None, TenantSettings, Invoice | None]:
        keys = {"consent": consent_key(tenant_id, consent_id), "settings": settings_key(tenant_id)}
        if invoice_id:
            keys["invoice"] = {"pk": tenant_key(tenant_id, "INVOICE"), "sk": invoice_id}
        found = self.table.get_many(list(keys.values()))
        item = {name: found.get((key["pk"], key["sk"])) for name, key in keys.items()}
        invoice = item.get("invoice")
        return (
            parse_consent(item["consent"]),
            parse_settings(tenant_id, item["settings"]),
            self.invoices.parse(invoice) if invoice else None,
        )

    def contract_keys(
        self, tenant_id: str, customer_document: str, *, funded_by: datetime
    ) -> list[dict[str, str]]:
        return self.invoices.contract_keys(tenant_id, customer_document, funded_by=funded_by)
