"""Fairness under a flood, end to end on the local stack: one tenant with many tarpit receivers and a flood of
events beside a healthy tenant, whose delivery latency (from its request to its receiver) stays within its
normal range, measured in the same test; and the flooding tenant loses nothing."""

import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from financing.adapters.webhook_transport import ATTEMPT_DEADLINE_SECONDS
from tests.e2e.conftest import LocalStackProcess, launch
from tests.e2e.test_webhooks_http import Tenant
from tests.webhooks_support import Receiver, Tarpit

pytestmark = pytest.mark.e2e

TARPITS = 5
FLOOD = 40  # events of the flooding tenant, each one delivery per tarpit


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    parameters = "WebhookRetryFirstDelaySeconds=1 WebhookRetryMaxAgeSeconds=600"
    with launch(tmp_path_factory.mktemp("fairness-stack"), LOCAL_PARAMETERS=parameters) as running:
        yield running


def latencies(tenant: Tenant, receiver: Receiver, count: int = 5) -> list[float]:
    """Seconds from each of `count` requests of `tenant` to its webhook reaching `receiver`."""
    measured = []
    for n in range(count):
        sent = time.time()
        company = tenant.company(f"B-{n}-{sent}")
        deadline = time.monotonic() + 60
        while not (arrived := [r.at for r in receiver.received if company["id"] in r.body.decode()]):
            assert time.monotonic() < deadline, "the healthy tenant's webhook never came"
            time.sleep(0.01)
        measured.append(arrived[0] - sent)
    return measured


def attempted(tenant: Tenant, subscription_ids: list[str]) -> list[dict]:
    """The tenant's deliveries that have been attempted (a delivery is recorded at its first attempt)."""
    found = []
    for subscription_id in subscription_ids:
        reply = tenant.stack.request(
            "GET", f"/v1/webhook_deliveries?subscription={subscription_id}&limit=100", headers=tenant.auth
        )
        assert reply.status == 200, reply.body
        found += reply.json()["data"]
    return found


def warm_up(stack: LocalStackProcess) -> None:
    """Every container of the functions on the way started (a cold start under load takes seconds, which
    is not what the test measures): a burst of events from four threads at once, to prompt receivers."""
    tenant = Tenant(stack)
    with Receiver() as prompt:
        for n in range(TARPITS):
            tenant.subscribe(f"{prompt.url}/{n}", ["company.created"])
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(tenant.company, [f"warm-{n}" for n in range(12)]))
        prompt.wait_for(TARPITS * 12, timeout=120)


def fanned_out(stack: LocalStackProcess) -> None:
    """Wait until every event so far is fanned out to the delivery queue (the webhook events queue empty)."""
    sqs, queue = stack.client("sqs"), stack.health()["resources"]["WebhookEventsQueue"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.monotonic() + 60
    while any(
        int(n) for n in sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=names)["Attributes"].values()
    ):
        assert time.monotonic() < deadline, "the flood's events were never fanned out"
        time.sleep(0.1)


def test_a_tenant_flooding_tarpits_leaves_another_tenants_delivery_latency_in_its_normal_range(stack):
    """Tenant A floods: five subscriptions, each a tarpit answering one byte a second, and forty events, so
    two hundred deliveries that would each hold a deliverer for its whole 10 s deadline, more than the
    deliverer's containers can hold at once. Tenant B's latency is measured before the flood (its normal
    range) and while it goes on, with the tarpits holding connections: B's median stays within a generous
    ratio of its normal median and no delivery of B waits out a tarpit's deadline. Then the tarpits close,
    and every one of A's two hundred deliveries is attempted (none lost)."""
    flooding, healthy_tenant = Tenant(stack), Tenant(stack)
    with Tarpit(every=1.0) as tarpit, Receiver() as healthy:
        healthy_tenant.subscribe(healthy.url, ["company.created"])
        warm_up(stack)
        normal = latencies(healthy_tenant, healthy)
        subscriptions = [
            flooding.subscribe(f"{tarpit.url}/{n}", ["company.created"])["id"] for n in range(TARPITS)
        ]
        # The flood: its events made at once (four requests at a time) and fanned out, so that its two
        # hundred deliveries wait in the delivery queue, the tarpits holding the first of them.
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(flooding.company, [f"A-{n}" for n in range(FLOOD)]))
        fanned_out(stack)
        tarpit.wait_for_held(1)
        held = [tarpit.held]
        beside_flood = []
        for _ in range(5):
            beside_flood += latencies(healthy_tenant, healthy, count=1)
            held.append(tarpit.held)
    observed = f"normal {normal}, beside the flood {beside_flood}, tarpit connections held {held}"
    assert max(held) > 0, "measured while the tarpits held connections"
    assert statistics.median(beside_flood) < 4 * statistics.median(normal) + 1.0, observed
    assert max(beside_flood) < ATTEMPT_DEADLINE_SECONDS, observed
    # The tarpits are gone (connections refused): every delivery of A is attempted, none lost on the way.
    deadline = time.monotonic() + 180
    while True:
        deliveries = attempted(flooding, subscriptions)
        if len(deliveries) == TARPITS * FLOOD:
            break
        assert time.monotonic() < deadline, f"{len(deliveries)} deliveries, some never attempted"
        time.sleep(1)
    assert all(d["attempts"] for d in deliveries)
