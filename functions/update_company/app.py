"""PATCH /v1/companies/{company_id}: change a company's details (conditional on its version)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.companies import CompanyStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.composition.companies import company_event
from financing.families.core.companies import CompanyObject, CompanyUpdate, company_object, update_changes
from financing.families.core.errors import core_responses
from financing.services.companies import update_company

app = core_api()


@app.patch(
    "/v1/companies/<company_id>",
    summary="Update a company",
    tags=["Companies"],
    responses=core_responses(200, CompanyObject, "The company, updated."),
)
def update(company_id: str, body: Annotated[CompanyUpdate, Body()]) -> CompanyObject:
    actor = caller(app)
    return company_object(
        update_company(CompanyStore(), actor, company_id, update_changes(body), announce=company_event)
    )


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
