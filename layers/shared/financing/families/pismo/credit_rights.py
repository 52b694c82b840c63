"""Validation of a Pismo-shaped receivable registration (`POST /v1/credit-rights`).

`validate_receivable(body)` takes the parsed JSON body and returns the request model (or None) with every
problem found, each as `"<field>: <what is wrong>"` (`credit_operations[0].contact_number: ...`), sorted
by field. The shape is checked by pydantic (unknown fields refused at every level, no booleans or decimals
for integer codes), and the rules that span fields (debtor vs lender, operations vs invoice total) are
checked on the raw body as well, so a failure elsewhere never hides them.

Amounts are decimal major units (BRL, two decimals) taken from JSON numbers, `Decimal`s (a body parsed with
`json.loads(..., parse_float=Decimal)` keeps all 18 digits exactly) or plain numeric strings; storage uses
the integer minor units from `face_value_minor` and friends. Dates are `yyyy-mm-dd` strings, compared with
`financing.clock.today()` (UTC).
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from financing import clock
from financing.domain.money import to_minor
from financing.domain.tax_id import CPF_OR_CNPJ_PATTERN, brazilian_document_problem, digits

CURRENCY = "brl"

_RULE = "pismo_rule"  # the error type of every message written here, passed through as is
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMERIC = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NOT_BLANK = r"\S"  # pydantic patterns search, so this means "has a character that is not a space"
_HOLDING = r"^[0-9]{1,9}\.(?:0?[1-9]|[1-9][0-9])$"  # invoice number (1..9 digits) '.' installments 1..99
_AMOUNT_LIMIT = Decimal(10) ** 16  # at most 16 integer digits
_HUNDRED = Decimal(100)


def _problem(message: str) -> PydanticCustomError:
    return PydanticCustomError(_RULE, message)


# --- field types ---------------------------------------------------------------------------------------


def _parse_amount(value: Any) -> Decimal:
    """A JSON number (int, float, or Decimal from `parse_float=Decimal`) or a plain numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise _problem(f"must be a number, not {_json_type(value)}")
    if isinstance(value, str):
        if _NUMERIC.fullmatch(value) is None:
            raise _problem("must be a number (a numeric string must look like 1234.56)")
        return Decimal(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - str() of an int or float always parses
        raise _problem("must be a number") from None
    if not number.is_finite():
        raise _problem("must be a finite number")
    return number


def _money(value: Any) -> Decimal:
    number = _parse_amount(value)
    if abs(number) >= _AMOUNT_LIMIT or number.scaleb(2) != number.scaleb(2).to_integral_value():
        raise _problem("must have at most 16 integer digits and 2 decimal places")
    if number < 0:
        raise _problem("must not be negative")
    return number


def _percentage(value: Any) -> Decimal:
    number = _parse_amount(value)
    if not 0 <= number <= _HUNDRED:
        raise _problem("must be a percentage from 0 to 100")
    return number


def _date(value: Any) -> date:
    if isinstance(value, date):  # re-validating a model's own values
        return value
    if not isinstance(value, str):
        raise _problem(f"must be a date as yyyy-mm-dd, not {_json_type(value)}")
    if _DATE.fullmatch(value) is None:
        raise _problem("must be a date as yyyy-mm-dd")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _problem("is not a calendar date") from None


def _today(info: ValidationInfo) -> date:
    context = info.context
    return context["today"] if context and "today" in context else clock.today()


def _not_after_today(value: date, info: ValidationInfo) -> date:
    today = _today(info)
    if value > today:
        raise _problem(f"must not be after today ({today.isoformat()})")
    return value


def _today_or_later(value: date, info: ValidationInfo) -> date:
    today = _today(info)
    if value < today:
        raise _problem(f"must be today ({today.isoformat()}) or later")
    return value


def _document(value: str) -> str:
    reason = (
        brazilian_document_problem(value)
        if value.isascii()
        else "must be a CPF (11 digits) or a CNPJ (14 digits)"
    )
    if reason:
        raise _problem(reason)
    return value


# What each type takes, for the OpenAPI document: a number or a plain numeric string (Pismo's spec allows
# both), a yyyy-mm-dd date, a CPF or CNPJ's shape. Check digits and dates relative to today are rules no
# schema can say.
_AMOUNT_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "exclusiveMaximum": 1e16},
        {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$"},
    ],
    "description": "BRL, at most 16 integer digits and 2 decimal places",
}
_PERCENTAGE_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 100},
        {"type": "string", "pattern": r"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)$"},
    ]
}
_DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
_DOCUMENT_SCHEMA = {"type": "string", "pattern": CPF_OR_CNPJ_PATTERN}

Amount = Annotated[Decimal, BeforeValidator(_money), WithJsonSchema(_AMOUNT_SCHEMA)]
Percentage = Annotated[Decimal, BeforeValidator(_percentage), WithJsonSchema(_PERCENTAGE_SCHEMA)]
Day = Annotated[date, BeforeValidator(_date), WithJsonSchema(_DATE_SCHEMA)]
PastDay = Annotated[
    date,
    BeforeValidator(_date),
    AfterValidator(_not_after_today),
    WithJsonSchema({**_DATE_SCHEMA, "description": "today or earlier"}),
]
FutureDay = Annotated[
    date,
    BeforeValidator(_date),
    AfterValidator(_today_or_later),
    WithJsonSchema({**_DATE_SCHEMA, "description": "today or later"}),
]
Document = Annotated[StrictStr, AfterValidator(_document), WithJsonSchema(_DOCUMENT_SCHEMA)]
DebtorDocument = Annotated[
    StrictStr,
    Field(max_length=14),
    AfterValidator(_document),
    WithJsonSchema({**_DOCUMENT_SCHEMA, "maxLength": 14}),
]
Name = Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=_NOT_BLANK)]
InternalNumber = Annotated[StrictStr, Field(min_length=1, max_length=40, pattern=_NOT_BLANK)]
AccessKey = Annotated[StrictStr, Field(min_length=1, max_length=44, pattern=_NOT_BLANK)]
Description = Annotated[StrictStr, Field(max_length=500)]
ContactNumber = Annotated[StrictStr, Field(min_length=1, max_length=15, pattern=_NOT_BLANK)]
OperationType = Annotated[StrictStr, Field(min_length=1, max_length=50, pattern=_NOT_BLANK)]
HoldingNumber = Annotated[StrictStr, Field(pattern=_HOLDING)]
ReceivableType = Annotated[StrictInt, Field(ge=1, le=2)]  # 1 mercantile, 2 service
PaymentMethod = Annotated[StrictInt, Field(ge=1, le=6)]  # 1 boleto, 2 TED, 3 DOC, 4 cash, 5 título, 6 Pix
PaymentStatus = Annotated[StrictInt, Field(ge=1, le=2)]  # 1 paid, 2 unpaid
CollateralType = Annotated[StrictInt, Field(ge=1, le=1)]  # 1 aval, the only one
IbgeCode = Annotated[StrictInt, Field(ge=1_000_000, le=9_999_999)]  # exactly 7 digits
InvoiceNumber = Annotated[StrictInt, Field(ge=0, le=999_999_999)]  # at most 9 digits
InvoiceSerie = Annotated[StrictInt, Field(ge=0, le=999)]  # at most 3 digits
RecorderAccount = Annotated[StrictInt, Field(ge=0, le=99_999_999)]  # at most 8 digits

# Per-field wording of the limits pydantic checks itself (lengths, ranges, patterns), by field name.
_RULES = {
    "credit_rights_receivable_type": "must be 1 (mercantile) or 2 (service)",
    "payment_method": "must be one of 1 (boleto), 2 (TED), 3 (DOC), 4 (cash), 5 (título), 6 (Pix)",
    "payment_status": "must be 1 (paid) or 2 (unpaid)",
    "collateral_type": "must be 1 (aval), the only collateral type accepted",
    "debtor_name": "must be 1 to 100 characters, not blank",
    "lender_name": "must be 1 to 100 characters, not blank",
    "owner_name": "must be 1 to 100 characters, not blank",
    "guarantor_name": "must be 1 to 100 characters, not blank",
    "internal_number": "must be 1 to 40 characters, not blank",
    "access_key": "must be 1 to 44 characters, not blank",
    "description": "must be at most 500 characters",
    "holding_number": (
        "must be the invoice number (1 to 9 digits), '.', and the number of installments (1 to 99), "
        "e.g. '1234.8'"
    ),
    "ibge_code": "must be exactly 7 digits (1000000..9999999)",
    "invoice_number": "must be at most 9 digits (0..999999999)",
    "invoice_serie": "must be at most 3 digits (0..999)",
    "recorder_account": "must be at most 8 digits (0..99999999)",
    "debtor_document_number": "must be at most 14 characters",
    "credit_operations": "must have at least one operation when present",
    "contact_number": "must be 1 to 15 characters, not blank",
    "operation_type": "must be 1 to 50 characters, not blank",
}


# --- models --------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreditOperation(_Strict):
    """One credit operation backed by the receivable; every field is optional."""

    contact_number: ContactNumber | None = None
    guarantee_percentage: Percentage | None = None
    operation_date: Day | None = None
    operation_maturity: Day | None = None
    operation_type: OperationType | None = None
    operation_value: Amount | None = None

    @property
    def operation_value_minor(self) -> int | None:
        return None if self.operation_value is None else to_minor(self.operation_value, CURRENCY)


class ReceivableRequest(_Strict):
    """`CreateReceivableRequest`: a Brazilian receivable to register. Amounts are BRL major units."""

    # required
    credit_rights_receivable_type: ReceivableType
    debtor_document_number: DebtorDocument
    debtor_name: Name
    face_value: Amount
    holding_number: HoldingNumber
    ibge_code: IbgeCode
    internal_number: InternalNumber
    invoice_number: InvoiceNumber
    invoice_serie: InvoiceSerie
    invoice_total_value: Amount
    issuing_date: PastDay
    lender_document_number: Document
    lender_name: Name
    maturity_date: FutureDay
    payment_method: PaymentMethod
    payment_status: PaymentStatus
    recorder_account: RecorderAccount
    # optional (null is taken as absent)
    access_key: AccessKey | None = None
    collateral_type: CollateralType | None = None
    credit_operations: Annotated[list[CreditOperation], Field(min_length=1)] | None = None
    debtor_signing_date: Day | None = None
    description: Description | None = None
    guarantor_name: Name | None = None
    lender_signing_date: PastDay | None = None
    owner_document_number: Document | None = None
    owner_name: Name | None = None

    @property
    def face_value_minor(self) -> int:
        return to_minor(self.face_value, CURRENCY)

    @property
    def invoice_total_value_minor(self) -> int:
        return to_minor(self.invoice_total_value, CURRENCY)

    @property
    def operation_values_minor(self) -> list[int | None]:
        """Each credit operation's value in minor units (None where it has none), in request order."""
        return [operation.operation_value_minor for operation in self.credit_operations or []]

    def minor_amounts(self) -> dict[str, Any]:
        """Every amount in integer minor units (BRL), for storage."""
        return {
            "face_value": self.face_value_minor,
            "invoice_total_value": self.invoice_total_value_minor,
            "operation_values": self.operation_values_minor,
        }


# --- validation ----------------------------------------------------------------------------------------

_TYPE_ERRORS = {
    "int_type": "must be an integer",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
}

Location = tuple[str | int, ...]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float | Decimal):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == _RULE:
        return error["msg"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this request"
    if kind in _TYPE_ERRORS:
        return f"{_TYPE_ERRORS[kind]}, not {_json_type(error['input'])}"
    leaf = next((part for part in reversed(error["loc"]) if isinstance(part, str)), "")
    return _RULES.get(leaf) or error["msg"]


def _path(location: Location) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "body"


def _order(location: Location) -> tuple[tuple[int, str | int], ...]:
    # indexes in numeric order (operation 2 before operation 10); a parent before its children
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in location)


def _amount_or_none(value: Any) -> Decimal | None:
    try:
        return _money(value)
    except PydanticCustomError:
        return None


def _cross_field_problems(body: dict[str, Any]) -> list[tuple[Location, str]]:
    """Rules spanning fields, on the raw body so they are reported even when other fields are wrong."""
    problems: list[tuple[Location, str]] = []
    debtor, lender = body.get("debtor_document_number"), body.get("lender_document_number")
    if (
        isinstance(debtor, str)
        and isinstance(lender, str)
        and digits(debtor)
        and digits(debtor) == digits(lender)
    ):
        problems.append((("debtor_document_number",), "must not be the same as lender_document_number"))

    operations, total = body.get("credit_operations"), _amount_or_none(body.get("invoice_total_value"))
    if total is not None and isinstance(operations, list) and operations:
        values = [item.get("operation_value") for item in operations if isinstance(item, dict)]
        amounts = [_amount_or_none(value) for value in values if value is not None]
        if None not in amounts and (summed := sum(amounts, Decimal(0))) > total:
            problems.append(
                (
                    ("credit_operations",),
                    f"the operations' values sum to {summed}, more than invoice_total_value ({total})",
                )
            )
    return problems


def validate_receivable(body: object) -> tuple[ReceivableRequest | None, list[str]]:
    """The validated request, or None, and every problem as `"<field>: <what is wrong>"`, sorted by field."""
    if not isinstance(body, dict):
        return None, [f"body: must be a JSON object (a receivable), not {_json_type(body)}"]
    problems: list[tuple[Location, str]] = []
    request: ReceivableRequest | None = None
    try:
        request = ReceivableRequest.model_validate(body, context={"today": clock.today()})
    except ValidationError as failure:
        problems = [
            (error["loc"], _message(error))
            for error in failure.errors(include_url=False, include_context=False)
        ]
    problems += _cross_field_problems(body)
    if problems:
        problems.sort(key=lambda problem: _order(problem[0]))
        return None, [f"{_path(location)}: {message}" for location, message in problems]
    return request, []


def request_schema() -> dict[str, Any]:
    """`CreateReceivableRequest` as JSON Schema, self-contained (its one nested model inlined), for the
    handler that takes the raw body so that every problem is reported in Pismo's words."""
    schema = ReceivableRequest.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)
