"""DELETE /v1/credit-rights/{internal_number}: ask the registrar to inactivate a CONFIRMED receivable (202)."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.credit_rights import CreditRightStore
from financing.api.core import caller, respond
from financing.api.pismo import pismo_api, pismo_entrypoint
from financing.auth.scopes import Scope
from financing.composition.credit_rights import receivable_event
from financing.families.pismo.responses import INACTIVATION_ACCEPTED, Acknowledgement, pismo_responses
from financing.services.credit_rights import request_inactivation

app = pismo_api()


@app.delete(
    "/v1/credit-rights/<internal_number>",
    summary="Inactivate a receivable",
    tags=["Credit rights"],
    responses=pismo_responses(202, Acknowledgement, INACTIVATION_ACCEPTED),
)
def inactivate(internal_number: str) -> Response[Acknowledgement]:
    request_inactivation(CreditRightStore(), caller(app), internal_number, announce=receivable_event)
    return respond(202, Acknowledgement(message=INACTIVATION_ACCEPTED).model_dump())


lambda_handler = pismo_entrypoint(app, scope=Scope.CREDIT_RIGHTS_WRITE)
