"""The receivables registry over HTTP: 202, the outcome events on the bus, a receivable registered by two
lenders, and a flaky registrar from which every accepted receivable recovers exactly once."""

import json
import time
import uuid

import pytest

from local.token import mint
from tests.e2e.conftest import launch
from tests.integration.receivable_fixtures import receivable

pytestmark = pytest.mark.e2e


def token(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(tenant, 'credit-rights:read credit-rights:write')}"}


def watch(stack, detail_types: list[str]):
    sqs, events = stack.client("sqs"), stack.client("events")
    bus = stack.health()["resources"]["EventBus"]
    name = f"cr-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"detail-type": detail_types}))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    seen: list[dict] = []

    def until(predicate, timeout=30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            if predicate(seen):
                return seen
        raise AssertionError(
            f"condition not met; saw {[(e['detail-type'], e['detail']['object'].get('internal_number')) for e in seen]}"
        )

    return until


def test_registration_succeeds_then_a_second_lender_is_told_already_registered(stack):
    until = watch(stack, ["credit_rights_registration_success-1", "credit_rights_registration_failure-1"])
    holding = f"{uuid.uuid4().int % 10**6}.1"
    first, second = receivable(holding_number=holding), receivable(holding_number=holding)
    reply = stack.request("POST", "/v1/credit-rights", first, token("lender-a"))
    assert reply.status == 202 and reply.json()["recorder_account"] == 12345678
    seen = until(
        lambda s: any(e["detail"]["object"]["internal_number"] == first["internal_number"] for e in s)
    )
    success = next(e for e in seen if e["detail"]["object"]["internal_number"] == first["internal_number"])
    assert (
        success["detail-type"] == "credit_rights_registration_success-1"
        and success["detail"]["tenant_id"] == "lender-a"
    )
    assert stack.request("POST", "/v1/credit-rights", second, token("lender-b")).status == 202
    seen = until(
        lambda s: any(e["detail"]["object"]["internal_number"] == second["internal_number"] for e in s)
    )
    failure = next(e for e in seen if e["detail"]["object"]["internal_number"] == second["internal_number"])
    assert failure["detail-type"] == "credit_rights_registration_failure-1"
    assert "already registered" in failure["detail"]["object"]["message"]
    state = stack.request(
        "GET", f"/v1/credit-rights/{second['internal_number']}", headers=token("lender-b")
    ).json()
    assert state["status"] == "REJECTED"
    assert (
        stack.request(
            "GET", f"/v1/credit-rights/{first['internal_number']}", headers=token("lender-b")
        ).status
        == 404
    )


def test_bad_requests_and_tokens_answer_in_pismos_envelope(stack):
    bad = stack.request(
        "POST", "/v1/credit-rights", receivable(ibge_code=12, maturity_date="2000-01-01"), token("lender-a")
    )
    assert bad.status == 400 and {p.split(":")[0] for p in bad.json()["errors"]} >= {
        "ibge_code",
        "maturity_date",
    }
    assert bad.json()["correlationId"] == bad.headers["x-correlation-id"]
    unauthorized = stack.request("POST", "/v1/credit-rights", receivable(), {})
    assert (
        unauthorized.status == 401 and unauthorized.json()["errors"] and unauthorized.json()["correlationId"]
    )


def test_a_flaky_slow_registrar_loses_nothing_and_registers_nothing_twice(tmp_path):
    """Half the registrar's calls fail and each takes 200 ms. Two lenders register the same two receivables.
    Every accepted request ends CONFIRMED, REJECTED or in the DLQ, exactly once, and the register holds
    each receivable once."""
    with launch(
        tmp_path,
        LOCAL_PARAMETERS="RegistrarFailureRate=0.5 RegistrarLatencyMs=200 RegistrationRetryBaseSeconds=1",
    ) as flaky:
        resources = flaky.health()["resources"]
        until = watch(flaky, ["credit_rights_registration_success-1", "credit_rights_registration_failure-1"])
        tag = uuid.uuid4().int % 10**5
        bodies = {"lender-a": [receivable(holding_number=f"{tag}{n}.1") for n in range(8)]}
        bodies["lender-b"] = [receivable(holding_number=f"{tag}{n}.1") for n in range(2)]  # a's first two
        for tenant, batch in bodies.items():
            for body in batch:
                assert flaky.request("POST", "/v1/credit-rights", body, token(tenant)).status == 202
        owner = {b["internal_number"]: tenant for tenant, batch in bodies.items() for b in batch}
        sqs = flaky.client("sqs")

        def dead_lettered() -> list[str]:
            messages = sqs.receive_message(
                QueueUrl=resources["RegistrationDeadLetterQueue"], MaxNumberOfMessages=10, VisibilityTimeout=0
            ).get("Messages", [])
            return [json.loads(m["Body"])["detail"]["object"]["internal_number"] for m in messages]

        def settled(seen) -> bool:
            announced = {e["detail"]["object"]["internal_number"] for e in seen}
            return set(owner) <= announced | set(dead_lettered())

        # A receivable failing all 8 receives reaches the DLQ after 1 + 2 + ... + 128 s of backoff.
        seen = until(settled, timeout=420)
        announced = [
            e["detail"]["object"]["internal_number"]
            for e in seen
            if e["detail"]["object"]["internal_number"] in owner
        ]
        parked = dead_lettered()
        assert sorted(announced + parked) == sorted(owner), "each request ends exactly once"
        states = {
            number: flaky.request("GET", f"/v1/credit-rights/{number}", headers=token(tenant)).json()
            for number, tenant in owner.items()
        }
        for number in parked:
            assert states[number]["status"] == "PENDING" and states[number]["last_error"]
        confirmed = [n for n, s in states.items() if s["status"] == "CONFIRMED"]
        assert {s["status"] for n, s in states.items() if n not in parked} <= {"CONFIRMED", "REJECTED"}
        for a, b in zip(bodies["lender-a"][:2], bodies["lender-b"], strict=True):
            assert [states[x["internal_number"]]["status"] for x in (a, b)].count("CONFIRMED") <= 1
        register = flaky.client("dynamodb").scan(TableName=resources["RegistrarSimulatorTable"])["Items"]
        assert len(register) == len(confirmed), "the register holds each confirmed receivable once"
        assert sum(s["attempts"] for s in states.values()) > len(owner), "failures were retried"


def test_a_request_left_in_the_dead_letter_queue_is_recovered_by_redrive(stack):
    """As after the registrar failed every retry: the receivable is PENDING and its request rests in the
    DLQ. `make redrive QUEUE=RegistrationDeadLetterQueue` sends it back and the registration completes."""
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from urllib.parse import urlsplit

    from financing.adapters.credit_rights import _to_item
    from financing.adapters.dynamo import to_item
    from financing.domain.credit_rights import Receivable

    resources = stack.health()["resources"]
    body = receivable(holding_number=f"{uuid.uuid4().int % 10**6}.2")
    moment = datetime.now(UTC)
    pending = Receivable(
        tenant_id="lender-dlq",
        internal_number=body["internal_number"],
        request=body,
        face_value=49923,
        attempts=8,
        last_error="registrar unavailable",
        created=moment,
        updated=moment,
    )
    stack.client("dynamodb").put_item(TableName=resources["EntitiesTable"], Item=to_item(_to_item(pending)))
    detail = {
        "id": "evt_01JD00000000000000000000DL",
        "type": "credit_rights.registration_requested",
        "tenant_id": "lender-dlq",
        "correlation_id": "dlq-1",
        "created": moment.isoformat(),
        "object": {"internal_number": body["internal_number"]},
    }
    message = {
        "detail-type": "credit_rights.registration_requested",
        "source": "invoice-financing",
        "detail": detail,
    }
    stack.client("sqs").send_message(
        QueueUrl=resources["RegistrationDeadLetterQueue"], MessageBody=json.dumps(message)
    )
    until = watch(stack, ["credit_rights_registration_success-1"])

    env = {
        **os.environ,
        "PORT": str(urlsplit(stack.api_url).port),
        "AWS_PORT": str(urlsplit(stack.aws_endpoint).port),
    }
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "local.redrive", "RegistrationDeadLetterQueue"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    until(lambda s: any(e["detail"]["object"]["internal_number"] == body["internal_number"] for e in s))
    state = stack.request(
        "GET", f"/v1/credit-rights/{body['internal_number']}", headers=token("lender-dlq")
    ).json()
    assert state["status"] == "CONFIRMED" and state["attempts"] == 9 and state["last_error"] is None
