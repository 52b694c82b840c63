"""POST /v1/invoices/{invoice_id}/submit: the supplier submits the invoice for financing."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import EmptyBody

app = core_api()
invoice_action(
    app,
    "submit",
    EmptyBody,
    lambda invoices, invoice_id, body: invoices.submit(invoice_id),
    summary="Submit an invoice",
    description="The invoice, submitted.",
)
lambda_handler = entrypoint(app, scope=Scope.INVOICES_WRITE)
