"""GET /v1/companies: the caller's companies, newest first, with cursor pagination."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.adapters.companies import CompanyStore
from financing.api.core import caller, core_api, entrypoint
from financing.auth.scopes import Scope
from financing.families.core.companies import CompanyObject, company_object
from financing.families.core.errors import core_responses
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject
from financing.families.core.pagination import Cursor, list_cursors
from financing.services.companies import list_companies

app = core_api()


@app.get(
    "/v1/companies",
    summary="List companies",
    tags=["Companies"],
    responses=core_responses(200, ListObject[CompanyObject], "A page of companies."),
)
def list_(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ListObject[CompanyObject]:
    actor = caller(app)
    cursors = list_cursors(actor.tenant_id, "companies")
    companies, more = list_companies(CompanyStore(), actor, limit=limit, after=cursors.after(cursor))
    next_cursor = cursors.next(companies[-1].id if more else None)
    return ListObject(data=[company_object(c) for c in companies], has_more=more, next_cursor=next_cursor)


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
