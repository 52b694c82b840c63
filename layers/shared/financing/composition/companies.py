"""The company use cases' wiring: how their events show a company (the core family's company object)."""

from financing.composition.events import announcing
from financing.domain.companies import Company
from financing.families.core.companies import company_object
from financing.services.ports import Announces

# Its events carry the core family's company object.
company_event: Announces[Company] = announcing(company_object)
