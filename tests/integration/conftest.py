"""Integration tests: handlers called in-process on moto, with every resource template.yaml declares."""

import pytest
from moto import mock_aws

from financing.adapters.aws import client
from financing.api import idempotency
from financing.config import settings
from local.provision import provision
from local.template import load_template

TEMPLATE = load_template()


def _reset_caches():
    settings.cache_clear()
    client.cache_clear()
    idempotency._remembered.cache_clear()


@pytest.fixture
def aws(monkeypatch):
    """A fresh embedded AWS holding the template's resources, with the functions' environment set."""
    _reset_caches()
    with mock_aws():
        stack = provision(TEMPLATE)
        for name, value in stack.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
        _reset_caches()
        yield stack
    _reset_caches()
