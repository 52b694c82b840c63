"""The readable page of the event catalogue (`/events` on the local stack): plain HTML rendered from
docs/asyncapi.json by this module alone, so it works offline and shows exactly what the document says."""

import json
from html import escape
from typing import Any

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222 }
code, pre { font: 13px ui-monospace, monospace } pre { background: #f6f8fa; padding: .8rem; overflow-x: auto }
table { border-collapse: collapse; margin: .5rem 0 1rem } td, th { border: 1px solid #ddd; padding: .25rem .5rem;
text-align: left; vertical-align: top } section { border-top: 1px solid #ccc; margin-top: 2rem }
nav li { display: inline-block; margin: 0 .8rem .3rem 0 }
"""


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _type_of(document: dict[str, Any], schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_of(document, branch) for branch in schema["anyOf"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    if schema.get("type") == "array":
        return f"array of {_type_of(document, schema.get('items', {}))}"
    return str(schema.get("type", "any")) + (f" ({schema['format']})" if "format" in schema else "")


def _fields(document: dict[str, Any], schema: dict[str, Any]) -> str:
    schema = _resolve(document, schema)
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code>{'' if name in required else ' <small>optional</small>'}</td>"
        f"<td>{escape(_type_of(document, field))}</td>"
        f"<td>{escape(_resolve(document, field).get('description', '') if '$ref' not in field else '')}"
        f"{escape(field.get('description', '') if '$ref' in field else '')}</td></tr>"
        for name, field in schema.get("properties", {}).items()
    )
    return f"<table><tr><th>field</th><th>type</th><th>meaning</th></tr>{rows}</table>"


def render(document: dict[str, Any]) -> str:
    info = document["info"]
    channels = document["channels"]
    sections, links = [], []
    for key, channel in channels.items():
        address = channel["address"]
        message = _resolve(document, next(iter(channel["messages"].values())))
        event = _resolve(document, message["payload"])
        detail = event["properties"]["detail"]
        detail_schema = _resolve(document, detail)
        examples = message.get("examples", [])
        links.append(f'<li><a href="#{escape(key)}"><code>{escape(address)}</code></a></li>')
        sections.append(
            f'<section id="{escape(key)}"><h2><code>{escape(address)}</code></h2>'
            f"<p>{escape(message.get('summary', ''))}</p>"
            f"<h3><code>detail</code></h3>{_fields(document, detail)}"
            f"<h3><code>detail.object</code></h3>{_fields(document, detail_schema['properties']['object'])}"
            + "".join(
                f"<h3>Example</h3><pre>{escape(json.dumps(example['payload'], indent=2))}</pre>"
                for example in examples
            )
            + "</section>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(info['title'])} (local)</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(info['title'])} <small>v{escape(info['version'])}</small></h1>"
        f"<p>{escape(info.get('description', ''))}</p>"
        '<p>The machine-readable document: <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI 3.0); each '
        'type\'s JSON Schema: <a href="/schemas">/schemas</a> (the schema registry).</p>'
        f"<nav><ul>{''.join(links)}</ul></nav>{''.join(sections)}</body></html>"
    )
