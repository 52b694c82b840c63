"""GET /v1/invoices/{invoice_id}: one invoice of the caller's tenant, its document expanded."""

from aws_lambda_powertools.event_handler import Response

from financing.api.core import caller, core_api, entrypoint, respond
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.invoices import InvoiceObject

app = core_api()


@app.get(
    "/v1/invoices/<invoice_id>",
    summary="Retrieve an invoice",
    tags=["Invoices"],
    responses=core_responses(200, InvoiceObject, "The invoice."),
)
def retrieve(invoice_id: str) -> Response[InvoiceObject]:
    invoices = invoice_use_cases(caller(app))
    return respond(200, invoices.render(invoices.get(invoice_id)))


lambda_handler = entrypoint(app, scope=Scope.INVOICES_READ)
