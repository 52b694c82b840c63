"""The core list envelope and its query parameters."""

import re
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, BeforeValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from financing.ids import id_pattern

Item = TypeVar("Item")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def id_filter(prefix: str, description: str) -> Any:
    """An optional query parameter naming one id of type `prefix` (`inv_...`), documented with the id's
    pattern: the use case refuses anything else, so the document must say so."""
    return Annotated[str | None, Query(max_length=64, pattern=id_pattern(prefix), description=description)]


_YYYY_MM_DD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _calendar_date(value: Any) -> Any:
    # Pydantic's lax mode reads `0` or `86400` as a Unix time (1970-01-01): a query date is only `YYYY-MM-DD`.
    if isinstance(value, str) and not _YYYY_MM_DD.fullmatch(value):
        raise PydanticCustomError("date_from_datetime_parsing", "must be a date written YYYY-MM-DD")
    return value


# A date query parameter, as the document says it: `format: date`, nothing else.
QueryDate = Annotated[
    date, BeforeValidator(_calendar_date), WithJsonSchema({"type": "string", "format": "date"})
]


# A month query parameter: `YYYY-MM`, the month 01 to 12.
QueryMonth = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


class ListObject(BaseModel, Generic[Item]):
    object: Literal["list"] = "list"
    data: list[Item]
    has_more: bool
    next_cursor: str | None
