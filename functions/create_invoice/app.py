"""POST /v1/invoices: create a draft invoice between two of the tenant's companies."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from financing.api.core import caller, core_api, entrypoint
from financing.api.idempotency import idempotent_response
from financing.auth.scopes import Scope
from financing.composition.invoices import invoice_use_cases
from financing.families.core.errors import core_responses
from financing.families.core.invoices import InvoiceCreate, InvoiceObject

app = core_api()


@app.post(
    "/v1/invoices",
    summary="Create an invoice",
    tags=["Invoices"],
    responses=core_responses(201, InvoiceObject, "The invoice, a draft."),
)
def create(body: Annotated[InvoiceCreate, Body()]) -> Response[InvoiceObject]:
    invoices = invoice_use_cases(caller(app))
    return idempotent_response(
        app, invoices.actor.tenant_id, lambda: (201, invoices.render(invoices.create(body.details())))
    )


lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
