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


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def test_a_query_model_is_documented_field_by_field_with_its_constraints():
    # Powertools documents a pydantic model's query fields as bare types: enums and bounds were lost.
    document = json.loads(COMMITTED.read_text())
    parameters = {
        p["name"]: p["schema"] for p in document["paths"]["/v1/financing_invoices"]["get"]["parameters"]
    }
    assert parameters["order"]["enum"] == ["asc", "desc"]
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
    assert parameters["status__in"]["type"] == "array" and "enum" in parameters["status__in"]["items"]
    assert parameters["invoice_id"]["format"] == "uuid" and parameters["invoice_id"]["pattern"]
    assert parameters["pagination_token"]["pattern"]


def test_every_length_keyword_fits_its_type():
    # `Field(max_length=...)` on `list[...] | None` used to document an array with `maxLength`.
    document = json.loads(COMMITTED.read_text())
    for node in _nodes(document):
        if node.get("type") == "array":
            assert not {"minLength", "maxLength"} & set(node), node
        if node.get("type") == "string":
            assert not {"minItems", "maxItems"} & set(node), node


def test_pismos_request_is_documented_whole():
    document = json.loads(COMMITTED.read_text())
    body = document["paths"]["/v1/credit-rights"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert body["additionalProperties"] is False and "face_value" in body["required"]
    assert "$ref" not in json.dumps(body)  # self-contained: the handler reads the raw body


def test_the_reviewed_exclusions_name_only_documented_operations():
    from tests.e2e.fuzzing import UNSCHEMATIZABLE

    document = json.loads(COMMITTED.read_text())
    documented = {(m.upper(), p) for p, operations in document["paths"].items() for m in operations}
    assert set(UNSCHEMATIZABLE) <= documented, set(UNSCHEMATIZABLE) - documented
