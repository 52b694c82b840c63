"""Failures the contract fuzzer found, kept as regular tests.

A body that is not UTF-8 reaches a handler base64-encoded (API Gateway does so with bytes it cannot pass
as text); decoding it crashed the resolver (500) on every route with a body. It is now a 400 in the
route's family envelope, writing nothing."""

import base64
import json

import pytest

from financing.adapters.aws import client
from financing.config import settings
from local.token import ALL_SCOPES
from tests.integration.harness import Context, api_event, handler
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
