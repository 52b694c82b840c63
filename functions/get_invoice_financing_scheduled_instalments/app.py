"""GET /open-banking/invoice-financings/v2/contracts/{contractId}/scheduled-instalments: the contract's schedule."""

from financing.api.contract_parts import contract_part
from financing.api.open_finance import open_finance_api, open_finance_entrypoint
from financing.clock import today
from financing.domain.consents import Permission
from financing.families.open_finance.contracts import instalments

app = open_finance_api()
contract_part(
    app,
    "scheduled-instalments",
    Permission.INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ,
    lambda invoice, request: (instalments(invoice, today()), 1),
    summary="Retrieve an invoice-financing contract's instalment schedule",
    description="The contract's schedule (ResponseInvoiceFinancingsInstalments): one bullet payment.",
)
lambda_handler = open_finance_entrypoint(app)
