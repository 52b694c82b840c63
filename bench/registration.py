"""Registration throughput end to end on the local stack: receivables per second from the first 202
to the last outcome event seen by a subscriber's own queue on the bus, and each receivable's latency
from its 202 to its outcome event (the bus's delivery to that queue, SQS's SentTimestamp)."""

import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REQUESTS = 1000
CLIENTS = 8
OUTCOMES = ["credit_rights_registration_success-1", "credit_rights_registration_failure-1"]


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user and system) of a process, and of its live descendants, from /proc: how much of the
    machine the work took, which a loaded machine's wall clock does not say. The stack's own process runs
    the embedded AWS, the gateway and the workers' pollers (one interpreter: at most one core of Python);
    its descendants are the function containers."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
        used[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent and child not in tree]
        tree.update(children)
        frontier += children
    return used.get(pid, 0.0), sum(used.get(member, 0.0) for member in tree - {pid})


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
        events.put_rule(
            Name="bench-outcomes", EventBusName=bus, EventPattern=json.dumps({"detail-type": OUTCOMES})
        )
        events.put_targets(Rule="bench-outcomes", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
        bodies = [
            receivable(
                holding_number=f"{n + 1}.1",
                debtor_document_number="52998224725",
                internal_number=str(uuid.uuid4()),
            )
            for n in range(requests)
        ]
        post_ms: list[float] = []
        accepted_at: dict[str, float] = {}  # internal number -> wall clock of its 202
        outcome_at: dict[str, float] = {}  # internal number -> wall clock of its outcome event on the queue
        finished = threading.Event()

        def post(body: dict) -> None:
            started = time.perf_counter()
            reply = stack.request("POST", "/v1/credit-rights", body, headers)
            accepted_at[body["internal_number"]] = time.time()
            post_ms.append((time.perf_counter() - started) * 1000)
            assert reply.status == 202, reply.body

        def collect() -> None:
            # Its own client: boto3 clients are shared across threads, but this one long-polls all along.
            outcomes = stack.client("sqs")
            while not finished.is_set():
                for message in outcomes.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=10,
                    WaitTimeSeconds=1,
                    MessageSystemAttributeNames=["SentTimestamp"],
                ).get("Messages", []):
                    number = json.loads(message["Body"])["detail"]["object"]["internal_number"]
                    outcome_at.setdefault(number, int(message["Attributes"]["SentTimestamp"]) / 1000)
                    outcomes.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                if len(outcome_at) >= requests:
                    finished.set()

        collector = threading.Thread(target=collect, daemon=True)
        collector.start()
        own_before, containers_before = cpu_seconds(stack.process.pid)
        stack.request("DELETE", "/_local/aws_profile")
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(post, bodies))
        accepted = time.perf_counter()
        finished.wait(600)
        finished.set()
        ended = time.perf_counter()
        own, containers = cpu_seconds(stack.process.pid)
        profile = stack.request("GET", "/_local/aws_profile").json()["operations"]
        collector.join(5)
    latencies = [(outcome_at[n] - accepted_at[n]) * 1000 for n in outcome_at if n in accepted_at]
    return {
        "requests": requests,
        "outcomes": len(outcome_at),
        "seconds": ended - started,
        "per_second": len(outcome_at) / (ended - started),
        "accept_per_second": requests / (accepted - started),
        "cpu_ms_per_receivable": (own - own_before + containers - containers_before)
        * 1000
        / max(1, len(outcome_at)),
        "stack_process_cores": (own - own_before) / (ended - started),
        "containers_cores": (containers - containers_before) / (ended - started),
        "profile": profile,
        "post_p50_ms": statistics.median(post_ms),
        "outcome_p50_ms": percentile(latencies, 0.5) if latencies else float("nan"),
        "outcome_p99_ms": percentile(latencies, 0.99) if latencies else float("nan"),
    }


def render(result: dict) -> str:
    return "\n".join([summary(result), where_the_time_goes(result)])


def where_the_time_goes(result: dict, top: int = 8) -> str:
    """The run's cores by process, and the embedded AWS's costliest operations (long polls left out: their
    time is mostly waiting for messages)."""
    seconds = result["seconds"]
    rows = [row for row in result["profile"] if not row["operation"].endswith(".ReceiveMessage")]
    dynamodb = sum(row["seconds"] for row in rows if row["operation"].startswith("dynamodb."))
    lines = [
        f"Cores used: the stack's process (embedded AWS, gateway, pollers) {result['stack_process_cores']:.2f}, "
        f"the function containers {result['containers_cores']:.2f}; DynamoDB (one call at a time) busy "
        f"{dynamodb / seconds:.0%} of the run. Costliest operations of the embedded AWS:"
    ]
    for row in rows[:top]:
        lines.append(
            f"  {row['operation']}: {row['calls']} calls, {row['seconds']:.1f} s "
            f"({row['seconds'] * 1000 / max(1, row['calls']):.1f} ms each"
            + (f", waited {row['waited']:.1f} s)" if row["waited"] else ")")
        )
    return "\n".join(lines)


def summary(result: dict) -> str:
    return (
        f"Registration end to end ({result['requests']} receivables, {CLIENTS} concurrent clients, local stack): "
        f"{result['outcomes']} outcome events in {result['seconds']:.1f} s = {result['per_second']:.1f} receivables/s "
        f"(202s at {result['accept_per_second']:.1f}/s, POST p50 {result['post_p50_ms']:.0f} ms; "
        f"202 -> outcome event p50 {result['outcome_p50_ms']:.0f} ms, p99 {result['outcome_p99_ms']:.0f} ms; "
        f"the stack's processes used {result['cpu_ms_per_receivable']:.0f} ms of CPU per receivable)."
    )
