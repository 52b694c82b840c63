"""A short load run on the local stack: concurrent clients mixing reads and writes through the gateway for
a fixed time; latency percentiles, errors, and whether the gateway held the target rate of GETs with none.

Reads are spread over several routes: the stage throttles each method (resource and verb) to its own
token bucket (100 a second, burst 200, in the template), as API Gateway does, so one route alone could
not be asked for 200 a second without 429s that are the template's answer, not the gateway's failing.
"""

import http.client
import itertools
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.registration import percentile

CLIENTS = 16
SECONDS = 20.0
WRITE_SHARE = 5  # one request in five is a POST
TARGET_GETS_PER_SECOND = 200
# Every container starts (its cold start, seconds each on a loaded machine) before the measured run, as a
# deployed API's would be warm; BENCH_LOAD_WARM_UP changes it.
WARM_UP_SECONDS = float(os.environ.get("BENCH_LOAD_WARM_UP", "20"))


def run(seconds: float = SECONDS, clients: int = CLIENTS) -> dict:
    from local.token import mint
    from tests.e2e.conftest import launch

    headers = {"Authorization": f"Bearer {mint('load')}"}
    company = {"name": "Carga Ltda", "address": {"country_code": "BR"}, "tax_id": "11.222.333/0001-81"}
    with tempfile.TemporaryDirectory() as logs, launch(Path(logs)) as stack:
        created = stack.request("POST", "/v1/companies", company, {**headers, "Idempotency-Key": "load-seed"})
        assert created.status in (200, 201), created.body
        company_id = json.loads(created.body)["id"]
        reads = itertools.cycle(
            [
                "/v1/companies",
                f"/v1/companies/{company_id}",
                "/v1/settings",
                "/v1/buyer_limits",
                "/v1/invoices",
            ]
        )
        lock = threading.Lock()
        samples: dict[str, list[float]] = {"GET": [], "POST": []}
        errors: dict[str, int] = {}
        deadline = 0.0

        def client(number: int) -> None:
            # One kept-alive connection per client, as a load generator (or a browser) holds one.
            connection = http.client.HTTPConnection(stack.api_url.removeprefix("http://"), timeout=30)
            for n in itertools.count():
                if time.monotonic() >= deadline:
                    connection.close()
                    return
                if n % WRITE_SHARE == number % WRITE_SHARE:
                    method, path, body = (
                        "POST",
                        "/v1/companies",
                        {**company, "name": f"Carga {uuid.uuid4().hex[:8]}"},
                    )
                    extra = {"Idempotency-Key": uuid.uuid4().hex}
                else:
                    with lock:
                        path = next(reads)
                    method, body, extra = "GET", None, {}
                started = time.perf_counter()
                try:
                    data = json.dumps(body).encode() if body is not None else None
                    sent = {**headers, **extra, **({"Content-Type": "application/json"} if data else {})}
                    connection.request(method, path, body=data, headers=sent)
                    reply = connection.getresponse()
                    reply.read()
                    status = reply.status
                except (OSError, http.client.HTTPException) as error:
                    status, kind = 0, type(error).__name__
                    connection.close()  # reconnects on the next request
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    samples[method].append(elapsed)
                    if not 200 <= status < 300:
                        kind = f"{method} {status}" if status else f"{method} {kind}"
                        errors[kind] = errors.get(kind, 0) + 1

        def phase(length: float, concurrent: int) -> float:
            nonlocal deadline
            deadline = time.monotonic() + length
            threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrent)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.perf_counter() - started

        # Warm-up in steps: every cold start at once (16 clients, up to LOCAL_CONCURRENCY containers for each
        # of several functions) could outlast Lambda's 10 s init on a loaded machine, which is not the load.
        for step in (1, 4, clients):
            phase(WARM_UP_SECONDS / 3, min(step, clients))
        for kept in (*samples.values(), errors):
            kept.clear()
        elapsed = phase(seconds, clients)
    result = {"seconds": elapsed, "clients": clients, "errors": errors}
    for method, times in samples.items():
        result[method] = {
            "count": len(times),
            "per_second": len(times) / elapsed,
            "p50_ms": statistics.median(times) if times else float("nan"),
            "p99_ms": percentile(times, 0.99) if times else float("nan"),
        }
    result["held"] = result["GET"]["per_second"] >= TARGET_GETS_PER_SECOND and not errors
    return result


def render(result: dict) -> str:
    parts = [
        f"{method} {r['count']} ({r['per_second']:.0f}/s, p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms)"
        for method, r in ((m, result[m]) for m in ("GET", "POST"))
    ]
    errors = ", ".join(f"{kind}: {count}" for kind, count in sorted(result["errors"].items())) or "none"
    verdict = "held" if result["held"] else "not held"
    return (
        f"Load ({result['clients']} clients, {result['seconds']:.0f} s after {WARM_UP_SECONDS:.0f} s of warm-up, local stack): {'; '.join(parts)}; "
        f"errors: {errors}. {TARGET_GETS_PER_SECOND} GETs/s with no error: {verdict}."
    )
