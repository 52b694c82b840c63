"""The financing push's wiring: the hosted financing page's view, on the real stores, in Monite's shapes."""

from typing import Any

from financing.adapters.credit_line import CreditLineStore
from financing.auth.financing_tokens import Grant
from financing.composition.invoices import invoice_ports
from financing.domain.credit_line import CreditLine
from financing.families.monite.invoices import financing_invoice
from financing.families.monite.offers import offers_response
from financing.services import financing_push
from financing.services.ports import ConnectShapes


def _offer(line: CreditLine | None) -> dict[str, Any]:
    return offers_response(line).model_dump(mode="json")


# The page is shown Monite's offers response and Monite's financing invoices.
connect_shapes = ConnectShapes(offer=_offer, invoice=financing_invoice)


def connect_view(connect: Grant, session: Grant | None, correlation_id: str) -> dict[str, Any]:
    """The business's offer, and with a session token the session it names, with its invoices."""
    return financing_push.connect_view(
        CreditLineStore(), invoice_ports(), connect, session, correlation_id, shapes=connect_shapes
    )
