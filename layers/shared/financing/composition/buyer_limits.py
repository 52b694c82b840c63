"""The buyer limit use cases' wiring: how their events show a limit (the core family's buyer limit object)."""

from financing.composition.events import announcing
from financing.domain.buyer_limits import BuyerLimitView
from financing.families.core.buyer_limits import buyer_limit_object
from financing.services.ports import Announces

# Its events carry the core family's buyer limit object.
buyer_limit_event: Announces[BuyerLimitView] = announcing(buyer_limit_object)
