"""The query accelerator answers exactly what moto answers, on random tables, random writes and random
queries (hypothesis), and what it answers is ordered as DynamoDB orders keys (a plain model below).

Each table has string or number range keys, a GSI with a range key, a hash-only GSI that projects
keys only, and (on a table with a range key) an LSI; index attributes are often missing (sparse
indexes) and drawn from small pools (items share sort values, numbers written several ways: 1, 1.0,
1E+0), strings from characters whose UTF-8 order is not their UTF-16 order. Queries use each key
condition operator, both directions, Limit, FilterExpression, ProjectionExpression, Select COUNT and
ExclusiveStartKey (from an answer, or made up), and are followed page by page to the end. Between
queries, items are put, updated (in and out of the indexes) and deleted, so the kept orders are
checked after incremental updates and after rebuilds alike."""

import itertools
from decimal import Decimal

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local import moto_queries

# U+E000 sorts after U+1F600 in UTF-16 code units, before it in UTF-8 bytes (DynamoDB's order)
CHARACTERS = ["a", "b", "B", "~", "é", "ß", "日", "\ue000", "\U0001f600", "\uffff"]
NUMBERS = ["0", "-0", "1", "1.0", "1E+0", "1.5", "-2", "-2.50", "10", "0.001", "99999999999999999999", "-0.5"]
MAX_PAGES = 200

strings = st.text(alphabet=st.sampled_from(CHARACTERS), min_size=1, max_size=3)
numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(-20, 20).map(str))


@st.composite
def values(draw, kind: str, pool: list) -> dict:
    """A value of an attribute of type `kind`: from its small pool, or (one in eight) anything of its type."""
    if draw(st.integers(0, 7)):
        return {kind: draw(st.sampled_from(pool))}
    return {kind: draw(strings if kind == "S" else numbers)}


@st.composite
def schemas(draw) -> dict:
    kinds = {
        "pk": draw(st.sampled_from("SN")),
        "sk": draw(st.sampled_from("SN")),
        "gh": draw(st.sampled_from("SN")),
        "gr": draw(st.sampled_from("SN")),
        "lr": draw(st.sampled_from("SN")),
    }
    composite = draw(st.integers(0, 4)) > 0  # most tables have a range key
    if not composite:
        kinds.pop("sk"), kinds.pop("lr")
    pools = {
        name: draw(
            st.lists(
                strings if kind == "S" else numbers, min_size=1, max_size=2 if name in ("pk", "gh") else 6
            )
        )
        for name, kind in kinds.items()
    }
    return {"kinds": kinds, "pools": pools, "composite": composite}


def create(ddb, name: str, schema: dict) -> None:
    kinds = schema["kinds"]
    key = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if schema["composite"]:
        key.append({"AttributeName": "sk", "KeyType": "RANGE"})
    request = {
        "TableName": name,
        "KeySchema": key,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": t} for a, t in kinds.items()],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "gh", "KeyType": "HASH"},
                    {"AttributeName": "gr", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by-gh",
                "KeySchema": [{"AttributeName": "gh", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if schema["composite"]:
        request["LocalSecondaryIndexes"] = [
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lr", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]},
            }
        ]
    ddb.create_table(**request)


@st.composite
def items(draw, schema: dict) -> dict:
    kinds, pools = schema["kinds"], schema["pools"]
    item = {name: draw(values(kinds[name], pools[name])) for name in ("pk", "sk") if name in kinds}
    for name in ("gh", "gr", "lr"):
        if name in kinds and draw(st.integers(0, 4)):  # sparse: one item in five lacks it
            item[name] = draw(values(kinds[name], pools[name]))
    if draw(st.booleans()):
        item["n"] = {"N": str(draw(st.integers(0, 9)))}
    item["d"] = {"S": draw(strings)}
    return item


@st.composite
def writes(draw, schema: dict) -> tuple:
    kinds, pools = schema["kinds"], schema["pools"]
    kind = draw(st.sampled_from(["put", "delete", "update in", "update out", "update n"]))
    found = draw(items(schema))
    key = {name: found[name] for name in ("pk", "sk") if name in found}
    if kind == "put":
        return ("put", found)
    if kind == "delete":
        return ("delete", key)
    if kind == "update in":
        moved = {":h": draw(values(kinds["gh"], pools["gh"])), ":r": draw(values(kinds["gr"], pools["gr"]))}
        return ("update", key, "SET gh = :h, gr = :r", moved)
    if kind == "update out":
        return ("update", key, "REMOVE " + draw(st.sampled_from(["gh", "gr"])), None)
    return ("update", key, "SET n = :n", {":n": {"N": str(draw(st.integers(0, 9)))}})


@st.composite
def queries(draw, schema: dict) -> dict:
    kinds, pools = schema["kinds"], schema["pools"]
    index = draw(
        st.sampled_from([None, "by-g", "by-gh", "by-l"] if schema["composite"] else [None, "by-g", "by-gh"])
    )
    hash_name = {None: "pk", "by-g": "gh", "by-gh": "gh", "by-l": "pk"}[index]
    range_name = {None: "sk" if schema["composite"] else None, "by-g": "gr", "by-gh": None, "by-l": "lr"}[
        index
    ]
    names, vals = {"#h": hash_name}, {":h": draw(values(kinds[hash_name], pools[hash_name]))}
    condition = "#h = :h"
    if range_name is not None:
        kind = kinds[range_name]
        operators = ["none", "=", "<", "<=", ">", ">=", "BETWEEN"] + (["begins_with"] if kind == "S" else [])
        operator = draw(st.sampled_from(operators))
        bound = values(kind, pools[range_name])
        if operator == "BETWEEN":
            low, high = sorted([draw(bound), draw(bound)], key=lambda v: ordered(kind, v[kind]))
            names["#r"], vals[":a"], vals[":b"] = range_name, low, high
            condition += " AND #r BETWEEN :a AND :b"
        elif operator == "begins_with":
            names["#r"], vals[":a"] = (
                range_name,
                {"S": draw(st.sampled_from(pools[range_name]))[: draw(st.integers(1, 2))]},
            )
            condition += " AND begins_with(#r, :a)"
        elif operator != "none":
            names["#r"], vals[":a"] = range_name, draw(bound)
            condition += f" AND #r {operator} :a"
    request = {
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": vals,
        "ScanIndexForward": draw(st.booleans()),
    }
    if index:
        request["IndexName"] = index
    if draw(st.booleans()):
        request["Limit"] = draw(st.integers(1, 6))
    filtering = draw(st.sampled_from(["none", "none", "n", "exists", "prefix"]))
    if filtering == "n":
        request["FilterExpression"] = "n > :f"
        vals[":f"] = {"N": str(draw(st.integers(0, 9)))}
    elif filtering == "exists":
        request["FilterExpression"] = "attribute_exists(#x)"
        names["#x"] = draw(st.sampled_from(["n", "gr", "d"]))
    elif filtering == "prefix":
        request["FilterExpression"] = "begins_with(#d, :p)"
        names["#d"], vals[":p"] = "d", {"S": draw(st.sampled_from(CHARACTERS))}
    select = draw(st.sampled_from(["items", "items", "count", "projection"]))
    if select == "count":
        request["Select"] = "COUNT"
    elif select == "projection":
        shown = draw(st.lists(st.sampled_from(["pk", "n", "d", "gr"]), min_size=1, max_size=3, unique=True))
        request["ProjectionExpression"] = ", ".join(f"#p{n}" for n in range(len(shown)))
        names.update({f"#p{n}": name for n, name in enumerate(shown)})
    if draw(st.integers(0, 4)) == 0:  # a made-up ExclusiveStartKey: every key attribute the order sorts by
        start = {name: draw(values(kinds[name], pools[name])) for name in ("pk", "sk") if name in kinds}
        if index in ("by-g", "by-gh"):
            start["gh"] = draw(st.one_of(st.just(vals[":h"]), values(kinds["gh"], pools["gh"])))
        if index in ("by-g", "by-l"):
            start[range_name] = draw(values(kinds[range_name], pools[range_name]))
        request["ExclusiveStartKey"] = start
    return request


def ordered(kind: str, value: str):
    """DynamoDB's order of key values: numbers by value, strings by their UTF-8 bytes."""
    return Decimal(value) if kind == "N" else value.encode()


def pages(ddb, request: dict) -> list[dict]:
    """Every page of a query, following LastEvaluatedKey."""
    request, found = dict(request), []
    while True:
        response = ddb.query(**request)
        response.pop("ResponseMetadata")
        found.append(response)
        if "LastEvaluatedKey" not in response or len(found) >= MAX_PAGES:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def stock(call):
    """`call` answered by moto's own query (the accelerator's kept orders are left as they are)."""
    from moto.dynamodb.models.table import Table

    accelerated = Table.query
    Table.query = moto_queries._installed["query"]
    try:
        return call()
    finally:
        Table.query = accelerated


def write(ddb, table: str, step: tuple) -> None:
    if step[0] == "put":
        ddb.put_item(TableName=table, Item=step[1])
    elif step[0] == "delete":
        ddb.delete_item(TableName=table, Key=step[1])
    else:
        _, key, expression, vals = step
        extra = {"ExpressionAttributeValues": vals} if vals else {}
        ddb.update_item(TableName=table, Key=key, UpdateExpression=expression, **extra)


def check_order(schema: dict, request: dict, answer: list[dict]) -> None:
    """The plain model: a query's items, page after page, run in DynamoDB's key order (numbers by value,
    strings by UTF-8 bytes), each once, every one in the partition asked for."""
    if "ProjectionExpression" in request or request.get("Select") == "COUNT":
        return
    index = request.get("IndexName")
    hash_name = request["ExpressionAttributeNames"]["#h"]
    range_name = {None: "sk", "by-g": "gr", "by-l": "lr"}.get(index)
    found = [item for page in answer for item in page["Items"]]
    hash_kind, asked = next(iter(request["ExpressionAttributeValues"][":h"].items()))
    assert all(ordered(hash_kind, item[hash_name][hash_kind]) == ordered(hash_kind, asked) for item in found)
    keys = [
        tuple(sorted((name, str(value)) for name, value in item.items() if name in ("pk", "sk")))
        for item in found
    ]
    assert len(keys) == len(set(keys))
    if range_name is None or range_name not in schema["kinds"]:
        return
    kind = schema["kinds"][range_name]
    sequence = [ordered(kind, item[range_name][kind]) for item in found]
    assert sequence == sorted(sequence, reverse=not request["ScanIndexForward"])


@pytest.fixture(scope="module")
def aws():
    with moto_queries.installed(), mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


NAMES = (f"t{n}" for n in itertools.count())


def compare(ddb, schema: dict, request: dict) -> None:
    accelerated = pages(ddb, request)
    assert accelerated == stock(lambda: pages(ddb, request)), request
    check_order(schema, request, accelerated)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_tables_writes_and_queries_answer_what_moto_answers(aws, data):
    schema = data.draw(schemas())
    table = next(NAMES)
    create(aws, table, schema)
    for _ in range(data.draw(st.integers(0, 60))):
        aws.put_item(TableName=table, Item=data.draw(items(schema)))
    for index in [None, "by-g", "by-gh"] + (["by-l"] if schema["composite"] else []):
        # every order is built now, so the writes below are applied to it one by one
        hash_name = "gh" if index in ("by-g", "by-gh") else "pk"
        request = {
            "TableName": table,
            "KeyConditionExpression": "#h = :h",
            "ExpressionAttributeNames": {"#h": hash_name},
            "ExpressionAttributeValues": {":h": {schema["kinds"][hash_name]: schema["pools"][hash_name][0]}},
            "ScanIndexForward": data.draw(st.booleans()),
            **({"IndexName": index} if index else {}),
        }
        compare(aws, schema, request)
    for _ in range(data.draw(st.integers(1, 8))):
        for step in data.draw(st.lists(writes(schema), max_size=3)):
            write(aws, table, step)
        compare(aws, schema, {"TableName": table, **data.draw(queries(schema))})
    aws.delete_table(TableName=table)


def test_every_operator_bound_direction_and_limit_answers_what_moto_answers(aws):
    """Exhaustive on one partition among others: each key condition operator with bounds before, on,
    between and after the items, both directions, Limits that end a page on, before and after the last
    matching item (moto then still gives a LastEvaluatedKey if the partition goes on)."""
    schema = {"kinds": {"pk": "S", "sk": "S", "gh": "S", "gr": "N", "lr": "S"}, "composite": True}
    create(aws, "grid", schema)
    for n in range(10):
        for pk in ("a", "b", "c"):
            item = {"pk": {"S": pk}, "sk": {"S": f"s{n}"}, "gh": {"S": "g"}, "gr": {"N": str(n // 2)}}
            aws.put_item(TableName="grid", Item={**item, "lr": {"S": f"l{9 - n}"}})
    bounds = {  # before the items, on the second, between two, on the second to last, after them
        "sk": ["r", "s1", "s35", "s8", "t"],
        "gr": ["-1", "0", "2.5", "3", "9"],
        "lr": ["k", "l1", "l35", "l8", "m"],
    }
    for index, hash_name, range_name in [(None, "pk", "sk"), ("by-g", "gh", "gr"), ("by-l", "pk", "lr")]:
        kind = schema["kinds"][range_name]
        for operator in ["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]:
            if operator == "begins_with" and kind != "S":
                continue
            for bound in bounds[range_name]:
                if operator == "BETWEEN":
                    condition, vals = (
                        "#r BETWEEN :a AND :b",
                        {":a": {kind: bound}, ":b": {kind: bounds[range_name][2]}},
                    )
                elif operator == "begins_with":
                    condition, vals = "begins_with(#r, :a)", {":a": {kind: bound[:2]}}
                else:
                    condition, vals = f"#r {operator} :a", {":a": {kind: bound}}
                for forward in (True, False):
                    for limit in (2, 3, 11):
                        request = {
                            "TableName": "grid",
                            "KeyConditionExpression": f"#h = :h AND {condition}",
                            "ExpressionAttributeNames": {"#h": hash_name, "#r": range_name},
                            "ExpressionAttributeValues": {
                                ":h": {"S": "g" if index == "by-g" else "b"},
                                **vals,
                            },
                            "ScanIndexForward": forward,
                            "Limit": limit,
                            **({"IndexName": index} if index else {}),
                        }
                        compare(aws, schema, request)
