"""The committed OpenAPI document is exactly what the handlers generate (`make openapi` regenerates it)."""

import json
from pathlib import Path

from local.openapi import render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_matches_the_code():
    assert json.loads(COMMITTED.read_text()) == json.loads(render()), (
        "docs/openapi.json is stale: run `make openapi`"
    )


def test_every_operation_documents_its_errors_in_its_familys_envelope():
    document = json.loads(COMMITTED.read_text())
    for path, operations in document["paths"].items():
        envelope = "CoreError"
        if path.startswith("/v1/credit-rights"):
            envelope = "GlobalErrorResponse"
        elif path.startswith(
            (
                "/v1/financing_invoices",
                "/v1/financing_offers",
                "/v1/financing_tokens",
                "/v1/financing_connect",
            )
        ):
            envelope = "MoniteError"
        elif path.startswith("/open-banking/"):
            envelope = "ResponseError"
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404"):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{envelope}"}, (method, path, status)


def test_the_document_has_exactly_the_routes_the_template_declares():
    from local.template import load_template

    template = load_template()
    declared = {
        (event["Properties"]["Method"].lower(), event["Properties"]["Path"])
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    }
    documented = {
        (method, path)
        for path, operations in json.loads(COMMITTED.read_text())["paths"].items()
        for method in operations
    }
    assert documented == declared
