"""POST /v1/invoices/{invoice_id}/sign: a signatory of the supplier or the buyer signs; both make it approved."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import SignBody

app = core_api()
invoice_action(
    app,
    "sign",
    SignBody,
    lambda invoices, invoice_id, body: invoices.sign(invoice_id, body.party, body.contact),
    summary="Record a signature",
    description="The invoice, signed.",
)
lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
