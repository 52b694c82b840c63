"""The exposure report: per buyer and per supplier, what is drawn against what limit, and what is overdue."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from financing.domain import books
from financing.domain.buyer_limits import Exposure
from financing.domain.invoices import Invoice
from financing.domain.lifecycle import EXPOSED


@dataclass
class PartyExposure:
    company: str
    currency: str
    limit: int | None  # buyers: the approved total limit; suppliers have no limit
    drawn: int  # advances of the party's financed, overdue and defaulted invoices
    available: int | None
    overdue: int = 0  # claim outstanding (advance + discount + late fees unpaid) on invoices past due


def exposure_report(
    exposures: Iterable[Exposure], invoices: Iterable[Invoice], today: date
) -> tuple[list[PartyExposure], list[PartyExposure]]:
    """(buyers, suppliers). A buyer's limit, drawn and available are its exposure item's (the figures
    funding is checked against); overdue and the suppliers' figures come from the exposed invoices."""
    buyers = {
        e.company_id: PartyExposure(e.company_id, e.currency, e.total_limit, e.outstanding, e.available)
        for e in exposures
    }
    suppliers: dict[tuple[str, str], PartyExposure] = {}
    for invoice in invoices:
        if invoice.status not in EXPOSED:
            continue
        supplier = suppliers.setdefault(
            (invoice.supplier, invoice.currency),
            PartyExposure(invoice.supplier, invoice.currency, None, 0, None),
        )
        supplier.drawn += invoice.exposure
        buyer = buyers.setdefault(invoice.buyer, PartyExposure(invoice.buyer, invoice.currency, 0, 0, 0))
        if invoice.due_date < today:
            overdue = books.claim_outstanding(invoice)
            supplier.overdue += overdue
            buyer.overdue += overdue
    return sorted(buyers.values(), key=_order), sorted(suppliers.values(), key=_order)


def _order(party: PartyExposure) -> tuple[str, str]:
    return party.company, party.currency
