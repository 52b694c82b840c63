"""Dead-lettered receivables and their redrive: a registrar failing until the attempts run out leaves the
receivable dead-lettered; retrying its registration resets the attempts and queues it anew."""

import pytest

from financing.config import settings
from financing.domain.credit_rights import REGISTRATION_MAX_ATTEMPTS
from tests.integration.harness import call
from tests.integration.receivable_fixtures import deliver, outbox_events, receivable

pytestmark = pytest.mark.usefixtures("aws")
WRITE = "credit-rights:write credit-rights:read"
REQUESTED = "credit_rights.registration_requested"


def post(body, tenant="acme"):
    return call("create_credit_right", "POST", "/v1/credit-rights", body=body, tenant=tenant, scope=WRITE)


def get(internal_number, tenant="acme"):
    return call(
        "get_credit_right",
        "GET",
        f"/v1/credit-rights/{internal_number}",
        resource="/v1/credit-rights/{internal_number}",
        path_parameters={"internal_number": internal_number},
        tenant=tenant,
        scope=WRITE,
    )


def listed(tenant="acme"):
    return call("list_credit_rights", "GET", "/v1/credit-rights", tenant=tenant, scope=WRITE)


def retry(internal_number, tenant="acme", scope=WRITE, headers=None):
    return call(
        "retry_credit_right_registration",
        "POST",
        f"/v1/credit-rights/{internal_number}/retry_registration",
        resource="/v1/credit-rights/{internal_number}/retry_registration",
        path_parameters={"internal_number": internal_number},
        tenant=tenant,
        scope=scope,
        headers=headers,
    )


def registrar_fails(monkeypatch, failing: bool) -> None:
    monkeypatch.setenv("REGISTRAR_FAILURE_RATE", "1" if failing else "0")
    settings.cache_clear()


def dead_lettered(monkeypatch) -> str:
    """A receivable whose registrar failed on every one of the queue's receives."""
    body = receivable()
    assert post(body).status == 202
    [event] = [
        e for e in outbox_events(REQUESTED) if e["object"]["internal_number"] == body["internal_number"]
    ]
    registrar_fails(monkeypatch, True)
    for receive in range(1, REGISTRATION_MAX_ATTEMPTS + 1):
        assert len(deliver(REQUESTED, event, receive_count=receive)["batchItemFailures"]) == 1
    registrar_fails(monkeypatch, False)
    return body["internal_number"]


def test_a_receivable_is_dead_lettered_only_once_its_attempts_run_out(monkeypatch):
    body = receivable()
    post(body)
    [event] = outbox_events(REQUESTED)
    registrar_fails(monkeypatch, True)
    for receive in range(1, REGISTRATION_MAX_ATTEMPTS):
        deliver(REQUESTED, event, receive_count=receive)
    almost = get(body["internal_number"]).json
    assert almost["attempts"] == REGISTRATION_MAX_ATTEMPTS - 1 and almost["dead_lettered"] is False
    deliver(REQUESTED, event, receive_count=REGISTRATION_MAX_ATTEMPTS)
    dead = get(body["internal_number"]).json
    assert dead["status"] == "PENDING" and dead["dead_lettered"] is True and dead["last_error"]
    [row] = listed().json["data"]
    assert row["dead_lettered"] is True


def test_retrying_a_dead_lettered_registration_queues_it_anew_and_the_registrar_confirms_it(monkeypatch):
    internal_number = dead_lettered(monkeypatch)
    reply = retry(internal_number, headers={"x-correlation-id": "corr-redrive"})
    assert reply.status == 202, reply.json
    assert reply.json["status"] == "PENDING" and reply.json["attempts"] == 0
    assert reply.json["dead_lettered"] is False
    first, again = outbox_events(REQUESTED)  # the acceptance's and the retry's, one write each
    [retried] = [e for e in (first, again) if e["correlation_id"] == "corr-redrive"]
    assert retried["object"]["internal_number"] == internal_number
    assert deliver(REQUESTED, retried) == {"batchItemFailures": []}
    done = get(internal_number).json
    assert done["status"] == "CONFIRMED" and done["attempts"] == 1 and done["dead_lettered"] is False
    [success] = outbox_events("credit_rights_registration_success-1")
    assert success["object"]["internal_number"] == internal_number


def test_retrying_a_confirmed_or_a_still_retrying_receivable_is_409_and_writes_nothing(monkeypatch):
    confirmed = receivable()
    post(confirmed)
    [event] = outbox_events(REQUESTED)
    deliver(REQUESTED, event)
    pending = receivable()
    post(pending)
    [queued] = [
        e for e in outbox_events(REQUESTED) if e["object"]["internal_number"] == pending["internal_number"]
    ]
    registrar_fails(monkeypatch, True)
    deliver(REQUESTED, queued)
    for internal_number, status in (
        (confirmed["internal_number"], "CONFIRMED"),
        (pending["internal_number"], "PENDING"),
    ):
        before = get(internal_number).json
        reply = retry(internal_number)
        assert reply.status == 409 and set(reply.json) == {"correlationId", "errors"}
        assert status in " ".join(reply.json["errors"]), reply.json
        assert get(internal_number).json == before
    assert len(outbox_events(REQUESTED)) == 2


def test_an_unknown_or_another_tenants_receivable_is_404_and_the_scope_is_needed(monkeypatch):
    internal_number = dead_lettered(monkeypatch)
    assert retry("no-such-receivable").status == 404
    assert retry(internal_number, tenant="globex").status == 404
    denied = retry(internal_number, scope="credit-rights:read")
    assert denied.status == 403 and denied.json["errors"]
    assert get(internal_number).json["dead_lettered"] is True


def test_a_retry_repeated_with_its_idempotency_key_answers_the_same_and_queues_once(monkeypatch):
    internal_number = dead_lettered(monkeypatch)
    first = retry(internal_number, headers={"Idempotency-Key": "redrive-1"})
    again = retry(internal_number, headers={"Idempotency-Key": "redrive-1"})
    assert first.status == again.status == 202 and first.json == again.json
    assert len(outbox_events(REQUESTED)) == 2  # the acceptance's and one retry's
    assert retry(internal_number, headers={"Idempotency-Key": "redrive-2"}).status == 409
