"""Credit rights (Brazilian receivables) and their registration with a registrar.

    PENDING -> CONFIRMED (registered) | REJECTED (the registrar refused it, e.g. already registered)
    CONFIRMED -> INACTIVATED (the registrar released it)
Transient registrar failures leave the receivable PENDING with the attempt counted and the error kept.
A PENDING receivable whose attempts are exhausted is dead-lettered (its request rests in the registration
dead-letter queue); retrying its registration resets the attempts and queues it anew.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from financing.domain.errors import StateConflict

SUCCESS = "credit_rights_registration_success-1"
FAILURE = "credit_rights_registration_failure-1"
STATUS_CHANGE_SUCCESS = "credit_rights_status_change_success-1"
STATUS_CHANGE_FAILURE = "credit_rights_status_change_failure-1"
REGISTRATION_REQUESTED = "credit_rights.registration_requested"
INACTIVATION_REQUESTED = "credit_rights.inactivation_requested"
ATTEMPT_FAILED = "credit_rights.registration_attempt_failed"
# The registration queue's maxReceiveCount (template.yaml): each receive is one attempt, and after this many
# the request goes to the dead-letter queue.
REGISTRATION_MAX_ATTEMPTS = 8


class RegistryStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    COMPLETED = "COMPLETED"
    INACTIVATED = "INACTIVATED"
    REJECTED = "REJECTED"


class Receivable(BaseModel):
    tenant_id: str
    internal_number: str
    request: dict[str, Any]  # the accepted request, as sent (amounts as decimal strings)
    face_value: int  # minor units (BRL)
    status: RegistryStatus = RegistryStatus.PENDING
    registrar_reference: str | None = None
    message: str | None = None
    attempts: int = 0
    last_error: str | None = None
    inactivation_requested: bool = False
    created: datetime
    updated: datetime
    version: int = 1

    @property
    def debtor_document_number(self) -> str:
        return str(self.request["debtor_document_number"])

    @property
    def holding_number(self) -> str:
        return str(self.request["holding_number"])


class TransientRegistrarError(Exception):
    """The registrar could not answer now; the request may succeed if retried."""


@dataclass(frozen=True)
class Outcome:
    """What the registrar answered: accepted (with its reference) or refused (with why)."""

    accepted: bool
    reference: str | None = None
    message: str | None = None


def _changed(receivable: Receivable, now: datetime, **changes: Any) -> Receivable:
    return receivable.model_copy(update={**changes, "updated": now, "version": receivable.version + 1})


def registered(receivable: Receivable, outcome: Outcome, now: datetime) -> tuple[Receivable, str]:
    """Apply the registrar's answer to a registration; returns the receivable and the event to announce."""
    if outcome.accepted:
        return _changed(
            receivable,
            now,
            status=RegistryStatus.CONFIRMED,
            registrar_reference=outcome.reference,
            attempts=receivable.attempts + 1,
            last_error=None,
        ), SUCCESS
    return _changed(
        receivable,
        now,
        status=RegistryStatus.REJECTED,
        message=outcome.message,
        attempts=receivable.attempts + 1,
        last_error=None,
    ), FAILURE


def attempt_failed(receivable: Receivable, error: str, now: datetime) -> Receivable:
    return _changed(receivable, now, attempts=receivable.attempts + 1, last_error=error[:500])


def dead_lettered(receivable: Receivable) -> bool:
    """Still PENDING after the worker's last attempt: no message will register it unless retried."""
    return receivable.status == RegistryStatus.PENDING and receivable.attempts >= REGISTRATION_MAX_ATTEMPTS


def registration_retried(receivable: Receivable, now: datetime) -> Receivable:
    """A dead-lettered receivable's registration asked again: its attempts start over (the error is kept
    until an attempt answers)."""
    if not dead_lettered(receivable):
        raise StateConflict(
            "Only a dead-lettered receivable (PENDING after "
            f"{REGISTRATION_MAX_ATTEMPTS} attempts) can have its registration retried; this one is "
            f"{receivable.status.value} after {receivable.attempts} attempts.",
            code="invalid_status",
            details={"status": receivable.status.value, "attempts": receivable.attempts},
        )
    return _changed(receivable, now, attempts=0)


def request_inactivation(receivable: Receivable, now: datetime) -> Receivable:
    if receivable.status != RegistryStatus.CONFIRMED:
        raise StateConflict(
            f"Only a CONFIRMED receivable can be inactivated; this one is {receivable.status.value}.",
            code="invalid_status",
            details={"status": receivable.status.value},
        )
    return _changed(receivable, now, inactivation_requested=True)


def inactivated(receivable: Receivable, outcome: Outcome, now: datetime) -> tuple[Receivable, str]:
    if outcome.accepted:
        return _changed(
            receivable, now, status=RegistryStatus.INACTIVATED, inactivation_requested=False
        ), STATUS_CHANGE_SUCCESS
    return _changed(
        receivable, now, inactivation_requested=False, message=outcome.message
    ), STATUS_CHANGE_FAILURE
