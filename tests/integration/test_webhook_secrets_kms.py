"""Webhook secrets under KMS envelope encryption, on moto's KMS with the key template.yaml declares: the
table, its stream and the events hold only ciphertext; the deliverer opens it and its deliveries verify with
the `standardwebhooks` reference verifier; subscriptions stored in plaintext keep working and are sealed."""

import base64
import io
import json
import logging

import pytest
from botocore.exceptions import ClientError

from financing.adapters.aws import client
from financing.adapters.dynamo import to_item
from financing.config import settings
from financing.observability import logger
from local import migrate_webhook_secrets
from tests.integration.test_webhook_delivery import (
    announce,
    drain,
    fan_out,
    on_subscription,
    queues,
    regenerate,
    run,
    subscribe,
)
from tests.webhooks_support import Receiver, library_refusal

__all__ = ["queues"]  # the fixture, shared with the delivery tests


def _forms(secret: str) -> list[str]:
    """Every way a secret could show up in plain: as sent, its key's base64, and the key's raw bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    return [secret, secret.removeprefix("whsec_"), key.hex(), base64.urlsafe_b64encode(key).decode()]


def _item(subscription_id: str, tenant: str = "acme") -> dict:
    key = {"pk": f"{tenant}#WEBHOOK_SUBSCRIPTION", "sk": subscription_id}
    return client("dynamodb").get_item(TableName=settings().table_name, Key=to_item(key))["Item"]


def _stream_text() -> str:
    """Every record the table's stream holds, as text."""
    streams = client("dynamodbstreams")
    arn = client("dynamodb").describe_table(TableName=settings().table_name)["Table"]["LatestStreamArn"]
    text = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        text.append(json.dumps(records, default=str))
    return "\n".join(text)


def _whole_table_text() -> str:
    return json.dumps(client("dynamodb").scan(TableName=settings().table_name)["Items"])


@pytest.fixture
def info_logs():
    """What the functions log at INFO (as deployed) while the test runs, formatted as they log it."""
    level, sink = logger.log_level, io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    logger.setLevel("INFO")
    try:
        yield sink.getvalue
    finally:
        logger.setLevel(level)
        logger.removeHandler(handler)


def test_the_table_its_stream_and_the_logs_hold_no_plaintext_of_new_and_rotated_secrets(queues, info_logs):
    with Receiver() as receiver:
        created = subscribe(receiver.url)
        renewed = regenerate(created["id"])
        announce("invoice.financed")
        assert run("deliver_webhooks", fan_out(queues), queues, "WebhookDeliveryQueue") == set()
        receiver.wait_for(1)
    logged = info_logs()
    assert "webhook attempt" in logged, "the functions' logs were captured"
    item = _item(created["id"])
    assert "secret" not in item and "previous_secret" not in item, "no plaintext attribute"
    assert item["secret_sealed"]["S"] and item["previous_secret_sealed"]["S"]
    stored, stream = _whole_table_text(), _stream_text()
    assert "secret_sealed" in stream, "the stream was read"
    for secret in (created["secret"], renewed):
        for form in _forms(secret):
            assert form not in stored and form not in stream and form not in logged


def test_a_sealed_secret_is_a_kms_envelope_bound_to_its_subscription(queues):
    first, second = subscribe("https://one.example/hooks"), subscribe("https://two.example/hooks")
    version, data_key, _nonce, _ciphertext = _item(first["id"])["secret_sealed"]["S"].split(".")
    assert version == "kms1"
    kms = client("kms")
    context = {"purpose": "webhook-secret", "tenant_id": "acme", "subscription_id": first["id"]}
    opened = kms.decrypt(CiphertextBlob=base64.b64decode(data_key), EncryptionContext=context)
    assert len(opened["Plaintext"]) == 32 and opened["KeyId"].endswith(settings().webhook_secrets_key[-36:])
    with pytest.raises(ClientError) as refused:  # another subscription's context: not this data key
        kms.decrypt(
            CiphertextBlob=base64.b64decode(data_key),
            EncryptionContext={**context, "subscription_id": second["id"]},
        )
    assert refused.value.response["Error"]["Code"] == "InvalidCiphertextException"


def test_deliveries_signed_with_sealed_secrets_verify_with_the_reference_verifier_and_rotation_signs_both(
    queues,
):
    with Receiver() as receiver:
        subscription = subscribe(receiver.url)
        announce("invoice.financed", event_id="evt_01JD00000000000000000000K1")
        assert run("deliver_webhooks", fan_out(queues), queues, "WebhookDeliveryQueue") == set()
        renewed = regenerate(subscription["id"])
        announce("invoice.financed", event_id="evt_01JD00000000000000000000K2")
        assert run("deliver_webhooks", fan_out(queues), queues, "WebhookDeliveryQueue") == set()
        before, after = receiver.wait_for(2)
    assert library_refusal(subscription["secret"], before.headers, before.body) is None
    assert after.headers["webhook-signature"].count("v1,") == 2
    for secret in (renewed, subscription["secret"]):
        assert library_refusal(secret, after.headers, after.body) is None


def test_a_sealed_secret_copied_onto_another_subscription_does_not_open(queues):
    with Receiver() as receiver:
        victim = subscribe(receiver.url.replace("/hooks", "/victim"), event_types=["invoice.repaid"])
        thief = subscribe(receiver.url)
        table, dynamodb = settings().table_name, client("dynamodb")
        dynamodb.update_item(  # someone with write access to the table copies a ciphertext across
            TableName=table,
            Key=to_item({"pk": "acme#WEBHOOK_SUBSCRIPTION", "sk": thief["id"]}),
            UpdateExpression="SET secret_sealed = :stolen",
            ExpressionAttributeValues={":stolen": _item(victim["id"])["secret_sealed"]},
        )
        announce("invoice.financed")
        records = fan_out(queues)
        assert run("deliver_webhooks", records, queues, "WebhookDeliveryQueue") == {records[0]["messageId"]}
        assert receiver.received == [], "nothing is signed with a secret that does not open"


def _store_as_before_encryption(subscription_id: str, secret: str) -> None:
    client("dynamodb").update_item(
        TableName=settings().table_name,
        Key=to_item({"pk": "acme#WEBHOOK_SUBSCRIPTION", "sk": subscription_id}),
        UpdateExpression="SET secret = :plain REMOVE secret_sealed",
        ExpressionAttributeValues=to_item({":plain": secret}),
    )


def test_a_secret_stored_in_plaintext_still_signs_and_the_first_save_seals_it(queues):
    with Receiver() as receiver:
        subscription = subscribe(receiver.url)
        _store_as_before_encryption(subscription["id"], subscription["secret"])
        announce("invoice.financed")
        assert run("deliver_webhooks", fan_out(queues), queues, "WebhookDeliveryQueue") == set()
        [hook] = receiver.wait_for(1)
    assert library_refusal(subscription["secret"], hook.headers, hook.body) is None
    reply = on_subscription(
        "update_webhook_subscription", "PATCH", subscription["id"], body={"description": "x"}
    )
    assert reply.status == 200
    item = _item(subscription["id"])
    assert "secret" not in item and "secret_sealed" in item, "sealed by the update"
    assert all(form not in json.dumps(item) for form in _forms(subscription["secret"]))


def test_the_migration_command_seals_every_plaintext_secret_and_deliveries_keep_verifying(queues, capsys):
    with Receiver() as receiver:
        plain = subscribe(receiver.url)
        rotated = subscribe(receiver.url.replace("/hooks", "/rotated"))
        sealed = subscribe(receiver.url.replace("/hooks", "/sealed"))
        _store_as_before_encryption(plain["id"], plain["secret"])
        renewed = regenerate(rotated["id"])
        _store_as_before_encryption(rotated["id"], renewed)
        client("dynamodb").update_item(  # its previous secret in plaintext too
            TableName=settings().table_name,
            Key=to_item({"pk": "acme#WEBHOOK_SUBSCRIPTION", "sk": rotated["id"]}),
            UpdateExpression="SET previous_secret = :plain REMOVE previous_secret_sealed",
            ExpressionAttributeValues=to_item({":plain": rotated["secret"]}),
        )
        untouched = _item(sealed["id"])["secret_sealed"]
        announce("invoice.financed")
        queued = fan_out(queues)  # queued before the migration, delivered after it
        assert migrate_webhook_secrets.main(["--table", settings().table_name]) == 0
        assert capsys.readouterr().out.startswith("3 webhook secret(s) encrypted")
        assert run("deliver_webhooks", queued, queues, "WebhookDeliveryQueue") == set()
        received = {r.path: r for r in receiver.wait_for(3)}
    stored = _whole_table_text()
    for secret in (plain["secret"], rotated["secret"], renewed):
        assert all(form not in stored for form in _forms(secret))
    assert _item(sealed["id"])["secret_sealed"] == untouched, "a sealed secret is left as it was"
    assert library_refusal(plain["secret"], received["/hooks"].headers, received["/hooks"].body) is None
    for secret in (renewed, rotated["secret"]):
        assert library_refusal(secret, received["/rotated"].headers, received["/rotated"].body) is None
    assert migrate_webhook_secrets.main(["--table", settings().table_name]) == 0
    assert capsys.readouterr().out.startswith("0 webhook secret(s)"), "running it again changes nothing"
    assert drain(queues, "WebhookDeliveryQueue") == []
