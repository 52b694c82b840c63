"""JSON with exact decimals, the one way bodies are read and written: no float ever holds an amount.

`loads` reads every JSON number with a fraction or exponent as a `Decimal` (integers stay `int`), so
73333776150969.46 stays 73333776150969.46 instead of the float 73333776150969.45, and refuses NaN and
Infinity (not JSON, and floats) as malformed. `dumps` writes each
`Decimal` back as a JSON number, digit for digit (the standard library would only write it as a
string): each one is first written as a placeholder string unique to the call, then swapped for the
number's text. `jsonable` is a pydantic model as JSON-ready data that keeps its decimals for `dumps`.
"""

import json
import re
import secrets
from decimal import Decimal
from typing import Any

from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel


def _not_json(name: str) -> Any:
    # NaN and Infinity are no JSON numbers (RFC 8259); Python would read them as floats.
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal, parse_constant=_not_json)


class _ExactEncoder(Encoder):
    """Powertools' encoder (pydantic models, dataclasses), with decimals kept aside as placeholders."""

    def __init__(self, *args: Any, numbers: list[str], mark: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.numbers, self.mark = numbers, mark

    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            if not o.is_finite():
                raise ValueError(f"{o} is not a JSON number")
            self.numbers.append(str(o))
            return f"{self.mark}{len(self.numbers) - 1}"
        return super().default(o)


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON text of `value` (compact unless indented, for a document), every `Decimal` written as the number it is."""
    numbers: list[str] = []
    mark = f"@{secrets.token_hex(16)}:"
    layout: dict[str, Any] = {"indent": indent, "sort_keys": sort_keys, "ensure_ascii": indent is None}
    if indent is None:
        layout["separators"] = (",", ":")
    text = json.dumps(value, cls=_ExactEncoder, numbers=numbers, mark=mark, **layout)
    if not numbers:
        return text
    return re.sub(f'"{mark}([0-9]+)"', lambda found: numbers[int(found.group(1))], text)


def with_decimals(as_json: Any, as_python: Any) -> Any:
    """`as_json` (a pydantic JSON-mode dump) with each decimal of `as_python` (the same data in Python
    mode) put back where JSON mode had turned it into a string."""
    if isinstance(as_python, Decimal) and as_python.is_finite():
        return as_python
    if isinstance(as_json, dict) and isinstance(as_python, dict):
        return {key: with_decimals(value, as_python.get(key)) for key, value in as_json.items()}
    if isinstance(as_json, list) and isinstance(as_python, list | tuple) and len(as_json) == len(as_python):
        return [with_decimals(a, b) for a, b in zip(as_json, as_python, strict=True)]
    return as_json


def jsonable(model: BaseModel) -> dict[str, Any]:
    """The model as JSON-ready data, its decimals kept for `dumps` to write exactly."""
    return with_decimals(model.model_dump(mode="json"), model.model_dump(mode="python"))
