"""Signed webhooks end to end on the local stack: receivers on free loopback ports get the platform's events,
verified with the standardwebhooks library and the README's snippets, retried with the same webhook-id, and
only what they subscribed to."""

import base64
import itertools
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from financing.adapters.webhook_transport import ATTEMPT_DEADLINE_SECONDS
from local.token import mint
from tests.e2e.conftest import LocalStackProcess, launch
from tests.webhooks_support import ROOT, Receiver, Tarpit, library_refusal, readme_receive, readme_verify

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStackProcess]:
    """The stack with a very short retry schedule: 1 s after the first failure, then 2 s, 4 s..."""
    parameters = "WebhookRetryFirstDelaySeconds=1 WebhookRetryMaxAgeSeconds=300"
    with launch(tmp_path_factory.mktemp("webhooks-stack"), LOCAL_PARAMETERS=parameters) as running:
        yield running


class Tenant:
    def __init__(self, stack: LocalStackProcess) -> None:
        self.stack = stack
        self.id = f"wh-{uuid.uuid4().hex[:8]}"
        self.auth = {"Authorization": f"Bearer {mint(self.id)}"}

    def post(self, path: str, body: dict, status: int = 200) -> dict:
        reply = self.stack.request("POST", path, body, self.auth)
        assert reply.status in (status, 201), (path, reply.status, reply.body)
        return reply.json()

    def subscribe(self, url: str, event_types: list[str]) -> dict:
        return self.post("/v1/webhook_subscriptions", {"url": url, "event_types": event_types}, 201)

    def company(self, name: str = "Supplier") -> dict:
        contacts = [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}]
        return self.post(
            "/v1/companies", {"name": name, "address": {"country_code": "GB"}, "contacts": contacts}
        )

    def financed_invoice(self) -> dict:
        supplier, buyer = self.company("Supplier"), self.company("Buyer")
        limit = self.post(
            "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 1000, "currency": "usd"}
        )
        self.post(f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 1000})
        document = self.post("/v1/documents", {"name": "INV.pdf", "purpose": "invoice", "file_format": "pdf"})
        bucket = self.stack.health()["resources"]["DocumentsBucket"]
        self.stack.client("s3").put_object(Bucket=bucket, Key=f"{self.id}/{document['id']}", Body=b"%PDF-1.4")
        invoice = self.post(
            "/v1/invoices",
            {
                "supplier": supplier["id"],
                "buyer": buyer["id"],
                "invoice_number": "INV-WH-1",
                "client_reference_id": "INV-WH-1",
                "invoice_document": document["id"],
                "amount": 500,
                "currency": "usd",
                "type_of_goods": ["commodities"],
                "issue_date": (date.today() - timedelta(days=1)).isoformat(),
                "due_date": (date.today() + timedelta(days=30)).isoformat(),
            },
        )
        base = f"/v1/invoices/{invoice['id']}"
        for action, body in (
            ("submit", {}),
            ("request_signatures", {}),
            ("sign", {"party": "supplier", "contact": supplier["contacts"][0]["id"]}),
            ("sign", {"party": "buyer", "contact": buyer["contacts"][0]["id"]}),
        ):
            self.post(f"{base}/{action}", body)
        return self.post(f"{base}/fund", {})

    def deliveries(self, subscription_id: str) -> list[dict]:
        reply = self.stack.request(
            "GET", f"/v1/webhook_deliveries?subscription={subscription_id}", headers=self.auth
        )
        assert reply.status == 200, reply.body
        return reply.json()["data"]


def test_a_signed_invoice_financed_arrives_and_verifies_and_a_wrong_secret_does_not(stack):
    tenant = Tenant(stack)
    with Receiver() as receiver:
        subscription = tenant.subscribe(receiver.url, ["invoice.financed"])
        invoice = tenant.financed_invoice()
        [hook] = receiver.wait_for(1, timeout=60)
        time.sleep(1)
        assert len(receiver.received) == 1, "only the subscribed type is sent"
    body = json.loads(hook.body)
    assert body["type"] == "invoice.financed" and body["object"] == "event" and body["id"].startswith("evt_")
    assert body["data"]["object"]["id"] == invoice["id"] and body["data"]["object"]["status"] == "financed"
    assert abs(body["created"] - time.time()) < 120
    assert readme_receive()(subscription["secret"], hook.headers, hook.body) == body
    assert readme_verify()(subscription["secret"], hook.headers, hook.body)
    wrong = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    assert "No matching signature" in library_refusal(wrong, hook.headers, hook.body)
    assert not readme_verify()(wrong, hook.headers, hook.body), "a wrong secret fails verification"
    assert hook.headers["webhook-id"] == f"{body['id']}:{subscription['id']}"


def test_a_receiver_failing_twice_gets_the_event_three_times_with_the_same_webhook_id(stack):
    tenant = Tenant(stack)
    with Receiver(statuses=[500, 503, 200]) as receiver:
        subscription = tenant.subscribe(receiver.url, ["company.created"])
        company = tenant.company()
        received = receiver.wait_for(3, timeout=60)
        time.sleep(2)
        assert len(receiver.received) == 3, "delivered: no further attempts"
    assert {r.headers["webhook-id"] for r in received} == {
        f"{json.loads(received[0].body)['id']}:{subscription['id']}"
    }
    assert all(json.loads(r.body)["data"]["object"]["id"] == company["id"] for r in received)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(received)]
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9, f"backoff of 1 s then 2 s, got gaps {gaps}"
    assert all(library_refusal(subscription["secret"], r.headers, r.body) is None for r in received)
    [delivery] = tenant.deliveries(subscription["id"])
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]


def test_a_disabled_subscription_and_another_tenant_receive_nothing(stack):
    acme, globex = Tenant(stack), Tenant(stack)
    with Receiver() as acme_hooks, Receiver() as globex_hooks, Receiver() as disabled_hooks:
        acme_subscription = acme.subscribe(acme_hooks.url, ["*"])
        globex.subscribe(globex_hooks.url, ["*"])
        disabled = acme.subscribe(disabled_hooks.url, ["*"])
        reply = stack.request(
            "PATCH", f"/v1/webhook_subscriptions/{disabled['id']}", {"enabled": False}, acme.auth
        )
        assert reply.status == 200 and reply.json()["enabled"] is False
        acme_company, globex_company = acme.company("Acme"), globex.company("Globex")

        def objects(receiver: Receiver) -> set[str]:
            return {json.loads(r.body)["data"]["object"].get("id") for r in receiver.received}

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if acme_company["id"] in objects(acme_hooks) and globex_company["id"] in objects(globex_hooks):
                break
            time.sleep(0.2)
        time.sleep(2)  # anything misrouted would have arrived by now
        assert acme_company["id"] in objects(acme_hooks) and globex_company["id"] in objects(globex_hooks)
        assert globex_company["id"] not in objects(acme_hooks)
        assert acme_company["id"] not in objects(globex_hooks)
        assert acme_subscription["id"] not in objects(globex_hooks)
        disabled_received = [json.loads(r.body)["type"] for r in disabled_hooks.received]
        assert "company.created" not in disabled_received, disabled_received
    verify = readme_verify()
    assert all(verify(acme_subscription["secret"], r.headers, r.body) for r in acme_hooks.received)


def test_a_slow_receiver_does_not_hold_up_another_tenants_webhooks(stack):
    slow_tenant, other = Tenant(stack), Tenant(stack)
    with Receiver(delay=8.0) as slow, Receiver() as fast:
        slow_tenant.subscribe(slow.url, ["company.created"])
        other.subscribe(fast.url, ["company.created"])
        slow_tenant.company("Slow")
        [held] = slow.wait_for(1, timeout=30)  # the slow receiver now holds its delivery for 8 s
        other.company("Fast")
        [hook] = fast.wait_for(1, timeout=30)
        # Behind the slow delivery it could only have come after the slow receiver answered.
        assert hook.at < held.at + 8, f"came {hook.at - held.at:.1f} s after the slow delivery began"


def test_after_a_regeneration_deliveries_verify_with_the_new_and_the_old_secret(stack):
    tenant = Tenant(stack)
    with Receiver() as receiver:
        subscription = tenant.subscribe(receiver.url, ["company.created"])
        regenerated = tenant.post(f"/v1/webhook_subscriptions/{subscription['id']}/regenerate_secret", {})
        tenant.company()
        [hook] = receiver.wait_for(1, timeout=60)
    assert hook.headers["webhook-signature"].count("v1,") == 2
    for secret in (regenerated["secret"], subscription["secret"]):
        assert library_refusal(secret, hook.headers, hook.body) is None
        assert readme_verify()(secret, hook.headers, hook.body)


def test_an_old_format_secret_keeps_verifying_before_and_after_the_migration_command(stack):
    tenant = Tenant(stack)
    with Receiver() as receiver:
        subscription = tenant.subscribe(receiver.url, ["company.created"])
        legacy = "whsec_" + secrets.token_urlsafe(32)  # as secrets were made before Standard Webhooks
        table = stack.health()["resources"]["EntitiesTable"]
        key = {"pk": {"S": f"{tenant.id}#WEBHOOK_SUBSCRIPTION"}, "sk": {"S": subscription["id"]}}
        stack.client("dynamodb").update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET secret = :legacy REMOVE secret_sealed",  # as stored before sealing
            ExpressionAttributeValues={":legacy": {"S": legacy}},
        )
        tenant.company("Before")
        receiver.wait_for(1, timeout=60)
        # make migrate-webhook-secrets, on the running local stack
        port = stack.api_url.rsplit(":", 1)[1]
        migrated = subprocess.run(
            [sys.executable, "-m", "local.migrate_webhook_secrets"],
            cwd=ROOT,
            env={**os.environ, "PORT": port, "PYTHONPATH": "layers/shared"},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert migrated.returncode == 0, migrated.stderr
        assert migrated.stdout.startswith("1 webhook secret(s) encrypted"), migrated.stdout
        tenant.company("After")
        received = receiver.wait_for(2, timeout=60)
    converted = "whsec_" + base64.b64encode(legacy.encode()).decode()
    item = stack.client("dynamodb").get_item(TableName=table, Key=key)["Item"]
    assert "secret" not in item and item["secret_sealed"]["S"].startswith("kms1.")
    assert legacy not in json.dumps(item) and converted not in json.dumps(item)
    assert [json.loads(r.body)["data"]["object"]["name"] for r in received] == ["Before", "After"]
    for hook in received:
        assert library_refusal(legacy.encode(), hook.headers, hook.body) is None
        assert library_refusal(converted, hook.headers, hook.body) is None


def test_tarpits_of_one_tenant_leave_another_tenants_delivery_latency_in_its_normal_range(stack):
    """Tenant A has six receivers and tenant B one. B's latency (from its request to its receiver) is
    measured twice while an event of A is being delivered: first with A's receivers answering at once (the
    baseline), then with them turned into tarpits answering one byte a second (a complete answer would take
    38 s). Beside the tarpits B's median stays within a generous ratio of its baseline, no delivery of B
    waits out a tarpit's deadline, and B is served while every tarpit is still held (posting one after
    another could not do that); A's attempts are then cut at the 10 s deadline and recorded as timeouts,
    each scheduled for a retry."""
    tenant_a, tenant_b = Tenant(stack), Tenant(stack)

    def latencies(receiver: Receiver, count: int = 5) -> list[float]:
        measured = []
        for n in range(count):
            sent = time.time()
            company = tenant_b.company(f"B-{n}")
            deadline = time.monotonic() + 30
            while not (arrived := [r.at for r in receiver.received if company["id"] in r.body.decode()]):
                assert time.monotonic() < deadline, "tenant B's webhook never came"
                time.sleep(0.01)
            measured.append(arrived[0] - sent)
        return measured

    with Receiver() as prompt, Tarpit(every=1.0) as tarpit, Receiver() as healthy:
        tenant_b.subscribe(healthy.url, ["company.created"])
        receivers = [tenant_a.subscribe(f"{prompt.url}/{n}", ["company.created"])["id"] for n in range(6)]
        tenant_a.company("A, answered at once")
        prompt.wait_for(6)
        baseline = latencies(healthy)
        for n, subscription_id in enumerate(receivers):
            reply = stack.request(
                "PATCH",
                f"/v1/webhook_subscriptions/{subscription_id}",
                {"url": f"{tarpit.url}/{n}"},
                tenant_a.auth,
            )
            assert reply.status == 200, reply.body
        tenant_a.company("A, tarpitted")
        tarpit.wait_for_held(6)
        held_from = time.monotonic()
        beside_tarpits = latencies(healthy)
        assert tarpit.held == 6 and time.monotonic() - held_from < 8, "measured while the tarpits held"
        deadline = time.monotonic() + 30
        while tarpit.held:  # each attempt is cut at the deadline
            assert time.monotonic() < deadline, f"{tarpit.held} tarpit connections still held"
            time.sleep(0.1)
    observed = f"baseline {baseline}, beside tarpits {beside_tarpits}"
    assert statistics.median(beside_tarpits) < 3 * statistics.median(baseline), observed
    assert max(beside_tarpits) < ATTEMPT_DEADLINE_SECONDS, observed
    for subscription_id in receivers:
        delivered, tarpitted = sorted(tenant_a.deliveries(subscription_id), key=lambda d: d["created"])
        assert delivered["status"] == "delivered"
        first = tarpitted["attempts"][0]
        assert first["outcome"] == "timeout" and first["status_code"] is None
        assert ATTEMPT_DEADLINE_SECONDS * 1000 <= first["latency_ms"] < (ATTEMPT_DEADLINE_SECONDS + 2) * 1000
        assert tarpitted["status"] == "pending" and tarpitted["next_attempt_at"] is not None
