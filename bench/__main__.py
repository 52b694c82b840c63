"""`make bench`: every figure measured side by side in one run, printed as one markdown table.

- cold start: a fresh process importing a handler and serving its sample event, next to a fresh
  process that imports boto3, creates the clients and makes the same AWS calls (the ratio is the target);
- warm: GET /v1/companies/{id} through the handler next to a bare `get_item`, same moto backend;
- AWS calls per request (botocore hooks) and peak memory per handler;
- the financing list's first page with 1,000 and with 100,000 invoices (time and items read);
- registration end to end (bench/registration.py) and a short load run on the local stack (bench/load.py).
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
WARM_REQUESTS = int(os.environ.get("BENCH_WARM_REQUESTS", "300"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_aws() -> tuple[object, dict[str, str], object]:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    from local.provision import client_factory, provision
    from local.template import load_template

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    stack = provision(load_template(), client_factory(endpoint))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))},
        **stack.environment(),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    return server, env, stack


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def _functions(stack) -> list[tuple[str, Path]]:
    return sorted((spec.logical_id, spec.code_dir) for spec in stack.functions.values())


def _seed_events(env: dict[str, str], scratch: Path) -> dict[str, Path]:
    """Sample events, with the GET/PATCH ones pointed at a company that exists."""
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "layers" / "shared"), str(ROOT)]
    from local.sample_events import SUPPLIER
    from tests.integration.harness import Context, handler

    created = handler("create_company")(
        json.loads((ROOT / "events" / "create_company.json").read_text()), Context()
    )
    company_id = json.loads(created["body"])["id"]
    events = {}
    for path in (ROOT / "events").glob("*.json"):
        text = path.read_text().replace(SUPPLIER, company_id)
        events[path.stem] = scratch / path.name
        events[path.stem].write_text(text)
    return events


def _cold_starts(stack, env, events, scratch) -> list[dict]:
    rows = []
    for logical_id, code_dir in _functions(stack):
        handler_ms, bare_ms, report, bare_report = [], [], {}, {}
        for _ in range(RUNS):
            elapsed, out = _timed(
                [sys.executable, "-m", "bench.cold", str(code_dir), str(events[code_dir.name])], env
            )
            report = json.loads(out.strip().splitlines()[-1])
            handler_ms.append(elapsed)
            calls = scratch / f"{code_dir.name}.calls.json"
            calls.write_text(json.dumps(report["calls"], default=str))
            elapsed, out = _timed([sys.executable, "-m", "bench.bare", str(calls)], env)
            bare_ms.append(elapsed)
            bare_report = json.loads(out.strip().splitlines()[-1])
        rows.append(
            {
                "function": logical_id,
                "handler_ms": statistics.median(handler_ms),
                "bare_ms": statistics.median(bare_ms),
                "import_ms": report["import_ms"],
                "first_ms": report["first_ms"],
                "calls": len(report["calls"]),
                "warm_calls": report["warm_calls"],
                "operations": sorted({c["operation"] for c in report["calls"]}),
                "maxrss_mb": report["maxrss_mb"],
                "bare_maxrss_mb": bare_report["maxrss_mb"],
                "status": report["status"],
            }
        )
    return rows


def _warm(env: dict[str, str], events: dict[str, Path]) -> dict[str, float]:
    import boto3

    from tests.integration.harness import Context, handler

    event = json.loads(events["get_company"].read_text())
    get_company = handler("get_company")
    company_id = event["pathParameters"]["company_id"]
    ddb = boto3.client("dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1")
    key = {"pk": {"S": "acme#COMPANY"}, "sk": {"S": company_id}}

    def median_ms(call) -> float:
        for _ in range(20):
            call()
        samples = []
        for _ in range(WARM_REQUESTS):
            started = time.perf_counter()
            call()
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    assert get_company(event, Context())["statusCode"] == 200
    handler_ms = median_ms(lambda: get_company(event, Context()))
    bare_ms = median_ms(lambda: ddb.get_item(TableName=env["TABLE_NAME"], Key=key, ConsistentRead=True))
    return {"handler_ms": handler_ms, "bare_ms": bare_ms}


PARTS = ("cold", "lifecycle", "registration", "list", "load")


def _shared_layer_importable() -> None:
    """The test fixtures the stack-driving parts reuse import the shared layer, as functions do."""
    if str(ROOT / "layers" / "shared") not in sys.path:
        sys.path.insert(0, str(ROOT / "layers" / "shared"))


def _parts() -> set[str]:
    """`BENCH_PARTS=lifecycle,list` runs only those parts; all by default."""
    asked = {
        part.strip() for part in os.environ.get("BENCH_PARTS", ",".join(PARTS)).split(",") if part.strip()
    }
    unknown = asked - set(PARTS)
    if unknown:
        raise SystemExit(f"BENCH_PARTS: unknown {sorted(unknown)}; choose from {', '.join(PARTS)}")
    return asked


def _print_cold(cold: list[dict], warm: dict[str, float]) -> None:
    print(
        f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {RUNS} cold starts and {WARM_REQUESTS} warm requests; AWS = moto server on loopback.\n"
    )
    print(
        "| function | cold start (handler) | bare boto3, same calls | ratio | import | first request | AWS calls (first / warm) | peak RSS (bare) |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|")
    for row in cold:
        ratio = row["handler_ms"] / row["bare_ms"]
        calls = f"{row['calls']} / {row['warm_calls']} ({', '.join(row['operations']) or 'none'})"
        print(
            f"| {row['function']} | {row['handler_ms']:.0f} ms | {row['bare_ms']:.0f} ms | {ratio:.2f}x | "
            f"{row['import_ms']:.0f} ms | {row['first_ms']:.0f} ms | {calls} | {row['maxrss_mb']:.0f} MB ({row['bare_maxrss_mb']:.0f} MB) |"
        )
    ratio = warm["handler_ms"] / warm["bare_ms"]
    print(
        f"\nWarm GET /v1/companies/{{id}}: handler {warm['handler_ms']:.2f} ms vs bare get_item "
        f"{warm['bare_ms']:.2f} ms: {ratio:.2f}x"
    )


def main() -> None:
    parts = _parts()
    if parts & {"cold", "lifecycle"}:
        server, env, stack = _start_aws()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                scratch = Path(tmp)
                events = _seed_events(env, scratch)
                if "cold" in parts:
                    _print_cold(_cold_starts(stack, env, events, scratch), _warm(env, events))
                if "lifecycle" in parts:
                    from bench.lifecycle import render, walk

                    lifecycle = render(walk(env["DOCUMENTS_BUCKET"]))
                    print(
                        "\nAWS calls per request along one invoice's life (sample events above miss the state an action needs):\n"
                    )
                    print(lifecycle)
        finally:
            server.stop()
    if "registration" in parts:
        from bench.registration import render as render_registration
        from bench.registration import throughput

        _shared_layer_importable()
        print("\n" + render_registration(throughput(int(os.environ.get("BENCH_REGISTRATIONS", "1000")))))
    if "list" in parts:
        from bench.financing_list import measure
        from bench.financing_list import render as render_list

        size = int(os.environ.get("BENCH_LIST_INVOICES", "100000"))
        print("\n" + render_list(measure(size), size))
    if "load" in parts:
        from bench.load import render as render_load
        from bench.load import run

        _shared_layer_importable()
        print("\n" + render_load(run(float(os.environ.get("BENCH_LOAD_SECONDS", "20")))))


if __name__ == "__main__":
    main()
