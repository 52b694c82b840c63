"""Failures the contract fuzzer found, kept as regular tests.

A body that is not UTF-8 reaches a handler base64-encoded (API Gateway does so with bytes it cannot pass
as text); decoding it crashed the resolver (500) on every route with a body. It is now a 400 in the
route's family envelope, writing nothing.

`GET /v1/financing_invoices?due_date__gte=0001-01-01&due_date__lte=9999-12-31` opened one DynamoDB Query
per month of the span (119,988) until the function timed out (a 502 locally). Due bounds more than ten
years apart are now a 422 naming them, answered before any read. A date bound at the calendar's ends
(`due_date__lt=0001-01-01`, `due_date__gt=9999-12-31`, or an offset taking it past them in UTC) overflowed
Python's dates (a 500): it is now a range with no day, or every day, on its side."""

import base64
import json

import pytest

from financing.adapters.aws import client
from financing.config import settings
from financing.domain.financing_list import MAX_DUE_SPAN_YEARS
from local.token import ALL_SCOPES
from tests.integration.harness import Context, api_event, handler
from tests.integration.monite_fixtures import assert_conforms, list_invoices, store, stored_invoice
from tests.integration.routes import declared_routes

pytestmark = pytest.mark.usefixtures("aws")

NOT_UTF8 = b"\xff\xfe\x97{"
WITH_BODY = [route for route in declared_routes() if route.method in ("POST", "PUT", "PATCH")]


def _stored() -> int:
    return client("dynamodb").scan(TableName=settings().table_name, Select="COUNT")["Count"]


@pytest.mark.parametrize("route", WITH_BODY, ids=[route.name for route in WITH_BODY])
def test_a_body_that_is_not_utf8_is_a_400_in_the_familys_envelope_and_writes_nothing(route):
    params = {name.strip("{}"): "x1" for name in route.path.split("/") if name.startswith("{")}
    event = api_event(
        route.method,
        route.path.format(**params),
        resource=route.path,
        path_parameters=params or None,
        scope=" ".join(ALL_SCOPES),
    )
    event |= {"body": base64.b64encode(NOT_UTF8).decode(), "isBase64Encoded": True}

    reply = handler(route.function_dir)(event, Context())

    assert reply["statusCode"] == 400, reply
    body = json.loads(reply["body"])
    message = body["error"]["message"] if "error" in body else body["errors"][0]
    assert message == "The body is not valid JSON."
    assert _stored() == 0


def test_a_due_range_from_year_1_to_year_9999_is_a_422_naming_both_bounds_before_any_read(dynamodb_queries):
    store([stored_invoice("acme")])
    reply = list_invoices({"due_date__gte": "0001-01-01", "due_date__lte": "9999-12-31"})
    assert reply.status == 422, reply.json
    assert_conforms(reply.json, "HTTPValidationError")
    assert [d["loc"] for d in reply.json["detail"]] == [
        ["query", "due_date__gte"],
        ["query", "due_date__lte"],
    ]
    assert f"{MAX_DUE_SPAN_YEARS} years" in reply.json["detail"][0]["msg"]
    assert reply.headers["x-correlation-id"]
    assert dynamodb_queries == []


@pytest.mark.parametrize(
    "query",
    [
        {"due_date__lt": "0001-01-01"},
        {"due_date__gt": "9999-12-31"},
        {"issue_date__gt": "9999-12-31T12:00:00Z"},
        {"due_date__gte": "9999-12-31T00:00:01Z"},
        {"due_date__lte": "0001-01-01T05:00:00+06:00"},
        {"created_at__lt": "0001-01-01T05:00:00+06:00"},
        {"created_at__gt": "9999-12-31T20:00:00-06:00"},
    ],
)
def test_a_date_bound_at_the_calendars_ends_matches_nothing_rather_than_failing(query):
    store([stored_invoice("acme")])
    reply = list_invoices(query)
    assert reply.status == 200, reply.json
    assert reply.json["data"] == [] and reply.json["next_pagination_token"] is None


@pytest.mark.parametrize(
    "query",
    [{"due_date__gte": "0001-01-01T05:00:00+06:00"}, {"issue_date__lte": "9999-12-31T20:00:00-06:00"}],
)
def test_a_date_bound_past_the_calendars_ends_on_the_open_side_matches_everything(query):
    store([stored_invoice("acme")])
    reply = list_invoices(query)
    assert reply.status == 200, reply.json
    assert len(reply.json["data"]) == 1
