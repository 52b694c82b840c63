"""POST /v1/invoices/{invoice_id}/request_signatures: the lender sends the documents for signing."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import EmptyBody

app = core_api()
invoice_action(
    app,
    "request_signatures",
    EmptyBody,
    lambda invoices, invoice_id, body: invoices.request_signatures(invoice_id),
    summary="Request signatures",
    description="The invoice, requesting signatures.",
)
lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
