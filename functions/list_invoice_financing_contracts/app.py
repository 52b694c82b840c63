"""GET /open-banking/invoice-financings/v2/contracts: the consenting customer's invoice-financing contracts."""

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
from financing.composition.open_finance import shared_contracts
from financing.families.open_finance.contracts import contract_summary
from financing.families.open_finance.errors import open_finance_responses
from financing.families.open_finance.pagination import DEFAULT_PAGE_SIZE

app = open_finance_api()


@app.get(
    "/open-banking/invoice-financings/v2/contracts",
    summary="List the consented invoice-financing contracts",
    tags=["Open Finance Brasil"],
    responses=open_finance_responses(
        "A page of the customer's contracts (ResponseInvoiceFinancingsContractList)."
    ),
)
def list_(
    page: Page = 1, page_size: PageSize = DEFAULT_PAGE_SIZE, pagination_key: PaginationKey = None
) -> Response[dict[str, Any]]:
    shared, request, keys = shared_contracts(caller(app), consent_id_of(app)).contracts(
        page, page_size, pagination_key
    )
    document = shared.consent.customer_document
    data = [contract_summary(k["id"], k["type"], document, shared.settings) for k in request.slice(keys)]
    return reply(app, data, request, len(keys))


lambda_handler = open_finance_entrypoint(app)
