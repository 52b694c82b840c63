"""What a funding decides on beside the invoice: read together by one store (services/ports.InvoiceReads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only
    from financing.domain.buyer_limits import Exposure
    from financing.domain.companies import Company
    from financing.domain.credit_line import CreditLine
    from financing.domain.settings import TenantSettings


@dataclass(frozen=True)
class FundingFacts:
    """Everything a funding decides on beside the invoice, read together."""

    settings: TenantSettings
    exposure: Exposure | None  # the buyer's
    credit_line: CreditLine | None  # the tenant's
    supplier: Company | None
    receivable_status: str | None  # the registry status of the invoice's credit right, if it names one
