"""Buyer limits in the core shape: amounts are JSON numbers in decimal major units of the currency."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from financing.clock import iso
from financing.domain.buyer_limits import MAX_REASON_LENGTH, BuyerLimitView
from financing.domain.money import to_major
from financing.families.json_input import json_number, json_text
from financing.ids import id_pattern

Currency = Literal["brl", "eur", "gbp", "usd"]


# The domain's ceiling (MAX_AMOUNT_MINOR) in major units: every currency here has two decimals.
PositiveAmount = json_number("Decimal major units, at most the currency's decimal places", gt=0, le=10**13)


# A JSON number in decimal major units, written exactly (financing.exact_json), never through a float.
Major = Annotated[Decimal, WithJsonSchema({"type": "number"})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BuyerLimitCreate(Strict):
    company: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="The buyer: a company of the caller's tenant",
        json_schema_extra={"pattern": id_pattern("company")},
    )
    requested_limit: PositiveAmount
    currency: Currency


class BuyerLimitApprove(Strict):
    total_limit: PositiveAmount


class BuyerLimitDeny(Strict):
    reason: json_text(MAX_REASON_LENGTH)


class BuyerLimitObject(BaseModel):
    id: str
    object: Literal["buyer_limit"] = "buyer_limit"
    company: str
    currency: str
    requested_limit: Major
    total_limit: Major | None = Field(description="null until approved")
    available_limit: Major = Field(
        description="total_limit minus the buyer's outstanding advances while this is the buyer's "
        "current approved limit; otherwise 0"
    )
    status: Literal["pending", "approved", "denied"]
    reason: str | None = Field(description="Why the limit was denied")
    created: str
    decided_at: str | None


def _major(minor: int, currency: str) -> Decimal:
    return to_major(minor, currency)


def buyer_limit_object(view: BuyerLimitView) -> BuyerLimitObject:
    limit = view.limit
    return BuyerLimitObject(
        id=limit.id,
        company=limit.company_id,
        currency=limit.currency,
        requested_limit=_major(limit.requested_limit, limit.currency),
        total_limit=_major(limit.total_limit, limit.currency) if limit.total_limit is not None else None,
        available_limit=_major(view.available_limit, limit.currency),
        status=limit.status.value,
        reason=limit.reason,
        created=iso(limit.created),
        decided_at=iso(limit.decided_at) if limit.decided_at else None,
    )


def creation_details(body: BuyerLimitCreate) -> dict[str, Any]:
    return {"company_id": body.company, "requested_limit": body.requested_limit, "currency": body.currency}
