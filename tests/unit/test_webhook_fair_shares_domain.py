"""Fair shares of the webhook deliverer, the pure part: how a batch is shared out by tenant, how long a requeued
delivery waits, the order slots are tried in, and the use case holding each admitted tenant's slot for the
batch and giving it back whatever happens, checked against plain reference models."""

import json
from collections import Counter
from contextlib import nullcontext

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
