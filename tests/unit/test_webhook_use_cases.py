"""The webhook subscription use cases and the fan-out on in-memory fakes (tests/unit/fakes.py), beside their
moto tests (tests/integration/test_webhooks_api.py, test_webhook_delivery.py): every change announced as the
injected renderer shows it, the tenant's subscription limit, another tenant's subscription not found, and
the fan-out sending what the injected event body makes of the event to each subscription that wants it."""

import json

import pytest

from financing.composition.webhooks import delivery_body, subscription_event
from financing.domain import webhooks as rules
from financing.domain.actor import Actor
from financing.domain.errors import NotFound, StateConflict
from financing.domain.webhooks import WebhookSubscription
from financing.services.webhooks import (
    create_subscription,
    delete_subscription,
    fan_out,
    get_subscription,
    list_subscriptions,
    regenerate_secret,
    update_subscription,
)
from tests.unit.fakes import Books, FakeSubscriptions, announcing

ACME = Actor(tenant_id="acme", subject="ops", scopes=frozenset(), correlation_id="corr-1")
GLOBEX = Actor(tenant_id="globex", subject="ops", scopes=frozenset(), correlation_id="corr-2")
DETAILS = {"url": "https://receiver.example/hooks", "event_types": ["invoice.financed"], "description": "ERP"}


@announcing
def _shown(subscription: WebhookSubscription) -> dict:
    return {"shown": subscription.id, "version": subscription.version}


def _subscribe(books: Books, actor: Actor = ACME, announce=_shown, **changes) -> WebhookSubscription:
    return create_subscription(
        FakeSubscriptions(books), actor, DETAILS | changes, allow_loopback=False, announce=announce
    )


def test_each_change_is_stored_and_announced_as_the_renderer_shows_it():
    books = Books()
    store = FakeSubscriptions(books)
    created = _subscribe(books)
    updated = update_subscription(
        store, ACME, created.id, {"enabled": False}, allow_loopback=False, announce=_shown
    )
    rotated = regenerate_secret(store, ACME, created.id, announce=_shown)
    deleted = delete_subscription(store, ACME, created.id, announce=_shown)
    assert [(e.type, e.tenant_id, e.object) for e in books.outbox] == [
        (rules.CREATED, "acme", {"shown": created.id, "version": 1}),
        (rules.UPDATED, "acme", {"shown": created.id, "version": 2}),
        (rules.UPDATED, "acme", {"shown": created.id, "version": 3}),
        (rules.DELETED, "acme", {"shown": created.id, "version": 3}),
    ]
    assert not updated.enabled and rotated.previous_secret == updated.secret and deleted == rotated
    with pytest.raises(NotFound):
        get_subscription(store, ACME, created.id)


def test_a_tenant_has_at_most_the_limit_of_subscriptions_and_the_refused_one_is_not_announced():
    books = Books()
    for _ in range(rules.MAX_SUBSCRIPTIONS_PER_TENANT):
        _subscribe(books)
    with pytest.raises(StateConflict) as refused:
        _subscribe(books)
    assert refused.value.code == "webhook_subscription_limit_reached"
    assert len(books.outbox) == rules.MAX_SUBSCRIPTIONS_PER_TENANT
    _subscribe(books, GLOBEX)  # another tenant's count is its own
    listed, more = list_subscriptions(FakeSubscriptions(books), ACME, limit=100, after=None)
    assert (len(listed), more) == (rules.MAX_SUBSCRIPTIONS_PER_TENANT, False)


@pytest.mark.parametrize("subscription_id", ["nope", "whsub_01"])
def test_a_malformed_or_missing_subscription_is_not_found(subscription_id):
    with pytest.raises(NotFound):
        get_subscription(FakeSubscriptions(Books()), ACME, subscription_id)


def test_another_tenants_subscription_is_not_found_and_cannot_be_changed():
    books = Books()
    subscription = _subscribe(books)
    store = FakeSubscriptions(books)
    with pytest.raises(NotFound):
        update_subscription(
            store, GLOBEX, subscription.id, {"enabled": False}, allow_loopback=False, announce=_shown
        )
    with pytest.raises(NotFound):
        regenerate_secret(store, GLOBEX, subscription.id, announce=_shown)
    with pytest.raises(NotFound):
        delete_subscription(store, GLOBEX, subscription.id, announce=_shown)
    assert get_subscription(store, ACME, subscription.id) == subscription
    assert len(books.outbox) == 1


def test_the_fan_out_sends_the_injected_body_to_each_enabled_subscription_that_wants_the_event():
    books = Books()
    wanted = _subscribe(books)
    every = _subscribe(books, event_types=["*"])
    _subscribe(books, event_types=["invoice.repaid"])
    disabled = _subscribe(books)
    update_subscription(
        FakeSubscriptions(books), ACME, disabled.id, {"enabled": False}, allow_loopback=False, announce=_shown
    )
    _subscribe(books, GLOBEX)  # another tenant's subscriptions receive none of acme's events
    detail = {
        "id": "evt_1",
        "tenant_id": "acme",
        "created": "2026-01-02T03:04:05Z",
        "object": {"id": "inv_1"},
    }
    requests = fan_out(
        FakeSubscriptions(books), "invoice.financed", detail, event_body=lambda t, d: f"{t}:{d['id']}"
    )
    assert sorted(r.subscription_id for r in requests) == sorted([wanted.id, every.id])
    assert {(r.tenant_id, r.event_id, r.event_type, r.body) for r in requests} == {
        ("acme", "evt_1", "invoice.financed", "invoice.financed:evt_1")
    }
    others = fan_out(FakeSubscriptions(books), "invoice.created", detail, event_body=delivery_body)
    assert [r.subscription_id for r in others] == [every.id]
    assert (
        fan_out(
            FakeSubscriptions(books),
            "invoice.created",
            detail | {"tenant_id": "initech"},
            event_body=delivery_body,
        )
        == []
    )


def test_the_real_renderers_show_the_core_subscription_object_and_event():
    books = Books()
    subscription = _subscribe(books, announce=subscription_event)
    shown = books.outbox[0].object
    assert shown == subscription_event(rules.CREATED, ACME, subscription).object
    assert shown["id"] == subscription.id and subscription.secret.get_secret_value() not in json.dumps(shown)
    detail = {
        "id": "evt_1",
        "tenant_id": "acme",
        "created": "2026-01-02T03:04:05Z",
        "object": {"id": "inv_1"},
    }
    [request] = fan_out(FakeSubscriptions(books), "invoice.financed", detail, event_body=delivery_body)
    assert json.loads(request.body) == {
        "id": "evt_1",
        "object": "event",
        "type": "invoice.financed",
        "created": 1767323045,
        "data": {"object": {"id": "inv_1"}},
    }
