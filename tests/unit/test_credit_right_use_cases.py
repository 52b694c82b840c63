"""The receivables registry use cases on in-memory fakes (tests/unit/fakes.py) and a scripted registrar,
beside their moto tests (tests/integration/test_credit_rights_api.py): a queued request settles once, a
transient registrar failure is recorded and re-raised for the retry, and every change is announced."""

import pytest

from financing.clock import now
from financing.composition.credit_rights import receivable_event
from financing.domain import credit_rights as rules
from financing.domain.actor import Actor
from financing.domain.credit_rights import Outcome, RegistryStatus, TransientRegistrarError
from financing.domain.errors import Conflict, NotFound, StateConflict
from financing.domain.events import DomainEvent
from financing.ids import new_id
from financing.services.credit_rights import (
    get_receivable,
    request_inactivation,
    request_registration,
    retry_registration,
    settle,
)
from local.template import load_template
from tests.unit.fakes import Books, FakeCreditRights

ACME = Actor(tenant_id="acme", subject="ops", scopes=frozenset(), correlation_id="corr-1")
# The fields of a registration request that the registry's events carry (a whole Pismo request validated
# by its model, as the handler gives the use case).
REQUEST = {
    "internal_number": "R-1",
    "debtor_document_number": "52998224725",
    "debtor_name": "Compradora SA",
    "holding_number": "H-1",
    "credit_rights_receivable_type": 1,
    "ibge_code": 3550308,
}


class ScriptedRegistrar:
    """Answers each call with the next of `answers` (an Outcome, or an exception to raise)."""

    def __init__(self, *answers) -> None:
        self.answers, self.calls = list(answers), []

    def _answer(self, call: str, owner: str, debtor: str, holding: str) -> Outcome:
        self.calls.append((call, owner, debtor, holding))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def register(self, owner: str, debtor_document: str, holding_number: str) -> Outcome:
        return self._answer("register", owner, debtor_document, holding_number)

    def inactivate(self, owner: str, debtor_document: str, holding_number: str) -> Outcome:
        return self._answer("inactivate", owner, debtor_document, holding_number)


def _requested(books: Books):
    return request_registration(FakeCreditRights(books), ACME, REQUEST, 100_00, announce=receivable_event)


def _settle(books: Books, registrar: ScriptedRegistrar, action: str = rules.REGISTRATION_REQUESTED):
    return settle(
        FakeCreditRights(books), registrar, "acme", "R-1", action, "corr-2", announce=receivable_event
    )


def test_a_queued_registration_settles_once_even_when_delivered_twice():
    books = Books()
    _requested(books)
    registrar = ScriptedRegistrar(Outcome(accepted=True, reference="B3REF"))
    assert _settle(books, registrar) == rules.SUCCESS
    assert _settle(books, registrar) is None  # the message again: nothing to do, the registrar not asked
    assert registrar.calls == [("register", "acme#R-1", "52998224725", "H-1")]
    stored = get_receivable(FakeCreditRights(books), ACME, "R-1")
    assert (stored.status, stored.registrar_reference, stored.attempts) == (
        RegistryStatus.CONFIRMED,
        "B3REF",
        1,
    )
    assert [e.type for e in books.outbox] == [rules.REGISTRATION_REQUESTED, rules.SUCCESS]
    assert books.outbox[-1].object["interop_holding_number"] == "B3REF"


def test_a_transient_failure_is_recorded_and_raised_for_the_retry():
    books = Books()
    _requested(books)
    registrar = ScriptedRegistrar(
        TransientRegistrarError("timeout"), Outcome(accepted=True, reference="B3REF")
    )
    with pytest.raises(TransientRegistrarError):
        _settle(books, registrar)
    failed = get_receivable(FakeCreditRights(books), ACME, "R-1")
    assert (failed.status, failed.attempts, failed.last_error) == (RegistryStatus.PENDING, 1, "timeout")
    assert books.outbox[-1].type == rules.ATTEMPT_FAILED and books.outbox[-1].object["error"] == "timeout"
    assert _settle(books, registrar) == rules.SUCCESS
    assert get_receivable(FakeCreditRights(books), ACME, "R-1").attempts == 2


def test_a_receivable_is_dead_lettered_after_as_many_attempts_as_the_registration_queue_allows():
    queue = load_template()["Resources"]["RegistrationQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == rules.REGISTRATION_MAX_ATTEMPTS


def test_only_a_dead_lettered_registration_is_retried_with_its_attempts_reset_and_requested_again():
    books = Books()
    _requested(books)
    failures = [TransientRegistrarError("timeout")] * rules.REGISTRATION_MAX_ATTEMPTS
    registrar = ScriptedRegistrar(*failures, Outcome(accepted=True, reference="B3REF"))
    for _ in range(rules.REGISTRATION_MAX_ATTEMPTS):
        assert not rules.dead_lettered(get_receivable(FakeCreditRights(books), ACME, "R-1"))
        with pytest.raises(StateConflict):
            retry_registration(FakeCreditRights(books), ACME, "R-1", announce=receivable_event)
        with pytest.raises(TransientRegistrarError):
            _settle(books, registrar)
    assert rules.dead_lettered(get_receivable(FakeCreditRights(books), ACME, "R-1"))
    retried = retry_registration(FakeCreditRights(books), ACME, "R-1", announce=receivable_event)
    assert (retried.status, retried.attempts, rules.dead_lettered(retried)) == (
        RegistryStatus.PENDING,
        0,
        False,
    )
    assert books.outbox[-1].type == rules.REGISTRATION_REQUESTED
    assert _settle(books, registrar) == rules.SUCCESS
    with pytest.raises(StateConflict):
        retry_registration(FakeCreditRights(books), ACME, "R-1", announce=receivable_event)


def test_a_refusal_rejects_the_receivable_with_the_registrars_message():
    books = Books()
    _requested(books)
    assert (
        _settle(books, ScriptedRegistrar(Outcome(accepted=False, message="already registered")))
        == rules.FAILURE
    )
    assert get_receivable(FakeCreditRights(books), ACME, "R-1").status == RegistryStatus.REJECTED
    assert books.outbox[-1].object["message"] == "already registered"


def test_inactivation_needs_a_confirmed_receivable_then_settles_with_the_registrar():
    books = Books()
    _requested(books)
    with pytest.raises(StateConflict):
        request_inactivation(FakeCreditRights(books), ACME, "R-1", announce=receivable_event)
    registrar = ScriptedRegistrar(Outcome(accepted=True, reference="B3REF"), Outcome(accepted=True))
    _settle(books, registrar)
    request_inactivation(FakeCreditRights(books), ACME, "R-1", announce=receivable_event)
    assert _settle(books, registrar, rules.INACTIVATION_REQUESTED) == rules.STATUS_CHANGE_SUCCESS
    assert get_receivable(FakeCreditRights(books), ACME, "R-1").status == RegistryStatus.INACTIVATED
    assert [e.type for e in books.outbox][-2:] == [rules.INACTIVATION_REQUESTED, rules.STATUS_CHANGE_SUCCESS]


def test_a_duplicate_internal_number_is_refused_and_another_tenant_sees_nothing():
    books = Books()
    _requested(books)
    with pytest.raises(Conflict):
        _requested(books)
    assert len(books.outbox) == 1
    other = Actor(tenant_id="globex", subject="ops", scopes=frozenset(), correlation_id="c")
    with pytest.raises(NotFound):
        get_receivable(FakeCreditRights(books), other, "R-1")
    assert (
        settle(
            FakeCreditRights(books),
            ScriptedRegistrar(),
            "globex",
            "R-1",
            rules.REGISTRATION_REQUESTED,
            "c",
            announce=receivable_event,
        )
        is None
    )


def _recorded(event_type: str, receivable, correlation_id: str, /, **extra) -> DomainEvent:
    """A recording announcer: the event carries what the use case told it, and no family's shape."""
    return DomainEvent(
        id=new_id("evt"),
        type=event_type,
        tenant_id=receivable.tenant_id,
        correlation_id=correlation_id,
        occurred_at=now(),
        detail={
            "object": {"internal_number": receivable.internal_number, "status": receivable.status, **extra}
        },
    )


def test_each_change_is_announced_through_the_injected_announcer_with_what_the_registrar_said():
    books = Books()
    store = FakeCreditRights(books)
    request_registration(store, ACME, REQUEST, 100_00, announce=_recorded)
    registrar = ScriptedRegistrar(TransientRegistrarError("timeout"), Outcome(accepted=False, message="no"))
    with pytest.raises(TransientRegistrarError):
        settle(store, registrar, "acme", "R-1", rules.REGISTRATION_REQUESTED, "corr-2", announce=_recorded)
    settle(store, registrar, "acme", "R-1", rules.REGISTRATION_REQUESTED, "corr-3", announce=_recorded)
    assert [(e.type, e.correlation_id, e.object) for e in books.outbox] == [
        (
            rules.REGISTRATION_REQUESTED,
            "corr-1",
            {"internal_number": "R-1", "status": RegistryStatus.PENDING},
        ),
        (
            rules.ATTEMPT_FAILED,
            "corr-2",
            {"internal_number": "R-1", "status": RegistryStatus.PENDING, "error": "timeout"},
        ),
        (
            rules.FAILURE,
            "corr-3",
            {
                "internal_number": "R-1",
                "status": RegistryStatus.REJECTED,
                "message": "no",
                "invoice_number": None,
            },
        ),
    ]
