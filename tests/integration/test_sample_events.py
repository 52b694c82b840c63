"""Every function in the template has a sample event in events/, and handles it (what `make invoke` runs)."""

import json

import jwt
import pytest

from local.settings import DEV_JWT_SECRET
from tests.integration.conftest import TEMPLATE
from tests.integration.harness import ROOT, Context, handler

FUNCTIONS = sorted(
    (logical_id, resource["Properties"]["CodeUri"].strip("/").split("/")[-1])
    for logical_id, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
)


@pytest.mark.parametrize(("logical_id", "code_dir"), FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_each_function_handles_its_sample_event(aws, logical_id, code_dir):
    path = ROOT / "events" / f"{code_dir}.json"
    assert path.exists(), f"{logical_id} has no sample event at events/{code_dir}.json"
    event = json.loads(path.read_text())
    result = handler(code_dir)(event, Context())
    if "httpMethod" in event:
        assert result["statusCode"] < 500, result
    elif "Records" in event:
        assert result == {"batchItemFailures": []}
    elif event.get("type") == "TOKEN":
        assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow"
        assert result["context"]["tenant_id"] == "acme"


def test_the_sample_authorizer_token_is_signed_with_the_documented_development_secret():
    event = json.loads((ROOT / "events" / "authorizer.json").read_text())
    token = event["authorizationToken"].removeprefix("Bearer ")
    assert (
        jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], audience="invoice-financing-api")["tenant_id"]
        == "acme"
    )
