"""Subscribers of the bus on the local stack: the example application (examples/subscriber) deployed next to the
product receives its typed events, and a subscriber that was down gets a window replayed from the archive."""

import json
import math
import os
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from local.token import mint
from tests.e2e.conftest import launch, subscribe
from tests.e2e.test_invoices_http import approved_invoice, post, setup_parties
from tests.integration.receivable_fixtures import receivable

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/subscriber/template.yaml"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The product's stack with the subscriber example deployed next to it."""
    with launch(tmp_path_factory.mktemp("subscribers"), LOCAL_EXTRA_TEMPLATES=EXAMPLE) as running:
        yield running


def heard(stack, predicate, timeout: float = 30.0) -> dict:
    """The first summary the example's handler logged that matches."""
    deadline = time.monotonic() + timeout
    while True:
        for line in stack.output().splitlines():
            if '{"subscriber": ' in line:
                summary = json.loads(line[line.index('{"subscriber": ') :])["subscriber"]
                if predicate(summary):
                    return summary
        if time.monotonic() > deadline:
            raise AssertionError(f"the example heard nothing matching:\n{stack.output()[-3000:]}")
        time.sleep(0.2)


def iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


def replay(stack, start: str, end: str, rule: str) -> subprocess.CompletedProcess:
    """`make replay FROM=start TO=end RULE=rule` against this stack."""
    return subprocess.run(
        [sys.executable, "-m", "local.replay", "--from", start, "--to", end, "--rule", rule],
        cwd=ROOT,
        env={**os.environ, "PORT": stack.api_url.rsplit(":", 1)[1]},
        capture_output=True,
        text=True,
        timeout=120,
    )


def register(stack, tenant: str, body: dict) -> None:
    headers = {"Authorization": f"Bearer {mint(tenant, 'credit-rights:read credit-rights:write')}"}
    assert stack.request("POST", "/v1/credit-rights", body, headers).status == 202


def test_the_example_receives_a_funding_and_both_registration_outcomes_typed(stack):
    supplier, buyer = setup_parties(stack, limit=100000)
    invoice = approved_invoice(
        stack,
        supplier,
        buyer,
        amount=1000.5,
        reference=f"SUB-{uuid.uuid4().hex[:6]}",
        due=date.today() + timedelta(days=30),
    )
    post(stack, f"/v1/invoices/{invoice['id']}/fund", {})
    financed = heard(stack, lambda s: s.get("invoice") == invoice["id"])
    assert financed["received"] == "invoice.financed" and financed["currency"] == "usd"
    assert financed["advance"] == "900.45" and financed["claim"] == "922.96"  # exact decimals, 90% and 2.5%
    assert financed["replayed"] is False and financed["event_id"].startswith("evt_")

    holding = f"{uuid.uuid4().int % 10**6}.3"
    first, second = receivable(holding_number=holding), receivable(holding_number=holding)
    # Registered first, then refused to another lender as already registered.
    register(stack, "lender-a", first)
    registered = heard(stack, lambda s: s.get("internal_number") == first["internal_number"])
    assert registered["received"] == "credit_rights_registration_success-1"
    assert registered["registrar_reference"] and registered["tenant"] == "lender-a"
    register(stack, "lender-b", second)
    refused = heard(stack, lambda s: s.get("internal_number") == second["internal_number"])
    assert refused["received"] == "credit_rights_registration_failure-1"
    assert "already registered" in refused["reason"]


def test_a_window_replayed_to_the_examples_rule_reaches_its_function_marked_as_a_replay(stack):
    start = iso(time.time() - 1)
    supplier, buyer = setup_parties(stack, limit=100000)
    reference = f"RPL-{uuid.uuid4().hex[:6]}"
    invoice = approved_invoice(
        stack, supplier, buyer, amount=500, reference=reference, due=date.today() + timedelta(days=9)
    )
    post(stack, f"/v1/invoices/{invoice['id']}/fund", {})
    first = heard(stack, lambda s: s.get("invoice") == invoice["id"])
    events = stack.client("events")
    bus = stack.health()["resources"]["EventBus"]
    (rule,) = [
        r["Name"]
        for r in events.list_rules(EventBusName=bus)["Rules"]
        if r["Name"].startswith("invoice-financing-local-subscriber-")
        and "invoice.financed" in r["EventPattern"]
    ]
    assert replay(stack, start, iso(time.time() + 1), rule).returncode == 0
    again = heard(stack, lambda s: s.get("invoice") == invoice["id"] and s["replayed"])
    assert again == {**first, "replayed": True}  # the same event (dedupe on its event_id), marked as replayed


def test_a_subscriber_that_was_down_gets_exactly_the_windows_events_replayed(stack):
    tenant = f"replay-{uuid.uuid4().hex[:6]}"
    auth = {"Authorization": f"Bearer {mint(tenant)}"}
    live = subscribe(stack, {"source": ["invoice-financing"], "detail": {"tenant_id": [tenant]}})

    def emit(name: str) -> str:
        reply = stack.request(
            "POST", "/v1/companies", {"name": name, "address": {"country_code": "GB"}}, auth
        )
        assert reply.status == 201, reply.body
        return reply.json()["id"]

    def next_second() -> str:
        # Event times are whole seconds (the commit's): a boundary on the next one splits the batches exactly.
        boundary = math.floor(time.time()) + 1
        time.sleep(boundary - time.time() + 0.05)
        return iso(boundary)

    before = [emit("Before 1"), emit("Before 2")]
    start = next_second()
    during = [emit("During 1"), emit("During 2")]
    end = next_second()
    after = [emit("After 1")]
    delivered = {}
    for company in before + during + after:  # everything is on the bus (and so in the archive)
        event = live(lambda e, c=company: e["detail"]["object"]["id"] == c)
        delivered[company] = event

    # The late subscriber's rule and queue: created now, it missed all of it.
    late_rule = f"late-{tenant}"
    late = subscribe(
        stack, {"source": ["invoice-financing"], "detail": {"tenant_id": [tenant]}}, name=late_rule
    )
    with pytest.raises(AssertionError):
        late(lambda e: True, timeout=2)

    run = replay(stack, start, end, late_rule)
    assert run.returncode == 0, run.stderr
    assert "COMPLETED" in run.stdout

    for company in during:
        replayed = late(lambda e, c=company: e["detail"]["object"]["id"] == c)
        assert replayed == {**delivered[company], "replay-name": replayed["replay-name"]}  # as archived
    with pytest.raises(AssertionError):  # nothing from before or after the window
        late(lambda e: e["detail"]["object"]["id"] in before + after, timeout=3)
    with pytest.raises(AssertionError):  # the rules not named were not replayed to
        live(lambda e: "replay-name" in e, timeout=2)
