"""POST /v1/invoices/{invoice_id}/payments: a payment from the buyer, counted once per Idempotency-Key."""

from financing.api.core import core_api, entrypoint
from financing.api.invoice_actions import invoice_action
from financing.auth.scopes import Scope
from financing.families.core.invoices import PaymentBody

app = core_api()
invoice_action(
    app,
    "payments",
    PaymentBody,
    lambda invoices, invoice_id, body: invoices.record_payment(
        invoice_id, body.amount, body.paid_date, body.reference
    ),
    summary="Record a payment",
    description="The invoice, with the payment applied.",
)
lambda_handler = entrypoint(app, scope=Scope.LENDER_OPERATE)
