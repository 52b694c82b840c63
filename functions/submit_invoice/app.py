"""POST /v1/invoices/{invoice_id}/submit: the supplier submits the invoice for financing."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import once
from financing.dialects.core.errors import documented
from financing.dialects.core.invoices import EmptyBody, InvoiceObject
from financing.services.invoices import Invoices

app = core_api()


@app.post(
    "/v1/invoices/<invoice_id>/submit",
    summary="Submit an invoice",
    tags=["Invoices"],
    responses=documented(200, InvoiceObject, "The invoice, submitted."),
)
def submit(invoice_id: str, body: Annotated[EmptyBody, Body()]) -> Response[InvoiceObject]:
    invoices = Invoices(caller(app))
    return once(app, invoices.actor.tenant_id, lambda: (200, invoices.render(invoices.submit(invoice_id))))


lambda_handler = entrypoint(app, scope="invoices:write")
