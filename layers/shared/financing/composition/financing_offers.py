"""The financing offers' wiring: how their event shows the credit line (Monite's offers response)."""

from typing import Any

from financing.dialects.monite.offers import offers_response
from financing.domain.credit_line import CreditLine


def offers_event(line: CreditLine) -> dict[str, Any]:
    return offers_response(line).model_dump(mode="json")
