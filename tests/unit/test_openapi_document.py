"""The committed OpenAPI document is exactly what the handlers generate (`make openapi` regenerates it)."""

import json
import re
import sys
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


# Links, path id formats and Open Finance's interaction id, walked over the committed document.

_EXPRESSION = re.compile(r"\{(\$[^}]+)\}")


def _resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _has(document, schema, pointer):
    """Whether the JSON pointer names a field the schema (objects by property, arrays by index) has."""
    for token in filter(None, pointer.split("/")):
        schema = _resolve(document, schema)
        branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
        if len(branches) == 1:
            schema = _resolve(document, branches[0])
        if token.isdigit() and schema.get("type") == "array":
            schema = schema["items"]
        elif token in schema.get("properties", {}):
            schema = schema["properties"][token]
        else:
            return False
    return True


def _expressions(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)
    elif isinstance(value, str):
        yield from _EXPRESSION.findall(value) or ([value] if value.startswith("$") else [])


def _json_schema(part):
    return ((part or {}).get("content") or {}).get("application/json", {}).get("schema") or {}


def _links(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                for name, link in response.get("links", {}).items():
                    yield f"{method.upper()} {path} {status} {name}", operation, response, link


def test_every_link_targets_a_documented_operation_with_parameters_it_has():
    document = json.loads(COMMITTED.read_text())
    operations = {op["operationId"]: op for ops in document["paths"].values() for op in ops.values()}
    links = list(_links(document))
    assert len(links) > 50
    for where, _, _, link in links:
        target = operations.get(link["operationId"])
        assert target is not None, where
        declared = {(p["in"], p["name"]) for p in target.get("parameters", [])}
        for name in link.get("parameters", {}):
            location, _, bare = name.rpartition(".")
            assert (location or "path", bare) in declared, (where, name)
        if "requestBody" in link:
            body = _json_schema(target.get("requestBody"))
            for field in link["requestBody"]:
                assert _has(document, body, field), (where, field)


def test_every_link_expression_reads_a_field_its_source_has():
    document = json.loads(COMMITTED.read_text())
    for where, operation, response, link in _links(document):
        values = [link.get("parameters", {}), link.get("requestBody", {})]
        for expression in _expressions(values):
            source, _, pointer = expression.partition("#")
            schema = {
                "$response.body": _json_schema(response),
                "$request.body": _json_schema(operation.get("requestBody")),
            }[source]
            assert _has(document, schema, pointer), (where, expression)


def test_every_create_links_to_what_it_created():
    # A create: a POST answering 201 or 202. Each links somewhere, and to every operation on what it made.
    document = json.loads(COMMITTED.read_text())
    creates = [
        (path, status, response)
        for path, operations in document["paths"].items()
        for status, response in operations.get("post", {}).get("responses", {}).items()
        if status in ("201", "202")
    ]
    assert len(creates) >= 10
    for path, status, response in creates:
        assert response.get("links"), (path, status)
        on_item = {
            op["operationId"]
            for item, operations in document["paths"].items()
            if item.startswith(path + "/{")
            for op in operations.values()
        }
        assert on_item <= set(response["links"]), (path, on_item - set(response["links"]))


def test_invoices_link_from_creation_through_every_action():
    document = json.loads(COMMITTED.read_text())
    created = document["paths"]["/v1/invoices"]["post"]["responses"]["201"]["links"]
    actions = {
        op["operationId"]
        for path, operations in document["paths"].items()
        if path.startswith("/v1/invoices/{invoice_id}")
        for op in operations.values()
    }
    assert actions <= set(created)
    submitted = document["paths"]["/v1/invoices/{invoice_id}/submit"]["post"]["responses"]["200"]["links"]
    assert {"invoice_request_signatures", "invoice_sign", "invoice_fund", "invoice_payments"} <= set(
        submitted
    )


def test_every_path_parameter_has_a_pattern():
    document = json.loads(COMMITTED.read_text())
    seen = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    seen.add(parameter["name"])
                    assert parameter["schema"].get("pattern"), (method, path, parameter["name"])
    assert {"invoice_id", "company_id", "contractId", "internal_number"} <= seen


def test_path_id_patterns_accept_the_ids_the_domain_makes_and_nothing_else():
    from local.openapi import ID_PREFIXES

    layer = str(COMMITTED.parents[1] / "layers" / "shared")
    sys.path.insert(0, layer) if layer not in sys.path else None
    from financing.ids import new_id

    document = json.loads(COMMITTED.read_text())
    patterns = {
        p["name"]: p["schema"]["pattern"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    }
    for name, prefix in ID_PREFIXES.items():
        made = new_id(prefix)
        assert re.fullmatch(patterns[name], made), (name, made)
        assert not re.search(patterns[name], made.lower()), name
        assert not re.search(patterns[name], "x" + made), name


def _spec():
    import yaml

    return yaml.safe_load((COMMITTED.parents[1] / "tests" / "contracts" / OPEN_FINANCE_SPEC).read_text())


OPEN_FINANCE_SPEC = "openfinance-invoice-financings-2.3.0.yml"


def test_open_finance_operations_declare_the_interaction_id_as_the_official_spec_does():
    spec = _spec()
    required = spec["components"]["parameters"]["xFapiInteractionId"]
    echoed = spec["components"]["schemas"]["XFapiInteractionId"]
    document = json.loads(COMMITTED.read_text())
    operations = [
        (path, op)
        for path, ops in document["paths"].items()
        if path.startswith("/open-banking/")
        for op in ops.values()
    ]
    assert len(operations) == 5
    for path, operation in operations:
        [parameter] = [p for p in operation["parameters"] if p["name"] == "x-fapi-interaction-id"]
        assert (parameter["in"], parameter["required"]) == (required["in"], required["required"])
        assert parameter["schema"] == required["schema"], path
        header = operation["responses"]["200"]["headers"]["x-fapi-interaction-id"]
        assert {k: v for k, v in header["schema"].items() if k != "description"} == {
            k: v for k, v in echoed.items() if k != "description"
        }, path
        for status in ("400", "404", "406", "422", "500"):
            assert operation["responses"][status]["headers"]["x-fapi-interaction-id"]["required"], (
                path,
                status,
            )


def test_a_route_the_apis_authorizer_does_not_guard_documents_the_credential_it_takes_instead():
    """The hosted page's routes (`/v1/financing_connect...`) take a connect token, never the API's bearer JWT:
    each operation says so with a security scheme of its own (the `authorization` header parameter it also
    declares is what the document's links fill with the connect token; OpenAPI tools may ignore it, so it
    cannot be the only say)."""
    from local.template import load_template

    document = json.loads(COMMITTED.read_text())
    unguarded = [
        (event["Properties"]["Method"], event["Properties"]["Path"])
        for resource in load_template()["Resources"].values()
        if resource.get("Type") == "AWS::Serverless::Function"
        for event in (resource["Properties"].get("Events") or {}).values()
        if event.get("Type") == "Api" and (event["Properties"].get("Auth") or {}).get("Authorizer") == "NONE"
    ]
    assert sorted(unguarded) == [
        ("get", "/v1/financing_connect"),
        ("post", "/v1/financing_connect/confirm"),
        ("post", "/v1/financing_connect/quote"),
    ]
    for method, path in unguarded:
        operation = document["paths"][path][method]
        assert operation["security"] == [{"connect_token": []}]
    scheme = document["components"]["securitySchemes"]["connect_token"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
