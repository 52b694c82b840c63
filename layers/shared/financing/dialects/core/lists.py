"""The core list envelope and its query parameters."""

from typing import Annotated, Any, Generic, Literal, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from financing.ids import id_pattern

Item = TypeVar("Item")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def id_filter(prefix: str, description: str) -> Any:
    """An optional query parameter naming one id of type `prefix` (`inv_...`), documented with the id's
    pattern: the use case refuses anything else, so the document must say so."""
    return Annotated[str | None, Query(max_length=64, pattern=id_pattern(prefix), description=description)]


class ListObject(BaseModel, Generic[Item]):
    object: Literal["list"] = "list"
    data: list[Item]
    has_more: bool
    next_cursor: str | None
