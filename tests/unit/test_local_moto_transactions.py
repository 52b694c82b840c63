"""The embedded AWS's transactions: all or nothing, idempotent per ClientRequestToken, no whole-table copies."""

import copy

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local import moto_transactions


@pytest.fixture
def table():
    with moto_transactions.installed(), mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield dynamodb


def put(sk: str, **extra) -> dict:
    return {
        "Put": {
            "TableName": "t",
            "Item": {"pk": {"S": "p"}, "sk": {"S": sk}, **extra},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def add_one(sk: str, *, only_below: int | None = None) -> dict:
    update = {
        "TableName": "t",
        "Key": {"pk": {"S": "p"}, "sk": {"S": sk}},
        "UpdateExpression": "ADD n :one",
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }
    if only_below is not None:
        update["ConditionExpression"] = "n < :max"
        update["ExpressionAttributeValues"][":max"] = {"N": str(only_below)}
    return {"Update": update}


def items(dynamodb) -> dict[str, dict]:
    found = dynamodb.query(
        TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
    )["Items"]
    return {item["sk"]["S"]: item for item in found}


def stream_records(dynamodb) -> int:
    arn = dynamodb.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return len(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"])


def test_a_transaction_whose_condition_fails_writes_nothing_and_streams_nothing(table):
    table.transact_write_items(TransactItems=[put("a", n={"N": "1"})])
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=[put("b"), add_one("a", only_below=1)])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert set(items(table)) == {"a"} and items(table)["a"]["n"] == {"N": "1"}
    assert stream_records(table) == 1


def test_a_transaction_that_passes_writes_every_item(table):
    table.transact_write_items(TransactItems=[put("a", n={"N": "1"})])
    table.transact_write_items(TransactItems=[put("b"), add_one("a", only_below=5)])
    assert set(items(table)) == {"a", "b"} and items(table)["a"]["n"] == {"N": "2"}
    assert stream_records(table) == 3


def test_a_failing_write_undoes_the_writes_before_it(table):
    table.transact_write_items(TransactItems=[put("a", n={"S": "not a number"})])
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=[put("b"), add_one("a")])
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert set(items(table)) == {"a"}
    assert stream_records(table) == 1


def test_a_failing_update_leaves_its_own_item_as_it_was(table):
    table.transact_write_items(TransactItems=[put("a", n={"S": "not a number"})])
    update = add_one("a")
    update["Update"]["UpdateExpression"] = "SET m = :one ADD n :one"
    with pytest.raises(ClientError):
        table.transact_write_items(TransactItems=[put("b"), update])
    assert items(table) == {"a": {"pk": {"S": "p"}, "sk": {"S": "a"}, "n": {"S": "not a number"}}}
    assert stream_records(table) == 1


def test_two_operations_on_one_item_are_a_validation_error(table):
    with pytest.raises(ClientError) as refused:
        table.transact_write_items(TransactItems=[put("a"), add_one("a")])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert items(table) == {}


def test_a_retried_request_token_is_applied_once(table):
    table.transact_write_items(TransactItems=[put("a", n={"N": "0"})])
    request = {"TransactItems": [add_one("a", only_below=1)], "ClientRequestToken": "retry-1"}
    table.transact_write_items(**copy.deepcopy(request))
    table.transact_write_items(**copy.deepcopy(request))  # a retry: succeeds, writes nothing
    assert items(table)["a"]["n"] == {"N": "1"}
    with pytest.raises(ClientError) as mismatch:
        table.transact_write_items(TransactItems=[add_one("b")], ClientRequestToken="retry-1")
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


def test_the_patch_is_removed_again():
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    with moto_transactions.installed():
        assert DynamoDBBackend.transact_write_items is not original
    assert DynamoDBBackend.transact_write_items is original
