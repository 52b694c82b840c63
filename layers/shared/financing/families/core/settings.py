"""Tenant settings in the core shape: the object and the PUT body that replaces it."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from financing.clock import iso
from financing.domain.iof import STATUTORY_ADDITIONAL_RATE, STATUTORY_DAILY_RATE
from financing.domain.settings import BOUNDS, OPTIONAL_BOUNDS, TenantSettings
from financing.domain.tax_id import CNPJ_PATTERN
from financing.families.json_input import json_int


def _bounded(path: str, description: str) -> Any:
    """An integer (never a boolean or a string) within the domain's bounds for the setting at `path`."""
    low, high = {**BOUNDS, **OPTIONAL_BOUNDS}[path]
    return json_int(description, ge=low, le=high)


CONCENTRATION = (
    "The most of the tenant's outstanding advances (per currency) one buyer may hold after a funding; "
    "10000 = 100%; null: no limit. A funding above it is 409 concentration_limit_exceeded."
)
APPLIES_ABOVE = (
    "Minor units of the invoice's currency: the concentration limit binds only once the tenant's "
    "outstanding advances after the funding exceed this (a ramp-up for a young portfolio); 0: always."
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SettingsPricingIn(Strict):
    advance_rate_percentage: _bounded(
        "pricing.advance_rate_percentage", "Advance as a share of the invoice; 10000 = 100%"
    )
    fee_percentage: _bounded("pricing.fee_percentage", "Discount as a share of the advance; 10000 = 100%")


class SettingsIof(Strict):
    daily_rate: _bounded(
        "iof.daily_rate",
        "IOF on credit to legal entities, a day (for at most 365 days); 100000000 = 100%, 0.0082% = 8200",
    ) = STATUTORY_DAILY_RATE
    additional_rate: _bounded(
        "iof.additional_rate", "IOF's additional rate, once; 100000000 = 100%, 0.38% = 380000"
    ) = STATUTORY_ADDITIONAL_RATE


class SettingsPut(Strict):
    """The whole set of settings: every field is required."""

    default_after_days: _bounded("default_after_days", "Days after the due date an unpaid invoice defaults")
    grace_days: _bounded("grace_days", "Days after the due date before an unpaid invoice is overdue")
    late_fee_rate_percentage: _bounded(
        "late_fee_rate_percentage", "Annual late fee, simple, accrued daily; 10000 = 100%"
    )
    pricing: SettingsPricingIn
    iof: SettingsIof = Field(
        default_factory=SettingsIof,
        description="IOF withheld at funding; left out, the statutory rates (Decreto 6.306/2007 as amended)",
    )
    brand_name: Annotated[
        str | None,
        Field(min_length=1, max_length=80, description="The institution's brand, shown by Open Finance"),
    ] = None
    institution_cnpj: Annotated[
        str | None,
        Field(
            min_length=14,
            max_length=18,
            pattern=CNPJ_PATTERN,
            description="The institution's CNPJ (check digits verified); Open Finance's companyCnpj",
        ),
    ] = None
    concentration_limit_percentage: _bounded("concentration_limit_percentage", CONCENTRATION) | None = None
    concentration_limit_applies_above: _bounded("concentration_limit_applies_above", APPLIES_ABOVE) = 0


class SettingsPricing(BaseModel):
    advance_rate_percentage: int
    fee_percentage: int


class SettingsObject(BaseModel):
    object: Literal["settings"] = "settings"
    default_after_days: int
    grace_days: int
    late_fee_rate_percentage: int
    pricing: SettingsPricing
    iof: SettingsIof
    brand_name: str | None
    institution_cnpj: str | None
    concentration_limit_percentage: int | None = Field(description=CONCENTRATION)
    concentration_limit_applies_above: int = Field(description=APPLIES_ABOVE)
    updated: str | None = Field(
        description="When the settings were last saved; null while they are the defaults"
    )


def settings_object(settings: TenantSettings) -> SettingsObject:
    return SettingsObject(
        default_after_days=settings.default_after_days,
        grace_days=settings.grace_days,
        late_fee_rate_percentage=settings.late_fee_rate_percentage,
        pricing=SettingsPricing(**settings.pricing.model_dump()),
        iof=SettingsIof(**settings.iof.model_dump()),
        brand_name=settings.brand_name,
        institution_cnpj=settings.institution_cnpj,
        concentration_limit_percentage=settings.concentration_limit_percentage,
        concentration_limit_applies_above=settings.concentration_limit_applies_above,
        updated=iso(settings.updated) if settings.updated else None,
    )


def settings_terms(body: SettingsPut) -> dict[str, Any]:
    return body.model_dump()
