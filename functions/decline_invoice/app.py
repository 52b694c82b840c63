"""POST /v1/invoices/{invoice_id}/decline: the lender declines the invoice before funding."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import ReasonBody

app = core_api()
invoice_action(
    app,
    "decline",
    ReasonBody,
    lambda invoices, invoice_id, body: invoices.decline(invoice_id, body.reason),
    summary="Decline an invoice",
    description="The invoice, declined.",
)
lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
