"""The API's one OpenAPI 3.1 document, merged from every API handler's Powertools resolver."""

import argparse
import ast
import json
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
    return json.loads(merge.get_openapi_json_schema())


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
