"""Tenant settings: the lender's terms (pricing, overdue and default days, late fees), with defaults.

Percentages are integers in basis points (10000 = 100%). A tenant that never saved its settings has
the defaults. Funding reads `pricing` and the `iof` rates; the overdue job reads the days and the late fee rate; Open
Finance reads the institution's `brand_name` and `institution_cnpj` (unset until the lender sets them).
Funding reads the optional concentration limit (domain/concentration.py); `concentration_since` is
bookkeeping, not a term: the settings version at which the limit was last switched on, the epoch the
tenant's portfolio items and tracked buyer exposures carry.

To add a setting: a field with a default on TenantSettings (or a nested model), its bounds in
BOUNDS when it is a number (OPTIONAL_BOUNDS when it may be null or left out), and the same field on the core family's object and PUT body.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from financing.clock import now
from financing.domain.concentration import Limit
from financing.domain.errors import DomainError, FieldProblem, InvalidInput
from financing.domain.funding import Pricing, claim_rate_exceeds_amount
from financing.domain.iof import MAX_RATE, STATUTORY_ADDITIONAL_RATE, STATUTORY_DAILY_RATE, IofRates
from financing.domain.money import BASIS
from financing.domain.tax_id import digits, is_cnpj

UPDATED = "settings.updated"
MAX_DAYS = 3650
MAX_BRAND_NAME = 80  # Open Finance's brandName

# Inclusive bounds of each numeric setting, by its dotted path in the object.
BOUNDS: dict[str, tuple[int, int]] = {
    "default_after_days": (1, MAX_DAYS),
    "grace_days": (0, MAX_DAYS),
    "late_fee_rate_percentage": (0, 10 * BASIS),
    "pricing.advance_rate_percentage": (1, BASIS),
    "pricing.fee_percentage": (0, BASIS),
    "iof.daily_rate": (0, MAX_RATE),
    "iof.additional_rate": (0, MAX_RATE),
}
# Bounds of the settings a tenant may leave unset (null or absent: off, or the default).
OPTIONAL_BOUNDS: dict[str, tuple[int, int]] = {
    "concentration_limit_percentage": (1, BASIS),
    "concentration_limit_applies_above": (0, 10**15),
}


class PricingTerms(BaseModel):
    advance_rate_percentage: int = 9000  # of the invoice amount
    fee_percentage: int = 250  # of the advance


class IofTerms(BaseModel):
    """IOF on credit to legal entities (domain.iof); 100000000 = 100%. Defaults: the statutory rates."""

    daily_rate: int = STATUTORY_DAILY_RATE  # a day, for at most 365 days
    additional_rate: int = STATUTORY_ADDITIONAL_RATE  # once


class TenantSettings(BaseModel):
    tenant_id: str
    default_after_days: int = 90  # days after the due date an unpaid invoice becomes defaulted
    grace_days: int = 0  # days after the due date before an unpaid invoice is overdue
    late_fee_rate_percentage: int = 2400  # a year, simple, accrued daily
    pricing: PricingTerms = Field(default_factory=PricingTerms)
    iof: IofTerms = Field(default_factory=IofTerms)
    brand_name: str | None = None  # the institution's brand, as Open Finance shows it
    institution_cnpj: str | None = None  # the institution's CNPJ, 14 digits
    concentration_limit_percentage: int | None = None  # one buyer's most of the outstanding; None: off
    concentration_limit_applies_above: int = 0  # minor units: the outstanding above which the limit binds
    concentration_since: int | None = None  # bookkeeping: the version that switched the limit on
    updated: datetime | None = None  # None until the tenant first saves its settings
    version: int = 0  # 0: never stored

    def terms(self) -> dict[str, Any]:
        """The settings themselves, without identity and bookkeeping."""
        return self.model_dump(exclude={"tenant_id", "updated", "version", "concentration_since"})

    def concentration_limit(self) -> Limit | None:
        if self.concentration_limit_percentage is None:
            return None
        return Limit(self.concentration_limit_percentage, self.concentration_limit_applies_above)

    @property
    def advance_rate_percentage(self) -> int:
        return self.pricing.advance_rate_percentage

    @property
    def fee_percentage(self) -> int:
        return self.pricing.fee_percentage

    def iof_rates(self) -> IofRates:
        return IofRates(daily=self.iof.daily_rate, additional=self.iof.additional_rate)

    def funding_pricing(self) -> Pricing:
        return Pricing(
            advance_rate=self.pricing.advance_rate_percentage, fee_rate=self.pricing.fee_percentage
        )


class InstitutionNotConfigured(DomainError):
    """Open Finance cannot name the institution: the lender has not set brand_name and institution_cnpj."""

    code = "institution_not_configured"


def require_institution(settings: TenantSettings) -> TenantSettings:
    if not settings.brand_name or not settings.institution_cnpj:
        raise InstitutionNotConfigured(
            "The institution is not configured for Open Finance: set brand_name and institution_cnpj "
            "with PUT /v1/settings."
        )
    return settings


def defaults(tenant_id: str) -> TenantSettings:
    return TenantSettings(tenant_id=tenant_id)


def _at(terms: dict[str, Any], path: str) -> Any:
    value: Any = terms
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def problems(terms: dict[str, Any]) -> list[FieldProblem]:
    """Every setting outside its bounds (or not an integer), named by its dotted path, and default pricing
    whose claim would exceed any invoice's amount."""
    # Terms without IOF rates (saved before they existed, or a body leaving them out) take the statute's.
    terms = {"iof": IofTerms().model_dump(), **terms}
    found = []
    for path, (low, high) in BOUNDS.items():
        value = _at(terms, path)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            found.append(FieldProblem(path, f"must be an integer from {low} to {high}"))
    advance, fee = _at(terms, "pricing.advance_rate_percentage"), _at(terms, "pricing.fee_percentage")
    pricing_in_bounds = not any(p.field.startswith("pricing.") for p in found)
    if pricing_in_bounds and claim_rate_exceeds_amount(Pricing(advance_rate=advance, fee_rate=fee)):
        found += [
            FieldProblem(path, "the claim, advance x (1 + fee), would exceed the invoice amount")
            for path in ("pricing.advance_rate_percentage", "pricing.fee_percentage")
        ]
    for path, (low, high) in OPTIONAL_BOUNDS.items():
        value = terms.get(path)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            found.append(FieldProblem(path, f"must be null or an integer from {low} to {high}"))
    brand = terms.get("brand_name")
    if brand is not None and (
        not isinstance(brand, str) or brand != brand.strip() or not 1 <= len(brand) <= MAX_BRAND_NAME
    ):
        found.append(
            FieldProblem("brand_name", f"must be 1 to {MAX_BRAND_NAME} characters without surrounding spaces")
        )
    cnpj = terms.get("institution_cnpj")
    if cnpj is not None and not (isinstance(cnpj, str) and is_cnpj(cnpj)):
        found.append(FieldProblem("institution_cnpj", "must be a valid CNPJ (14 digits with check digits)"))
    return found


def replace_settings(current: TenantSettings, terms: dict[str, Any]) -> TenantSettings:
    """The whole set of terms replaced; the same object when nothing changes and it is already stored."""
    if found := problems(terms):
        raise InvalidInput(found)
    if terms.get("institution_cnpj"):
        terms = {**terms, "institution_cnpj": digits(terms["institution_cnpj"])}
    if terms.get("concentration_limit_applies_above") is None:
        terms = {k: v for k, v in terms.items() if k != "concentration_limit_applies_above"}
    version = current.version + 1
    # The epoch survives while the limit stays on; switching it on starts a new one (a new portfolio).
    since = None
    if terms.get("concentration_limit_percentage") is not None:
        kept = current.concentration_limit_percentage is not None and current.concentration_since
        since = current.concentration_since if kept else version
    revised = TenantSettings.model_validate(
        {
            **terms,
            "tenant_id": current.tenant_id,
            "updated": now(),
            "version": version,
            "concentration_since": since,
        }
    )
    if current.version and revised.terms() == current.terms():
        return current
    return revised
