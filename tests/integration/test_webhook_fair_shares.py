"""Fair shares of the webhook deliverer, on moto: a tenant's deliveries run in at most its share of the
deliverer's invocations; the deliveries of a tenant at its share go back to the queue as new delayed messages
(nothing lost, nothing attempted twice) while other tenants' are delivered; the share's slots, taken by
conditional writes, never let more invocations in than the share, checked against a plain model."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from financing import clock
from financing.adapters import webhook_transport
from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable
from financing.adapters.webhooks import CircuitStore, TenantShares
from financing.config import settings as app_settings
from financing.domain import webhooks as rules
from financing.domain.webhooks import Circuit
from tests.integration.test_webhook_delivery import (
    announce,
    deliveries,
    drain,
    fan_out,
    queues,
    run,
    subscribe,
)
from tests.webhooks_support import Receiver, Tarpit

__all__ = ["queues"]  # the fixture, shared with the delivery tests


@pytest.fixture
def share_of_one(monkeypatch):
    """Each tenant's deliveries run in one invocation at a time; requeued deliveries come back after 1 s."""
    monkeypatch.setenv("WEBHOOK_TENANT_INVOCATIONS", "1")
    monkeypatch.setattr(rules, "REQUEUE_DELAY_SECONDS", (1, 1))
    app_settings.cache_clear()
    yield
    app_settings.cache_clear()


def test_a_tenant_at_its_share_is_requeued_while_another_tenant_is_delivered(queues, share_of_one):
    """Given acme's one share held by another invocation (a batch of its slow receivers), a batch with
    deliveries of acme and globex delivers globex's at once; acme's receiver gets nothing yet and acme's
    deliveries are not failed: they are back in the queue as new messages (received once so far, so they
    never near the queue's maxReceiveCount), delayed, and delivered once the share is free."""
    with Receiver() as acme_hooks, Receiver() as globex_hooks:
        acme = [subscribe(f"{acme_hooks.url}/{n}", tenant="acme")["id"] for n in range(3)]
        globex = subscribe(globex_hooks.url, tenant="globex")["id"]
        announce("invoice.financed", tenant="acme")
        announce("invoice.financed", tenant="globex", event_id="evt_01JD0000000000000000000002")
        records = fan_out(queues)
        assert len(records) == 4
        shares = TenantShares()
        later = datetime.now(UTC).timestamp() + 60
        slot = shares.take("acme", "a-slow-batch", 1, later)
        assert slot == 0

        failed = run("deliver_webhooks", records, queues, "WebhookDeliveryQueue")

        assert failed == set(), "nothing is failed: acme's deliveries are put back, not retried"
        globex_hooks.wait_for(1)
        assert acme_hooks.received == []
        [delivered] = deliveries(globex, tenant="globex").json["data"]
        assert delivered["status"] == "delivered"
        assert all(deliveries(s).json["data"] == [] for s in acme), "no attempt is recorded for acme"
        assert drain(queues, "WebhookDeliveryQueue") == [], "delayed: not visible at once"
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=queues["WebhookDeliveryQueue"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
        )["Attributes"]
        assert attributes["ApproximateNumberOfMessagesDelayed"] == "3"

        shares.give_back("acme", slot, "a-slow-batch")
        clock_deadline = datetime.now(UTC) + timedelta(seconds=10)
        requeued = []
        while len(requeued) < 3 and datetime.now(UTC) < clock_deadline:
            requeued += drain(queues, "WebhookDeliveryQueue")
        acme_bodies = sorted(r["body"] for r in records if json.loads(r["body"])["tenant_id"] == "acme")
        assert sorted(r["body"] for r in requeued) == acme_bodies, "the same deliveries, unchanged"
        assert {r["attributes"]["ApproximateReceiveCount"] for r in requeued} == {"1"}
        assert run("deliver_webhooks", requeued, queues, "WebhookDeliveryQueue") == set()
        acme_hooks.wait_for(3)
    assert sorted(r.path for r in acme_hooks.received) == sorted(f"/hooks/{n}" for n in range(3))
    assert shares.take("acme", "next", 1, later) == 0, "the batch gave its slot back"


def test_a_tenant_with_a_free_share_is_delivered_and_its_slot_given_back(queues, share_of_one):
    with Receiver() as hooks:
        subscription = subscribe(hooks.url)
        announce("invoice.financed")
        records = fan_out(queues)
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        hooks.wait_for(1)
    [delivery] = deliveries(subscription["id"]).json["data"]
    assert delivery["status"] == "delivered"
    later = datetime.now(UTC).timestamp() + 60
    assert TenantShares().take("acme", "next", 1, later) == 0


# ------------------------------------------------------------------------------------ the slots, against a model

START = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("take"), st.sampled_from("abc"), st.integers(1, 10)),  # holder, seconds held
        st.tuples(st.just("give_back"), st.sampled_from("abc"), st.just(0)),
        st.tuples(st.just("wait"), st.just(""), st.integers(1, 12)),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 3), steps=operations)
# a slot is still held in the second after its time (the grace), and free the second after that
@example(
    limit=1, steps=[("take", "a", 5), ("wait", "", 6), ("take", "b", 5), ("wait", "", 1), ("take", "b", 5)]
)
# a holder whose slot expired and was taken gives back nothing: the new holder keeps it
@example(
    limit=1,
    steps=[("take", "a", 1), ("wait", "", 3), ("take", "b", 9), ("give_back", "a", 0), ("take", "c", 9)],
)
def test_the_slots_never_let_more_invocations_in_than_the_share(aws, limit, steps):
    """Takes, gives back and the clock moving on, against a plain model of the share (holder -> until): a
    take succeeds exactly when fewer than `limit` unexpired holders remain, on a slot that was free or
    expired; a give back frees only the giver's own slot (never one that expired and was taken since)."""
    tenant = f"t-{uuid.uuid4().hex[:8]}"  # each example its own share
    shares, moment = TenantShares(), START
    clock.set_clock(lambda: moment)
    model: dict[int, tuple[str, float]] = {}  # slot -> (holder, until)
    held: dict[str, int] = {}  # holder -> its latest slot
    try:
        for operation, holder, seconds in steps:
            at = moment.timestamp()
            live = {
                slot: h for slot, h in model.items() if h[1] + 1 >= at
            }  # the adapter keeps a second's grace
            if operation == "wait":
                moment += timedelta(seconds=seconds)
            elif operation == "take":
                slot = shares.take(tenant, holder, limit, at + seconds)
                if len(live) >= limit:
                    assert slot is None, (model, at)
                else:
                    assert slot is not None and slot not in live and 0 <= slot < limit, (slot, model, at)
                    model[slot] = (holder, at + seconds)
                    held[holder] = slot
            elif holder in held:
                slot = held.pop(holder)
                shares.give_back(tenant, slot, holder)
                if model.get(slot, ("",))[0] == holder:
                    del model[slot]
    finally:
        clock.reset_clock()


def test_a_slot_that_cannot_be_given_back_fails_nothing_and_frees_itself(aws, logs_hold_no_secret):
    """The batch is done when its slots are given back: a refusal then is logged, never raised (it would
    fail a delivered batch and send its messages round again); the slot frees itself when its time is up."""
    later = datetime.now(UTC).timestamp() + 60
    TenantShares(EntityTable("no-such-table")).give_back("acme", 0, "gone")
    assert "share slot not given back" in logs_hold_no_secret.text()
    shares = TenantShares()
    assert shares.take("acme", "crashed", 1, datetime.now(UTC).timestamp() + 1) == 0
    assert shares.take("acme", "next", 1, later) is None
    clock.set_clock(lambda: datetime.now(UTC) + timedelta(seconds=3))
    try:
        assert shares.take("acme", "next", 1, later) == 0, "free once the crashed holder's time is up"
    finally:
        clock.reset_clock()


# ------------------------------------------------------------------------------------ the circuit breaker


def test_three_timeouts_open_the_circuit_deferrals_are_recorded_and_a_probe_closes_it(queues, monkeypatch):
    """Three consecutive timeouts of one subscription open its circuit: the next delivery is not attempted
    (the receiver sees no connection) but recorded as `deferred_open_circuit` and scheduled for its retry;
    once the circuit's time is up the next delivery is attempted, and its prompt answer closes the circuit."""
    monkeypatch.setattr(webhook_transport, "ATTEMPT_DEADLINE_SECONDS", 0.3)
    with Tarpit(every=0.2) as tarpit:
        subscription = subscribe(tarpit.url)["id"]

        def one_delivery(n: int) -> dict:
            event_id = f"evt_01JD0000000000000000000C{n:02d}"
            announce("invoice.financed", event_id=event_id)
            records = fan_out(queues)
            run("deliver_webhooks", records, queues, "WebhookDeliveryQueue")
            return next(d for d in deliveries(subscription).json["data"] if d["event"] == event_id)

        timed_out = [one_delivery(n)["attempts"][0]["outcome"] for n in range(3)]
        assert timed_out == ["timeout"] * 3 and tarpit.connections == 3
        deferred = one_delivery(3)
        assert tarpit.connections == 3, "not attempted: no connection"
        [attempt] = deferred["attempts"]
        assert attempt["outcome"] == "deferred_open_circuit" and attempt["latency_ms"] == 0
        assert "3 consecutive timeouts" in attempt["error"]
        assert deferred["status"] == "pending" and deferred["next_attempt_at"] is not None

        tarpit.every = 0  # the receiver answers promptly again, at the same URL
        later = datetime.now(UTC) + timedelta(seconds=rules.CIRCUIT_OPEN_SECONDS + 1)
        clock.set_clock(lambda: later)
        try:
            probe = one_delivery(4)
            after_probe = one_delivery(5)
        finally:
            clock.reset_clock()
    assert probe["attempts"][0]["outcome"] == "delivered" and probe["status"] == "delivered"
    assert after_probe["attempts"][0]["outcome"] == "delivered", "closed by the probe's answer"
    assert tarpit.connections == 5


def test_a_delivery_deferred_until_out_of_time_is_failed_and_dead_lettered(queues, monkeypatch):
    """Deferrals are failed attempts for the retry schedule: out of time, the delivery is `failed` and its
    message goes to the dead-letter queue (from which `make redrive` sends it back), as an attempted one."""
    monkeypatch.setenv("WEBHOOK_RETRY_MAX_AGE_SECONDS", "2")
    app_settings.cache_clear()
    with Receiver() as hooks:
        subscription = subscribe(hooks.url)["id"]
        CircuitStore().save("acme", subscription, Circuit(hooks.url, 3, datetime.now(UTC).timestamp() + 3600))
        announce("invoice.financed")
        records = fan_out(queues)
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
    assert hooks.received == []
    [delivery] = deliveries(subscription).json["data"]
    assert delivery["status"] == "failed"
    assert [a["outcome"] for a in delivery["attempts"]] == ["deferred_open_circuit"]
    dead = client("sqs").receive_message(QueueUrl=queues["dead"]).get("Messages", [])
    assert [m["Body"] for m in dead] == [records[0]["body"]]


def test_a_subscription_pointed_at_a_new_url_starts_with_its_circuit_closed(queues):
    with Receiver() as hooks:
        subscription = subscribe(hooks.url)["id"]
        stale = Circuit("https://old.example/hooks", 5, datetime.now(UTC).timestamp() + 3600)
        CircuitStore().save("acme", subscription, stale)
        announce("invoice.financed")
        assert run("deliver_webhooks", fan_out(queues), queues, "WebhookDeliveryQueue") == set()
        hooks.wait_for(1)
    [delivery] = deliveries(subscription).json["data"]
    assert delivery["status"] == "delivered"
    assert CircuitStore().get("acme", subscription) == Circuit(
        "https://old.example/hooks", 5, stale.open_until
    )
