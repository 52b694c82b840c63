"""EventBridge pattern semantics of the local stack's event-source filters."""

import json

import pytest

from local.patterns import matches
from local.template import load_template


def _record(event_name="INSERT", kind="outbox"):
    return {
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"pk": {"S": "a"}},
            "NewImage": {"pk": {"S": "a"}, "kind": {"S": kind}, "n": {"N": "12"}},
        },
    }


def test_the_templates_stream_filters_select_what_they_say():
    template = load_template()
    patterns = [
        f["Pattern"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in (resource["Properties"].get("Events") or {}).values()
        if event["Type"] == "DynamoDB"
        for f in (event["Properties"].get("FilterCriteria") or {}).get("Filters", [])
    ]
    for pattern in patterns:
        # Every filter must at least parse and reject a REMOVE of an unrelated item.
        json.loads(pattern)
        assert not matches(pattern, {"eventName": "REMOVE", "dynamodb": {"OldImage": {"kind": {"S": "x"}}}})


def test_literal_values_and_nesting():
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["outbox"]}}}}
    assert matches(pattern, _record())
    assert matches(json.dumps(pattern), _record())
    assert not matches(pattern, _record(event_name="MODIFY"))
    assert not matches(pattern, _record(kind="company"))
    assert not matches(pattern, {"eventName": "INSERT"})


def test_arrays_in_the_event_match_any_element():
    assert matches({"tags": ["b"]}, {"tags": ["a", "b"]})
    assert not matches({"tags": ["c"]}, {"tags": ["a", "b"]})
    assert matches({"items": {"sku": ["x"]}}, {"items": [{"sku": "y"}, {"sku": "x"}]})


def test_numbers_null_and_booleans():
    assert matches({"n": [5]}, {"n": 5.0})
    assert not matches({"n": [5]}, {"n": "5"})
    assert matches({"v": [None]}, {"v": None})
    assert not matches({"v": [None]}, {})
    assert matches({"b": [True]}, {"b": True})
    assert not matches({"b": [True]}, {"b": 1})


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"prefix": "inv"}, "invoice.created", True),
        ({"prefix": "inv"}, "company.created", False),
        ({"prefix": {"equals-ignore-case": "INV"}}, "invoice", True),
        ({"suffix": ".created"}, "invoice.created", True),
        ({"equals-ignore-case": "ACME"}, "acme", True),
        ({"wildcard": "invoice.*.v1"}, "invoice.created.v1", True),
        ({"wildcard": "invoice.*.v1"}, "invoice.created.v2", False),
        ({"anything-but": "a"}, "b", True),
        ({"anything-but": ["a", "b"]}, "b", False),
        ({"anything-but": {"prefix": "tmp"}}, "tmp-1", False),
        ({"numeric": [">", 0, "<=", 12]}, 12, True),
        ({"numeric": [">", 12]}, 12, False),
        ({"numeric": ["=", 12]}, "12", True),  # DynamoDB's {"N": "12"}
        ({"cidr": "10.0.0.0/24"}, "10.0.0.7", True),
        ({"cidr": "10.0.0.0/24"}, "10.0.1.7", False),
    ],
)
def test_content_filters(rule, value, expected):
    assert matches({"v": [rule]}, {"v": value}) is expected


def test_exists_and_or():
    assert matches({"a": [{"exists": True}]}, {"a": "x"})
    assert not matches({"a": [{"exists": True}]}, {})
    assert matches({"a": [{"exists": False}]}, {})
    assert not matches({"a": [{"anything-but": "x"}]}, {})  # anything-but needs the field
    pattern = {"source": ["s"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}
    assert matches(pattern, {"source": "s", "b": "2"})
    assert not matches(pattern, {"source": "s", "a": "2"})


def test_malformed_patterns_are_rejected():
    with pytest.raises(ValueError):
        matches({"a": "not-a-list"}, {"a": "x"})
    with pytest.raises(ValueError):
        matches({"a": [{"nope": 1}]}, {"a": "x"})
