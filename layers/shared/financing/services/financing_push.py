"""Invoices pushed for financing under the tenant's offer (Monite-shaped), and what the supplier's hosted
financing page may see with the tokens the push hands out."""

from datetime import date
from typing import Any

from financing.auth.financing_tokens import Grant
from financing.clock import iso
from financing.domain import invoices as rules
from financing.domain.actor import Actor
from financing.domain.credit_line import CreditLine, quote
from financing.domain.errors import Conflict, FieldProblem, InvalidInput, NotFound
from financing.domain.financing_list import InvoiceQuery, ListStatus
from financing.domain.invoices import Invoice, InvoiceType
from financing.services.invoices import Invoices
from financing.services.ports import ConnectShapes, CreditLines, InvoicePorts

DRAFTS_SHOWN = 100  # the hosted page lists the business's oldest draft invoices, at most this many


class NoOffer(Conflict):
    """The business has no credit line, so nothing to quote or confirm under (409 `no_financing_offer`)."""


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


def connected(grant: Grant, ports: InvoicePorts, correlation_id: str) -> Invoices:
    """The invoice use cases of the business a financing token names (its tenant only, never the request's)
    with no scope: the hosted page's actor, recorded as `connect:<subject>`."""
    actor = Actor(
        tenant_id=grant.tenant_id,
        subject=f"connect:{grant.subject}",
        scopes=frozenset(),
        correlation_id=correlation_id,
    )
    return Invoices(actor, ports)


def _offered(store: CreditLines, tenant_id: str) -> CreditLine:
    line = store.get(tenant_id)
    if line is None or not line.pricing_plans:
        raise NoOffer("There is no financing offer to finance invoices under.", code="no_financing_offer")
    return line


def _chosen(
    invoices: Invoices, store: CreditLines, wanted: list[tuple[str, InvoiceType]]
) -> tuple[list[Invoice], CreditLine]:
    """The invoices asked for (the business's own: any other is 404 as an unknown one) and the offer's line,
    each invoice one the business may still put forward under it: of the type named, in the line's
    currency (funding would refuse another) and submittable."""
    chosen = [invoices.get(invoice_id) for invoice_id, _ in wanted]
    line = _offered(store, invoices.actor.tenant_id)
    problems = []
    for n, (invoice, (_, kind)) in enumerate(zip(chosen, wanted, strict=True)):
        if invoice.type != kind:
            problems.append(
                FieldProblem(f"invoices.{n}.type", f"the invoice is a {invoice.type.value} invoice")
            )
        elif invoice.currency != line.currency:
            message = f"the invoice is in {invoice.currency.upper()}; the offer is in {line.currency.upper()}"
            problems.append(FieldProblem(f"invoices.{n}.id", message))
    if problems:
        raise InvalidInput(problems)
    for invoice in chosen:
        rules.check_submittable(invoice)
    return chosen, line


def quote_view(
    invoices: Invoices,
    store: CreditLines,
    wanted: list[tuple[str, InvoiceType]],
    today: date,
    *,
    shapes: ConnectShapes,
) -> dict[str, Any]:
    """What funding the chosen invoices today under the offer's first plan (the plan a push records, so the
    plan funding applies) would book, per invoice and in total, by the funding's own domain pricing
    (credit_line.quote); nothing is written."""
    chosen, line = _chosen(invoices, store, wanted)
    plan = line.pricing_plans[0]
    names = invoices.buyer_names(chosen)
    shown, quotes = [], []
    for invoice in chosen:
        terms = quote(plan, invoice.amount, invoice.due_date, today)
        quotes.append(terms)
        body = shapes.invoice(invoice.model_copy(update={"offered_plan": plan}), names.get(invoice.buyer))
        body["repayment_schedule"] = {
            "repayment_date": terms.repayment_date.isoformat(),
            "repayment_amount": terms.advance.repayment_amount,
            "repayment_fee_amount": terms.advance.discount,
            "repayment_principal_amount": terms.advance.first_payment,
        }
        shown.append(body)
    return {
        "disbursement_date": today.isoformat(),
        "invoices": shown,
        "total": {
            "currency": line.currency.upper(),
            "advance_amount": sum(q.advance.first_payment for q in quotes),
            "fee_amount": sum(q.advance.discount for q in quotes),
            "repayment_amount": sum(q.advance.repayment_amount for q in quotes),
            "repayment_date": max(q.repayment_date for q in quotes).isoformat(),
        },
    }


def confirm(invoices: Invoices, store: CreditLines, wanted: list[tuple[str, InvoiceType]]) -> list[Invoice]:
    """The business confirms the invoices it was quoted: they are submitted in one session under the offer,
    as a platform's push submits them, and wait in the lender's queue (nothing is funded here)."""
    _chosen(invoices, store, wanted)
    return push_for_financing(invoices, store, wanted)


def draft_invoices(invoices: Invoices, shapes: ConnectShapes) -> list[dict[str, Any]]:
    """The business's oldest draft invoices (what it may put forward), as Monite shows them."""
    query = InvoiceQuery(limit=DRAFTS_SHOWN, statuses=[ListStatus.DRAFT])
    found = invoices.financing_page(query, after=None, backward=False).invoices
    names = invoices.buyer_names(found)
    return [shapes.invoice(i, names.get(i.buyer)) for i in found]


def connect_view(
    store: CreditLines,
    ports: InvoicePorts,
    connect: Grant,
    session: Grant | None,
    correlation_id: str,
    *,
    shapes: ConnectShapes,
) -> dict[str, Any]:
    """The business's offer and draft invoices, and with a session token the session it names, with its
    invoices."""
    body: dict[str, Any] = {
        "entity_id": connect.entity_id,
        "expires_at": iso(connect.expires_at),
        **shapes.offer(store.get(connect.tenant_id)),
        "session": None,
        "draft_invoices": draft_invoices(connected(connect, ports, correlation_id), shapes),
    }
    if session is None:
        return body
    reader = connected(session, ports, correlation_id)
    found = [reader.get(invoice_id) for invoice_id in session.invoice_ids]
    if not found or any(session.session_id not in {s.id for s in i.sessions} for i in found):
        raise NotFound("financing session", str(session.session_id))
    names = reader.buyer_names(found)
    body["session"] = {
        **session_summary(found, str(session.session_id)),
        "invoices": [shapes.invoice(i, names.get(i.buyer)) for i in found],
    }
    return body
