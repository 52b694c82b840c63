"""The company use cases' wiring: how their events show a company (the core family's company object)."""

from typing import Any

from financing.dialects.core.companies import company_object
from financing.domain.companies import Company


def company_event(company: Company) -> dict[str, Any]:
    return company_object(company).model_dump(mode="json")
