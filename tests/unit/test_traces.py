"""Traces never hold a response body: the real X-Ray SDK, as a traced Lambda runs it, is listened to on UDP."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "whsec_c2hvd24tb25seS1vbmNlLW5ldmVyLWluLWEtdHJhY2U="

# A handler built by the shared entry point, answering a body that holds a secret, invoked once as Lambda
# would invoke it with active tracing (a sampled trace header, the X-Ray daemon address).
TRACED_INVOCATION = f"""
from financing.api.core import core_api, entrypoint, respond

app = core_api()


@app.get("/v1/shown_once")
def shown_once():
    return respond(201, {{"secret": "{SECRET}"}})


class Context:
    function_name = "traced"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:traced"
    aws_request_id = "request-1"


event = {{"httpMethod": "GET", "path": "/v1/shown_once", "resource": "/v1/shown_once", "headers": {{}},
          "requestContext": {{"requestId": "request-1"}}}}
print(entrypoint(app, scope=None)(event, Context())["statusCode"])
"""


def _segments_sent_by(code: str) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as daemon:
        daemon.bind(("127.0.0.1", 0))
        daemon.settimeout(2)
        env = {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}{os.pathsep}{ROOT}",
            "AWS_LAMBDA_FUNCTION_NAME": "traced",
            "LAMBDA_TASK_ROOT": str(ROOT),
            "POWERTOOLS_TRACE_DISABLED": "false",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{daemon.getsockname()[1]}",
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        }
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.split() == ["201"]
        received = []
        while True:
            try:
                received.append(daemon.recv(65535).decode())
            except TimeoutError:
                return "\n".join(received)


def test_a_traced_handler_sends_its_segment_without_the_response_body():
    segments = _segments_sent_by(TRACED_INVOCATION)
    # The control: the handler's subsegment did reach the daemon, so the absence below means something.
    assert '"name": "## handler"' in segments and '"ColdStart": true' in segments
    assert SECRET not in segments
    assert "response" not in segments
