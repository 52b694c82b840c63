"""POST /v1/invoices/{invoice_id}/sign: a signatory of the supplier or the buyer signs; both make it approved."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import once
from financing.dialects.core.errors import documented
from financing.dialects.core.invoices import InvoiceObject, SignBody
from financing.services.invoices import Invoices

app = core_api()


@app.post(
    "/v1/invoices/<invoice_id>/sign",
    summary="Record a signature",
    tags=["Invoices"],
    responses=documented(200, InvoiceObject, "The invoice, signed."),
)
def sign(invoice_id: str, body: Annotated[SignBody, Body()]) -> Response[InvoiceObject]:
    invoices = Invoices(caller(app))
    return once(
        app,
        invoices.actor.tenant_id,
        lambda: (200, invoices.render(invoices.sign(invoice_id, body.party, body.contact))),
    )


lambda_handler = entrypoint(app, scope="lender:operate")
