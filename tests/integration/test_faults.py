"""Faults on moto: a worker that dies in the middle of a batch, and a process that dies right after a commit.

A death is a BaseException: neither Powertools' batch processor nor the API resolver catches it, so
the invocation ends with no answer, as when Lambda loses the process."""

from datetime import UTC, datetime, timedelta

import pytest

from financing import clock
from financing.adapters import registrar
from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import Context, call, handler
from tests.integration.outbox_fixtures import outbox_rows, stream_records
from tests.integration.receivable_fixtures import deliver_batch, outbox_events, receivable

pytestmark = pytest.mark.usefixtures("aws")
WRITE = "credit-rights:write credit-rights:read"


class ProcessDied(BaseException):
    """What the code sees of a process that Lambda loses: nothing after this point runs."""


def registered_receivables() -> int:
    return len(client("dynamodb").scan(TableName=settings().registrar_table)["Items"])


def test_a_worker_dying_mid_batch_has_its_messages_redelivered_and_each_registered_once(monkeypatch):
    bodies = [receivable(holding_number=f"{n + 1}.1") for n in range(6)]
    for body in bodies:
        reply = call("create_credit_right", "POST", "/v1/credit-rights", body=body, scope=WRITE)
        assert reply.status == 202
    batch = [
        ("credit_rights.registration_requested", e)
        for e in outbox_events("credit_rights.registration_requested")
    ]
    real_register = registrar.B3Simulator.register
    calls = []

    def dies_on_the_fourth(self, *args):
        calls.append(args)
        if len(calls) == 4:
            raise ProcessDied()
        return real_register(self, *args)

    monkeypatch.setattr(registrar.B3Simulator, "register", dies_on_the_fourth)
    with pytest.raises(ProcessDied):
        deliver_batch(batch)
    assert registered_receivables() == 3 and len(outbox_events("credit_rights_registration_success-1")) == 3

    monkeypatch.setattr(registrar.B3Simulator, "register", real_register)
    # No answer came back, so SQS hands the whole batch over again once its visibility ends.
    assert deliver_batch(batch, receive_count=2) == {"batchItemFailures": []}
    announced = [
        e["object"]["internal_number"] for e in outbox_events("credit_rights_registration_success-1")
    ]
    assert sorted(announced) == sorted(b["internal_number"] for b in bodies), "each announced exactly once"
    assert registered_receivables() == 6


def company_created_by_a_process_that_dies_after_committing(monkeypatch, name: str) -> None:
    dynamodb = client("dynamodb")
    commit = dynamodb.transact_write_items

    def commit_then_die(**request):
        commit(**request)
        raise ProcessDied()

    with monkeypatch.context() as patched:
        patched.setattr(dynamodb, "transact_write_items", commit_then_die)
        with pytest.raises(ProcessDied):
            call(
                "create_company",
                "POST",
                "/v1/companies",
                body={"name": name, "address": {"country_code": "GB"}},
            )


def test_an_event_committed_just_before_the_process_died_is_still_published(monkeypatch, watcher):
    company_created_by_a_process_that_dies_after_committing(monkeypatch, "Died")
    # The stream relay publishes it from the committed outbox row.
    inserts = [r for r in stream_records() if r["dynamodb"]["NewImage"]["kind"]["S"] == "outbox"]
    assert handler("outbox_relay")({"Records": inserts}, Context()) == {"batchItemFailures": []}
    [event] = watcher()
    assert event["detail-type"] == "company.created" and event["detail"]["object"]["name"] == "Died"
    assert outbox_rows() == []


def test_when_the_relay_is_down_too_the_sweeper_publishes_it(monkeypatch, watcher):
    company_created_by_a_process_that_dies_after_committing(monkeypatch, "Orphan")
    later = datetime.now(UTC) + timedelta(minutes=3)
    clock.set_clock(lambda: later)
    try:
        assert handler("outbox_sweeper")({}, Context()) == {"republished": 1}
    finally:
        clock.reset_clock()
    [event] = watcher()
    assert event["detail"]["object"]["name"] == "Orphan" and outbox_rows() == []
