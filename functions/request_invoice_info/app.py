"""POST /v1/invoices/{invoice_id}/request_info: the lender asks the supplier for more information."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import ReasonBody

app = core_api()
invoice_action(
    app,
    "request_info",
    ReasonBody,
    lambda invoices, invoice_id, body: invoices.request_info(invoice_id, body.reason),
    summary="Request more information",
    description="The invoice, waiting for information.",
)
lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
