"""The layer's DynamoDB value mapping is boto3's TypeSerializer/TypeDeserializer, without importing boto3."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from financing.adapters.dynamo import attribute_value, from_item, plain_value, to_item

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**12), max_value=10**12)
    | st.text(max_size=20)
    | st.binary(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(values)
def test_values_map_exactly_as_boto3_maps_them(value):
    expected = TypeSerializer().serialize(value)
    if "B" in expected:
        expected = {"B": bytes(expected["B"])}
    assert attribute_value(value) == expected
    assert plain_value(attribute_value(value)) == TypeDeserializer().deserialize(expected)


@given(st.sets(st.text(max_size=8), min_size=1, max_size=4), st.sets(st.integers(), min_size=1, max_size=4))
def test_sets_round_trip(strings, numbers):
    assert plain_value(attribute_value(strings)) == strings
    assert plain_value(attribute_value(numbers)) == {Decimal(n) for n in numbers}


def test_items_leave_out_none_and_refuse_floats():
    assert to_item({"a": 1, "b": None}) == {"a": {"N": "1"}}
    assert from_item({"a": {"N": "1.50"}}) == {"a": Decimal("1.50")}
    with pytest.raises(TypeError):
        attribute_value(1.5)
