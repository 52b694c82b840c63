"""GET /v1/credit-rights: the tenant's receivables with their registry status, by internal number, a page at a time."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.adapters.credit_rights import CreditRightStore
from financing.api.core import caller, respond
from financing.api.pismo import pismo_api, pismo_entrypoint
from financing.auth.scopes import Scope
from financing.exact_json import jsonable
from financing.families.core.lists import DEFAULT_LIMIT, MAX_LIMIT, ListObject
from financing.families.core.pagination import Cursor, list_cursors
from financing.families.pismo.responses import ReceivableObject, pismo_responses, receivable_object
from financing.services.credit_rights import list_receivables

app = pismo_api()


@app.get(
    "/v1/credit-rights",
    summary="List receivables",
    description="Not in Pismo's API (it retrieves one receivable at a time): the tenant's receivables in "
    "`GET /v1/credit-rights/{internal_number}`'s shape (registry status, reference, attempts, last error), "
    "ordered by internal number, with the core list's cursor pagination; errors in Pismo's envelope.",
    tags=["Credit rights"],
    responses=pismo_responses(200, ListObject[ReceivableObject], "A page of receivables."),
)
def list_(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[ListObject[ReceivableObject]]:
    actor = caller(app)
    cursors = list_cursors(actor.tenant_id, "credit_rights")
    found, more = list_receivables(CreditRightStore(), actor, limit=limit, after=cursors.after(cursor))
    next_cursor = cursors.next(found[-1].internal_number if more else None)
    data = [jsonable(receivable_object(r)) for r in found]
    return respond(200, {"object": "list", "data": data, "has_more": more, "next_cursor": next_cursor})


lambda_handler = pismo_entrypoint(app, scope=Scope.CREDIT_RIGHTS_READ)
