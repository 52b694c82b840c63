"""Fair shares of the webhook deliverer, the pure part: how a batch is shared out by tenant, how long a requeued
delivery waits, the order slots are tried in, and the use case holding each admitted tenant's slot for the
batch and giving it back whatever happens, checked against plain reference models."""

import json
from collections import Counter
from contextlib import nullcontext
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from financing.domain import webhooks as rules
from financing.services.webhooks import DeliveryRequest, fair_shares, tenant_of

tenants = st.sampled_from(["acme", "globex", "initech", None])
batches = st.lists(st.tuples(tenants, st.integers()), max_size=10).map(
    lambda pairs: [(tenant, (n, value)) for n, (tenant, value) in enumerate(pairs)]  # each message distinct
)


@given(batch=batches, admitted_tenants=st.sets(st.sampled_from(["acme", "globex", "initech"])))
def test_a_batch_is_shared_out_whole_by_tenant_each_tenant_asked_once(batch, admitted_tenants):
    asked = []

    def admits(tenant_id):
        asked.append(tenant_id)
        return tenant_id in admitted_tenants

    shared = rules.share_out(batch, admits)

    # the reference: a plain filter
    assert shared.admitted == [m for t, m in batch if t is None or t in admitted_tenants]
    assert shared.requeued == [m for t, m in batch if t is not None and t not in admitted_tenants]
    assert asked == list(dict.fromkeys(t for t, _ in batch if t is not None)), "once each, in batch order"


@given(fraction=st.floats(0, 1, exclude_max=True))
def test_a_requeued_delivery_waits_within_the_documented_bounds(fraction):
    low, high = rules.REQUEUE_DELAY_SECONDS
    assert low <= rules.requeue_delay(fraction) <= high


def test_requeue_delays_are_spread_over_every_second_of_the_bounds():
    low, high = rules.REQUEUE_DELAY_SECONDS
    assert 1 <= low < high <= 15 * 60, "SQS delays a message by at most 15 minutes"
    assert {rules.requeue_delay(n / 1000) for n in range(1000)} == set(range(low, high + 1))


@given(limit=st.integers(1, 50), start=st.integers(0, 1000))
def test_every_slot_is_tried_once_from_the_start(limit, start):
    order = rules.slot_order(limit, start % limit)
    assert sorted(order) == list(range(limit)) and order[0] == start % limit


class ModelShares:
    """A plain model of the share store: slot -> holder; expiry plays no part within one batch."""

    def __init__(self, full: set[str]) -> None:
        self.full = full  # tenants whose every slot another invocation holds
        self.held: dict[str, str] = {}
        self.given_back: list[tuple[str, int, str]] = []

    def take(self, tenant_id, holder, limit, until):
        if tenant_id in self.full or tenant_id in self.held:
            return None
        self.held[tenant_id] = holder
        return 0

    def give_back(self, tenant_id, slot, holder):
        assert self.held.pop(tenant_id) == holder
        self.given_back.append((tenant_id, slot, holder))


@given(batch=batches, full=st.sets(st.sampled_from(["acme", "globex", "initech"])), fails=st.booleans())
def test_each_admitted_tenant_holds_one_slot_for_the_batch_and_gives_it_back_even_on_failure(
    batch, full, fails
):
    shares = ModelShares(full)
    with (
        pytest.raises(RuntimeError) if fails else nullcontext(),
        fair_shares(shares, batch, holder="req-1", limit=2, until=0) as shared,
    ):
        admitted = {t for t, m in batch if m in shared.admitted and t is not None}
        assert shares.held == dict.fromkeys(admitted, "req-1"), "held while the batch is delivered"
        assert admitted.isdisjoint(full)
        if fails:
            raise RuntimeError("the batch failed")
    assert shares.held == {}, "every slot given back"
    assert Counter(t for t, _, _ in shares.given_back) == Counter(admitted)


def test_the_tenant_of_a_delivery_message_is_read_and_an_unreadable_one_has_none():
    request = DeliveryRequest("acme", "whsub_1", "evt_1", "invoice.financed", "{}", 0.0)
    assert tenant_of(request.to_message()) == "acme"
    for unreadable in ("not json", "[]", json.dumps({"tenant": "acme"}), json.dumps({"tenant_id": 7})):
        assert tenant_of(unreadable) is None


# ------------------------------------------------------------------------------------ the circuit breaker

URL = "https://hooks.example/in"
START = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
# timeouts as likely as everything else together, so that streaks of them are common
outcomes = st.sampled_from([*[rules.AttemptOutcome.TIMEOUT] * 5, *rules.AttemptOutcome])
waits = st.one_of(st.integers(0, 130), st.integers(0, 4000))


def attempt_at(at: float, outcome: rules.AttemptOutcome) -> rules.Attempt:
    moment = datetime.fromtimestamp(at, UTC)
    if outcome is rules.AttemptOutcome.CIRCUIT_OPEN:
        return rules.deferred(rules.Circuit(URL, 3, at), moment)
    return rules.Attempt(attempted_at=moment, latency_ms=1, outcome=outcome)


@given(steps=st.lists(st.tuples(waits, outcomes), max_size=30))
def test_the_circuit_opens_after_three_consecutive_timeouts_against_a_plain_model(steps):
    """The reference: count the timeouts since the last answer or other failure (deferrals count for
    nothing); open from the third, for 60 s doubling with each further timeout, at most an hour, after
    the last timeout's start."""
    circuit, at = rules.Circuit(URL), START.timestamp()
    streak, last_timeout = 0, None
    for wait, outcome in steps:
        at += wait
        if streak >= 3:
            assert last_timeout is not None
            model_open_until = last_timeout + min(3600, 60 * 2 ** (streak - 3))
            assert circuit.admits(at) == (at >= model_open_until)
        else:
            assert circuit.admits(at)
        changed = rules.circuit_after(circuit, attempt_at(at, outcome))
        if outcome is rules.AttemptOutcome.TIMEOUT:
            streak, last_timeout = streak + 1, at
        elif outcome is not rules.AttemptOutcome.CIRCUIT_OPEN:
            streak = 0
        assert (changed is None) == (
            outcome is rules.AttemptOutcome.CIRCUIT_OPEN or (streak == 0 and circuit == rules.Circuit(URL))
        ), "written only when it changes"
        circuit = changed or circuit
        assert circuit.timeouts == streak and circuit.url == URL


def test_the_circuit_stays_open_a_minute_after_the_third_timeout_doubling_to_at_most_an_hour():
    assert [rules.open_for(n) for n in range(3, 11)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert rules.open_for(10_000) == 3600


def test_a_new_url_starts_closed_and_the_same_url_keeps_its_circuit():
    tripped = rules.Circuit(URL, 4, START.timestamp() + 120)
    assert rules.circuit_for(tripped, URL) is tripped
    assert rules.circuit_for(tripped, "https://elsewhere.example/") == rules.Circuit(
        "https://elsewhere.example/"
    )
    assert rules.circuit_for(rules.Circuit(), URL).admits(START.timestamp())


def test_a_deferral_is_a_failed_attempt_for_the_retry_schedule_and_ends_failed_when_out_of_time():
    schedule = rules.RetrySchedule(30, 2.0, 100)
    delivery = rules.new_delivery("acme", "whsub_1", "evt_1", "invoice.financed")
    circuit = rules.Circuit(URL, 3, START.timestamp() + 60)
    deferral = rules.deferred(circuit, START)
    assert deferral.outcome is rules.AttemptOutcome.CIRCUIT_OPEN and not deferral.succeeded
    assert deferral.status_code is None and deferral.latency_ms == 0
    pending, retry_in = rules.after_attempt(delivery, deferral, schedule, age_seconds=0)
    assert pending.status is rules.DeliveryStatus.PENDING and retry_in == 30
    failed, retry_in = rules.after_attempt(pending, deferral, schedule, age_seconds=80)
    assert failed.status is rules.DeliveryStatus.FAILED and retry_in is None
