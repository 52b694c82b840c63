"""POST /v1/financing_sessions: submit one invoice for financing with its supporting documents."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.invoices import FinancingSessionCreate, SessionObject, session_object

app = core_api()


@app.post(
    "/v1/financing_sessions",
    summary="Open a financing session",
    tags=["Invoices"],
    responses=core_responses(201, SessionObject, "The session, open; the invoice is submitted."),
)
def open_session(body: Annotated[FinancingSessionCreate, Body()]) -> Response[SessionObject]:
    invoices = invoice_use_cases(caller(app))

    def submit() -> tuple[int, dict]:
        invoice = invoices.open_session(
            body.supplier,
            body.buyer,
            body.invoices[0],
            [d.model_dump() for d in body.supporting_documents],
            body.submitted_by,
        )
        return 201, {**session_object(invoice.sessions[-1]).model_dump(), "invoices": [invoice.id]}

    return idempotent_response(app, invoices.actor.tenant_id, submit)


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
