"""GET /open-banking/invoice-financings/v2/contracts/{contractId}/warranties: what secures the contract."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, respond
from financing.api.open_finance import consent_id_of, open_finance_api, open_finance_entrypoint
from financing.dialects.open_finance.contracts import warranties
from financing.dialects.open_finance.envelope import (
    DEFAULT_PAGE_SIZE,
    documented,
    paged_body,
)
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
    page: Annotated[int, Query(ge=1, le=2_147_483_647)] = 1,
    page_size: Annotated[int, Query(alias="page-size", ge=1)] = DEFAULT_PAGE_SIZE,
    pagination_key: Annotated[str | None, Query(alias="pagination-key", max_length=2048)] = None,
) -> Response[dict[str, Any]]:
    contracts = SharedContracts(caller(app), consent_id_of(app))
    shared = contracts.contract(contractId, Permission.INVOICE_FINANCINGS_WARRANTIES_READ)
    assert shared.invoice is not None
    request = contracts.page(page, page_size, pagination_key, f"{contractId}/warranties")
    items = warranties(shared.invoice)
    return respond(200, paged_body(app.current_event.raw_event, request.slice(items), request, len(items)))


lambda_handler = open_finance_entrypoint(app)
