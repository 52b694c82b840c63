"""The local stack's function containers: isolation, concurrency, timeouts and errors."""

import textwrap
import threading
import time

import pytest

from local.model import FunctionSpec
from local.runtime import FunctionError, FunctionPool

HANDLER = """
import threading, time

calls = []  # module state: one list per container

def lambda_handler(event, context):
    calls.append(event)
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("raise"):
        raise Exception(event["raise"])
    if event.get("unserialisable"):
        return object()
    return {
        "calls": len(calls),
        "module": __name__,
        "thread": threading.current_thread().name,
        "remaining": context.get_remaining_time_in_millis(),
        "function": context.function_name,
        "request": context.aws_request_id,
    }
"""


def _spec(tmp_path, timeout=3, source=HANDLER):
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    return FunctionSpec(
        logical_id="TestFunction",
        name="stk-TestFunction",
        arn="arn:aws:lambda:us-east-1:123456789012:function:stk-TestFunction",
        code_dir=tmp_path,
        handler="app.lambda_handler",
        timeout=timeout,
        memory=256,
        environment={},
        layers=[],
        events={},
    )


def test_a_warm_container_keeps_its_module_state(tmp_path):
    pool = FunctionPool(_spec(tmp_path), "us-east-1", size=2)
    first = pool.invoke({})
    second = pool.invoke({})
    assert first["function"] == "stk-TestFunction"
    assert 0 < first["remaining"] <= 3000
    assert second["calls"] == 2 and second["module"] == first["module"]
    assert first["request"] != second["request"]
    pool.close()


def test_concurrent_invocations_get_separate_module_instances(tmp_path):
    pool = FunctionPool(_spec(tmp_path), "us-east-1", size=3)
    results = []
    threads = [threading.Thread(target=lambda: results.append(pool.invoke({"sleep": 0.3}))) for _ in range(3)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.perf_counter() - started < 0.9  # in parallel, not one after the other
    assert len({r["module"] for r in results}) == 3
    assert all(r["calls"] == 1 for r in results)
    pool.close()


def test_the_pool_size_caps_concurrency(tmp_path):
    pool = FunctionPool(_spec(tmp_path), "us-east-1", size=1)
    results = []
    threads = [threading.Thread(target=lambda: results.append(pool.invoke({"sleep": 0.2}))) for _ in range(2)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.perf_counter() - started >= 0.4
    assert sorted(r["calls"] for r in results) == [1, 2]
    pool.close()


def test_errors_and_timeouts_are_function_errors(tmp_path):
    pool = FunctionPool(_spec(tmp_path, timeout=1), "us-east-1", size=1)
    with pytest.raises(FunctionError) as raised:
        pool.invoke({"raise": "Unauthorized"})
    assert raised.value.message == "Unauthorized" and raised.value.error_type == "Exception"
    assert "lambda_handler" in raised.value.text
    with pytest.raises(FunctionError) as unserialisable:
        pool.invoke({"unserialisable": True})
    assert unserialisable.value.error_type == "Runtime.MarshalError"
    with pytest.raises(FunctionError, match=r"Task timed out after 1\.00 seconds"):
        pool.invoke({"sleep": 3})
    assert pool.invoke({})["calls"] == 1  # a fresh container replaced the timed-out one
    pool.close()


def test_a_cold_start_does_not_extend_the_timeout(tmp_path):
    pool = FunctionPool(_spec(tmp_path, timeout=1), "us-east-1", size=1)
    started = time.perf_counter()
    with pytest.raises(FunctionError, match="Task timed out"):
        pool.invoke({"sleep": 3})
    assert time.perf_counter() - started < 2
    pool.close()


def test_a_missing_handler_is_an_import_error(tmp_path):
    spec = _spec(tmp_path)
    spec.handler = "missing.lambda_handler"
    pool = FunctionPool(spec, "us-east-1", size=1)
    with pytest.raises(FunctionError) as raised:
        pool.invoke({})
    assert raised.value.error_type == "Runtime.ImportModuleError"
    pool.close()
