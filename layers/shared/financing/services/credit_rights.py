"""Receivables registry use cases: accept a registration, read it, retry a dead-lettered one, ask for
inactivation, and the worker's
step that talks to the registrar and records the outcome with its event."""

from typing import Any

from financing.clock import now
from financing.domain import credit_rights as rules
from financing.domain.actor import Actor
from financing.domain.credit_rights import Receivable, RegistryStatus, TransientRegistrarError
from financing.domain.errors import NotFound
from financing.services.ports import AnnouncesReceivable, CreditRights, Registrar


def request_registration(
    store: CreditRights,
    actor: Actor,
    request: dict[str, Any],
    face_value: int,
    *,
    announce: AnnouncesReceivable,
) -> Receivable:
    moment = now()
    receivable = Receivable(
        tenant_id=actor.tenant_id,
        internal_number=str(request["internal_number"]),
        request=request,
        face_value=face_value,
        created=moment,
        updated=moment,
    )
    store.add(receivable, announce(rules.REGISTRATION_REQUESTED, receivable, actor.correlation_id))
    return receivable


def get_receivable(store: CreditRights, actor: Actor, internal_number: str) -> Receivable:
    receivable = store.get(actor.tenant_id, internal_number) if 0 < len(internal_number) <= 40 else None
    if receivable is None:
        raise NotFound("receivable", internal_number)
    return receivable


def list_receivables(
    store: CreditRights, actor: Actor, *, limit: int, after: str | None
) -> tuple[list[Receivable], bool]:
    return store.page(actor.tenant_id, limit=limit, after=after)


def request_inactivation(
    store: CreditRights, actor: Actor, internal_number: str, *, announce: AnnouncesReceivable
) -> Receivable:
    receivable = get_receivable(store, actor, internal_number)
    asked = rules.request_inactivation(receivable, now())
    store.save(
        asked, receivable.version, [announce(rules.INACTIVATION_REQUESTED, asked, actor.correlation_id)]
    )
    return asked


def retry_registration(
    store: CreditRights, actor: Actor, internal_number: str, *, announce: AnnouncesReceivable
) -> Receivable:
    """A dead-lettered receivable queued for registration again: attempts reset and the request announced
    in the same write, so the worker registers it anew."""
    receivable = get_receivable(store, actor, internal_number)
    retried = rules.registration_retried(receivable, now())
    store.save(
        retried, receivable.version, [announce(rules.REGISTRATION_REQUESTED, retried, actor.correlation_id)]
    )
    return retried


def settle(
    store: CreditRights,
    registrar: Registrar,
    tenant_id: str,
    internal_number: str,
    action: str,
    correlation_id: str,
    *,
    announce: AnnouncesReceivable,
) -> str | None:
    """One queued request: ask the registrar and record its answer with the outcome event.

    Idempotent: a receivable already settled for this action is left alone (a message delivered twice
    registers once). A transient registrar failure is recorded as an attempt and re-raised for retry.
    Returns the event announced, or None when there was nothing to do.
    """
    receivable = store.get(tenant_id, internal_number)
    if receivable is None:
        return None
    owner = f"{tenant_id}#{internal_number}"
    wants_registration = (
        action == rules.REGISTRATION_REQUESTED and receivable.status == RegistryStatus.PENDING
    )
    wants_inactivation = action == rules.INACTIVATION_REQUESTED and receivable.inactivation_requested
    if not (wants_registration or wants_inactivation):
        return None
    try:
        if wants_registration:
            outcome = registrar.register(owner, receivable.debtor_document_number, receivable.holding_number)
            settled, event_type = rules.registered(receivable, outcome, now())
        else:
            outcome = registrar.inactivate(
                owner, receivable.debtor_document_number, receivable.holding_number
            )
            settled, event_type = rules.inactivated(receivable, outcome, now())
    except TransientRegistrarError as error:
        failed = rules.attempt_failed(receivable, str(error), now())
        store.save(
            failed,
            receivable.version,
            [announce(rules.ATTEMPT_FAILED, failed, correlation_id, error=str(error))],
        )
        raise
    extra: dict[str, Any] = {}
    if not outcome.accepted:
        extra = {"message": outcome.message, "invoice_number": receivable.request.get("invoice_number")}
    store.save(settled, receivable.version, [announce(event_type, settled, correlation_id, **extra)])
    return event_type
