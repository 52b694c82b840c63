"""GET /open-banking/invoice-financings/v2/contracts/{contractId}/scheduled-instalments: the contract's schedule."""

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
from financing.clock import today
from financing.dialects.open_finance.contracts import instalments
from financing.dialects.open_finance.envelope import DEFAULT_PAGE_SIZE, documented
from financing.domain.consents import Permission
from financing.services.open_finance import SharedContracts

app = open_finance_api()


@app.get(
    "/open-banking/invoice-financings/v2/contracts/<contractId>/scheduled-instalments",
    summary="Retrieve an invoice-financing contract's instalment schedule",
    tags=["Open Finance Brasil"],
    responses=documented(
        "The contract's schedule (ResponseInvoiceFinancingsInstalments): one bullet payment."
    ),
)
def retrieve(
    contractId: str,
    page: Page = 1,
    page_size: PageSize = DEFAULT_PAGE_SIZE,
    pagination_key: PaginationKey = None,
) -> Response[dict[str, Any]]:
    shared, request = SharedContracts(caller(app), consent_id_of(app)).contract_page(
        contractId,
        Permission.INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ,
        page,
        page_size,
        pagination_key,
        "scheduled-instalments",
    )
    assert shared.invoice is not None
    return reply(app, instalments(shared.invoice, today()), request, 1)


lambda_handler = open_finance_entrypoint(app)
