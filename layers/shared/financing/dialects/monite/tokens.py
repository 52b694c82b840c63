"""Monite's financing tokens as it answers them, and what the hosted financing page gets for them."""

from pydantic import BaseModel, Field

from financing.dialects.monite.invoices import FinancingInvoice, SessionSummary
from financing.dialects.monite.offers import FinancingOffersResponse


class FinancingTokenResponse(BaseModel):
    connect_token: str = Field(description="Names the business for the hosted financing page (15 minutes).")


class ConnectSession(SessionSummary):
    invoices: list[FinancingInvoice]


class FinancingConnectResponse(FinancingOffersResponse):
    """The business's offers; with a session token, the session it names and its invoices."""

    entity_id: str
    expires_at: str = Field(description="When the connect token expires (UTC).")
    session: ConnectSession | None
