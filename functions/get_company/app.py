"""GET /v1/companies/{company_id}: one company of the caller's tenant."""

from financing.adapters.companies import CompanyStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.companies import CompanyObject, company_object
from financing.families.core.errors import core_responses
from financing.services.companies import get_company

app = core_api()


@app.get(
    "/v1/companies/<company_id>",
    summary="Retrieve a company",
    tags=["Companies"],
    responses=core_responses(200, CompanyObject, "The company."),
)
def retrieve(company_id: str) -> CompanyObject:
    actor = caller(app)
    return company_object(get_company(CompanyStore(), actor, company_id))


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
