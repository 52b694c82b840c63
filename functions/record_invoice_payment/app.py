"""POST /v1/invoices/{invoice_id}/payments: a payment from the buyer, counted once per Idempotency-Key."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import once
from financing.dialects.core.errors import documented
from financing.dialects.core.invoices import InvoiceObject, PaymentBody
from financing.services.invoices import Invoices

app = core_api()


@app.post(
    "/v1/invoices/<invoice_id>/payments",
    summary="Record a payment",
    tags=["Invoices"],
    responses=documented(200, InvoiceObject, "The invoice, with the payment applied."),
)
def record_payment(invoice_id: str, body: Annotated[PaymentBody, Body()]) -> Response[InvoiceObject]:
    invoices = Invoices(caller(app))
    return once(
        app,
        invoices.actor.tenant_id,
        lambda: (
            200,
            invoices.render(invoices.record_payment(invoice_id, body.amount, body.paid_date, body.reference)),
        ),
    )


lambda_handler = entrypoint(app, scope="lender:operate")
