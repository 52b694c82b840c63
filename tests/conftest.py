"""Test environment for every suite: fake AWS credentials, a fixed region, no tracing."""

import os

import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)


@pytest.fixture(scope="session", autouse=True)
def event_models_built():
    """Each event type's model is built on its first announcement (a function loads only the models it
    announces); the tests build them all once here, so no property test times that with its first example."""
    from financing.families.events import KINDS, detail_model

    for event_type in KINDS:
        detail_model(event_type)


@pytest.fixture(autouse=True)
def no_event_loop_left_running(request: pytest.FixtureRequest):
    """A file that leaves an event loop running in the worker (a browser driver not closed) would break the
    next file's code that calls asyncio.run, far from the cause: name the cause instead."""
    import asyncio

    if "playwright_driver" not in request.fixturenames:  # the browser tests run inside the driver's loop
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        pytest.fail("an event loop is still running in this worker: a previous file did not close it")
