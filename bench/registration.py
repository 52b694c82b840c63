"""Registration throughput end to end on the local stack: receivables per second from the first 202
to the last outcome event seen by a subscriber's own queue on the bus."""

import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REQUESTS = 100
CLIENTS = 8


def throughput(requests: int = REQUESTS) -> dict[str, float]:
    from local.token import mint
    from tests.e2e.conftest import launch
    from tests.integration.receivable_fixtures import receivable

    headers = {"Authorization": f"Bearer {mint('bench', 'credit-rights:write credit-rights:read')}"}
    with tempfile.TemporaryDirectory() as logs, launch(Path(logs)) as stack:
        sqs, events = stack.client("sqs"), stack.client("events")
        bus = stack.health()["resources"]["EventBus"]
        url = sqs.create_queue(QueueName="bench-outcomes")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        pattern = {
            "detail-type": ["credit_rights_registration_success-1", "credit_rights_registration_failure-1"]
        }
        events.put_rule(Name="bench-outcomes", EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(Rule="bench-outcomes", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        bodies = [
            receivable(
                holding_number=f"{n + 1}.1",
                debtor_document_number="52998224725",
                internal_number=str(uuid.uuid4()),
            )
            for n in range(requests)
        ]
        latencies: list[float] = []

        def post(body: dict) -> None:
            started = time.perf_counter()
            reply = stack.request("POST", "/v1/credit-rights", body, headers)
            latencies.append((time.perf_counter() - started) * 1000)
            assert reply.status == 202, reply.body

        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(post, bodies))
        accepted = time.perf_counter()
        outcomes: set[str] = set()
        deadline = accepted + 600
        while len(outcomes) < requests and time.perf_counter() < deadline:
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                outcomes.add(json.loads(message["Body"])["detail"]["object"]["internal_number"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        finished = time.perf_counter()
    return {
        "requests": requests,
        "outcomes": len(outcomes),
        "seconds": finished - started,
        "per_second": len(outcomes) / (finished - started),
        "accept_per_second": requests / (accepted - started),
        "post_p50_ms": statistics.median(latencies),
    }


def render(result: dict[str, float]) -> str:
    return (
        f"Registration end to end ({result['requests']} receivables, {CLIENTS} concurrent clients, local stack): "
        f"{result['outcomes']} outcome events in {result['seconds']:.1f} s = {result['per_second']:.1f} receivables/s "
        f"(202s at {result['accept_per_second']:.1f}/s, POST p50 {result['post_p50_ms']:.0f} ms)."
    )
