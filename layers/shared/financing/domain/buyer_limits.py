"""Buyer limits: the credit a lender grants against one buyer company, requested then approved or denied.

    pending --approve--> approved
    pending --deny-----> denied

A buyer has one exposure: which limit is current, its status and total, and the outstanding advances
of the buyer's financed invoices. A new request supersedes the current limit (funding against the
buyer waits until it is decided); deciding a superseded request is refused.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from financing.clock import now
from financing.domain.errors import Conflict, FieldProblem, InvalidInput
from financing.domain.money import EXPONENTS, MoneyError, to_minor
from financing.ids import is_id, new_id

CREATED = "buyer_limit.created"
APPROVED = "buyer_limit.approved"
DENIED = "buyer_limit.denied"

ID_PREFIX = "bl"
CURRENCIES = frozenset(EXPONENTS)
MAX_AMOUNT_MINOR = 10**15  # 10 trillion major units: far above any real limit, exact as a JSON number
MAX_REASON_LENGTH = 500


class LimitStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


ALLOWED_FROM: dict[Decision, frozenset[LimitStatus]] = {
    Decision.APPROVE: frozenset({LimitStatus.PENDING}),
    Decision.DENY: frozenset({LimitStatus.PENDING}),
}
LEADS_TO: dict[Decision, LimitStatus] = {
    Decision.APPROVE: LimitStatus.APPROVED,
    Decision.DENY: LimitStatus.DENIED,
}


class BuyerLimit(BaseModel):
    id: str
    tenant_id: str
    company_id: str
    currency: str
    requested_limit: int  # minor units
    total_limit: int | None = None  # minor units, once approved
    status: LimitStatus = LimitStatus.PENDING
    reason: str | None = None  # why it was denied
    created: datetime
    decided_at: datetime | None = None
    version: int = 1


@dataclass(frozen=True)
class Exposure:
    """What one buyer owes against its limit (minor units); the funding transaction keeps it current."""

    company_id: str
    current_limit_id: str
    limit_status: LimitStatus
    total_limit: int
    currency: str
    outstanding: int
    version: int
    concentration_since: int | None = None  # the concentration limit's epoch its outstanding is counted in

    @property
    def available(self) -> int:
        """What may still be advanced against the buyer; nothing unless its current limit is approved."""
        if self.limit_status != LimitStatus.APPROVED:
            return 0
        return max(0, self.total_limit - self.outstanding)

    def available_for(self, limit_id: str) -> int:
        return self.available if self.current_limit_id == limit_id else 0


@dataclass(frozen=True)
class BuyerLimitView:
    """A limit with what is available under it (0 unless it is the buyer's current approved limit)."""

    limit: BuyerLimit
    available_limit: int


def view(limit: BuyerLimit, exposure: Exposure | None) -> BuyerLimitView:
    available = exposure.available_for(limit.id) if exposure and limit.status == LimitStatus.APPROVED else 0
    return BuyerLimitView(limit, available)


def check(decision: Decision, status: LimitStatus) -> None:
    if status not in ALLOWED_FROM[decision]:
        raise Conflict(
            f"Cannot {decision.value} a buyer limit that is '{status.value}'.",
            code="invalid_transition",
            details={"status": status.value},
        )


class BuyerLimitExceeded(Conflict):
    """A funding would take the buyer's outstanding advances above its approved limit."""


def superseded(limit_id: str) -> Conflict:
    return Conflict(
        f"Buyer limit '{limit_id}' was superseded by a newer request for the same buyer.",
        code="limit_superseded",
    )


def _amount_problem(field: str, amount: Decimal, currency: str) -> tuple[int, FieldProblem | None]:
    try:
        minor = to_minor(amount, currency)
    except MoneyError as error:
        return 0, FieldProblem(field, str(error))
    if minor <= 0:
        return minor, FieldProblem(field, "must be greater than 0")
    if minor > MAX_AMOUNT_MINOR:
        return minor, FieldProblem(field, f"must be at most {MAX_AMOUNT_MINOR // 10 ** EXPONENTS[currency]}")
    return minor, None


def request_limit(*, tenant_id: str, company_id: str, requested_limit: Decimal, currency: str) -> BuyerLimit:
    """A new pending limit; `requested_limit` in decimal major units of `currency`."""
    found = []
    if not is_id("company", company_id):
        found.append(FieldProblem("company", "must be the id of one of your companies"))
    if currency not in CURRENCIES:
        found.append(FieldProblem("currency", f"must be one of {', '.join(sorted(CURRENCIES))}"))
        minor = 0
    else:
        minor, problem = _amount_problem("requested_limit", requested_limit, currency)
        found += [problem] if problem else []
    if found:
        raise InvalidInput(found)
    return BuyerLimit(
        id=new_id(ID_PREFIX),
        tenant_id=tenant_id,
        company_id=company_id,
        currency=currency,
        requested_limit=minor,
        created=now(),
    )


def approve(limit: BuyerLimit, total_limit: Decimal) -> BuyerLimit:
    check(Decision.APPROVE, limit.status)
    minor, problem = _amount_problem("total_limit", total_limit, limit.currency)
    if problem:
        raise InvalidInput([problem])
    return _decided(limit, Decision.APPROVE, total_limit=minor)


def deny(limit: BuyerLimit, reason: str) -> BuyerLimit:
    check(Decision.DENY, limit.status)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput([FieldProblem("reason", f"must be 1 to {MAX_REASON_LENGTH} characters")])
    return _decided(limit, Decision.DENY, reason=reason)


def _decided(limit: BuyerLimit, decision: Decision, **changes: object) -> BuyerLimit:
    return limit.model_copy(
        update={
            **changes,
            "status": LEADS_TO[decision],
            "decided_at": now(),
            "version": limit.version + 1,
        }
    )
