"""Concentration limit: the most of a tenant's outstanding advances (per currency) one buyer may hold.

The rule, decided on a funding of `advance` to a buyer holding `buyer` while the tenant holds `tenant`
(both in the invoice's currency, minor units, before the funding):

    share after = (buyer + advance) / (tenant + advance)  <=  cap / 10000

A funding raises both sides; a release (full repayment) lowers both, so it can raise the share of
every other buyer. The cap is a funding gate: a release is never refused, and a buyer pushed above
the cap by another buyer's repayment simply cannot be funded further until the share falls.

A tiny portfolio: the first funding of a tenant makes its buyer 100% of the portfolio, so a cap that
always applied would refuse every first funding (and any book with fewer than 10000 / cap buyers).
Factoring facilities handle this with a ramp-up: concentration limits bind once the book reaches a
size. So the cap applies only when the tenant's outstanding after the funding exceeds
`applies_above` (minor units of the invoice's currency; 0, the default, means always).

Why the total lives in one item: other buyers' fundings only raise the total (a stale read of it is
conservative), but releases lower it, so a check against a stale total could let the cap be
exceeded. The check therefore holds the total it read as a commit condition on the tenant's
portfolio item (one per currency): `outstanding >= total read` when the cap applied (a larger total
only lowers the share), `outstanding <= applies_above - advance` when the funding stayed within the
ramp-up. The buyer's own exposure is held to `outstanding <= buyer read`. DynamoDB conflicts any two
concurrent transactions touching one item, so the portfolio item serialises a tenant's fundings: it
is kept only for tenants that set a limit; tenants without one keep no shared item.
"""

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from financing.domain.buyer_limits import Exposure
from financing.domain.errors import Conflict
from financing.domain.money import BASIS

if TYPE_CHECKING:  # the settings module imports this one
    from financing.domain.settings import TenantSettings


class Within(StrEnum):
    """Why a funding is allowed, which is what its commit must keep true."""

    RAMP_UP = "ramp_up"  # the tenant's outstanding after it stays at or below `applies_above`
    CAP = "cap"  # the buyer's share after it is at or below the cap


@dataclass(frozen=True)
class Limit:
    cap: int  # basis points of the tenant's outstanding, 1..10000
    applies_above: int = 0  # minor units: the tenant's outstanding after funding above which the cap binds


class ConcentrationLimitExceeded(Conflict):
    pass


class ConcentrationRaced(Conflict):
    """The portfolio or the buyer's exposure changed between the read and the commit: decide again."""


def share_bps(buyer: int, tenant: int) -> int:
    """The buyer's share of the tenant's outstanding in basis points, rounded up (so a share shown equal
    to the cap is never above it)."""
    return -(-buyer * BASIS // tenant) if tenant else 0


def check_funding(limit: Limit, *, buyer: int, tenant: int, advance: int, currency: str = "") -> Within:
    """Allow a funding of `advance` or refuse it (409 `concentration_limit_exceeded`, naming the share)."""
    tenant_after, buyer_after = tenant + advance, buyer + advance
    if tenant_after <= limit.applies_above:
        return Within.RAMP_UP
    if buyer_after * BASIS <= limit.cap * tenant_after:
        return Within.CAP
    share = share_bps(buyer_after, tenant_after)
    raise ConcentrationLimitExceeded(
        f"Funding this invoice would make the buyer {_percent(share)} of the tenant's outstanding advances"
        f"{' in ' + currency.upper() if currency else ''}, above the concentration limit of "
        f"{_percent(limit.cap)}.",
        code="concentration_limit_exceeded",
        details={"buyer_share_percentage": share, "concentration_limit_percentage": limit.cap},
    )


def _percent(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}%"


@dataclass(frozen=True)
class Guard:
    """What a funding or release read of the concentration limit; its commit must still find it true."""

    settings_version: int
    since: int | None = None  # the limit's epoch; None: the limit was off
    tracked: bool = False  # the buyer's exposure already counted in the portfolio
    buyer: int = 0  # the buyer's outstanding, read
    portfolio: int = 0  # the portfolio item's outstanding, read (0: no item yet)
    cap: int = 0  # the limit's terms read with the settings
    applies_above: int = 0
    within: Within | None = None  # a funding: why it was allowed
    room: int = 0  # a funding within the ramp-up: the most the portfolio item may hold at commit

    @property
    def tenant(self) -> int:
        """The tenant's outstanding as the check sees it: the portfolio plus the buyer if not yet in it."""
        return self.portfolio + (0 if self.tracked else self.buyer)

    def allowed(self, within: Within, advance: int, applies_above: int) -> "Guard":
        room = applies_above - advance - (0 if self.tracked else self.buyer)
        return replace(self, within=within, room=room)


def read_guard(settings: "TenantSettings", exposure: Exposure | None, portfolio: int) -> Guard:
    """The guard of an exposure change, from the settings, the buyer's exposure and the outstanding of the
    tenant's portfolio in the limit's epoch (0 when there is none), all as read."""
    limit = settings.concentration_limit()
    if settings.concentration_since is None or limit is None:
        return Guard(settings.version)
    return Guard(
        settings.version,
        since=settings.concentration_since,
        cap=limit.cap,
        applies_above=limit.applies_above,
        tracked=exposure is not None and exposure.concentration_since == settings.concentration_since,
        buyer=exposure.outstanding if exposure else 0,
        portfolio=portfolio,
    )
