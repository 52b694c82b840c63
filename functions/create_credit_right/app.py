"""POST /v1/credit-rights: accept a receivable for registration (202); the registrar answers asynchronously."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import WithJsonSchema

from financing.adapters.credit_rights import CreditRightStore
from financing.api.core import caller
from financing.api.idempotency import idempotent_response
from financing.api.pismo import pismo_api, pismo_entrypoint
from financing.auth.scopes import Scope
from financing.composition.credit_rights import receivable_event
from financing.families.pismo.credit_rights import request_schema
from financing.families.pismo.registration import accepted_receivable
from financing.families.pismo.responses import ACCEPTED, CreateReceivableResponse, pismo_responses
from financing.services.credit_rights import request_registration

app = pismo_api()


@app.post(
    "/v1/credit-rights",
    summary="Register a receivable",
    tags=["Credit rights"],
    responses=pismo_responses(202, CreateReceivableResponse, ACCEPTED),
)
def register(
    body: Annotated[
        dict[str, Any], Body(description="Pismo's CreateReceivableRequest"), WithJsonSchema(request_schema())
    ],
) -> Response[CreateReceivableResponse]:
    actor = caller(app)

    def accept() -> tuple[int, dict]:
        request, face_value = accepted_receivable(body)
        request_registration(CreditRightStore(), actor, request, face_value, announce=receivable_event)
        return 202, CreateReceivableResponse(
            message=ACCEPTED, recorder_account=request.get("recorder_account")
        ).model_dump()

    return idempotent_response(app, actor.tenant_id, accept)


lambda_handler = pismo_entrypoint(app, scope=Scope.CREDIT_RIGHTS_WRITE)
