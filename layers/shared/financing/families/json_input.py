"""JSON input types every family's request models share: a value is taken only as the JSON type it is.

A JSON boolean is never a number or a string, a number never a boolean or a string, a string never a
number (pydantic's lax mode would take `0` as false and `false` as 0). Integers follow JSON Schema, which
the document speaks and cannot tell apart: `9000` and `9000.0` are the same integer, `9000.5` is not one.
Each type documents exactly what it takes, bounds included, so the OpenAPI document tells the truth."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

JsonBool = StrictBool

_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a number"


def _integer(value: Any) -> int:
    # Bodies are parsed with exact decimals, so `9000.0` arrives as Decimal("9000.0"); a float only
    # reaches here from a caller that built the body itself.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("int_type", "must be an integer, not {kind}", {"kind": _json_type(value)})
    if isinstance(value, float | Decimal) and not (
        value.is_integer()
        if isinstance(value, float)
        else value.is_finite() and value == value.to_integral_value()
    ):  # inf and nan are not integers either
        raise PydanticCustomError("int_from_float", "must be an integer, not a fraction")
    return int(value)


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("decimal_type", "must be a number, not {kind}", {"kind": _json_type(value)})
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise PydanticCustomError("decimal_type", "must be a finite number")
    return number


def _plain(bound: int | Decimal) -> int | float:
    return float(bound) if isinstance(bound, Decimal) else bound


def _schema(kind: str, bounds: dict[str, Any], description: str | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    schema |= {_BOUNDS[name]: value for name, value in bounds.items()}
    if description:
        schema["description"] = description
    return schema


def json_int(description: str | None = None, **bounds: int) -> Any:
    """An integer (never a boolean or a string) within `bounds` (gt, ge, lt, le)."""
    return Annotated[
        int,
        BeforeValidator(_integer),
        Field(**bounds),
        WithJsonSchema(_schema("integer", bounds, description)),
    ]


def json_number(description: str | None = None, **bounds: int | Decimal) -> Any:
    """A JSON number taken exactly as written, as a Decimal (never a boolean or a string), within `bounds`."""
    return Annotated[
        Decimal,
        BeforeValidator(_number),
        Field(**bounds),
        WithJsonSchema(_schema("number", {k: _plain(v) for k, v in bounds.items()}, description)),
    ]


# A character Python's strip() keeps, spelled so JSON Schema's regex agrees (its `\s` leaves out the
# information separators and NEL, which Python counts as spaces).
NOT_A_SPACE = r"[^\s\x1c-\x1f\x85]"


def json_text(max_length: int, pattern: str = NOT_A_SPACE) -> Any:
    """A string of 1 to `max_length` characters once trimmed, so it must hold a character that is not a
    space (`pattern`, which JSON Schema and pydantic both search for, unanchored, says so)."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length, pattern=pattern)
    ]
