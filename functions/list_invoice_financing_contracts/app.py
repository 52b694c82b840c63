"""GET /open-banking/invoice-financings/v2/contracts: the consenting customer's invoice-financing contracts."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import caller, respond
from financing.api.open_finance import consent_id_of, open_finance_api, open_finance_entrypoint
from financing.dialects.open_finance.contracts import contract_summary
from financing.dialects.open_finance.envelope import (
    DEFAULT_PAGE_SIZE,
    documented,
    paged_body,
)
from financing.services.open_finance import SharedContracts

app = open_finance_api()


@app.get(
    "/open-banking/invoice-financings/v2/contracts",
    summary="List the consented invoice-financing contracts",
    tags=["Open Finance Brasil"],
    responses=documented("A page of the customer's contracts (ResponseInvoiceFinancingsContractList)."),
)
def list_(
    page: Annotated[int, Query(ge=1, le=2_147_483_647)] = 1,
    page_size: Annotated[int, Query(alias="page-size", ge=1)] = DEFAULT_PAGE_SIZE,
    pagination_key: Annotated[str | None, Query(alias="pagination-key", max_length=2048)] = None,
) -> Response[dict[str, Any]]:
    shared, request, keys = SharedContracts(caller(app), consent_id_of(app)).contracts(
        page, page_size, pagination_key
    )
    data = [
        contract_summary(key["id"], key["type"], shared.consent.customer_document, shared.settings)
        for key in request.slice(keys)
    ]
    return respond(200, paged_body(app.current_event.raw_event, data, request, len(keys)))


lambda_handler = open_finance_entrypoint(app)
