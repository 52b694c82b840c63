"""Unit-test fixtures: the few pure tests that sign cursors get the key where functions read it, from Secrets Manager (on moto)."""

import pytest
from moto import mock_aws

from financing.adapters.aws import client
from financing.adapters.secrets import secret_string
from financing.config import settings


def _forget():
    settings.cache_clear()
    client.cache_clear()
    secret_string.cache_clear()


@pytest.fixture
def cursor_key(monkeypatch):
    """A generated cursor-signing key in an embedded Secrets Manager, its ARN where the functions look."""
    _forget()
    with mock_aws():
        secrets = client("secretsmanager")
        key = secrets.get_random_password(PasswordLength=48, ExcludePunctuation=True)["RandomPassword"]
        arn = secrets.create_secret(Name="pagination", SecretString=key)["ARN"]
        monkeypatch.setenv("PAGINATION_SECRET_ARN", arn)
        _forget()
        yield key
    _forget()
