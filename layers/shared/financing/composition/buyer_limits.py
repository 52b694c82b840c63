"""The buyer limit use cases' wiring: how their events show a limit (the core family's buyer limit object)."""

from typing import Any

from financing.dialects.core.buyer_limits import buyer_limit_object
from financing.domain.buyer_limits import BuyerLimitView
from financing.exact_json import jsonable


def buyer_limit_event(view: BuyerLimitView) -> dict[str, Any]:
    return jsonable(buyer_limit_object(view))
