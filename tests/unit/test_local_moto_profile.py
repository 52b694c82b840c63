"""The embedded AWS's profile names each request's operation the way its protocol does, and sums per operation."""

import pytest

from local import moto_profile


@pytest.mark.parametrize(
    ("environ", "name"),
    [
        ({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems"}, "dynamodb.TransactWriteItems"),
        ({"HTTP_X_AMZ_TARGET": "DynamoDBStreams_20120810.GetRecords"}, "dynamodbstreams.GetRecords"),
        ({"HTTP_X_AMZ_TARGET": "AmazonSQS.ReceiveMessage"}, "amazonsqs.ReceiveMessage"),
        ({"HTTP_X_AMZ_TARGET": "AWSEvents.PutEvents"}, "awsevents.PutEvents"),
        ({"QUERY_STRING": "Action=AssumeRole&Version=2011-06-15"}, "query.AssumeRole"),
        ({"REQUEST_METHOD": "PUT", "PATH_INFO": "/bucket/key/part"}, "PUT /bucket"),
        ({"REQUEST_METHOD": "GET", "PATH_INFO": "/"}, "GET"),
    ],
)
def test_each_request_is_named_by_its_protocols_operation(environ, name):
    assert moto_profile.operation(environ) == name


def test_calls_and_times_add_up_per_operation_and_the_costliest_comes_first():
    moto_profile.reset()
    moto_profile.record("dynamodb.PutItem", 0.002, 0.001)
    moto_profile.record("dynamodb.PutItem", 0.003, 0.0)
    moto_profile.record("awsevents.PutEvents", 0.010)
    assert moto_profile.snapshot() == [
        {"operation": "awsevents.PutEvents", "calls": 1, "seconds": 0.01, "waited": 0.0},
        {"operation": "dynamodb.PutItem", "calls": 2, "seconds": 0.005, "waited": 0.001},
    ]
    moto_profile.reset()
    assert moto_profile.snapshot() == []
