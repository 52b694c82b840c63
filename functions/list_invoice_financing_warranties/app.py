"""GET /open-banking/invoice-financings/v2/contracts/{contractId}/warranties: what secures the contract."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from financing.api.core import caller
from financing.api.open_finance import (
    Page,
    PageSize,
    PaginationKey,
    consent_id_of,
    open_finance_api,
    open_finance_entrypoint,
    reply,
)
from financing.dialects.open_finance.contracts import warranties
from financing.dialects.open_finance.envelope import DEFAULT_PAGE_SIZE, documented
from financing.domain.consents import Permission
from financing.services.open_finance import SharedContracts

app = open_finance_api()


@app.get(
    "/open-banking/invoice-financings/v2/contracts/<contractId>/warranties",
    summary="List an invoice-financing contract's warranties",
    tags=["Open Finance Brasil"],
    responses=documented("A page of the contract's warranties (ResponseInvoiceFinancingsWarranties)."),
)
def list_(
    contractId: str,
    page: Page = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    pagination_key: PaginationKey = None,
) -> Response[dict[str, Any]]:
    shared, request = SharedContracts(caller(app), consent_id_of(app)).contract_page(
        contractId,
        Permission.INVOICE_FINANCINGS_WARRANTIES_READ,
        page,
        page_size,
        pagination_key,
        "warranties",
    )
    assert shared.invoice is not None
    items = warranties(shared.invoice)
    return reply(app, request.slice(items), request, len(items))


lambda_handler = open_finance_entrypoint(app)
