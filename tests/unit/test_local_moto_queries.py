"""The embedded AWS's queries: moto's own answers, from the page instead of the whole table (random
tables, writes and queries against moto's own: test_moto_queries_properties.py)."""

import random

import boto3
import pytest
from moto import mock_aws

from local import moto_queries, moto_transactions

PARTITIONS = [f"p{n}" for n in range(5)]
GROUPS = [f"g{n}" for n in range(4)]


@pytest.fixture
def ddb():
    with moto_queries.installed(), mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": name, "AttributeType": kind}
                for name, kind in [("pk", "S"), ("sk", "S"), ("gpk", "S"), ("gsk", "N"), ("lsk", "S")]
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-group",
                    "KeySchema": [
                        {"AttributeName": "gpk", "KeyType": "HASH"},
                        {"AttributeName": "gsk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "by-group-only",
                    "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by-local",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "lsk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb


def random_item(rng: random.Random) -> dict:
    item = {
        "pk": {"S": rng.choice(PARTITIONS)},
        "sk": {"S": f"s{rng.randrange(200):03d}"},
        "n": {"N": str(rng.randrange(10))},
        "lsk": {"S": f"l{rng.randrange(20):02d}"},
    }
    if rng.random() < 0.8:  # the index is sparse
        item["gpk"] = {"S": rng.choice(GROUPS)}
        item["gsk"] = {"N": str(rng.randrange(30))}
    return item


def load(ddb, rng: random.Random, count: int) -> None:
    for _ in range(count):
        ddb.put_item(TableName="t", Item=random_item(rng))


def pages(ddb, request: dict) -> list[dict]:
    """Every page of a query, following LastEvaluatedKey."""
    request, found = dict(request), []
    while True:
        response = ddb.query(**request)
        response.pop("ResponseMetadata")
        found.append(response)
        if "LastEvaluatedKey" not in response or len(found) > 100:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def both(call):
    """The answer with the accelerator, then moto's own on the same data."""
    accelerated = call()
    moto_queries.uninstall()
    try:
        stock = call()
    finally:
        moto_queries.install()
    return accelerated, stock


def test_the_legacy_key_conditions_are_answered_as_moto_does(ddb):
    load(ddb, random.Random(7), 100)  # noqa: S311
    request = {
        "TableName": "t",
        "IndexName": "by-group",
        "KeyConditions": {
            "gpk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "g1"}]},
            "gsk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "10"}]},
        },
        "Limit": 3,
    }
    accelerated, stock = both(lambda: pages(ddb, request))
    assert accelerated == stock and accelerated[0]["Items"]


def keys(ddb, index: str | None, value: str) -> list[tuple[str, str]]:
    request = {
        "TableName": "t",
        "KeyConditionExpression": "#h = :h",
        "ExpressionAttributeNames": {"#h": "gpk" if index else "pk"},
        "ExpressionAttributeValues": {":h": {"S": value}},
    }
    if index:
        request["IndexName"] = index
    items = [item for page in pages(ddb, request) for item in page["Items"]]
    return [(item["pk"]["S"], item["sk"]["S"]) for item in items]


def item(pk: str, sk: str, group: str | None = None, order: int = 0) -> dict:
    found = {"pk": {"S": pk}, "sk": {"S": sk}, "lsk": {"S": "l"}}
    if group:
        found.update(gpk={"S": group}, gsk={"N": str(order)})
    return found


def test_writes_are_seen_by_the_next_query(ddb):
    for n in range(5):
        ddb.put_item(TableName="t", Item=item("a", f"s{n}", "g1", n))
    assert keys(ddb, None, "a") == [("a", f"s{n}") for n in range(5)]
    assert keys(ddb, "by-group", "g1") == [("a", f"s{n}") for n in range(5)]

    ddb.put_item(TableName="t", Item=item("a", "s5", "g1", -1))  # put
    ddb.delete_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "s0"}})  # delete
    ddb.update_item(  # an update that moves an item to another index partition
        TableName="t",
        Key={"pk": {"S": "a"}, "sk": {"S": "s1"}},
        UpdateExpression="SET gpk = :g",
        ExpressionAttributeValues={":g": {"S": "g2"}},
    )
    ddb.update_item(  # an update that removes an item from the index
        TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "s2"}}, UpdateExpression="REMOVE gpk"
    )
    ddb.update_item(  # an update that creates the item
        TableName="t",
        Key={"pk": {"S": "a"}, "sk": {"S": "s6"}},
        UpdateExpression="SET gpk = :g, gsk = :o",
        ExpressionAttributeValues={":g": {"S": "g1"}, ":o": {"N": "9"}},
    )
    assert keys(ddb, None, "a") == [("a", f"s{n}") for n in range(1, 7)]
    assert keys(ddb, "by-group", "g1") == [("a", "s5"), ("a", "s3"), ("a", "s4"), ("a", "s6")]
    assert keys(ddb, "by-group", "g2") == [("a", "s1")]
    assert both(lambda: keys(ddb, "by-group", "g1")) == (keys(ddb, "by-group", "g1"),) * 2


def test_batch_writes_and_transactions_are_seen_by_the_next_query(ddb):
    assert keys(ddb, "by-group", "g1") == []
    ddb.batch_write_item(
        RequestItems={"t": [{"PutRequest": {"Item": item("a", f"s{n}", "g1", n)}} for n in range(3)]}
    )
    assert keys(ddb, "by-group", "g1") == [("a", "s0"), ("a", "s1"), ("a", "s2")]
    ddb.batch_write_item(
        RequestItems={"t": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"S": "s0"}}}}]}
    )
    assert keys(ddb, "by-group", "g1") == [("a", "s1"), ("a", "s2")]

    def transact() -> None:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": item("b", "s9", "g1", 9)}},
                {"Delete": {"TableName": "t", "Key": {"pk": {"S": "a"}, "sk": {"S": "s1"}}}},
                {
                    "Update": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "a"}, "sk": {"S": "s2"}},
                        "UpdateExpression": "SET gpk = :g",
                        "ExpressionAttributeValues": {":g": {"S": "g3"}},
                    }
                },
            ]
        )

    transact()
    assert keys(ddb, "by-group", "g1") == [("b", "s9")]
    assert keys(ddb, "by-group", "g3") == [("a", "s2")]
    assert keys(ddb, None, "a") == [("a", "s2")]


def test_a_cancelled_transaction_leaves_the_queries_as_they_were(ddb):
    with moto_transactions.installed():
        ddb.put_item(TableName="t", Item={**item("a", "s0", "g1", 0), "n": {"S": "not a number"}})
        assert keys(ddb, "by-group", "g1") == [("a", "s0")]
        with pytest.raises(ddb.exceptions.TransactionCanceledException):
            ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "t", "Item": item("a", "s1", "g1", 1)}},
                    {
                        "Update": {
                            "TableName": "t",
                            "Key": {"pk": {"S": "a"}, "sk": {"S": "s0"}},
                            "UpdateExpression": "SET gpk = :g ADD n :one",
                            "ExpressionAttributeValues": {":g": {"S": "g2"}, ":one": {"N": "1"}},
                        }
                    },
                ]
            )
        assert keys(ddb, "by-group", "g1") == [("a", "s0")]
        assert keys(ddb, "by-group", "g2") == []
        assert keys(ddb, None, "a") == [("a", "s0")]


def test_a_page_reads_the_page_not_the_partition(ddb, monkeypatch):
    """moto sizes every item it walks (its 1 MB check): count those, with a key condition that starts the
    page at the end of a large partition, forwards and backwards, after writes; the table is never
    listed. moto's own walks the whole partition to get there."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table

    for n in range(300):
        ddb.put_item(TableName="t", Item=item(f"other{n % 30}", f"s{n:03d}", "g1", n))
    for n in range(1000):
        ddb.put_item(TableName="t", Item=item("a", f"s{n:04d}", "g1", n))
    late = {
        "TableName": "t",
        "KeyConditionExpression": "pk = :h AND sk >= :s",
        "ExpressionAttributeValues": {":h": {"S": "a"}, ":s": {"S": "s0990"}},
        "Limit": 5,
    }
    by_group = {
        "TableName": "t",
        "IndexName": "by-group",
        "KeyConditionExpression": "gpk = :g AND gsk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":g": {"S": "g1"}, ":a": {"N": "990"}, ":b": {"N": "995"}},
        "ScanIndexForward": False,
        "Limit": 3,
    }
    ddb.query(**late), ddb.query(**by_group)  # each order is built once, by its first query
    ddb.put_item(TableName="t", Item=item("a", "s0992", "g1", 2000))  # moved to the end of the index
    ddb.delete_item(TableName="t", Key={"pk": {"S": "a"}, "sk": {"S": "s0991"}})

    sized = 0
    size = Item.size

    def counting(self):
        nonlocal sized
        sized += 1
        return size(self)

    def listed(self):
        raise AssertionError("the whole table was listed")

    with monkeypatch.context() as patched:
        patched.setattr(Item, "size", counting)
        patched.setattr(Table, "all_items", listed)
        page = ddb.query(**late)
        assert [found["sk"]["S"] for found in page["Items"]] == ["s0990", "s0992", "s0993", "s0994", "s0995"]
        group = ddb.query(**by_group)
        assert [found["gsk"]["N"] for found in group["Items"]] == ["995", "994", "993"]
    assert sized <= 5 + 1 + 3 + 1

    sized = 0
    page.pop("ResponseMetadata")
    with monkeypatch.context() as patched:
        patched.setattr(Item, "size", counting)
        moto_queries.uninstall()
        try:
            stock = ddb.query(**late)
        finally:
            moto_queries.install()
    stock.pop("ResponseMetadata")
    assert stock == page
    assert sized > 900  # moto's own sizes every item of the partition before the page


def test_the_patch_is_removed_again():
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    originals = (Table.query, Table.put_item, Table.delete_item, DynamoDBBackend.update_item)
    with moto_queries.installed():
        assert all(
            patched is not original
            for patched, original in zip(
                (Table.query, Table.put_item, Table.delete_item, DynamoDBBackend.update_item),
                originals,
                strict=True,
            )
        )
    assert (Table.query, Table.put_item, Table.delete_item, DynamoDBBackend.update_item) == originals
