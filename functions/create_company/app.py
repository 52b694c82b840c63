"""POST /v1/companies: register a supplier or buyer company for the caller's tenant."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.adapters.companies import CompanyStore
from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.companies import company_event
from financing.families.core.companies import CompanyCreate, CompanyObject, company_object, creation_details
from financing.families.core.errors import core_responses
from financing.services.companies import create_company

app = core_api()


@app.post(
    "/v1/companies",
    summary="Create a company",
    tags=["Companies"],
    responses=core_responses(201, CompanyObject, "The company, created."),
)
def create(body: Annotated[CompanyCreate, Body()]) -> Response[CompanyObject]:
    actor = caller(app)
    return idempotent_response(
        app,
        actor.tenant_id,
        lambda: (
            201,
            company_object(
                create_company(CompanyStore(), actor, creation_details(body), announce=company_event)
            ).model_dump(mode="json"),
        ),
    )


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
