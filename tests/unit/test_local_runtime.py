"""The local stack's function containers: isolation, concurrency, timeouts and errors."""

import os
import textwrap
import threading
import time

import pytest

from local.model import FunctionSpec
from local.runtime import FunctionError, FunctionPool

HANDLER = """
import os, time

calls = []  # module state: one list per container

def lambda_handler(event, context):
    calls.append(event)
    print("a log line, not the protocol's", flush=True)
    if event.get("exit") is not None:
        os._exit(event["exit"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("raise"):
        raise Exception(event["raise"])
    if event.get("unserialisable"):
        return object()
    return {
        "calls": len(calls),
        "module": __name__,
        "pid": os.getpid(),
        "remaining": context.get_remaining_time_in_millis(),
        "function": context.function_name,
        "request": context.aws_request_id,
    }
"""


def _spec(tmp_path, timeout=3, source=HANDLER, layers=()):
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
        layers=list(layers),
        events={},
    )


def test_a_warm_container_keeps_its_module_state(tmp_path, capfd, caplog):
    caplog.set_level("INFO", logger="local")
    pool = FunctionPool(_spec(tmp_path), "us-east-1", size=2)
    first = pool.invoke({})
    second = pool.invoke({})
    assert first["function"] == "stk-TestFunction" and first["module"] == "app"
    assert 0 < first["remaining"] <= 3000
    assert second["calls"] == 2 and second["pid"] == first["pid"] != os.getpid()
    assert first["request"] != second["request"]
    assert "cold start TestFunction#1" in caplog.text
    pool.close()
    assert capfd.readouterr().out.count("a log line, not the protocol's") == 2  # the handler's stdout is ours


def test_a_container_runs_in_a_lambda_like_environment(tmp_path):
    source = """
import os, sys
def lambda_handler(event, context):
    return {"cwd": os.getcwd(), "path": sys.path[0], "stream": context.log_stream_name,
            "env": {k: os.environ.get(k) for k in event}}
"""
    pool = FunctionPool(_spec(tmp_path, source=source), "eu-west-1", size=1, environment={"TABLE": "t"})
    names = ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION"]
    names += ["AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT", "AWS_REGION"]
    names += ["POWERTOOLS_TRACE_DISABLED", "TABLE"]
    result = pool.invoke(names)
    assert result["cwd"] == result["path"] == str(tmp_path)
    env = result["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "stk-TestFunction" and env["AWS_REGION"] == "eu-west-1"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256" and env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/stk-TestFunction"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == result["stream"]
    assert env["LAMBDA_TASK_ROOT"] == str(tmp_path)
    assert env["POWERTOOLS_TRACE_DISABLED"] == "true" and env["TABLE"] == "t"
    pool.close()


def test_concurrent_invocations_run_in_parallel_in_separate_processes(tmp_path):
    # A barrier between the invocations: each arrives, then waits for all three. Run one after the
    # other, the first would give up waiting; no wall-clock bound is needed to tell.
    source = """
import os, time
def lambda_handler(event, context):
    open(os.path.join(event["dir"], str(os.getpid())), "w").close()
    deadline = time.monotonic() + 20
    while len(os.listdir(event["dir"])) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    return {"pid": os.getpid(), "met": len(os.listdir(event["dir"])) == 3}
"""
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    pool = FunctionPool(_spec(tmp_path, timeout=30, source=source), "us-east-1", size=3)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(pool.invoke({"dir": str(barrier)}))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r["met"] for r in results), "all three were running at the same time"
    assert len({r["pid"] for r in results}) == 3
    pool.close()


LAYER_STATE = """
class Current:  # request state on a class of a shared library, as Powertools' resolver keeps its event
    event = None
"""

READS_LAYER_STATE = """
import time
from shared_state import Current

def lambda_handler(event, context):
    Current.event = event
    time.sleep(0.3)
    return Current.event
"""


def test_concurrent_invocations_never_see_each_others_layer_state(tmp_path):
    layer = tmp_path / "layer" / "python"
    layer.mkdir(parents=True)
    (layer / "shared_state.py").write_text(LAYER_STATE)
    code = tmp_path / "code"
    code.mkdir()
    pool = FunctionPool(_spec(code, source=READS_LAYER_STATE, layers=[layer.parent]), "us-east-1", size=4)
    tenants = ["acme", "globex", "initech", "umbrella"]
    results = {}
    threads = [
        threading.Thread(target=lambda t=t: results.__setitem__(t, pool.invoke({"tenant": t})))
        for t in tenants
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {t: {"tenant": t} for t in tenants}
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


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_timed_out_container_is_killed_and_replaced(tmp_path):
    pool = FunctionPool(_spec(tmp_path, timeout=1), "us-east-1", size=1)
    pid = pool.invoke({})["pid"]
    with pytest.raises(FunctionError) as raised:
        pool.invoke({"sleep": 30})
    assert raised.value.error_type == "Sandbox.Timedout"
    assert _gone(pid)
    replacement = pool.invoke({})
    assert replacement["pid"] != pid and replacement["calls"] == 1
    pool.close()


def test_a_container_that_exits_mid_invocation_is_an_exit_error_and_replaced(tmp_path):
    pool = FunctionPool(_spec(tmp_path), "us-east-1", size=1)
    pid = pool.invoke({})["pid"]
    with pytest.raises(FunctionError) as raised:
        pool.invoke({"exit": 3})
    assert raised.value.error_type == "Runtime.ExitError"
    assert raised.value.message == "Runtime exited with error: exit status 3"
    assert _gone(pid)
    assert pool.invoke({})["pid"] != pid
    pool.close()


def test_close_ends_every_container_promptly_even_a_busy_one(tmp_path):
    pool = FunctionPool(_spec(tmp_path, timeout=30), "us-east-1", size=2)
    pid = pool.invoke({})["pid"]
    failures = []

    def busy():
        try:
            pool.invoke({"sleep": 30})
        except FunctionError as error:
            failures.append(error.error_type)

    thread = threading.Thread(target=busy)
    thread.start()
    time.sleep(0.3)
    started = time.perf_counter()
    pool.close()
    thread.join(15)
    assert time.perf_counter() - started < 15  # not the invocation's 30 s
    assert failures == ["Local.Stopped"] and _gone(pid)
    with pytest.raises(FunctionError, match="shutting down"):
        pool.invoke({})


def test_a_cold_start_does_not_extend_the_timeout(tmp_path):
    pool = FunctionPool(_spec(tmp_path, timeout=1), "us-east-1", size=1)
    started = time.perf_counter()
    with pytest.raises(FunctionError, match=r"Task timed out after 1\.00 seconds"):
        pool.invoke({"sleep": 30})
    assert time.perf_counter() - started < 15  # the 1 s timeout (after its own init), not the 30 s sleep
    pool.close()


def test_a_missing_handler_is_an_import_error(tmp_path):
    spec = _spec(tmp_path)
    spec.handler = "missing.lambda_handler"
    pool = FunctionPool(spec, "us-east-1", size=1)
    with pytest.raises(FunctionError) as raised:
        pool.invoke({})
    assert raised.value.error_type == "Runtime.ImportModuleError"
    pool.close()


PRESIGNS = """
import botocore.session

def lambda_handler(event, context):
    s3 = botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    s3.generate_presigned_url("get_object", Params={"Bucket": "docs", "Key": event["key"], "VersionId": "v1"})
    if event.get("raise"):
        raise Exception("after presigning")
    return {}
"""


def test_a_container_reports_its_functions_aws_calls_for_the_iam_check(tmp_path):
    """The containers record each invocation's AWS calls (presigning included) as their function's, and the
    pool hands them to the check, whether the handler returned or raised."""
    from local import iam

    judged = []

    class Judge:  # what local.runtime.AccessCheck does with them, minus the policies
        def judge(self, calls):
            judged.append([iam.Call.from_json(call) for call in calls])

    pool = FunctionPool(_spec(tmp_path, source=PRESIGNS), "us-east-1", size=1, access=Judge())
    try:
        pool.invoke({"key": "acme/doc_1"})
        with pytest.raises(FunctionError):
            pool.invoke({"key": "acme/doc_2", "raise": True})
    finally:
        pool.close()
    need = iam.Permission("s3:GetObjectVersion", "arn:aws:s3:::docs/acme/doc_1")
    assert judged[0] == [iam.Call("TestFunction", "s3", "GetObject", (need,))]
    assert [call.needs[0].resource for call in judged[1]] == ["arn:aws:s3:::docs/acme/doc_2"]
