"""Financing offers as Monite shows them: the tenant's credit line as one offer, in integer minor units."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from financing.domain.credit_line import CreditLine, PricingPlan, RepaymentType
from financing.domain.funding import Pricing, claim_rate_exceeds_amount
from financing.domain.money import EXPONENTS
from financing.families.json_input import json_int

Currency = Literal[tuple(code.upper() for code in EXPONENTS)]  # type: ignore[valid-type]


class PricingPlanBody(BaseModel):
    # A FIXED_DURATION plan needs its duration: said to clients as JSON Schema's if/then.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {
                "properties": {"repayment_type": {"const": "FIXED_DURATION"}},
                "required": ["repayment_type"],
            },
            "then": {
                "required": ["repayment_duration_days"],
                "properties": {"repayment_duration_days": {"type": "integer"}},
            },
        },
    )

    advance_rate_percentage: json_int("10000 means 100%.", ge=1, le=10000)
    fee_percentage: json_int("300 means 3.00%.", ge=0, le=10000)
    repayment_type: RepaymentType
    repayment_duration_days: json_int("Required for FIXED_DURATION.", ge=1, le=3650) | None = None

    @model_validator(mode="after")
    def _duration_when_fixed(self) -> "PricingPlanBody":
        if self.repayment_type == RepaymentType.FIXED_DURATION and self.repayment_duration_days is None:
            raise ValueError("repayment_duration_days is required for FIXED_DURATION")
        if claim_rate_exceeds_amount(Pricing(self.advance_rate_percentage, self.fee_percentage)):
            raise ValueError(
                "advance_rate_percentage with fee_percentage gives a claim that exceeds the invoice amount"
            )
        return self

    def plan(self) -> PricingPlan:
        return PricingPlan(
            advance_rate=self.advance_rate_percentage,
            fee_rate=self.fee_percentage,
            repayment_type=self.repayment_type,
            repayment_duration_days=self.repayment_duration_days,
        )


class CreditLineBody(BaseModel):
    """`PUT /v1/financing_offers`: the lender's terms for the tenant."""

    model_config = ConfigDict(extra="forbid")

    total_amount: json_int("The credit line in minor units.", ge=0, le=10**15)
    currency: Currency
    pricing_plans: Annotated[list[PricingPlanBody], Field(min_length=1, max_length=10)]


class PricingPlanObject(BaseModel):
    advance_rate_percentage: int
    fee_percentage: int
    repayment_type: RepaymentType
    # Monite's spec types it an integer: a plan without a duration omits it rather than send null.
    repayment_duration_days: int | SkipJsonSchema[None] = Field(
        default=None, exclude_if=lambda days: days is None, description="Only for FIXED_DURATION."
    )


class FinancingOffer(BaseModel):
    status: Literal["CURRENT"]
    total_amount: int
    available_amount: int
    currency: str
    pricing_plans: list[PricingPlanObject]


class FinancingOffersResponse(BaseModel):
    business_status: Literal["NEW", "ONBOARDED"]
    offers: list[FinancingOffer]


def offers_response(line: CreditLine | None) -> FinancingOffersResponse:
    """No line: a NEW business with no offer. A line: ONBOARDED, with the line as its CURRENT offer."""
    if line is None:
        return FinancingOffersResponse(business_status="NEW", offers=[])
    plans = [
        PricingPlanObject(
            advance_rate_percentage=plan.advance_rate,
            fee_percentage=plan.fee_rate,
            repayment_type=plan.repayment_type,
            repayment_duration_days=plan.repayment_duration_days,
        )
        for plan in line.pricing_plans
    ]
    offer = FinancingOffer(
        status="CURRENT",
        total_amount=line.total_amount,
        available_amount=line.available,
        currency=line.currency.upper(),
        pricing_plans=plans,
    )
    return FinancingOffersResponse(business_status="ONBOARDED", offers=[offer])
