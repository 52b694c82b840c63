"""GET /v1/credit-rights/{internal_number}: the receivable with its registry status, reference, attempts and last error."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.credit_rights import CreditRightStore
from financing.api.core import caller, respond
from financing.api.pismo import pismo_api, pismo_entrypoint
from financing.auth.scopes import Scope
from financing.exact_json import jsonable
from financing.families.pismo.responses import ReceivableObject, pismo_responses, receivable_object
from financing.services.credit_rights import get_receivable

app = pismo_api()


@app.get(
    "/v1/credit-rights/<internal_number>",
    summary="Retrieve a receivable",
    tags=["Credit rights"],
    responses=pismo_responses(200, ReceivableObject, "The receivable with its registry status."),
)
def retrieve(internal_number: str) -> Response[ReceivableObject]:
    receivable = get_receivable(CreditRightStore(), caller(app), internal_number)
    return respond(200, jsonable(receivable_object(receivable)))


lambda_handler = pismo_entrypoint(app, scope=Scope.CREDIT_RIGHTS_READ)
