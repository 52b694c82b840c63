"""Monite's financing tokens as it answers them, and what the hosted financing page gets for them."""

from pydantic import BaseModel, Field

from financing.families.monite.invoices import FinancingInvoice, SessionSummary
from financing.families.monite.offers import FinancingOffersResponse


class FinancingTokenResponse(BaseModel):
    connect_token: str = Field(description="Names the business for the hosted financing page (15 minutes).")


class ConnectSession(SessionSummary):
    invoices: list[FinancingInvoice]


class FinancingConnectResponse(FinancingOffersResponse):
    """The business's offers and the invoices it may put forward; with a session token, the session it
    names and its invoices."""

    entity_id: str
    expires_at: str = Field(description="When the connect token expires (UTC).")
    session: ConnectSession | None
    draft_invoices: list[FinancingInvoice] = Field(
        description="The business's invoices not yet put forward for financing (DRAFT, oldest first, at "
        "most 100): what `POST /v1/financing_connect/quote` and `/confirm` accept."
    )


class QuoteTotal(BaseModel):
    """The chosen invoices together (they share the offer's currency)."""

    currency: str
    advance_amount: int = Field(description="What the business receives in all (minor units).")
    fee_amount: int = Field(description="The fees in all (minor units).")
    repayment_amount: int = Field(description="What is repaid in all: advances and fees (minor units).")
    repayment_date: str = Field(description="The last repayment date of the chosen invoices.")


class FinancingQuoteResponse(BaseModel):
    """What financing the chosen invoices under the current offer would book if funded on `disbursement_date`."""

    disbursement_date: str = Field(description="The day the quote assumes the advance is paid (today, UTC).")
    invoices: list[FinancingInvoice]
    total: QuoteTotal
