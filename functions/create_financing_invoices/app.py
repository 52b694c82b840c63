"""POST /v1/financing_invoices: submit 1 to 10 invoices for financing in one session, all or nothing."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller
from financing.api.idempotency import once
from financing.api.monite import monite_api, monite_entrypoint
from financing.clock import iso
from financing.dialects.monite.errors import documented
from financing.dialects.monite.invoices import (
    FinancingPushInvoicesRequest,
    FinancingPushInvoicesResponse,
    financing_invoice,
)
from financing.services.invoices import Invoices

app = monite_api()


@app.post(
    "/v1/financing_invoices",
    summary="Request financing for invoices (Monite-shaped)",
    description="Submits each invoice (`id`: the UUID this API lists, or the core `inv_` id; `type` must be "
    "the invoice's) through the same rules as `POST /v1/financing_sessions`, in one session and one "
    "transaction: all are submitted or none. **Differs from Monite**, whose response carries session and "
    "connect tokens for its partner's hosted UI: this one returns the financing session and the invoices "
    "in `FinancingInvoice` shape. Honours `Idempotency-Key`.",
    tags=["Financing (Monite)"],
    responses=documented(201, FinancingPushInvoicesResponse, "The session, open; the invoices, submitted."),
)
def push(body: Annotated[FinancingPushInvoicesRequest, Body()]) -> Response[dict]:
    invoices = Invoices(caller(app))

    def submit() -> tuple[int, dict]:
        submitted = invoices.submit_many([(i.id, i.type) for i in body.invoices])
        session = submitted[0].sessions[-1]
        names = invoices.buyer_names(submitted)
        return 201, {
            "session": {
                "id": session.id,
                "status": session.status.value,
                "submitted_by": session.submitted_by,
                "created": iso(session.created),
            },
            "invoices": [financing_invoice(i, names.get(i.buyer)) for i in submitted],
        }

    return once(app, invoices.actor.tenant_id, submit)


lambda_handler = monite_entrypoint(app, scope="invoices:write")
