"""GET /open-banking/invoice-financings/v2/contracts/{contractId}/payments: the payments, releases paginated."""

from financing.api.contract_parts import contract_part
from financing.api.open_finance import open_finance_api, open_finance_entrypoint
from financing.domain.consents import Permission
from financing.families.open_finance.contracts import payments, releases


def _page(invoice, request):
    # Only payments recorded by the listing's snapshot, so that its pages stay put.
    items = releases(invoice, recorded_by=request.snapshot)
    return payments(invoice, request.slice(items)), len(items)


app = open_finance_api()
contract_part(
    app,
    "payments",
    Permission.INVOICE_FINANCINGS_PAYMENTS_READ,
    _page,
    summary="Retrieve an invoice-financing contract's payments",
    description="The contract's payments (ResponseInvoiceFinancingsPayments); pages of releases.",
)
lambda_handler = open_finance_entrypoint(app)
