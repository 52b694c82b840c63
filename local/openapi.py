"""The API's one OpenAPI 3.1 document, merged from every API handler's Powertools resolver."""

import argparse
import ast
import dataclasses
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TITLE = "Invoice Financing Platform API"
VERSION = "0.1.0"
DESCRIPTION = (
    "Companies, invoices, financing, receivables registry and Open Finance Brasil sharing. "
    "Every request carries `Authorization: Bearer <JWT>`; every answer echoes the `x-correlation-id` sent, "
    "and one a function makes generates it when none was."
)


def _api_handlers() -> list[Path]:
    """Handler files that define a module-level `app` (an HTTP resolver)."""
    found = []
    for path in sorted((ROOT / "functions").glob("*/app.py")):
        tree = ast.parse(path.read_text())
        if any(
            isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "app" for t in node.targets)
            for node in tree.body
        ):
            found.append(path)
    return found


def _strict_merge() -> type:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge, OpenAPIMergeError

    class StrictMerge(OpenAPIMerge):
        """OpenAPIMerge keeps the last of two components with one name: two different models named alike
        (say, two `Status` enums) would silently describe one operation with the other's schema."""

        def _merge_components(self, source: dict, target: dict) -> None:
            for kind, components in source.items():
                merged = target.setdefault(kind, {})
                for name, component in components.items():
                    if name in merged and merged[name] != component:
                        raise OpenAPIMergeError(f"two different {kind} are named {name}: rename one model")
                    merged[name] = component

    return StrictMerge


def _inline(node: Any, definitions: dict) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions)
        return {key: _inline(value, definitions) for key, value in node.items() if key != "title"}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def _without_null(schema: dict) -> dict:
    """An optional parameter's schema: absent is how a query says null, so the null branch goes."""
    branches = [b for b in schema.get("anyOf", []) if b != {"type": "null"}]
    if "anyOf" not in schema or len(branches) == len(schema["anyOf"]):
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**branches[0], **rest} if len(branches) == 1 else {**rest, "anyOf": branches}


def model_parameters(field_info: Any) -> list[dict]:
    """The parameters of a pydantic model declared as a handler's query (Monite's list takes 35): each with
    its field's whole schema. Powertools documents only a bare type per field (enums, bounds, patterns and
    formats lost), so the generated document would not tell clients what the handler enforces."""
    model = field_info.annotation
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})
    parameters = []
    for name, field in model.model_fields.items():
        alias = field.alias or name
        parameter = {
            "name": alias,
            "in": field_info.in_.value,
            "required": field.is_required(),
            "schema": _without_null(_inline(schema["properties"][alias], definitions)),
        }
        if field.description:
            parameter["description"] = field.description
        parameters.append(parameter)
    return parameters


# ------------------------------------------------------------------------------------------------- links
# OpenAPI Link Objects, so clients and stateful testers can follow an answer to what it makes possible.
# Each resource is declared once: its create (the POST on the collection answering 201 or 202), and every
# operation answering the created object back (its actions), links to every operation under the item path
# (`/v1/invoices/{invoice_id}...`), the id taken from the answer (`$response.body#/id`) or, when the
# answer carries none, from the request. `FOLLOW_UPS` adds what crosses resources.


@dataclasses.dataclass(frozen=True)
class Resource:
    collection: str
    parameter: str
    source: str = "$response.body#/id"
    # Other operations whose success answer names one such resource: (METHOD path, expression).
    named_by: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True)
class FollowUp:
    """A link from the success answer of `source` (METHOD path) to `target`, with `parameters`
    (`query.name`, `header.name`, or a path parameter's name) and/or `body` fields (the rest of the body
    is the caller's)."""

    source: str
    target: str
    parameters: dict[str, str] = dataclasses.field(default_factory=dict)
    body: dict[str, Any] | None = None


RESOURCES = (
    Resource("/v1/companies", "company_id"),
    Resource("/v1/documents", "document_id"),
    Resource("/v1/buyer_limits", "buyer_limit_id"),
    Resource(
        "/v1/invoices",
        "invoice_id",
        named_by=(("POST /v1/financing_sessions", "$response.body#/invoices/0"),),
    ),
    Resource("/v1/webhook_subscriptions", "subscription_id"),
    Resource("/v1/open_finance/consents", "consent_id", "$response.body#/consent_id"),
    # Pismo answers a registration with a message only: the receivable is named by the request's number.
    Resource(
        "/v1/credit-rights",
        "internal_number",
        "$request.body#/internal_number",
        named_by=(
            (
                "POST /v1/credit-rights/{internal_number}/retry_registration",
                "$response.body#/internal_number",
            ),
        ),
    ),
)
_ID = "$response.body#/id"
FOLLOW_UPS = (
    FollowUp("POST /v1/companies", "POST /v1/buyer_limits", body={"company": _ID}),
    FollowUp("POST /v1/companies", "GET /v1/buyer_limits", {"query.company": _ID}),
    FollowUp("POST /v1/companies", "GET /v1/invoices", {"query.supplier": _ID}),
    FollowUp("POST /v1/documents", "POST /v1/invoices", body={"invoice_document": _ID}),
    # An approved limit is what lets an invoice on that buyer be submitted and funded.
    FollowUp(
        "POST /v1/buyer_limits/{buyer_limit_id}/approve",
        "POST /v1/invoices",
        body={"buyer": "$response.body#/company"},
    ),
    FollowUp("POST /v1/invoices", "GET /v1/ledger/entries", {"query.invoice": _ID}),
    FollowUp(
        "POST /v1/invoices",
        "POST /v1/financing_sessions",
        body={"supplier": "$response.body#/supplier", "buyer": "$response.body#/buyer", "invoices": [_ID]},
    ),
    FollowUp(
        "POST /v1/invoices",
        "POST /v1/financing_invoices",
        body={"invoices": [{"id": _ID, "type": "$response.body#/type"}]},
    ),
    FollowUp(
        "POST /v1/financing_invoices",
        "GET /v1/financing_invoices",
        {"query.invoice_id": "$response.body#/invoices/0/invoice_id"},
    ),
    FollowUp("POST /v1/financing_invoices", "GET /v1/financing_offers"),
    FollowUp(
        "POST /v1/financing_invoices",
        "GET /v1/financing_connect",
        {
            "header.authorization": "Bearer {$response.body#/connect_token}",
            "header.x-financing-session": "$response.body#/session_token",
        },
    ),
    FollowUp(
        "POST /v1/financing_connect/confirm",
        "GET /v1/financing_connect",
        {
            "header.authorization": "Bearer {$response.body#/connect_token}",
            "header.x-financing-session": "$response.body#/session_token",
        },
    ),
    FollowUp(
        "POST /v1/financing_tokens",
        "GET /v1/financing_connect",
        {"header.authorization": "Bearer {$response.body#/connect_token}"},
    ),
    FollowUp(
        "POST /v1/webhook_subscriptions",
        "GET /v1/webhook_deliveries",
        {"query.subscription": _ID},
    ),
)


def _operation(document: dict, key: str) -> dict:
    method, path = key.split(" ", 1)
    return document["paths"][path][method.lower()]


def _success(operation: dict) -> dict:
    return next(operation["responses"][s] for s in ("201", "202", "200") if s in operation["responses"])


def _schema_of(response: dict) -> Any:
    return ((response.get("content") or {}).get("application/json") or {}).get("schema")


def _link(target: dict, parameters: dict[str, str], body: dict[str, Any] | None = None) -> dict:
    link: dict[str, Any] = {"operationId": target["operationId"]}
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
        link["description"] = "Fields of the request body taken from this answer; the rest is the caller's."
    return link


def add_links(document: dict) -> dict:
    """The document with the links RESOURCES and FOLLOW_UPS declare, on each source's success answer."""
    paths = document["paths"]
    for resource in RESOURCES:
        create = _operation(document, f"POST {resource.collection}")
        item = re.compile(re.escape(f"{resource.collection}/{{{resource.parameter}}}") + r"(/.*)?")
        targets = [op for path, ops in paths.items() if item.fullmatch(path) for op in ops.values()]
        sources = [(create, resource.source)]
        sources += [
            (operation, "$response.body#/id")
            for path, operations in paths.items()
            if item.fullmatch(path)
            for method, operation in operations.items()
            if method in ("post", "patch", "put")
            and "200" in operation["responses"]
            and _schema_of(operation["responses"]["200"]) == _schema_of(_success(create))
        ]
        sources += [(_operation(document, key), expression) for key, expression in resource.named_by]
        for source, expression in sources:
            links = _success(source).setdefault("links", {})
            for target in targets:
                links[target["operationId"]] = _link(target, {resource.parameter: expression})
    for follow_up in FOLLOW_UPS:
        target = _operation(document, follow_up.target)
        links = _success(_operation(document, follow_up.source)).setdefault("links", {})
        links[target["operationId"]] = _link(target, follow_up.parameters, follow_up.body)
    return document


# ----------------------------------------------------------------------------------- path id parameters
# Each id a path names, by its parameter: the type prefix of our ids (`inv_<ULID>`), or the family's own
# format. A malformed id is refused (404, as for an id nobody has), so the document says what is valid.
ID_PREFIXES = {
    "company_id": "company",
    "document_id": "doc",
    "buyer_limit_id": "bl",
    "invoice_id": "inv",
    "subscription_id": "whsub",
    "consent_id": "consent",
}
# Open Finance Brasil's `contractId` parameter, as its spec defines it.
CONTRACT_ID = {"type": "string", "pattern": "^[a-zA-Z0-9][a-zA-Z0-9-]{0,99}$", "maxLength": 100}


def _id_schema(document: dict, name: str) -> dict:
    from financing.ids import id_pattern

    if name in ID_PREFIXES:
        return {"type": "string", "pattern": id_pattern(ID_PREFIXES[name])}
    if name == "contractId":
        return CONTRACT_ID
    if name == "internal_number":  # Pismo's receivable number, as its registration takes it
        body = _operation(document, "POST /v1/credit-rights")["requestBody"]["content"]["application/json"]
        field = body["schema"]["properties"]["internal_number"]
        return {key: field[key] for key in ("type", "minLength", "maxLength", "pattern")}
    raise KeyError(f"path parameter {name!r} has no declared format: add it to ID_PREFIXES")


def add_path_patterns(document: dict) -> dict:
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = {**parameter["schema"], **_id_schema(document, parameter["name"])}
    return document


# ------------------------------------------------------------------------------ Open Finance interaction id
# As Open Finance Brasil's spec declares it: a request header every operation requires (a missing or invalid
# one is a 400 carrying a generated id), echoed in the answer. The spec documents the echo on 200; the
# functions echo it on every answer they make (a valid one: generated when the request's was not). The
# gateway's own answers (401, 403) echo whatever was sent, so there it is only a string.
OPEN_FINANCE_PREFIX = "/open-banking/"
INTERACTION_ID = "x-fapi-interaction-id"
INTERACTION_ID_SCHEMA = {
    "type": "string",
    "format": "uuid",
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "minLength": 1,
    "maxLength": 36,
    "example": "d78fc4e5-37ca-4da3-adf2-9b082bf92280",
}
INTERACTION_ID_DESCRIPTION = (
    "A UUID (RFC 4122) correlating request and response: sent by the client, echoed by the server. "
    "When missing or invalid, the answer is a 400 carrying one the server generated."
)
GATEWAY_STATUSES = ("401", "403")


def add_interaction_id(document: dict) -> dict:
    for path, operations in document["paths"].items():
        if not path.startswith(OPEN_FINANCE_PREFIX):
            continue
        for operation in operations.values():
            parameters = [p for p in operation.get("parameters", []) if p["name"].lower() != INTERACTION_ID]
            operation["parameters"] = [
                {
                    "name": INTERACTION_ID,
                    "in": "header",
                    "required": True,
                    "description": INTERACTION_ID_DESCRIPTION,
                    "schema": INTERACTION_ID_SCHEMA,
                },
                *parameters,
            ]
            for status, response in operation["responses"].items():
                gateway = status in GATEWAY_STATUSES
                response.setdefault("headers", {})[INTERACTION_ID] = {
                    "description": "The request's interaction id as sent, when the API gateway answers."
                    if gateway
                    else "The request's interaction id, or the one generated for a request without a valid one.",
                    "required": not gateway,
                    "schema": {"type": "string"} if gateway else INTERACTION_ID_SCHEMA,
                }
    return document


def document() -> dict:
    layer = str(ROOT / "layers" / "shared")
    if layer not in sys.path:
        sys.path.insert(0, layer)
    from aws_lambda_powertools.event_handler.openapi import schema_generator
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    schema_generator._expand_pydantic_model_parameters = model_parameters

    merge = _strict_merge()(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes={"bearer": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearer": []}],
        on_conflict="error",
    )
    for path in _api_handlers():
        merge.add_file(path)
    generated = json.loads(merge.get_openapi_json_schema())
    return add_links(add_interaction_id(add_path_patterns(add_scopes(add_own_credentials(generated)))))


def add_scopes(document: dict) -> dict:
    """The bearer scheme lists the scopes a token can grant, and each operation names the one it needs,
    as its handler declares it."""
    from local.routes import functions, required_scope
    from local.token import Scope

    bearer = document["components"]["securitySchemes"]["bearer"]
    bearer["description"] = (
        "A JWT whose `scope` claim (space-separated) grants what the caller may do: "
        + ", ".join(f"`{scope}`" for scope in Scope)
        + ". Each operation needs one of them; a token without it is refused (403)."
    )
    for function in functions():
        for method, path, _ in function.routes:
            scope = required_scope(function.code_dir)
            if scope is None:
                continue
            operation = document["paths"][path][method.lower()]
            needs = f"Needs the `{scope}` scope."
            operation["description"] = (
                f"{operation['description']}\n\n{needs}" if operation.get("description") else needs
            )
    return document


def add_own_credentials(document: dict) -> dict:
    """Routes the API's authorizer does not guard (`Auth: {Authorizer: NONE}` in the template) take no bearer
    JWT: the connect exchange takes a connect token, a security scheme of its own."""
    from local.template import load_template

    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    for resource in load_template()["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            route = event.get("Properties") or {}
            if event.get("Type") != "Api" or (route.get("Auth") or {}).get("Authorizer") != "NONE":
                continue
            operation = document["paths"][route["Path"]][route["Method"].lower()]
            operation["security"] = [{"connect_token": []}]
            schemes["connect_token"] = {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "connect token",
                "description": "A connect token from `POST /v1/financing_tokens` or `POST /v1/financing_invoices`"
                " (short-lived, bound to one business); the API's bearer JWTs do not open these routes.",
            }
    return document


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", metavar="FILE", help="write the document there instead of printing it")
    args = parser.parse_args()
    text = render()
    if args.write:
        Path(args.write).write_text(text)
        print(f"wrote {args.write}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
