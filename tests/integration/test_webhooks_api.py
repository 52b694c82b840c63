"""Webhook subscriptions through their handlers: the secret shown once, URL and event-type rules, events."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable
from financing.config import settings
from financing.domain.webhooks import MAX_SUBSCRIPTIONS_PER_TENANT, is_standard_secret
from financing.ids import new_id
from tests.integration.harness import call

pytestmark = pytest.mark.usefixtures("aws")

SCOPE = "webhooks:manage"
ITEM = "/v1/webhook_subscriptions/{subscription_id}"
BODY = {"url": "https://receiver.example/hooks", "event_types": ["invoice.financed"], "description": "ERP"}


def create(body=None, **kwargs):
    kwargs.setdefault("scope", SCOPE)
    return call(
        "create_webhook_subscription",
        "POST",
        "/v1/webhook_subscriptions",
        body=BODY if body is None else body,
        **kwargs,
    )


def on_item(function_dir, method, subscription_id, suffix="", **kwargs):
    kwargs.setdefault("scope", SCOPE)
    return call(
        function_dir,
        method,
        f"/v1/webhook_subscriptions/{subscription_id}{suffix}",
        resource=ITEM + suffix,
        path_parameters={"subscription_id": subscription_id},
        **kwargs,
    )


def regenerate(subscription_id, **kwargs):
    return on_item(
        "regenerate_webhook_secret", "POST", subscription_id, "/regenerate_secret", body={}, **kwargs
    )


def listed(**kwargs):
    kwargs.setdefault("scope", SCOPE)
    return call("list_webhook_subscriptions", "GET", "/v1/webhook_subscriptions", **kwargs)


def table_items(kind):
    rows = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    return [row for row in rows if row["kind"]["S"] == kind]


def outbox_events():
    return [(row["detail_type"]["S"], json.loads(row["detail"]["S"])) for row in table_items("outbox")]


def test_creating_shows_the_secret_once_and_no_read_or_event_ever_shows_it():
    reply = create(headers={"x-correlation-id": "corr-wh"})
    assert reply.status == 201
    created = reply.json
    secret = created["secret"]
    assert secret.startswith("whsec_") and created["id"].startswith("whsub_")
    assert created["object"] == "webhook_subscription" and created["enabled"] is True
    assert created["event_types"] == ["invoice.financed"] and created["description"] == "ERP"
    one = on_item("get_webhook_subscription", "GET", created["id"])
    assert one.status == 200 and "secret" not in one.json
    assert one.json == {k: v for k, v in created.items() if k != "secret"}
    page = listed()
    assert page.json["data"] == [one.json] and page.json["has_more"] is False
    [(event_type, detail)] = outbox_events()
    assert event_type == "webhook_subscription.created" and detail["object"] == one.json
    assert detail["correlation_id"] == "corr-wh"
    assert secret not in json.dumps(outbox_events())


def idempotency_records():
    return json.dumps(client("dynamodb").scan(TableName=settings().idempotency_table_name)["Items"])


def test_a_retry_with_the_same_idempotency_key_replays_the_subscription_without_its_secret():
    first = create(headers={"Idempotency-Key": "wh-1"})
    again = create(headers={"Idempotency-Key": "wh-1"})
    assert first.status == 201 and first.json["secret"].startswith("whsec_")
    assert again.status == 201 and again.json == {**first.json, "secret": None}
    assert len(listed().json["data"]) == 1


def test_the_replayable_answer_kept_for_24_hours_holds_no_secret():
    created = create(headers={"Idempotency-Key": "wh-kept"}).json
    regenerated = regenerate(created["id"], headers={"Idempotency-Key": "wh-rotated"})
    records = idempotency_records()
    # The control: both answers were remembered, so the absence of the secrets means something.
    assert records.count('"COMPLETED"') == 2 and created["id"] in records
    assert created["secret"] not in records and regenerated.json["secret"] not in records
    assert "whsec_" not in records
    replayed = regenerate(created["id"], headers={"Idempotency-Key": "wh-rotated"})
    assert replayed.status == 200 and replayed.json == {**regenerated.json, "secret": None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "url": "http://receiver.example/hooks"}, "url"),
        ({**BODY, "url": "https://169.254.169.254/latest"}, "url"),
        ({**BODY, "url": "https://10.0.0.1/"}, "url"),
        ({**BODY, "url": "not a url"}, "url"),
        ({**BODY, "event_types": ["invoice.exploded"]}, "event_types"),
        ({**BODY, "event_types": []}, "event_types"),
        ({**BODY, "event_types": ["*", "invoice.new"]}, "event_types"),
        ({"event_types": ["*"]}, "url"),
        ({**BODY, "secret": "whsec_mine"}, "secret"),
    ],
)
def test_bad_subscriptions_are_400_naming_the_field_and_write_nothing(body, field):
    reply = create(body)
    assert reply.status == 400, reply.json
    assert field in {detail["field"] for detail in reply.json["error"]["details"]}
    assert table_items("webhook_subscription") == [] and outbox_events() == []


def test_loopback_urls_are_refused_where_loopback_is_not_allowed(monkeypatch):
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "false")
    settings.cache_clear()
    assert create({**BODY, "url": "http://127.0.0.1:9000/hooks"}).status == 400
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "true")
    settings.cache_clear()
    assert create({**BODY, "url": "http://127.0.0.1:9000/hooks"}).status == 201


def test_patch_changes_only_what_is_sent_and_announces_it():
    created = create().json
    reply = on_item(
        "update_webhook_subscription",
        "PATCH",
        created["id"],
        body={"enabled": False, "event_types": ["*"]},
    )
    assert reply.status == 200
    assert reply.json["enabled"] is False and reply.json["event_types"] == ["*"]
    assert reply.json["url"] == BODY["url"] and "secret" not in reply.json
    assert [t for t, _ in outbox_events()].count("webhook_subscription.updated") == 1
    for bad in ({"url": None}, {"url": "http://x.example/"}, {"enabled": "maybe"}, {"unknown": 1}):
        assert on_item("update_webhook_subscription", "PATCH", created["id"], body=bad).status == 400


def test_regenerating_the_secret_returns_a_new_one_once_and_announces_an_update_without_it():
    created = create().json
    reply = regenerate(created["id"])
    assert reply.status == 200
    assert reply.json["secret"].startswith("whsec_") and reply.json["secret"] != created["secret"]
    assert is_standard_secret(reply.json["secret"]) and is_standard_secret(created["secret"])
    assert created["secret"] not in json.dumps(reply.json), "the replaced secret is never shown again"
    assert "secret" not in on_item("get_webhook_subscription", "GET", created["id"]).json
    dumped = json.dumps(outbox_events())
    assert created["secret"] not in dumped and reply.json["secret"] not in dumped


def test_delete_removes_the_subscription_and_announces_it():
    created = create().json
    reply = on_item("delete_webhook_subscription", "DELETE", created["id"])
    assert reply.status == 200 and reply.json == {
        "id": created["id"],
        "object": "webhook_subscription",
        "deleted": True,
    }
    assert on_item("get_webhook_subscription", "GET", created["id"]).status == 404
    assert on_item("delete_webhook_subscription", "DELETE", created["id"]).status == 404
    assert "webhook_subscription.deleted" in [t for t, _ in outbox_events()]


def test_another_tenants_subscription_is_404_and_the_scope_is_required():
    created = create(tenant="acme").json
    for function_dir, method, suffix in (
        ("get_webhook_subscription", "GET", ""),
        ("update_webhook_subscription", "PATCH", ""),
        ("delete_webhook_subscription", "DELETE", ""),
        ("regenerate_webhook_secret", "POST", "/regenerate_secret"),
    ):
        reply = on_item(function_dir, method, created["id"], suffix, tenant="globex", body={})
        assert reply.status == 404, (function_dir, reply.json)
        assert reply.json["error"]["code"] == "resource_missing"
    assert listed(tenant="globex").json["data"] == []
    forbidden = create(scope="invoices:read invoices:write")
    assert forbidden.status == 403 and forbidden.json["error"]["code"] == "missing_scope"
    assert on_item("get_webhook_subscription", "GET", "whsub_nonsense").status == 404


def test_the_list_pages_with_a_cursor_bound_to_the_tenant():
    ids = [create().json["id"] for _ in range(3)]
    first = listed(query={"limit": "2"}).json
    assert [s["id"] for s in first["data"]] == ids[::-1][:2] and first["has_more"]
    second = listed(query={"limit": "2", "cursor": first["next_cursor"]}).json
    assert [s["id"] for s in second["data"]] == ids[:1] and not second["has_more"]
    stolen = listed(query={"cursor": first["next_cursor"]}, tenant="globex")
    assert stolen.status == 400 and stolen.json["error"]["code"] == "invalid_cursor"


# ------------------------------------------------------------------------------------ the per-tenant cap


def _fill(count, tenant="acme"):
    ids = []
    for n in range(count):
        reply = create({**BODY, "url": f"https://receiver.example/hooks/{n}"}, tenant=tenant)
        assert reply.status == 201, (n, reply.json)
        ids.append(reply.json["id"])
    return ids


def _subscription_rows():
    return sorted(row["sk"]["S"] for row in table_items("webhook_subscription"))


def test_one_subscription_over_the_cap_is_409_with_a_clear_code_and_writes_nothing():
    ids = _fill(MAX_SUBSCRIPTIONS_PER_TENANT)
    rows, events = _subscription_rows(), outbox_events()
    reply = create(headers={"x-correlation-id": "corr-cap"})
    assert reply.status == 409
    error = reply.json["error"]
    assert error["code"] == "webhook_subscription_limit_reached"
    assert error["correlation_id"] == "corr-cap" and str(MAX_SUBSCRIPTIONS_PER_TENANT) in error["message"]
    assert _subscription_rows() == rows and outbox_events() == events, "nothing written"
    assert create(tenant="globex").status == 201, "the cap is per tenant"
    assert on_item("delete_webhook_subscription", "DELETE", ids[0]).status == 200
    assert create().status == 201, "a deleted subscription frees its place"
    assert create().status == 409


def test_racing_creations_never_pass_the_cap():
    _fill(MAX_SUBSCRIPTIONS_PER_TENANT - 2)
    real_commit, one_at_a_time = EntityTable.commit, threading.Lock()
    everyone_ready = threading.Barrier(6, timeout=30)

    def serialised_commit(self, writes, events):  # moto's backend is not thread-safe; DynamoDB is
        with one_at_a_time:
            return real_commit(self, writes, events)

    def racer(n):
        everyone_ready.wait()
        return create({**BODY, "url": f"https://racer.example/{n}"}).status

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EntityTable, "commit", serialised_commit)
        with ThreadPoolExecutor(6) as pool:
            statuses = sorted(pool.map(racer, range(6)))
    assert statuses == [201, 201, 409, 409, 409, 409]
    assert len(_subscription_rows()) == MAX_SUBSCRIPTIONS_PER_TENANT


def test_subscriptions_made_before_the_cap_are_counted_when_the_tenant_first_needs_it():
    _fill(MAX_SUBSCRIPTIONS_PER_TENANT)
    dynamodb, table = client("dynamodb"), settings().table_name
    for row in table_items("webhook_subscription_count"):  # made before the cap: without a count...
        dynamodb.delete_item(TableName=table, Key={"pk": row["pk"], "sk": row["sk"]})
    extra = {**table_items("webhook_subscription")[0], "sk": {"S": new_id("whsub")}}
    dynamodb.put_item(TableName=table, Item=extra)  # ...and more than the cap allows
    assert create().status == 409
    first, second = [row["sk"]["S"] for row in table_items("webhook_subscription")][:2]
    assert on_item("delete_webhook_subscription", "DELETE", first).status == 200
    assert create().status == 409, "still at the cap after one deletion"
    assert on_item("delete_webhook_subscription", "DELETE", second).status == 200
    assert create().status == 201
    assert len(_subscription_rows()) == MAX_SUBSCRIPTIONS_PER_TENANT
