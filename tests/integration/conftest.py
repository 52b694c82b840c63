"""Integration tests: handlers called in-process on moto, with the resources the template declares."""

import pytest
from moto import mock_aws

from financing.adapters.aws import client
from financing.config import settings


def _provision_for_now():
    # TEMPORARY until local.provision lands: mirrors template.yaml.
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="entities",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "outbox_pending", "outbox_at")
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "outbox-pending",
                "KeySchema": [
                    {"AttributeName": "outbox_pending", "KeyType": "HASH"},
                    {"AttributeName": "outbox_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    ddb.create_table(
        TableName="idempotency",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    client("events").create_event_bus(Name="bus")
    return {"TABLE_NAME": "entities", "IDEMPOTENCY_TABLE_NAME": "idempotency", "EVENT_BUS_NAME": "bus"}


def _reset_caches():
    settings.cache_clear()
    client.cache_clear()
    from financing.api import idempotency

    idempotency._remembered.cache_clear()


@pytest.fixture
def aws(monkeypatch):
    """A fresh embedded AWS holding the template's resources, with the functions' environment set."""
    _reset_caches()
    with mock_aws():
        for name, value in _provision_for_now().items():
            monkeypatch.setenv(name, value)
        _reset_caches()
        yield
    _reset_caches()
