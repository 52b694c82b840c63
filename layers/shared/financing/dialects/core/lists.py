"""The core list envelope and its query parameters."""

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

Item = TypeVar("Item")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ListObject(BaseModel, Generic[Item]):
    object: Literal["list"] = "list"
    data: list[Item]
    has_more: bool
    next_cursor: str | None
