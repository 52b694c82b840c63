"""The financing offers' wiring: how their event shows the credit line (Monite's offers response)."""

from financing.composition.events import announcing
from financing.domain.credit_line import CreditLine
from financing.families.monite.offers import offers_response
from financing.services.ports import Announces

# Its events carry Monite's offers response.
offers_event: Announces[CreditLine] = announcing(offers_response)
