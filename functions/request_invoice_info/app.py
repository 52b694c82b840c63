"""POST /v1/invoices/{invoice_id}/request_info: the lender asks the supplier for more information."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import once
from financing.dialects.core.errors import documented
from financing.dialects.core.invoices import InvoiceObject, ReasonBody
from financing.services.invoices import Invoices

app = core_api()


@app.post(
    "/v1/invoices/<invoice_id>/request_info",
    summary="Request more information",
    tags=["Invoices"],
    responses=documented(200, InvoiceObject, "The invoice, waiting for information."),
)
def request_info(invoice_id: str, body: Annotated[ReasonBody, Body()]) -> Response[InvoiceObject]:
    invoices = Invoices(caller(app))
    return once(
        app,
        invoices.actor.tenant_id,
        lambda: (200, invoices.render(invoices.request_info(invoice_id, body.reason))),
    )


lambda_handler = entrypoint(app, scope="lender:operate")
