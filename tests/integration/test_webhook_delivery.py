"""Webhook delivery on moto: bus -> fan-out -> delivery queue -> deliverer -> a real HTTP receiver on loopback."""

import base64
import json
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from financing import clock, exact_json
from financing.adapters.aws import client
from financing.adapters.dynamo import to_item
from financing.adapters.webhooks import SubscriptionStore
from financing.config import settings
from local import migrate_webhook_secrets
from local.event_docs import example
from local.redrive import move_messages, source_queue
from local.workers import sqs_record
from tests.integration.harness import Context, call, handler
from tests.webhooks_support import Receiver, library_refusal, readme_receive, readme_verify

SCOPE = "webhooks:manage"


@pytest.fixture
def queues(aws):
    return {name: aws.physical[name] for name in ("WebhookEventsQueue", "WebhookDeliveryQueue")} | {
        "dead": aws.physical["WebhookDeliveryDeadLetterQueue"],
        "arns": {
            name: aws.attributes[name]["Arn"] for name in ("WebhookEventsQueue", "WebhookDeliveryQueue")
        },
    }


def subscribe(url, event_types=("invoice.financed",), tenant="acme"):
    reply = call(
        "create_webhook_subscription",
        "POST",
        "/v1/webhook_subscriptions",
        body={"url": url, "event_types": list(event_types)},
        tenant=tenant,
        scope=SCOPE,
    )
    assert reply.status == 201, reply.json
    return reply.json


def on_subscription(function_dir, method, subscription_id, body=None):
    return call(
        function_dir,
        method,
        f"/v1/webhook_subscriptions/{subscription_id}",
        resource="/v1/webhook_subscriptions/{subscription_id}",
        path_parameters={"subscription_id": subscription_id},
        body=body,
        scope=SCOPE,
    )


def announce(event_type, tenant="acme", event_id="evt_01JD0000000000000000000001"):
    """An event on the bus as the outbox relay puts it there (the rule copies it to the webhook queue): the
    documented example of its type, built by the event models, for this tenant and with this id."""
    detail = {
        **example(event_type)["detail"],
        "id": event_id,
        "tenant_id": tenant,
        "created": "2026-01-01T00:00:00Z",
    }
    client("events").put_events(
        Entries=[
            {
                "Source": "invoice-financing",
                "DetailType": event_type,
                "Detail": exact_json.dumps(detail),
                "EventBusName": settings().event_bus_name,
            }
        ]
    )
    return detail


def drain(queues, name):
    """The queue's visible messages as the SQS event source hands them to the function."""
    sqs, records = client("sqs"), []
    while True:
        messages = sqs.receive_message(
            QueueUrl=queues[name], MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return records
        records += [sqs_record(m, queues["arns"][name], "us-east-1") for m in messages]


def run(function_dir, records, queues, name):
    """Invoke the worker and delete what it handled, as Lambda's event source does."""
    result = handler(function_dir)({"Records": records}, Context())
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    for record in records:
        if record["messageId"] not in failed:
            client("sqs").delete_message(QueueUrl=queues[name], ReceiptHandle=record["receiptHandle"])
    return failed


def fan_out(queues):
    records = drain(queues, "WebhookEventsQueue")
    # The subscriptions' own events (webhook_subscription.created) flow too: only bus events count here.
    assert run("fan_out_webhooks", records, queues, "WebhookEventsQueue") == set()
    return drain(queues, "WebhookDeliveryQueue")


def deliveries(subscription_id, tenant="acme", **query):
    return call(
        "list_webhook_deliveries",
        "GET",
        "/v1/webhook_deliveries",
        query={"subscription": subscription_id, **query},
        tenant=tenant,
        scope=SCOPE,
    )


def test_an_event_reaches_each_matching_subscription_of_its_tenant_signed_and_recorded(queues):
    with Receiver() as wanted, Receiver() as other_type, Receiver() as other_tenant:
        subscription = subscribe(wanted.url)
        every = subscribe(wanted.url.replace("/hooks", "/all"), event_types=["*"])
        subscribe(other_type.url, event_types=["invoice.repaid"])
        subscribe(other_tenant.url, event_types=["*"], tenant="globex")
        disabled = subscribe(wanted.url, event_types=["*"])
        on_subscription("update_webhook_subscription", "PATCH", disabled["id"], body={"enabled": False})
        detail = announce("invoice.financed")
        records = fan_out(queues)
        targets = sorted(json.loads(r["body"])["subscription_id"] for r in records)
        assert targets == sorted([subscription["id"], every["id"]])
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        received = wanted.wait_for(2)
        assert other_type.received == [] and other_tenant.received == []
    hook = next(r for r in received if r.path == "/hooks")
    body = json.loads(hook.body)
    assert body == {
        "id": detail["id"],
        "object": "event",
        "type": "invoice.financed",
        "created": 1767225600,
        "data": {"object": detail["object"]},
    }
    assert hook.headers["webhook-id"] == f"{detail['id']}:{subscription['id']}"
    assert abs(int(hook.headers["webhook-timestamp"]) - time.time()) < 60
    assert (
        hook.headers["webhook-signature"].startswith("v1,") and " " not in hook.headers["webhook-signature"]
    )
    assert hook.headers["Content-Type"] == "application/json"
    # the bytes and headers the receiver got, checked by the reference verifier and by the README's code
    assert readme_receive()(subscription["secret"], hook.headers, hook.body) == body
    assert readme_verify()(subscription["secret"], hook.headers, hook.body)
    assert "No matching signature" in library_refusal(every["secret"], hook.headers, hook.body)
    assert not readme_verify()(every["secret"], hook.headers, hook.body), (
        "each subscription has its own secret"
    )
    changed = hook.body.replace(b"financed", b"repaid")
    assert "No matching signature" in library_refusal(subscription["secret"], hook.headers, changed)
    assert not readme_verify()(subscription["secret"], hook.headers, changed)
    page = deliveries(subscription["id"]).json
    [delivery] = page["data"]
    assert delivery["id"] == hook.headers["webhook-id"] and delivery["status"] == "delivered"
    assert delivery["event"] == detail["id"] and delivery["event_type"] == "invoice.financed"
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 200 and attempt["error"] is None and attempt["latency_ms"] >= 0
    assert deliveries(subscription["id"], status="failed").json["data"] == []
    assert deliveries(subscription["id"], status="delivered").json["data"] == [delivery]


def test_a_failing_receiver_is_retried_later_with_the_same_webhook_id_and_each_attempt_recorded(queues):
    with Receiver(statuses=[500, 302, 204]) as receiver:
        subscription = subscribe(receiver.url)
        announce("invoice.financed")
        records = fan_out(queues)
        for attempt in range(3):
            failed = run("deliver_webhooks", records, queues, "WebhookDeliveryQueue")
            assert failed == ({records[0]["messageId"]} if attempt < 2 else set())
            if attempt < 2:
                assert drain(queues, "WebhookDeliveryQueue") == [], "hidden until the backoff has passed"
                client("sqs").change_message_visibility(  # the backoff, fast-forwarded
                    QueueUrl=queues["WebhookDeliveryQueue"],
                    ReceiptHandle=records[0]["receiptHandle"],
                    VisibilityTimeout=0,
                )
                records = drain(queues, "WebhookDeliveryQueue")
        received = receiver.wait_for(3)
    assert len({r.headers["webhook-id"] for r in received}) == 1, "one idempotency key for every retry"
    assert all(library_refusal(subscription["secret"], r.headers, r.body) is None for r in received)
    [delivery] = deliveries(subscription["id"]).json["data"]
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 302, 204]
    assert delivery["status"] == "delivered"
    assert deliveries(subscription["id"], status="pending").json["data"] == []


def test_a_receiver_down_for_a_while_gets_every_event_once_when_it_is_back(queues):
    with socket.socket() as probe:  # a port nobody listens on, until the receiver comes back on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscription = subscribe(f"http://127.0.0.1:{port}/hooks")
    for n in range(5):
        announce("invoice.financed", event_id=f"evt_01JD00000000000000000000D{n}")
    records = fan_out(queues)
    assert len(records) == 5
    for _ in range(2):  # down: every attempt is refused, and each message is hidden until its retry
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == {
            r["messageId"] for r in records
        }
        for record in records:  # the backoff, fast-forwarded
            client("sqs").change_message_visibility(
                QueueUrl=queues["WebhookDeliveryQueue"],
                ReceiptHandle=record["receiptHandle"],
                VisibilityTimeout=0,
            )
        records = drain(queues, "WebhookDeliveryQueue")
        assert len(records) == 5, "nothing is lost while the receiver is down"
    with Receiver(port=port) as receiver:
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        received = receiver.wait_for(5)
        time.sleep(0.3)
        assert len(receiver.received) == 5
    assert len({r.headers["webhook-id"] for r in received}) == 5, "each event once"
    listed = deliveries(subscription["id"]).json["data"]
    assert sorted(d["status"] for d in listed) == ["delivered"] * 5
    assert all(len(d["attempts"]) == 3 and d["attempts"][0]["error"] for d in listed)
    assert drain(queues, "WebhookDeliveryQueue") == [] and drain(queues, "dead") == []


def test_a_delivery_signed_minutes_ago_is_refused_as_stale(queues):
    with Receiver() as receiver:
        subscription = subscribe(receiver.url)
        announce("invoice.financed")
        records = fan_out(queues)
        # the deliverer's clock ten minutes behind: the receiver gets a delivery signed ten minutes ago
        behind = datetime.now(UTC) - timedelta(minutes=10)
        clock.set_clock(lambda: behind)
        try:
            assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        finally:
            clock.reset_clock()
        [hook] = receiver.wait_for(1)
    assert int(hook.headers["webhook-timestamp"]) == int(behind.timestamp())
    assert "too old" in library_refusal(subscription["secret"], hook.headers, hook.body)
    assert not readme_verify()(subscription["secret"], hook.headers, hook.body)


def regenerate(subscription_id, at=None):
    """POST .../regenerate_secret, with the platform's clock at `at` when given."""
    if at is not None:
        clock.set_clock(lambda: at)
    try:
        reply = call(
            "regenerate_webhook_secret",
            "POST",
            f"/v1/webhook_subscriptions/{subscription_id}/regenerate_secret",
            resource="/v1/webhook_subscriptions/{subscription_id}/regenerate_secret",
            path_parameters={"subscription_id": subscription_id},
            body={},
            scope=SCOPE,
        )
    finally:
        clock.reset_clock()
    assert reply.status == 200, reply.json
    return reply.json["secret"]


def test_a_queued_delivery_after_a_rotation_verifies_with_the_old_and_the_new_secret_for_24_hours(queues):
    with Receiver() as receiver:
        rotating = subscribe(receiver.url)
        rotated_long_ago = subscribe(receiver.url.replace("/hooks", "/old"))
        announce("invoice.financed")
        records = fan_out(queues)  # queued under the old secrets
        new = regenerate(rotating["id"])
        newest = regenerate(rotated_long_ago["id"], at=datetime.now(UTC) - timedelta(hours=24, minutes=1))
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        received = {r.path: r for r in receiver.wait_for(2)}
    during, after = received["/hooks"], received["/old"]
    assert during.headers["webhook-signature"].count("v1,") == 2
    for secret in (new, rotating["secret"]):
        assert library_refusal(secret, during.headers, during.body) is None
        assert readme_verify()(secret, during.headers, during.body)
    assert after.headers["webhook-signature"].count("v1,") == 1, "the overlap is over: the new secret only"
    assert library_refusal(newest, after.headers, after.body) is None
    assert "No matching signature" in library_refusal(rotated_long_ago["secret"], after.headers, after.body)
    assert not readme_verify()(rotated_long_ago["secret"], after.headers, after.body)


def test_subscriptions_with_old_format_secrets_keep_their_deliveries_through_the_migration(queues, capsys):
    with Receiver() as receiver:
        subscription = subscribe(receiver.url)
        untouched = subscribe(receiver.url.replace("/hooks", "/standard"))
        # stored as the platform stored secrets before it followed Standard Webhooks
        legacy = "whsec_" + secrets.token_urlsafe(32)
        table, key = settings().table_name, {"pk": "acme#WEBHOOK_SUBSCRIPTION", "sk": subscription["id"]}
        client("dynamodb").update_item(  # in plaintext, as before secrets were sealed
            TableName=table,
            Key=to_item(key),
            UpdateExpression="SET secret = :legacy REMOVE secret_sealed",
            ExpressionAttributeValues=to_item({":legacy": legacy}),
        )
        announce("invoice.financed", event_id="evt_01JD00000000000000000000E1")
        assert run("deliver_webhooks", fan_out(queues), queues, "WebhookDeliveryQueue") == set()
        announce("invoice.financed", event_id="evt_01JD00000000000000000000E2")
        queued = fan_out(queues)  # queued before the migration, delivered after it
        assert migrate_webhook_secrets.main(["--table", table]) == 0
        assert capsys.readouterr().out.startswith("1 webhook secret(s) encrypted")
        assert run("deliver_webhooks", queued, queues, "WebhookDeliveryQueue") == set()
        received = [r for r in receiver.wait_for(4) if r.path == "/hooks"]
    item = client("dynamodb").get_item(TableName=table, Key=to_item(key))["Item"]
    assert "secret" not in item and "secret_sealed" in item
    store = SubscriptionStore()
    migrated = store.get("acme", subscription["id"])
    stored = store.reveal(migrated, migrated.secret)
    assert stored == "whsec_" + base64.b64encode(legacy.encode()).decode(), (
        "the same key, in the standard format"
    )
    assert [json.loads(r.body)["id"][-2:] for r in received] == ["E1", "E2"]
    for hook in received:  # before and after the migration: the old key verifies, and so does its new form
        assert library_refusal(legacy.encode(), hook.headers, hook.body) is None
        assert library_refusal(stored, hook.headers, hook.body) is None
        assert readme_verify()(stored, hook.headers, hook.body)
    assert migrate_webhook_secrets.main(["--table", table]) == 0
    assert capsys.readouterr().out.startswith("0 webhook secret(s)"), "running it again changes nothing"
    kept = store.get("acme", untouched["id"])
    assert store.reveal(kept, kept.secret) == untouched["secret"]


def test_the_migration_leaves_a_secret_regenerated_meanwhile_alone(queues):
    subscription = subscribe("https://receiver.example/hooks")
    key = {"pk": "acme#WEBHOOK_SUBSCRIPTION", "sk": subscription["id"]}
    store = SubscriptionStore()
    assert store.seal_stored(key, "secret", "whsec_as-read-before") is False
    found = store.get("acme", subscription["id"])
    assert store.reveal(found, found.secret) == subscription["secret"]


def test_a_message_handed_over_again_after_success_does_not_post_again(queues):
    with Receiver() as receiver:
        subscribe(receiver.url)
        announce("invoice.financed")
        records = fan_out(queues)
        handler("deliver_webhooks")({"Records": records}, Context())
        handler("deliver_webhooks")({"Records": records}, Context())  # SQS at least once
        time.sleep(0.3)
        assert len(receiver.received) == 1


def test_out_of_time_a_delivery_is_failed_dead_lettered_and_redrive_sends_it_again(aws, queues, monkeypatch):
    monkeypatch.setenv("WEBHOOK_RETRY_MAX_AGE_SECONDS", "2")
    monkeypatch.setenv("WEBHOOK_RETRY_FIRST_DELAY_SECONDS", "5")
    settings.cache_clear()
    with Receiver(statuses=[503, 200]) as receiver:
        subscription = subscribe(receiver.url)
        announce("invoice.financed")
        records = fan_out(queues)
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        dead = client("sqs").receive_message(QueueUrl=queues["dead"], VisibilityTimeout=0).get("Messages", [])
        assert [json.loads(m["Body"])["subscription_id"] for m in dead] == [subscription["id"]]
        [failed] = deliveries(subscription["id"], status="failed").json["data"]
        assert failed["last_error"] == "HTTP 503" and failed["next_attempt_at"] is None
        # make redrive QUEUE=WebhookDeliveryDeadLetterQueue
        assert source_queue(aws, "WebhookDeliveryDeadLetterQueue") == "WebhookDeliveryQueue"
        assert move_messages(client("sqs"), queues["dead"], queues["WebhookDeliveryQueue"]) == 1
        assert (
            run("deliver_webhooks", drain(queues, "WebhookDeliveryQueue"), queues, "WebhookDeliveryQueue")
            == set()
        )
        receiver.wait_for(2)
    [delivery] = deliveries(subscription["id"]).json["data"]
    assert delivery["status"] == "delivered" and [a["status_code"] for a in delivery["attempts"]] == [
        503,
        200,
    ]


def test_a_slow_receiver_does_not_hold_up_another_subscription_in_the_same_batch(queues):
    with Receiver(delay=2.0) as slow, Receiver() as fast:
        subscribe(slow.url)
        subscribe(fast.url)
        announce("invoice.financed")
        records = fan_out(queues)
        assert len(records) == 2
        run("deliver_webhooks", records, queues, "WebhookDeliveryQueue")
        # Posted one after the other, the fast receiver would hear only once the slow one had answered,
        # 2 s after it was reached; posted together, both are reached at about the same moment.
        assert fast.received[0].at < slow.received[0].at + 1.5, "the fast receiver waited for the slow one"
        assert len(slow.received) == 1


def test_targets_resolving_to_refused_addresses_are_not_connected_to(queues, monkeypatch):
    with Receiver() as receiver:
        subscription = subscribe(receiver.url)  # allowed when created (the local stack's rule)...
        announce("invoice.financed")
        records = fan_out(queues)
        monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "false")  # ...but not where the deliverer runs
        settings.cache_clear()
        run("deliver_webhooks", records, queues, "WebhookDeliveryQueue")
        time.sleep(0.2)
        assert receiver.received == []
    [delivery] = deliveries(subscription["id"]).json["data"]
    assert delivery["status"] == "pending" and "loopback" in delivery["attempts"][0]["error"]
    assert delivery["attempts"][0]["status_code"] is None


def test_a_disabled_or_deleted_subscription_receives_nothing_already_queued(queues):
    with Receiver() as receiver:
        subscription = subscribe(receiver.url)
        announce("invoice.financed")
        records = fan_out(queues)
        on_subscription("delete_webhook_subscription", "DELETE", subscription["id"])
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == set()
        time.sleep(0.2)
        assert receiver.received == []
    assert client("sqs").receive_message(QueueUrl=queues["dead"]).get("Messages", []) == []


def test_deliveries_are_listed_only_for_the_tenants_own_subscription(queues):
    subscription = subscribe("https://receiver.example/hooks")
    assert deliveries(subscription["id"], tenant="globex").status == 404
    assert deliveries("whsub_nonsense").status == 404
    assert deliveries(subscription["id"], status="lost").status == 400
    missing = call("list_webhook_deliveries", "GET", "/v1/webhook_deliveries", scope=SCOPE)
    assert missing.status == 400 and missing.json["error"]["details"][0]["field"] == "subscription"
