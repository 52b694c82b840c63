"""Invoices pushed for financing under the tenant's offer (Monite-shaped), and what the supplier's hosted
financing page may see with the tokens the push hands out."""

from typing import Any

from financing.auth.financing_tokens import Grant
from financing.clock import iso
from financing.domain.actor import Actor
from financing.domain.errors import NotFound
from financing.domain.invoices import Invoice, InvoiceType
from financing.services.invoices import Invoices
from financing.services.ports import ConnectShapes, CreditLines, InvoicePorts


def push_for_financing(
    invoices: Invoices, store: CreditLines, wanted: list[tuple[str, InvoiceType]]
) -> list[Invoice]:
    """Submit the invoices in one session under the tenant's current offer: each records the plan it is
    offered, the line's first pricing plan (Monite's push names none), which funding then applies.
    Without a line there is no offer, and funding prices by the tenant's settings."""
    line = store.get(invoices.actor.tenant_id)
    return invoices.submit_many(wanted, offered_plan=line.pricing_plans[0] if line else None)


def session_summary(invoices: list[Invoice], session_id: str) -> dict[str, Any]:
    """The financing session the invoices were submitted in (they share it)."""
    session = next(s for s in invoices[0].sessions if s.id == session_id)
    return {
        "id": session.id,
        "status": session.status.value,
        "submitted_by": session.submitted_by,
        "created": iso(session.created),
    }


def connect_view(
    store: CreditLines,
    ports: InvoicePorts,
    connect: Grant,
    session: Grant | None,
    correlation_id: str,
    *,
    shapes: ConnectShapes,
) -> dict[str, Any]:
    """The business's offer, and with a session token the session it names, with its invoices (as
    `shapes` show them)."""
    body: dict[str, Any] = {
        "entity_id": connect.entity_id,
        "expires_at": iso(connect.expires_at),
        **shapes.offer(store.get(connect.tenant_id)),
        "session": None,
    }
    if session is None:
        return body
    reader = Invoices(
        Actor(
            tenant_id=session.tenant_id,
            subject=f"connect:{session.subject}",
            scopes=frozenset(),
            correlation_id=correlation_id,
        ),
        ports,
    )
    found = [reader.get(invoice_id) for invoice_id in session.invoice_ids]
    if not found or any(session.session_id not in {s.id for s in i.sessions} for i in found):
        raise NotFound("financing session", str(session.session_id))
    names = reader.buyer_names(found)
    body["session"] = {
        **session_summary(found, str(session.session_id)),
        "invoices": [shapes.invoice(i, names.get(i.buyer)) for i in found],
    }
    return body
