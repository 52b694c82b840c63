"""The ledger use cases wired to the real adapters."""

from financing.adapters.dynamo import EntityTable
from financing.adapters.exposure import ExposureStore
from financing.adapters.invoices import InvoiceStore
from financing.adapters.ledger import LedgerStore
from financing.domain.actor import Actor
from financing.services.ledger import Ledger


def ledger_use_cases(actor: Actor) -> Ledger:
    table = EntityTable()
    return Ledger(actor, LedgerStore(table), ExposureStore(table), InvoiceStore(table))
