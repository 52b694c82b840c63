"""Webhook tarpits: receivers that accept a connection and then answer a byte at a time (or never) are cut
at one wall-clock deadline per attempt, the attempt is recorded as a timeout, and the rest of the batch is
delivered meanwhile. Real sockets on loopback throughout; the deadline is shortened so the tests are fast."""

import json
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from financing.adapters import webhook_transport
from financing.domain.webhooks import AttemptOutcome
from local.template import load_template
from tests.integration.harness import handler
from tests.integration.test_webhook_delivery import announce, deliveries, fan_out, queues, run, subscribe
from tests.webhooks_support import Receiver, Tarpit

__all__ = ["queues"]  # the fixture, shared with the delivery tests

DEADLINE = 0.5
# How much later than the deadline a cut attempt may return: generous, so a loaded machine (the suite runs
# beside other work) does not fail a test whose point is that a tarpit that never stops is cut at all.
SLACK = 1.5
# The batch test's deadline: a healthy receiver on loopback must answer within it even under load.
BATCH_DEADLINE = 3.0


def post(url: str, deadline: float = DEADLINE):
    return webhook_transport.post(url, b"{}", {"webhook-id": "x"}, allow_loopback=True, deadline=deadline)


@contextmanager
def timed() -> Iterator[list[float]]:
    took: list[float] = []
    started = time.monotonic()
    yield took
    took.append(time.monotonic() - started)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", id="status-line-a-byte-at-a-time"),
        pytest.param(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 200, id="headers-without-end"),
        pytest.param(b"", id="accepts-and-never-answers"),
    ],
)
def test_a_trickling_receiver_is_cut_at_the_deadline_and_the_attempt_is_a_timeout(answer):
    # Each byte comes well within any per-read timeout: only a deadline on the whole attempt ends it.
    with Tarpit(answer, every=0.1) as tarpit:
        with timed() as took:
            attempt = post(tarpit.url)
        assert tarpit.closed_by_peer.wait(2), "the tarpit's connection is closed, not left open"
    assert took[0] < DEADLINE + SLACK, f"held for {took[0]:.2f} s"
    assert attempt.outcome is AttemptOutcome.TIMEOUT and attempt.status_code is None
    assert attempt.error == f"no complete answer within the {DEADLINE:g} s deadline"
    assert DEADLINE * 1000 <= attempt.latency_ms < (DEADLINE + SLACK) * 1000


def test_a_body_trickled_after_a_2xx_status_is_cut_too_and_is_not_delivered():
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"z" * 1000
    with Tarpit(answer, every=0.01) as tarpit, timed() as took:
        attempt = post(tarpit.url)
    assert took[0] < DEADLINE + SLACK
    assert attempt.outcome is AttemptOutcome.TIMEOUT and not attempt.succeeded


def test_a_tls_handshake_trickled_a_byte_at_a_time_is_cut_at_the_deadline():
    # The receiver speaks "TLS" so slowly that the handshake itself is the tarpit.
    with Tarpit(b"\x16\x03\x01\x00\x40" + b"\x00" * 200, every=0.1) as tarpit, timed() as took:
        attempt = post(tarpit.url.replace("http://", "https://"))
    assert took[0] < DEADLINE + SLACK
    assert attempt.outcome is AttemptOutcome.TIMEOUT


def test_a_name_that_takes_for_ever_to_resolve_is_cut_at_the_deadline(monkeypatch):
    real = socket.getaddrinfo

    def slow_dns(host, *args, **kwargs):  # an authoritative server that answers after 5 s
        if host == "slow.example":
            time.sleep(5)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_dns)
    with timed() as took:
        attempt = post("https://slow.example/hooks")
    assert took[0] < DEADLINE + SLACK
    assert attempt.outcome is AttemptOutcome.TIMEOUT


def test_a_prompt_answer_is_delivered_and_outcomes_say_what_happened():
    with Tarpit(b"HTTP/1.1 204 No Content\r\n\r\n", every=0) as quick:
        assert post(quick.url).outcome is AttemptOutcome.DELIVERED
    with Tarpit(b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", every=0) as busy:
        rejected = post(busy.url)
    assert rejected.outcome is AttemptOutcome.REJECTED and rejected.status_code == 503
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    assert post(f"http://127.0.0.1:{closed_port}/").outcome is AttemptOutcome.UNREACHABLE
    refused = webhook_transport.post("http://127.0.0.1:1/", b"{}", {}, allow_loopback=False)
    assert refused.outcome is AttemptOutcome.REFUSED


def test_the_production_deadline_is_ten_seconds_for_the_whole_attempt():
    assert webhook_transport.ATTEMPT_DEADLINE_SECONDS == 10


# ------------------------------------------------------------------------------------ the deliverer's batches


def test_nine_tarpits_in_a_batch_neither_delay_nor_fail_the_tenth_delivery(queues, monkeypatch):
    """A full batch (the event source's BatchSize) of nine deliveries to tarpits of one tenant and one to
    another tenant's healthy receiver, last in the batch: the healthy one is posted at once, the batch ends
    within one deadline, and each tarpit's attempt is recorded as a timeout and scheduled for its retry."""
    monkeypatch.setattr(webhook_transport, "ATTEMPT_DEADLINE_SECONDS", BATCH_DEADLINE)
    with Tarpit(every=0.1) as tarpit, Receiver() as healthy:
        tarpits = [subscribe(f"{tarpit.url}/{n}", tenant="acme")["id"] for n in range(9)]
        other = subscribe(healthy.url, tenant="globex")["id"]
        announce("invoice.financed", tenant="acme")
        announce("invoice.financed", tenant="globex", event_id="evt_01JD0000000000000000000002")
        records = sorted(fan_out(queues), key=lambda r: json.loads(r["body"])["subscription_id"] == other)
        assert len(records) == 10 and json.loads(records[-1]["body"])["subscription_id"] == other
        started = time.time()
        with timed() as took:
            failed = run("deliver_webhooks", records, queues, "WebhookDeliveryQueue")
        [hook] = healthy.wait_for(1)
    assert hook.at - started < BATCH_DEADLINE, (
        f"the healthy receiver was reached {hook.at - started:.2f} s in"
    )
    assert took[0] < BATCH_DEADLINE + SLACK, f"the batch took {took[0]:.2f} s"
    assert failed == {r["messageId"] for r in records[:9]}, "only the tarpits' messages come back"
    for subscription_id in tarpits:
        [delivery] = deliveries(subscription_id).json["data"]
        [attempt] = delivery["attempts"]
        assert attempt["outcome"] == "timeout" and attempt["status_code"] is None
        assert delivery["status"] == "pending" and delivery["next_attempt_at"] is not None
    [delivered] = deliveries(other, tenant="globex").json["data"]
    assert delivered["status"] == "delivered" and delivered["attempts"][0]["outcome"] == "delivered"


def test_the_deliverers_pool_takes_a_whole_batch_at_once():
    handler("deliver_webhooks")
    source = load_template()["Resources"]["DeliverWebhooksFunction"]["Properties"]["Events"]["Queue"]
    assert source["Properties"]["BatchSize"] <= sys.modules["fn_deliver_webhooks"].POOL_SIZE
    assert "ReportBatchItemFailures" in source["Properties"]["FunctionResponseTypes"]
