"""The Open Finance reads wired to the real adapters, with the family's contract ids and pagination keys."""

from financing.adapters.open_finance import ConsentedReadStore
from financing.domain.actor import Actor
from financing.families.open_finance.contracts import invoice_id_of
from financing.families.open_finance.pagination import page_request
from financing.services.open_finance import SharedContracts
from financing.services.ports import OpenFinancePorts


def shared_contracts(actor: Actor, consent_id: str | None) -> SharedContracts:
    """The contracts one request may see under its consent (constructed per request)."""
    ports = OpenFinancePorts(
        reads=ConsentedReadStore(), invoice_id_of=invoice_id_of, page_request=page_request
    )
    return SharedContracts(actor, consent_id, ports)
