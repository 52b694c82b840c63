"""POST /v1/invoices/{invoice_id}/fund: the lender funds the invoice within the buyer's limit."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import FundBody

app = core_api()
invoice_action(
    app,
    "fund",
    FundBody,
    lambda invoices, invoice_id, body: invoices.fund(
        invoice_id, body.advance_rate_percentage, body.fee_percentage, body.disbursement_date
    ),
    summary="Fund an invoice",
    description="The invoice, financed.",
)
lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
