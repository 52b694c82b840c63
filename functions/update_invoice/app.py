"""PATCH /v1/invoices/{invoice_id}: change a draft invoice (only while it is a draft)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.invoices import InvoiceObject, InvoiceUpdate

app = core_api()


@app.patch(
    "/v1/invoices/<invoice_id>",
    summary="Update a draft invoice",
    tags=["Invoices"],
    responses=core_responses(200, InvoiceObject, "The invoice, updated."),
)
def update(invoice_id: str, body: Annotated[InvoiceUpdate, Body()]) -> Response[InvoiceObject]:
    invoices = invoice_use_cases(caller(app))
    current = invoices.get(invoice_id)
    return respond(200, invoices.render(invoices.edit(invoice_id, body.changes(current.currency))))


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
