"""GET /open-banking/invoice-financings/v2/contracts/{contractId}/warranties: what secures the contract."""

from financing.api.contract_parts import contract_part
from financing.api.open_finance import open_finance_api, open_finance_entrypoint
from financing.domain.consents import Permission
from financing.families.open_finance.contracts import warranties


def _page(invoice, request):
    items = warranties(invoice)
    return request.slice(items), len(items)


app = open_finance_api()
contract_part(
    app,
    "warranties",
    Permission.INVOICE_FINANCINGS_WARRANTIES_READ,
    _page,
    summary="List an invoice-financing contract's warranties",
    description="A page of the contract's warranties (ResponseInvoiceFinancingsWarranties).",
)
lambda_handler = open_finance_entrypoint(app)
