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
    from financing.dialects.events import KINDS, detail_model

    for event_type in KINDS:
        detail_model(event_type)
