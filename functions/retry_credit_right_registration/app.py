"""POST /v1/credit-rights/{internal_number}/retry_registration: queue a dead-lettered receivable's registration
again, its attempts reset (202 with the receivable)."""

from aws_lambda_powertools.event_handler import Response

from financing.adapters.credit_rights import CreditRightStore
from financing.api.core import caller
from financing.api.idempotency import idempotent_response
from financing.api.pismo import pismo_api, pismo_entrypoint
from financing.auth.scopes import Scope
from financing.composition.credit_rights import receivable_event
from financing.exact_json import jsonable
from financing.families.pismo.responses import (
    RETRY_ACCEPTED,
    ReceivableObject,
    pismo_responses,
    receivable_object,
)
from financing.services.credit_rights import retry_registration

app = pismo_api()


@app.post(
    "/v1/credit-rights/<internal_number>/retry_registration",
    summary="Retry a dead-lettered registration",
    description="Not in Pismo's API: a receivable still PENDING after the worker's last attempt "
    "(`dead_lettered: true`) is queued for registration again with its attempts reset; any other is 409. "
    "Honours Idempotency-Key; errors in Pismo's envelope.",
    tags=["Credit rights"],
    responses=pismo_responses(202, ReceivableObject, RETRY_ACCEPTED),
)
def retry(internal_number: str) -> Response[ReceivableObject]:
    actor = caller(app)

    def requeue() -> tuple[int, dict]:
        return 202, jsonable(
            receivable_object(
                retry_registration(CreditRightStore(), actor, internal_number, announce=receivable_event)
            )
        )

    return idempotent_response(app, actor.tenant_id, requeue)


lambda_handler = pismo_entrypoint(app, scope=Scope.CREDIT_RIGHTS_WRITE)
